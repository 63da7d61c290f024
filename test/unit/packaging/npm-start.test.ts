import { describe, expect, it } from 'vitest';
import { ELECTRON_MISSING, type StartDeps, startApp } from '../../../scripts/start.ts';

function deps(electron: string | null, codes: Record<string, number> = {}) {
  const ran: string[] = [];
  const said: string[] = [];
  const d: StartDeps = {
    electron: () => electron,
    run: (program, args) => {
      const line = [program, ...args].join(' ');
      ran.push(line);
      return Object.entries(codes).find(([k]) => line.includes(k))?.[1] ?? 0;
    },
    say: (line) => said.push(line),
  };
  return { d, ran, said };
}

describe('npm start', () => {
  it('where Electron is installed: builds, then opens the app with the arguments given', () => {
    const { d, ran, said } = deps('/opt/electron/electron', { '/opt/electron/electron': 3 });
    expect(startApp(d, ['--trace-warnings'])).toBe(3);
    expect(ran).toHaveLength(2);
    expect(ran[0]).toMatch(/run build$/);
    expect(ran[1]).toBe('/opt/electron/electron . --trace-warnings');
    expect(said).toEqual([]);
  });

  it('a failed build opens nothing', () => {
    const { d, ran } = deps('/opt/electron/electron', { 'run build': 2 });
    expect(startApp(d)).toBe(2);
    expect(ran).toHaveLength(1);
  });

  it('without the Electron binary: builds nothing, says how to run the terminal in a browser, exit 1', () => {
    const { d, ran, said } = deps(null);
    expect(startApp(d)).toBe(1);
    expect(ran).toEqual([]);
    expect(said).toEqual(ELECTRON_MISSING);
    expect(said.join('\n')).toMatch(/taquilla serve --db demo\.db/);
  });
});
