import type { Db } from '../../store/database.ts';

export type AuditEntity = 'transaction' | 'ticket' | 'seat' | 'tenant';

/** Appends to the audit log; the table refuses updates and deletes by trigger. */
export class AuditTrail {
  private readonly insert;

  constructor(db: Db) {
    this.insert = db.prepare<[number, string, AuditEntity, string, string | null, string, string]>(
      `INSERT INTO audit_log (at, actor, entity, entity_id, from_state, to_state, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(
    at: number,
    actor: string,
    entity: AuditEntity,
    entityId: string | number,
    from: string | null,
    to: string,
    reason: string,
  ): void {
    this.insert.run(at, actor, entity, String(entityId), from, to, reason);
  }
}
