import { randomUUID } from 'node:crypto';
import type { ServerOperation } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';

/** See migration 012: queued items replay; interactive ones have a caller; unresolved ones are asked about. */
export type Delivery = 'queued' | 'interactive' | 'unresolved';

export interface OutboxItem {
  id: number;
  idempotencyKey: string;
  op: ServerOperation;
  body: unknown;
  createdAt: number;
  attempts: number;
  delivery: Delivery;
}

interface OutboxRow {
  id: number;
  idempotency_key: string;
  op: ServerOperation;
  body: string;
  created_at: number;
  attempts: number;
  delivery: Delivery;
}

/** reply_status of an item withdrawn before it ever left: the server never saw it. */
export const WITHDRAWN = 0;

/**
 * The durable queue of what the server has not acknowledged. An item's idempotency key is chosen
 * when it is written (inside the caller's transaction when there is one), so a retry after a crash,
 * a timeout or a lost reply is the same request, and the server applies it once.
 */
export class Outbox {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      insert: db.prepare<[string, string, string, number, number, Delivery], { id: number }>(
        `INSERT INTO sync_outbox (idempotency_key, op, body, created_at, next_attempt_at, delivery)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
      ),
      pending: db.prepare<[number], OutboxRow>(
        `SELECT id, idempotency_key, op, body, created_at, attempts, delivery FROM sync_outbox
         WHERE acked_at IS NULL AND delivery <> 'unresolved' ORDER BY id LIMIT ?`,
      ),
      unresolved: db.prepare<[number], OutboxRow>(
        `SELECT id, idempotency_key, op, body, created_at, attempts, delivery FROM sync_outbox
         WHERE acked_at IS NULL AND delivery = 'unresolved' ORDER BY id LIMIT ?`,
      ),
      markUnresolved: db.prepare<[number]>(
        "UPDATE sync_outbox SET delivery = 'unresolved', attempts = attempts + 1 WHERE id = ? AND acked_at IS NULL",
      ),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sync_outbox WHERE acked_at IS NULL'),
      ack: db.prepare<[number, number, string, number]>(
        'UPDATE sync_outbox SET acked_at = ?, reply_status = ?, reply = ? WHERE id = ? AND acked_at IS NULL',
      ),
      failed: db.prepare<[number, string, number]>(
        'UPDATE sync_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
      ),
      byId: db.prepare<[number], OutboxRow & { acked_at: number | null; reply_status: number | null }>(
        `SELECT id, idempotency_key, op, body, created_at, attempts, delivery, acked_at, reply_status FROM sync_outbox
         WHERE id = ?`,
      ),
    };
  }

  /** Writes an item; call inside the transaction whose effect it reports. */
  add(op: ServerOperation, body: unknown, now: number, delivery: Delivery = 'queued'): OutboxItem {
    const idempotencyKey = `tq-${randomUUID()}`;
    const { id } = this.sql.insert.get(idempotencyKey, op, JSON.stringify(body), now, now, delivery)!;
    return { id, idempotencyKey, op, body, createdAt: now, attempts: 0, delivery };
  }

  /** What the drain sends next, in order (never an unresolved item: those are only asked about). */
  pending(limit = 64): OutboxItem[] {
    return this.sql.pending.all(limit).map(toItem);
  }

  unresolved(limit = 200): OutboxItem[] {
    return this.sql.unresolved.all(limit).map(toItem);
  }

  /** It left and its answer was lost, and its caller was answered: never send it again. */
  markUnresolved(id: number): void {
    this.sql.markUnresolved.run(id);
  }

  /** It never left: acknowledge it as withdrawn (its caller was told nothing was done). */
  withdraw(id: number, now: number): boolean {
    return this.acknowledge(id, now, WITHDRAWN, { withdrawn: true });
  }

  get length(): number {
    return this.sql.count.get()!.n;
  }

  /** false when the item had already been acknowledged (a duplicate delivery of the reply). */
  acknowledge(id: number, now: number, status: number, reply: unknown): boolean {
    return this.sql.ack.run(now, status, JSON.stringify(reply), id).changes === 1;
  }

  failed(id: number, retryAt: number, error: string): void {
    this.sql.failed.run(retryAt, error.slice(0, 500), id);
  }

  get(id: number): (OutboxItem & { ackedAt: number | null; replyStatus: number | null }) | null {
    const row = this.sql.byId.get(id);
    return row ? { ...toItem(row), ackedAt: row.acked_at, replyStatus: row.reply_status } : null;
  }
}

function toItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    op: row.op,
    body: JSON.parse(row.body),
    createdAt: row.created_at,
    attempts: row.attempts,
    delivery: row.delivery,
  };
}
