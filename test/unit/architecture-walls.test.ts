import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The architecture's walls are lint rules (eslint.config.js); these cases prove the rules refuse each
 * crossing, so a config edit that silently drops a wall fails here, not in review.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

describe('architecture walls', () => {
  it.each([
    ['shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n"],
    ['shared/x.ts', "import { readFileSync } from 'fs';\nexport const a = readFileSync;\n"],
    ['shared/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n"],
    [
      'shared/x.ts',
      "import { openStore } from '../electron/store/database.ts';\nexport const a = openStore;\n",
    ],
    ['shared/x.ts', 'export const a = () => window.location.href;\n'],
    ['shared/x.ts', 'export const a = () => process.env.HOME;\n'],
    ['renderer/src/x/y.tsx', "import { a } from '../../../electron/terminal.ts';\nexport const b = a;\n"],
    ['renderer/src/x/y.tsx', "import { a } from '../../../server/app.ts';\nexport const b = a;\n"],
    ['renderer/src/x/y.tsx', "import { ipcRenderer } from 'electron';\nexport const b = ipcRenderer;\n"],
    ['server/storage/x.ts', "import { a } from '../../electron/store/database.ts';\nexport const b = a;\n"],
    ['electron/services/x.ts', "import { a } from '../../server/app.ts';\nexport const b = a;\n"],
    ['electron/services/x.ts', "import { app } from 'electron';\nexport const b = app;\n"],
  ])('%s may not: %s', async (filePath, code) => {
    expect(await refusals(filePath, code)).not.toEqual([]);
  });

  it.each([
    ['shared/x.ts', "import { z } from 'zod';\nexport const a = z.string();\n"],
    ['renderer/src/x/y.tsx', "import { a } from '../../../shared/money.ts';\nexport const b = a;\n"],
    ['server/storage/x.ts', "import { a } from '../../shared/money.ts';\nexport const b = a;\n"],
    ['electron/main.ts', "import { app } from 'electron';\nexport const b = app;\n"],
  ])('%s may: %s', async (filePath, code) => {
    expect(await refusals(filePath, code)).toEqual([]);
  });
});
