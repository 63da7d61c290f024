import { execFileSync } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchSuite, type Figure } from './figures.ts';

/**
 * The server's SQLite store alone, CPU-bound: hold + release pairs through `execute` (no HTTP), one
 * at a time (each write its own commit, as under HTTP) and ten at a time (group commits). CPU per
 * pair from `process.cpuUsage` of a child process per measurement, the median of ROUNDS rounds.
 *
 * To compare commits, name other checkouts (each with node_modules or a link to one):
 *   SERVER_STORE_TREES=/path/before,/path/main npm run bench -- --only server-store
 * Every round runs each tree in turn (this one last), so load on a shared box falls on all alike.
 */
const ROUNDS = 3;
const PAIRS = 2500;
const DRIVER = fileURLToPath(new URL('./baselines/server-store-driver.ts', import.meta.url));
const HERE = resolve(fileURLToPath(new URL('../..', import.meta.url)));

interface Sample {
  cpuUsPerPair: number;
  userUsPerPair: number;
  systemUsPerPair: number;
  wallUsPerPair: number;
}

function measure(tree: string, concurrent: number): Sample {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', DRIVER, tree, String(PAIRS), String(concurrent)],
    { cwd: HERE, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Sample;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const suite: BenchSuite = {
  name: 'server-store',
  async run() {
    const others = (process.env.SERVER_STORE_TREES ?? '')
      .split(',')
      .filter(Boolean)
      .map((t) => resolve(t));
    const trees = [...others, HERE];
    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const tree of trees) {
        for (const concurrent of [1, 10]) {
          const k = `${tree}|${concurrent}`;
          samples.set(k, [...(samples.get(k) ?? []), measure(tree, concurrent)]);
        }
      }
    }
    const figures: Figure[] = [];
    const notes: Record<string, unknown> = { rounds: ROUNDS, pairs: PAIRS };
    for (const tree of trees) {
      const name = tree === HERE ? 'this tree' : basename(tree);
      for (const concurrent of [1, 10]) {
        const runs = samples.get(`${tree}|${concurrent}`)!;
        const cpu = runs.map((s) => s.cpuUsPerPair);
        figures.push({
          key: `serverStore.${tree === HERE ? 'here' : basename(tree)}.c${concurrent}.cpu`,
          label: `${name}: store CPU per hold + release, ${concurrent === 1 ? 'one' : 'ten'} at a time (median)`,
          value: median(cpu),
          unit: 'µs',
        });
        notes[`${name} c${concurrent} cpu µs`] = cpu.map((x) => Math.round(x));
        notes[`${name} c${concurrent} user/sys µs`] = runs.map(
          (s) => `${Math.round(s.userUsPerPair)}/${Math.round(s.systemUsPerPair)}`,
        );
      }
    }
    return { figures, notes };
  },
};
