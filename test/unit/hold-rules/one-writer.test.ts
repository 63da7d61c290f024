import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the hold tables have one writer on the terminal', () => {
  it('only electron/services/reservations/hold-writer.ts inserts, updates or deletes transactions and reserved_tickets', () => {
    const write =
      /\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(reserved_tickets|transactions|transaction_reopen_grants)\b/i;
    const writers = sources(join(root, 'electron'))
      .filter((path) => write.test(readFileSync(path, 'utf8')))
      .map((path) => relative(root, path));
    expect(writers).toEqual(['electron/services/reservations/hold-writer.ts']);
  });
});

describe('the hold rules are pure', () => {
  it('shared/hold-rules imports only shared/ and reads no clock', () => {
    for (const path of sources(join(root, 'shared/hold-rules'))) {
      const text = readFileSync(path, 'utf8');
      for (const [, from] of text.matchAll(/from '([^']+)'/g)) expect(from, path).toMatch(/^\.\.?\//);
      expect(text, path).not.toMatch(/Date\.now|new Date\(|performance\.now|process\./);
    }
  });
});
