#!/usr/bin/env node
// The `taquilla-server` command: loads the TypeScript server through tsx so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/main.ts');
try {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
} catch (error) {
  process.stderr.write(`taquilla-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
