/**
 * `npm run bench`: runs every test/bench/*.bench.ts suite and prints each figure beside its target.
 * `npm run bench -- --json` prints one JSON object instead. `--only NAME` runs one suite.
 * `--markdown FILE` also writes the report as a Markdown table (docs/benchmarks.md).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { BenchSuite, Figure } from './figures.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const markdown = args.includes('--markdown') ? args[args.indexOf('--markdown') + 1] : undefined;
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort((a, b) =>
    a === 'reservations.bench.ts' ? -1 : b === 'reservations.bench.ts' ? 1 : a.localeCompare(b),
  );

const report: {
  machine: Record<string, unknown>;
  suites: Record<string, { figures: Figure[]; notes?: Record<string, unknown>; error?: string }>;
} = {
  machine: {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: process.platform,
  },
  suites: {},
};

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

for (const file of files) {
  const { suite } = (await import(`./${file}`)) as { suite: BenchSuite };
  if (only && suite.name !== only) continue;
  log(`\n## ${suite.name}`);
  try {
    const result = await suite.run();
    report.suites[suite.name] = result;
    for (const f of result.figures) {
      const verdict = f.met === undefined ? '' : f.met ? '  ✓' : '  ✗ (misses target)';
      log(
        `  ${f.label.padEnd(78)} ${format(f.value).padStart(10)} ${f.unit.padEnd(9)} ${f.target ?? ''}${verdict}`,
      );
    }
    if (result.notes) log(`  notes: ${JSON.stringify(result.notes)}`);
  } catch (error) {
    report.suites[suite.name] = { figures: [], error: String(error) };
    log(`  failed: ${String(error)}`);
    process.exitCode = 1;
  }
}

if (json) process.stdout.write(`${JSON.stringify(report)}\n`);

if (markdown) {
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench -- --markdown ${markdown}\` on ${new Date().toISOString().slice(0, 10)}:`,
    `Node ${report.machine.node}, ${report.machine.cpus} cores (${report.machine.cpu}). Figures on a shared`,
    'machine move between runs; targets are reported, never asserted in tests.',
    '',
  ];
  for (const [name, result] of Object.entries(report.suites)) {
    lines.push(`## ${name}`, '', '| figure | value | target | met |', '| --- | ---: | --- | :-: |');
    for (const f of result.figures) {
      const met = f.met === undefined ? '' : f.met ? '✓' : '✗';
      lines.push(`| ${f.label} | ${format(f.value)} ${f.unit} | ${f.target ?? ''} | ${met} |`);
    }
    if (result.error) lines.push('', `Failed: ${result.error}`);
    if (result.notes) lines.push('', `Notes: \`${JSON.stringify(result.notes)}\``);
    lines.push('');
  }
  writeFileSync(markdown, `${lines.join('\n')}\n`);
  log(`\nwrote ${markdown}`);
}
