/**
 * The bench's baselines: the least a hold service can do on the same stack, to judge the real
 * server against (`npm run bench -- --only server` runs both beside it, interleaved).
 *
 *   node --import tsx test/bench/baselines/minimal-service.ts sqlite FILE
 *   node --import tsx test/bench/baselines/minimal-service.ts postgres URL SCHEMA
 *
 * Same routes and answers as the real server's hold and release (200, or 409 SEAT_TAKEN), no auth.
 * SQLite: Fastify + better-sqlite3, one guarded INSERT per hold. PostgreSQL: the same guarantees as
 * one statement (a CTE): the guarded insert, the idempotency record, a change-feed row numbered from
 * a sequence; commits asynchronous, as the real server's temporary holds are.
 * Prints `listening URL` when ready.
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';

const [kind, target, schema] = process.argv.slice(2);
const HOLD_MS = 600_000;

interface Body {
  sessionId: string;
  seatIds: number[];
}

type Decide = (body: Body, key: string) => Promise<boolean>;

async function sqliteService(file: string): Promise<{ hold: Decide; release: Decide }> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS holds (seat_id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, until INTEGER NOT NULL)',
  );
  // Takes the seat when it is free or its hold has run out: one statement decides.
  const hold = db.prepare(
    `INSERT INTO holds (seat_id, session_id, until) VALUES (?, ?, ?)
     ON CONFLICT (seat_id) DO UPDATE SET session_id = excluded.session_id, until = excluded.until
     WHERE holds.until <= ?`,
  );
  const release = db.prepare('DELETE FROM holds WHERE seat_id = ? AND session_id = ?');
  return {
    hold: async (b) => {
      const now = Date.now();
      return hold.run(b.seatIds[0], b.sessionId, now + HOLD_MS, now).changes === 1;
    },
    release: async (b) => release.run(b.seatIds[0], b.sessionId).changes === 1,
  };
}

async function postgresService(url: string, name: string): Promise<{ hold: Decide; release: Decide }> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 16,
    application_name: `bench-baseline/${name}`,
    options: `-c search_path=${name}`,
  });
  pool.on('connect', (client) => void client.query('SET synchronous_commit = off'));
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`CREATE SCHEMA IF NOT EXISTS ${name}`);
  await setup.query(`SET search_path = ${name}`);
  await setup.query(`
    CREATE TABLE IF NOT EXISTS holds (seat_id BIGINT PRIMARY KEY, session_id TEXT NOT NULL, until BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS idem (key TEXT PRIMARY KEY, status INT NOT NULL);
    CREATE SEQUENCE IF NOT EXISTS versions;
    CREATE TABLE IF NOT EXISTS changes (version BIGINT NOT NULL, seat_id BIGINT NOT NULL);`);
  await setup.end();
  const decide = (text: string) => async (b: Body, key: string) => {
    const { rows } = await pool.query<{ won: string }>({
      name: text.slice(0, 12),
      text,
      values: [b.seatIds[0], b.sessionId, Date.now(), key],
    });
    return Number(rows[0]!.won) === 1;
  };
  return {
    hold: decide(`WITH h AS (
        INSERT INTO holds (seat_id, session_id, until) VALUES ($1, $2, $3::bigint + ${HOLD_MS})
        ON CONFLICT (seat_id) DO UPDATE SET session_id = EXCLUDED.session_id, until = EXCLUDED.until
        WHERE holds.until <= $3 RETURNING seat_id),
      i AS (INSERT INTO idem (key, status)
        SELECT $4, CASE WHEN EXISTS (SELECT 1 FROM h) THEN 200 ELSE 409 END ON CONFLICT DO NOTHING),
      c AS (INSERT INTO changes (version, seat_id) SELECT nextval('versions'), seat_id FROM h)
      SELECT count(*) AS won FROM h`),
    release:
      decide(`WITH d AS (DELETE FROM holds WHERE seat_id = $1 AND session_id = $2 AND $3::bigint > 0 RETURNING seat_id),
      i AS (INSERT INTO idem (key, status) VALUES ($4, 200) ON CONFLICT DO NOTHING),
      c AS (INSERT INTO changes (version, seat_id) SELECT nextval('versions'), seat_id FROM d)
      SELECT count(*) AS won FROM d`),
  };
}

const service = kind === 'postgres' ? await postgresService(target!, schema!) : await sqliteService(target!);
const app = Fastify({ logger: false });
const route = (path: string, decide: Decide) =>
  app.post<{ Body: Body }>(path, async (request, reply) => {
    const key = String(request.headers['idempotency-key'] ?? '');
    if (await decide(request.body, key)) return { serverTime: Date.now(), result: { ok: true } };
    return reply.status(409).send({ error: { code: 'SEAT_TAKEN', message: 'Seat taken' } });
  });
route('/v1/ops/holdSeats', service.hold);
route('/v1/ops/releaseSeats', service.release);
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
