/**
 * Bundles the Electron main process and preload for packaging (`npm run build:electron`):
 * dist/electron/main.js (ESM) and dist/electron/preload.cjs (CommonJS, as sandboxed preloads need).
 * node_modules stay external: electron-builder packs the production dependencies itself and rebuilds
 * the native ones (better-sqlite3) for Electron. Cross-platform on purpose (no cp, no shell tricks).
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/electron`;
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [`${root}electron/main.ts`],
  outfile: `${out}/main.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: true,
});
await build({
  entryPoints: [`${root}electron/preload.ts`],
  outfile: `${out}/preload.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  sourcemap: true,
});
// The store starts its WAL checkpoint worker from a file beside the bundle (new URL(..., import.meta.url)).
copyFileSync(`${root}sqlite/checkpoint-worker.js`, `${out}/checkpoint-worker.js`);
// electron/main.ts opens the store with the migrations beside the bundle (inside app.asar when
// packaged); electron-builder also copies them to <resources>/migrations (extraResources).
mkdirSync(`${out}/migrations`, { recursive: true });
for (const name of readdirSync(`${root}electron/store/migrations`)) {
  if (name.endsWith('.sql'))
    copyFileSync(`${root}electron/store/migrations/${name}`, `${out}/migrations/${name}`);
}
process.stdout.write('Built dist/electron/main.js, preload.cjs, checkpoint-worker.js and migrations/\n');
