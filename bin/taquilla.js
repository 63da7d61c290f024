#!/usr/bin/env node
// The `taquilla` command: loads the TypeScript CLI through tsx so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../electron/cli/taquilla.ts');
process.exitCode = await runCli(process.argv.slice(2));
