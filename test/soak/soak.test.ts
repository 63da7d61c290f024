import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { serverSchema } from '../../server/storage/server-schema.ts';
import { type SmallVenue, smallVenue } from '../support/temp-store.ts';
import { checkInvariants, type InvariantView } from './invariants.ts';
import { runSoak } from './simulation.ts';

/** A failing seed prints what to replay: `npm run soak -- --ops 300 --seed S`. */
function explain(report: Awaited<ReturnType<typeof runSoak>>): string {
  return [
    `seed ${report.seed}: ${report.failure?.violations.join('; ') ?? 'no invariant broken'}`,
    ...report.findings.map((f) => `finding at op ${f.op}: ${f.what}`),
    ...report.logTail.slice(-15),
    `replay: ${report.replay}`,
  ].join('\n');
}

/** Enough backups, restores and revocations to see several in 200 operations (one op in 30-40 each). */
const RESTORES_AND_REVOCATIONS = { backup: 4, restore: 3, revoke: 4 } as const;

describe('soak: terminals and a real hold server under random operations, partitions and restarts', () => {
  for (const seed of [20261124, 7]) {
    it(`seed ${seed}: 300 operations keep every seat sold once and every sale at the server`, async () => {
      // Strict (the default): a terminal's store behind the server breaks the run like a double sale.
      const report = await runSoak({ ops: 300, seed, checkEvery: 100 });
      expect(report.failure, explain(report)).toBeNull();
      // Any error other than an expected refusal is a finding; every finding fails CI.
      expect(report.findings, explain(report)).toEqual([]);
      expect(report.figures.salesAcknowledged).toBeGreaterThan(0);
      expect(report.figures.checkpoints).toBeGreaterThanOrEqual(4);
    }, 90_000);
  }

  it('seed 11: 200 operations with backups, restore drills and revocations weighted up keep every invariant', async () => {
    const report = await runSoak({ ops: 200, seed: 11, checkEvery: 50, weights: RESTORES_AND_REVOCATIONS });
    expect(report.failure, explain(report)).toBeNull();
    expect(report.findings, explain(report)).toEqual([]);
    const f = report.figures;
    expect(f.restores, explain(report)).toBeGreaterThan(0);
    expect(f.revocations, explain(report)).toBeGreaterThan(0);
    expect(f.reenrolments.afterRevocation, explain(report)).toBeGreaterThan(0);
    // A revoked counter uploaded the offline sale it had not reported, and the restored server was
    // given back what it lost.
    expect(f.uploadedAfterRevocation, explain(report)).toBeGreaterThan(0);
    expect(f.recovery.recovered, explain(report)).toBeGreaterThan(0);
    expect(f.salesAcknowledged).toBeGreaterThan(0);
  }, 120_000);
});

const pgUrl = process.env.TAQUILLA_PG_URL;

describe.skipIf(!pgUrl)(
  'soak on PostgreSQL: two server processes share the store (set TAQUILLA_PG_URL)',
  () => {
    it('seed 3: 300 operations through both instances keep every invariant', async () => {
      const report = await runSoak({ ops: 300, seed: 3, checkEvery: 100, pgUrl: pgUrl! });
      expect(report.options.servers).toBe(2);
      expect(report.failure, explain(report)).toBeNull();
      // Any error other than an expected refusal is a finding; every finding fails CI.
      expect(report.findings, explain(report)).toEqual([]);
      expect(report.figures.salesAcknowledged).toBeGreaterThan(0);
    }, 60_000);
  },
);

describe('soak checks are not vacuous', () => {
  const venues: SmallVenue[] = [];
  afterEach(() => {
    for (const v of venues.splice(0)) v.close();
  });

  /** A server store in memory with the real schema, holding what the test writes into it. */
  function serverStore(venue: SmallVenue) {
    const db = new Database(':memory:');
    db.exec(serverSchema('sqlite'));
    db.prepare("INSERT INTO tenants (id, name, created_at) VALUES (1, 'T', 0)").run();
    db.prepare(
      "INSERT INTO events (tenant_id, id, name, lease_minutes, created_at) VALUES (1, ?, 'E', 60, 0)",
    ).run(venue.eventId);
    db.prepare(
      "INSERT INTO zones (tenant_id, event_id, id, kind, name, price_cents, capacity, used) VALUES (1, ?, ?, 'numbered', 'P', 2500, 20, 0)",
    ).run(venue.eventId, venue.numberedZoneId);
    db.prepare(
      "INSERT INTO zones (tenant_id, event_id, id, kind, name, price_cents, capacity, used) VALUES (1, ?, ?, 'general', 'G', 1000, 5, 0)",
    ).run(venue.eventId, venue.gaZoneId);
    const sale = (id: string, seatId: number) => {
      db.prepare(
        "INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, created_at, updated_at) VALUES (1, ?, ?, 's', 'a', 'COMPLETED', 0, 0)",
      ).run(id, venue.eventId);
      db.prepare(
        `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id, price_cents,
           status, reserved_until, created_at, updated_at) VALUES (1, ?, ?, ?, ?, 1, 's', 2500, 'COMPLETED', 0, 0, 0)`,
      ).run(id, venue.eventId, venue.numberedZoneId, seatId);
    };
    return { db, sale };
  }

  function view(
    server: Database.Database,
    terminals: SmallVenue[],
    sales: InvariantView['sales'],
    lostKeys?: ReadonlySet<string>,
  ): InvariantView {
    return {
      tenantId: 1,
      terminals: terminals.map((v, index) => ({ index, db: v.db, serverNow: () => v.clock.now() })),
      sales,
      serverRows: async <T>(sql: string, params: unknown[] = []) => server.prepare(sql).all(...params) as T[],
      ...(lostKeys ? { lostKeys } : {}),
    };
  }

  function localSale(venue: SmallVenue, seatId: number): string {
    const held = venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: `s${seatId}`,
      actor: 'a',
      seatIds: [seatId],
    });
    venue.reservations.complete({ transactionId: held.transactionId, actor: 'a' });
    return held.transactionId;
  }

  it('agreeing stores pass; a seat sold twice, a lost sale and an undrained outbox are each caught', async () => {
    const a = smallVenue();
    const b = smallVenue();
    venues.push(a, b);
    const seat = a.seatIds[0]!;
    const server = serverStore(a);
    const sold = localSale(a, seat);
    server.sale(sold, seat);
    expect(
      await checkInvariants(
        view(server.db, [a, b], [{ terminal: 0, transactionId: sold, leased: false, op: 1 }]),
        true,
      ),
    ).toMatchObject({ violations: [], divergences: [] });

    // The same seat sold on the other terminal too, a sale the server never got, a report never sent.
    localSale(b, seat);
    const lost = localSale(b, b.seatIds[5]!);
    b.db
      .prepare(
        "INSERT INTO sync_outbox (idempotency_key, op, body, created_at, next_attempt_at) VALUES ('k-1', 'complete', '{}', 0, 0)",
      )
      .run();
    const { violations } = await checkInvariants(
      view(server.db, [a, b], [{ terminal: 1, transactionId: lost, leased: false, op: 2 }]),
      true,
    );
    expect(violations.join('\n')).toMatch(/is not sold at the server/);
    expect(violations.join('\n')).toMatch(/acknowledged sale .* is not COMPLETED/);
    expect(violations.join('\n')).toMatch(/1 outbox items never drained/);

    // A sale the server completed that the terminal never recorded: a divergence, not a lost sale.
    server.sale('only-at-server', a.seatIds[9]!);
    const behind = await checkInvariants(
      view(server.db, [a], [{ terminal: 0, transactionId: 'only-at-server', leased: false, op: 3 }]),
      true,
    );
    expect(behind.violations).toEqual([]);
    expect(behind.divergences.join('\n')).toMatch(/only-at-server .* missing locally/);

    // A store that lost its unique index and sold a seat twice.
    server.db.exec('DROP INDEX one_live_ticket_per_seat');
    server.sale('dup', seat);
    const broken = await checkInvariants(view(server.db, [a], []), false);
    expect(broken.violations.join('\n')).toMatch(/seat \d+ of event \d+ has 2 live tickets/);
  });

  it('after a restore: a lost record is excused only if the restore took it; a sale lost by it is checked once re-sent, a refused one is a recorded conflict', async () => {
    const a = smallVenue();
    venues.push(a);
    const server = serverStore(a);
    const outbox = (key: string, op: string, body: unknown, acked: boolean) =>
      Number(
        a.db
          .prepare(
            `INSERT INTO sync_outbox (idempotency_key, op, body, created_at, next_attempt_at, acked_at, reply_status, reply)
             VALUES (?, ?, ?, 0, 0, ?, ?, ?)`,
          )
          .run(key, op, JSON.stringify(body), acked ? 1 : null, acked ? 200 : null, acked ? '{}' : null)
          .lastInsertRowid,
      );
    // A sale acknowledged after the backup: its record and its sale are gone from the restored store.
    const lost = localSale(a, a.seatIds[0]!);
    outbox('k-lost', 'complete', { transactionId: lost }, true);
    const sales = [{ terminal: 0, transactionId: lost, leased: false, op: 1 }];
    const unexcused = await checkInvariants(view(server.db, [a], sales), false);
    expect(unexcused.violations.join('\n')).toMatch(
      /outbox item \d+ \(complete\) acknowledged, unknown at server/,
    );
    expect(unexcused.violations.join('\n')).toMatch(/is not sold at the server/);

    // The restore took the record: excused. The sale is queued to re-send: checked once it is sent.
    const resend = outbox('k-resend', 'recoverSale', { transactionId: lost, eventId: a.eventId }, false);
    const lostKeys = new Set(['k-lost']);
    expect(await checkInvariants(view(server.db, [a], sales, lostKeys), false)).toMatchObject({
      violations: [],
      divergences: [],
    });
    const final = await checkInvariants(view(server.db, [a], sales, lostKeys), true);
    expect(final.violations.join('\n')).toMatch(/is not sold at the server/);
    expect(final.violations.join('\n')).toMatch(/1 outbox items never drained/);

    // Refused on re-sending (a seat sold again meanwhile): on the conflict list, recorded, not lost.
    a.db
      .prepare("UPDATE sync_outbox SET acked_at = 2, reply_status = 409, reply = '{}' WHERE id = ?")
      .run(resend);
    a.db
      .prepare(
        `INSERT INTO sync_conflicts (outbox_id, op, body, error_code, error, created_at)
         VALUES (?, 'recoverSale', ?, 'SEAT_TAKEN', 'taken', 2)`,
      )
      .run(resend, JSON.stringify({ transactionId: lost }));
    server.db
      .prepare(
        "INSERT INTO idempotency (tenant_id, key, request_hash, status, body, created_at) VALUES (1, 'k-resend', '', 409, '{}', 2)",
      )
      .run();
    expect(await checkInvariants(view(server.db, [a], sales, lostKeys), true)).toMatchObject({
      violations: [],
      divergences: [],
    });
  });
});
