import { type SettingsOverride, settingsProblems } from '../../shared/config.ts';
import { TaquillaError } from '../../shared/errors.ts';
import { type CredentialListing } from '../../shared/schemas/venue.ts';
import type { CredentialRole, CredentialRow } from './hold-store.ts';
import * as catalog from './sql-catalog.ts';
import { type AuditBy, writeAudit } from './sql-audit.ts';
import { type SqlDb } from './sql-tx.ts';

/**
 * Tenants, credentials and enrolment codes of the hold store.
 */

/** A tenant override that would not resolve is refused with every reason, by key. */
export function assertSettings(overrides: unknown): void {
  const issues = settingsProblems(overrides);
  if (issues.length > 0) {
    throw new TaquillaError('VALIDATION', `Invalid settings: ${issues.map((i) => i.message).join('; ')}`, {
      issues,
    });
  }
}

export async function createTenant(
  db: SqlDb,
  name: string,
  settings: SettingsOverride,
  now: number,
): Promise<number> {
  assertSettings(settings);
  return db.write(async (tx) => {
    const [row] = await tx.all<{ id: number }>(
      'INSERT INTO tenants (name, settings, created_at) VALUES (?, ?, ?) RETURNING id',
      [name, JSON.stringify(settings), now],
    );
    return Number(row!.id);
  });
}

export async function tenant(db: SqlDb, tenantId: number) {
  const [row] = await db.read((tx) =>
    tx.all<{ id: number; name: string; settings: string }>(
      'SELECT id, name, settings FROM tenants WHERE id = ?',
      [tenantId],
    ),
  );
  return row
    ? { tenantId: Number(row.id), name: row.name, settings: JSON.parse(row.settings) as SettingsOverride }
    : null;
}

export async function setTenantSettings(
  db: SqlDb,
  tenantId: number,
  overrides: SettingsOverride,
  _now: number,
): Promise<void> {
  assertSettings(overrides);
  await db.write(async (tx) => {
    const changed = await tx.run('UPDATE tenants SET settings = ? WHERE id = ?', [
      JSON.stringify(overrides),
      tenantId,
    ]);
    if (changed === 0)
      throw new TaquillaError('UNKNOWN_TENANT', `There is no tenant ${tenantId}`, { tenantId });
    // Terminals learn of it with the catalogue's next revision; every instance drops its cached copy.
    await catalog.bumpRevision(tx, tenantId);
    await db.publishNotice(tx, { kind: 'settings', tenantId });
  });
}

export async function credentials(db: SqlDb, tenantId: number): Promise<CredentialListing[]> {
  const rows = await db.read((tx) =>
    tx.all<{
      id: number;
      role: CredentialRole;
      name: string;
      created_at: number;
      revoked_at: number | null;
    }>('SELECT id, role, name, created_at, revoked_at FROM credentials WHERE tenant_id = ? ORDER BY id', [
      tenantId,
    ]),
  );
  return rows.map((r) => ({
    credentialId: Number(r.id),
    role: r.role,
    name: r.name,
    createdAt: Number(r.created_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  }));
}

export async function addCredential(
  db: SqlDb,
  c: {
    tenantId: number;
    role: CredentialRole;
    name: string;
    secretHash: string;
    now: number;
  },
): Promise<number> {
  return db.write(async (tx) => {
    const [row] = await tx.all<{ id: number }>(
      `INSERT INTO credentials (tenant_id, role, name, secret_hash, created_at)
       VALUES (?, ?, ?, ?, ?) RETURNING id`,
      [c.tenantId, c.role, c.name, c.secretHash, c.now],
    );
    return Number(row!.id);
  });
}

export async function credentialByHash(db: SqlDb, secretHash: string): Promise<CredentialRow | null> {
  return credentialWhere(db, 'secret_hash = ?', secretHash);
}

export async function credentialById(db: SqlDb, credentialId: number): Promise<CredentialRow | null> {
  return credentialWhere(db, 'id = ?', credentialId);
}

export async function credentialWhere(
  db: SqlDb,
  filter: string,
  value: unknown,
): Promise<CredentialRow | null> {
  const rows = await db.read((tx) =>
    tx.all<{
      id: number;
      tenant_id: number;
      role: CredentialRole;
      name: string;
      revoked_at: number | null;
    }>(`SELECT id, tenant_id, role, name, revoked_at FROM credentials WHERE ${filter}`, [value]),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    role: row.role,
    name: row.name,
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export async function revokeCredential(
  db: SqlDb,
  tenantId: number,
  credentialId: number,
  now: number,
  by: AuditBy,
): Promise<boolean> {
  return db.write(async (tx) => {
    const [row] = await tx.all<{ revoked_at: number | null; role: string; name: string }>(
      'SELECT revoked_at, role, name FROM credentials WHERE id = ? AND tenant_id = ?',
      [credentialId, tenantId],
    );
    if (!row) return false;
    if (row.revoked_at === null) {
      await tx.run('UPDATE credentials SET revoked_at = ? WHERE id = ? AND tenant_id = ?', [
        now,
        credentialId,
        tenantId,
      ]);
      await writeAudit(tx, tenantId, by, now, [
        {
          eventId: null,
          entity: 'credential',
          entityId: credentialId,
          from: 'active',
          to: 'revoked',
          reason: `${row.role} ${row.name} revoked`,
        },
      ]);
    }
    await db.publishNotice(tx, { kind: 'revoked', tenantId, credentialId });
    return true;
  });
}

export async function addEnrolCode(
  db: SqlDb,
  tenantId: number,
  codeHash: string,
  expiresAt: number,
  now: number,
): Promise<void> {
  await db.write((tx) =>
    tx.run('INSERT INTO enrol_codes (code_hash, tenant_id, expires_at, created_at) VALUES (?, ?, ?, ?)', [
      codeHash,
      tenantId,
      expiresAt,
      now,
    ]),
  );
}

export async function takeEnrolCode(db: SqlDb, codeHash: string, now: number): Promise<number | null> {
  return db.write(async (tx) => {
    // One UPDATE decides: two terminals racing for one code cannot both win.
    const rows = await tx.all<{ tenant_id: number }>(
      `UPDATE enrol_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
       RETURNING tenant_id`,
      [now, codeHash, now],
    );
    return rows[0] ? Number(rows[0].tenant_id) : null;
  });
}

export async function tenantIds(db: SqlDb): Promise<number[]> {
  const rows = await db.read((tx) => tx.all<{ id: number }>('SELECT id FROM tenants ORDER BY id'));
  return rows.map((r) => Number(r.id));
}
