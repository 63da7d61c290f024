import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OP_KINDS, type OpKind, runSoak, type SoakReport } from './simulation.ts';

const USAGE = `npm run soak -- --ops N --seed S [options]

  --ops N            operations to run (default 1000)
  --seed S           the PRNG seed (default: random; printed, so a failure can be replayed)
  --terminals N      terminal cores (default 3)
  --pg               central store on PostgreSQL (needs TAQUILLA_PG_URL); 2 server processes
  --servers N        server processes (more than one needs --pg)
  --check-every K    check the invariants every K operations (default 100)
  --burst N          up to N operations of different terminals at once (default 3; 1 = sequential)
  --weights K=W,...  replace some operation weights (e.g. restore=1.5,revoke=2; see OP_WEIGHTS)
  --lenient          report a terminal store behind the server, or an unexpected error, as a finding
                     and exit 0 (default: either fails the run, exit 1)
  --log FILE         write every operation to FILE
  --json FILE        write the report as JSON
  --progress N       a progress line every N operations (default: ops/20)`;

function summary(report: SoakReport): string {
  const f = report.figures;
  const lines = [
    `soak seed ${report.seed} on ${report.options.store}: ${f.ops} ops in ${(f.durationMs / 1000).toFixed(1)} s`,
    `  terminals ${report.options.terminals}, servers ${report.options.servers}, events ${f.events}`,
    `  ok ${f.ok}; refused ${JSON.stringify(f.refused)}`,
    `  partitions ${f.partitions}, server crashes ${f.serverCrashes}, server restarts ${f.serverRestarts}, time jumps ${f.timeJumps}, terminal restarts ${f.terminalRestarts}`,
    `  sales acknowledged ${f.salesAcknowledged} (online ${f.salesOnline}, from a lease ${f.salesFromLease}); leases ${f.leasesTaken}; conflicts ${f.conflicts} ${JSON.stringify(f.conflictCodes)} (resolved ${f.conflictsResolved}); redeliveries ${f.redeliveries}`,
    `  backups ${f.backups}, restores ${f.restores} (acknowledged items lost ${f.keysLostByRestores}; sales re-sent ${JSON.stringify(f.recovery)}); revocations ${f.revocations} (${f.revocationsWithUnreported} with ${f.unreportedAtRevocation} unreported sales, ${f.uploadedAfterRevocation} uploaded after); enrolled again ${JSON.stringify(f.reenrolments)}; re-sent sales refused, by what has the place ${JSON.stringify(f.recoveryConflicts)}`,
    `  invariant checkpoints ${f.checkpoints}, assertions ${f.invariantChecks}`,
    `  ops by kind ${JSON.stringify(f.opsByKind)}`,
  ];
  for (const kind of ['error', 'divergence'] as const) {
    const found = report.findings.filter((x) => x.kind === kind);
    if (found.length === 0) continue;
    lines.push(
      kind === 'error'
        ? `  findings: ${found.length} unexpected errors`
        : `  findings: ${found.length} divergences (a terminal's store behind the server)`,
    );
    for (const x of found.slice(0, 12)) lines.push(`    op ${x.op}: ${x.what}`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      terminals: { type: 'string' },
      servers: { type: 'string' },
      pg: { type: 'boolean', default: false },
      lenient: { type: 'boolean', default: false },
      'check-every': { type: 'string' },
      burst: { type: 'string' },
      log: { type: 'string' },
      json: { type: 'string' },
      progress: { type: 'string' },
      weights: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const pgUrl = values.pg ? process.env.TAQUILLA_PG_URL : undefined;
  if (values.pg && !pgUrl) {
    process.stderr.write('--pg needs TAQUILLA_PG_URL\n');
    return 2;
  }
  const ops = Number(values.ops);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const opt = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const weights: Partial<Record<OpKind, number>> = {};
  for (const pair of values.weights ? values.weights.split(',') : []) {
    const [kind, weight] = pair.split('=');
    if (!OP_KINDS.includes(kind as OpKind) || !(Number(weight) >= 0)) {
      process.stderr.write(
        `--weights: not an operation kind and weight: ${pair} (kinds: ${OP_KINDS.join(', ')})\n`,
      );
      return 2;
    }
    weights[kind as OpKind] = Number(weight);
  }
  if (values.log) writeFileSync(values.log, '');
  process.stderr.write(`soak: seed ${seed}, ${ops} ops\n`);
  const report = await runSoak({
    ops,
    seed,
    ...(pgUrl ? { pgUrl } : {}),
    ...(opt(values.terminals) ? { terminals: opt(values.terminals)! } : {}),
    ...(opt(values.servers) ? { servers: opt(values.servers)! } : {}),
    ...(opt(values['check-every']) ? { checkEvery: opt(values['check-every'])! } : {}),
    ...(opt(values.burst) ? { burst: opt(values.burst)! } : {}),
    strict: !values.lenient,
    ...(Object.keys(weights).length > 0 ? { weights } : {}),
    progressEvery: opt(values.progress) ?? Math.max(50, Math.round(ops / 20)),
    ...(values.log ? { log: (line: string) => appendFileSync(values.log!, `${line}\n`) } : {}),
  });
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${summary(report)}\n`);
  if (report.failure) {
    process.stdout.write(
      [
        `FAILED at op ${report.failure.op} (${report.failure.phase}) with seed ${report.seed}:`,
        ...report.failure.violations.slice(0, 30).map((v) => `  - ${v}`),
        'last operations:',
        ...report.logTail.map((l) => `  ${l}`),
        `replay: ${report.replay}`,
        '',
      ].join('\n'),
    );
    return 1;
  }
  if (!values.lenient && report.findings.length > 0) {
    process.stdout.write(`FAILED: ${report.findings.length} findings (above). replay: ${report.replay}\n`);
    return 1;
  }
  process.stdout.write(`all invariants held. replay: ${report.replay}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
