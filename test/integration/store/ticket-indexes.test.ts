import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AvailabilityService } from '../../../electron/services/reservations/availability-service.ts';
import { NotificationService } from '../../../electron/services/payments/notifications.ts';
import { ExpiryPreviewService } from '../../../electron/services/reservations/expiry-preview.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { ReservationStatsService } from '../../../electron/services/reservations/reservation-stats.ts';
import { type Db, openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

let dir: ReturnType<typeof tempDir>;
let db: Db;
beforeEach(() => {
  dir = tempDir();
  db = openDatabase(join(dir.dir, 'indexes.db'));
});
afterEach(() => {
  db.close();
  dir.remove();
});

/** The SQL of every statement the services prepare, caught as they are built. */
function statementsOf(build: (db: Db) => void): string[] {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as Db['prepare'];
  try {
    build(db);
  } finally {
    db.prepare = prepare as Db['prepare'];
  }
  return seen;
}

/** The query plan, parameters read as the constant 1 (no statistics: the plan does not change). */
function plan(sql: string): string[] {
  const constants = sql.replace(/\?|@\w+/g, '1');
  return db
    .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${constants}`)
    .all()
    .map((r) => r.detail);
}

describe('the indexes on tickets (issue 17: index writes per hold)', () => {
  it('keeps four index entries per seat hold and one index by event', () => {
    const indexes = db
      .prepare<[], { name: string; partial: number }>(
        "SELECT il.name, il.partial FROM pragma_index_list('reserved_tickets') il ORDER BY il.name",
      )
      .all();
    expect(indexes.map((i) => i.name)).toEqual([
      'one_live_ticket_per_seat',
      'tickets_active_by_until',
      'tickets_by_event_status',
      'tickets_by_transaction',
      'tickets_ga_active',
    ]);
    // A seat hold (ACTIVE, seat set) lands in every index but the general-admission one.
    expect(indexes.filter((i) => i.name !== 'tickets_ga_active')).toHaveLength(4);
  });

  it('reads the live seats of an event for the snapshot from the index alone', () => {
    const sql = statementsOf((d) => new AvailabilityService(d, new ManualClock(T0))).find((s) =>
      /FROM reserved_tickets\s+WHERE event_id = \?/.test(s),
    );
    expect(sql).toBeDefined();
    expect(plan(sql!).join('\n')).toMatch(/USING COVERING INDEX tickets_by_event_status/);
  });

  it('indexes the audit trail by entity for transactions, not for each ticket', () => {
    const lookup = (entity: string) =>
      plan(`SELECT id FROM audit_log WHERE entity = '${entity}' AND entity_id = ?`).join('\n');
    expect(lookup('transaction')).toMatch(/USING (COVERING )?INDEX audit_by_entity/);
    expect(lookup('seat')).toMatch(/USING (COVERING )?INDEX audit_by_entity/);
    // A ticket's own trail is read in id order (forensics), never on a hold or a screen.
    expect(lookup('ticket')).not.toMatch(/audit_by_entity/);
  });

  it('never scans every ticket or audit row ever written to hold, expire, count or show', () => {
    const clock = new ManualClock(T0);
    const statements = statementsOf((d) => {
      new ReservationService(d, clock);
      new AvailabilityService(d, clock);
      new ReservationStatsService(d, clock);
      new ExpiryPreviewService(d, clock);
      new NotificationService(d, clock);
    }).filter((sql) => /reserved_tickets|audit_log/.test(sql));
    expect(statements.length).toBeGreaterThan(20);
    const scans = statements
      .map((sql) => ({ sql, plan: plan(sql) }))
      .filter((s) => s.plan.some((step) => /^SCAN (reserved_tickets|t|audit_log|a)\b(?!.*USING)/.test(step)));
    expect(scans).toEqual([]);
  });
});
