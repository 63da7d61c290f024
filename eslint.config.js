import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The architecture's walls (README "Architecture"): dependencies point one way, renderer → shared,
 * electron → shared, server → shared. Folder names are matched on the relative path that leaves the
 * importing folder, so `../../server/x` from electron/ is refused wherever the file sits.
 */
const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
const escapesTo = (...folders) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
  message: 'Crosses an architecture wall (README, "Architecture").',
});
const noNode = [
  { regex: '^node:', message: 'No Node modules here.' },
  { group: nodeBuiltins, message: 'No Node modules here.' },
];
const noElectron = {
  name: 'electron',
  message: "Only electron/main.ts, preload.ts and ipc.ts import 'electron'.",
};
const serverOnly = ['better-sqlite3', 'pg', 'fastify', 'pino'].map((name) => ({
  name,
  message: 'A process-side package: not in this folder.',
}));
const walls = [
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, ...serverOnly, { name: 'react', message: 'shared/ is pure TypeScript.' }],
          patterns: [...noNode, escapesTo('electron', 'server', 'renderer', 'test', 'bin', 'sqlite')],
        },
      ],
      // Pure: no DOM and no Node process globals (time, randomness and I/O come in as arguments).
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'navigator',
          'localStorage',
          'sessionStorage',
          'fetch',
          'process',
          'Buffer',
          'require',
          '__dirname',
          'setTimeout',
          'setInterval',
        ].map((name) => ({ name, message: 'shared/ is pure: pass it in.' })),
      ],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, ...serverOnly],
          patterns: [...noNode, escapesTo('electron', 'server', 'test', 'bin', 'build', 'sqlite')],
        },
      ],
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noElectron], patterns: [escapesTo('electron', 'renderer', 'test', 'bin')] },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/ipc.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noElectron], patterns: [escapesTo('server', 'renderer', 'test', 'bin')] },
      ],
    },
  },
  {
    files: ['electron/main.ts', 'electron/preload.ts', 'electron/ipc.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [escapesTo('server', 'renderer', 'test', 'bin')] }],
    },
  },
];

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'release/',
      'test-results/',
      'coverage/',
      'virtual-printer-out/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...walls,
);
