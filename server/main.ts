import { parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.ts';
import { buildServer, createEnrolCode, createTenantWithAdmin } from './app.ts';
import type { HoldStore } from './storage/hold-store.ts';
import { PgHoldStore } from './storage/pg-hold-store.ts';
import { SqliteHoldStore } from './storage/sqlite-hold-store.ts';

const USAGE = `taquilla-server [serve] (--db FILE | --pg URL) [--port N] [--host ADDR]
taquilla-server create-tenant (--db FILE | --pg URL) --name NAME     prints the tenant id and its admin secret
taquilla-server enrol-code (--db FILE | --pg URL) --tenant ID [--minutes N]   prints a one-time enrolment code

  --pg-schema NAME        PostgreSQL schema to use (default: the role's search_path)
  --clock-offset-ms MS    run the server's clock ahead (training and partition tests: "hours later")`;

function openStore(values: Record<string, string | boolean | undefined>): HoldStore {
  if (typeof values.pg === 'string') {
    return new PgHoldStore(
      values.pg,
      typeof values['pg-schema'] === 'string' ? { schema: values['pg-schema'] } : {},
    );
  }
  if (typeof values.db === 'string') return new SqliteHoldStore(values.db);
  throw new Error('--db FILE or --pg URL is required');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      pg: { type: 'string' },
      'pg-schema': { type: 'string' },
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      minutes: { type: 'string', default: '60' },
      'clock-offset-ms': { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const store = openStore(values);
  await store.init();
  const now = systemClock.now();
  if (command === 'create-tenant') {
    if (!values.name) throw new Error('--name is required');
    const created = await createTenantWithAdmin(store, values.name, {}, now);
    process.stdout.write(`${JSON.stringify(created)}\n`);
    await store.close();
    return 0;
  }
  if (command === 'enrol-code') {
    const tenantId = Number(values.tenant);
    if (!Number.isSafeInteger(tenantId) || tenantId < 1) throw new Error('--tenant ID is required');
    const created = await createEnrolCode(store, tenantId, Number(values.minutes), now);
    process.stdout.write(`${JSON.stringify(created)}\n`);
    await store.close();
    return 0;
  }
  if (command !== 'serve') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const offset = Number(values['clock-offset-ms']);
  const clock = offset === 0 ? systemClock : { now: () => systemClock.now() + offset };
  const app = await buildServer({ store, clock });
  const address = await app.listen({
    port: Number(values.port),
    host: values.host,
  });
  // Tests and scripts read this line to learn the port (--port 0 picks a free one).
  process.stdout.write(`listening ${address}\n`);
  const stop = async () => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  return 0;
}
