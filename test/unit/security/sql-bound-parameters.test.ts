import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * SQL is built only with bound parameters: every value reaches SQLite or PostgreSQL as a parameter.
 * This reads every SQL string handed to prepare/exec/query in electron/ and server/ and allows an
 * interpolation only of a constant SQL fragment declared in the same file (a `const` bound to a
 * literal with no interpolation of its own), or of an identifier checked where it is built.
 */
const ROOT = join(import.meta.dirname, '../../..');
const FOLDERS = ['electron', 'server'];

/** Interpolations that are not constants but are validated identifiers, with where that is checked. */
const VALIDATED_IDENTIFIERS: Record<string, string> = {
  'this.schema': 'schema names are checked against /^[a-z_][a-z0-9_]*$/ where the store is built',
  'this.channel()': 'channel names derive from the validated schema name',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

/** The template literals passed as the first argument of prepare/exec/query/pragma calls. */
function sqlTemplates(source: string): string[] {
  const templates: string[] = [];
  const call = /\.(prepare|exec|query)\s*(<[^()]*?>)?\(\s*`/g;
  for (let match = call.exec(source); match; match = call.exec(source)) {
    let i = match.index + match[0].length;
    let depth = 0;
    let text = '';
    for (; i < source.length; i++) {
      const ch = source[i]!;
      if (depth === 0 && ch === '`') break;
      if (ch === '$' && source[i + 1] === '{') depth += 1;
      else if (ch === '}' && depth > 0) depth -= 1;
      text += ch;
    }
    templates.push(text);
  }
  return templates;
}

function interpolations(template: string): string[] {
  const found: string[] = [];
  const re = /\$\{([^}]*)\}/g;
  for (let m = re.exec(template); m; m = re.exec(template)) found.push(m[1]!.trim());
  return found;
}

/** `const NAME = '…'` / "…" / `…` with no interpolation of a non-constant inside. */
function isConstantFragment(source: string, name: string): boolean {
  const declaration = new RegExp(`const\\s+${name}\\s*(?::[^=]+)?=\\s*(['"\`])`);
  const m = declaration.exec(source);
  if (!m) return false;
  const quote = m[1]!;
  const start = m.index + m[0].length;
  const end = source.indexOf(quote, start);
  const literal = source.slice(start, end);
  return interpolations(literal).every(
    (inner) => /^[A-Za-z_]\w*$/.test(inner) && isConstantFragment(source, inner),
  );
}

function offencesIn(source: string, label: string): string[] {
  const offences: string[] = [];
  for (const template of sqlTemplates(source)) {
    for (const expr of interpolations(template)) {
      if (expr in VALIDATED_IDENTIFIERS) continue;
      if (/^[A-Za-z_]\w*$/.test(expr) && isConstantFragment(source, expr)) continue;
      offences.push(`${label}: \${${expr}} in "${template.slice(0, 80).replace(/\s+/g, ' ')}…"`);
    }
  }
  return offences;
}

describe('SQL is built only with bound parameters', () => {
  const files = FOLDERS.flatMap((f) => sourceFiles(join(ROOT, f)));

  it('the check itself catches a value spliced into SQL', () => {
    const bad =
      'const LIVE = `a`;\nfunction f(name) { db.prepare(`SELECT * FROM t WHERE ${LIVE} AND name = ${name}`); }';
    expect(offencesIn(bad, 'bad.ts')).toEqual([
      'bad.ts: ${name} in "SELECT * FROM t WHERE ${LIVE} AND name = ${name}…"',
    ]);
    const tricky =
      'const columns = `a, ${userInput}`;\ndb.prepare<[number]>(\n  `SELECT ${columns} FROM t`);';
    expect(offencesIn(tricky, 'tricky.ts')).toHaveLength(1);
  });

  it('finds the SQL of the project to check', () => {
    const total = files.reduce((n, f) => n + sqlTemplates(readFileSync(f, 'utf8')).length, 0);
    expect(total).toBeGreaterThan(20);
  });

  it('interpolates nothing but constant SQL fragments and validated identifiers', () => {
    const offences = files.flatMap((file) => offencesIn(readFileSync(file, 'utf8'), relative(ROOT, file)));
    expect(offences).toEqual([]);
  });
});
