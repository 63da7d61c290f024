import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);

/** The parts of electron-builder's resolved configuration this test reads. */
interface BuilderConfig {
  linux: { target: string[] };
  win: { target: { target: string }[] };
  npmRebuild: boolean;
  extraResources: { from: string; to: string }[];
}

/**
 * Packaging cannot run here (no Electron binary), so this checks what can be checked without it:
 * electron-builder itself loads and validates the configuration, the icons it needs exist at the
 * right sizes, and what the config copies and runs is really in the repository.
 */
describe('packaging configuration', () => {
  it('is accepted by electron-builder, targets AppImage, deb and NSIS, and ships the migrations', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      getConfig: (dir: string, path: string | null, options: unknown) => Promise<BuilderConfig>;
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const config = await getConfig(root, null, null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target[0]?.target).toBe('nsis');
    expect(config.npmRebuild).toBe(true);
    const migrations = config.extraResources.find((r) => r.to === 'migrations')!;
    expect(existsSync(join(root, migrations.from, '001_init.sql'))).toBe(true);
    expect(existsSync(join(root, migrations.from, '004_payments.sql'))).toBe(true);
  });

  it('has the icons electron-builder looks for, at their stated sizes', () => {
    const icon = PNG.sync.read(readFileSync(join(root, 'build/icon.png')));
    expect([icon.width, icon.height]).toEqual([512, 512]);
    const files = readdirSync(join(root, 'build/icons')).filter((f) => f.endsWith('.png'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const [w, h] = file.replace('.png', '').split('x').map(Number);
      const png = PNG.sync.read(readFileSync(join(root, 'build/icons', file)));
      expect([png.width, png.height]).toEqual([w, h]);
    }
  });

  it('has the scripts the docs promise, and main points at the bundle build:electron writes', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      main: string;
      scripts: Record<string, string>;
    };
    for (const script of ['dist:linux', 'dist:win', 'build:electron', 'build:renderer', 'icons']) {
      expect(pkg.scripts[script], script).toBeTruthy();
    }
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(readFileSync(join(root, 'scripts/build-electron.ts'), 'utf8')).toContain(
      'outfile: `${out}/main.js`',
    );
  });
});
