import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import {
  base64UrlDecode,
  base64UrlEncode,
  formatTicketCode,
  parseTicketCode,
  payloadBytes,
  type TicketCodePayload,
} from '../../../shared/printing/ticket-code.ts';
import type { Db } from '../../store/database.ts';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface PublicSigningKey {
  keyId: string;
  tenantId: number;
  /** Raw Ed25519 public key, base64url: what door scanners are given. */
  publicKey: string;
  retired: boolean;
}

export function publicKeyFromRaw(raw: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(base64UrlDecode(raw))]),
    format: 'der',
    type: 'spki',
  });
}

/**
 * Signs ticket codes with the tenant's Ed25519 key, creating it on first use (inside the caller's
 * transaction, so two terminals' processes on one file never make two active keys).
 */
export class TicketSigner {
  private readonly activeKey;
  private readonly insertKey;
  private readonly cache = new Map<number, { keyId: string; key: KeyObject }>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.activeKey = db.prepare<[number], { key_id: string; private_key: string }>(
      'SELECT key_id, private_key FROM ticket_signing_keys WHERE tenant_id = ? AND retired_at IS NULL',
    );
    this.insertKey = db.prepare<[string, number, string, string, number]>(
      `INSERT INTO ticket_signing_keys (key_id, tenant_id, public_key, private_key, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
  }

  keyFor(tenantId: number): { keyId: string; key: KeyObject } {
    const cached = this.cache.get(tenantId);
    if (cached) return cached;
    let row = this.activeKey.get(tenantId);
    if (!row) {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
      const keyId = base64UrlEncode(sign(null, raw, privateKey).subarray(0, 6));
      const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
      this.db.transaction(() =>
        this.insertKey.run(keyId, tenantId, base64UrlEncode(raw), der, this.clock.now()),
      )();
      row = { key_id: keyId, private_key: der };
    }
    const entry = {
      keyId: row.key_id,
      key: createPrivateKey({
        key: Buffer.from(row.private_key, 'base64'),
        format: 'der',
        type: 'pkcs8',
      }),
    };
    this.cache.set(tenantId, entry);
    return entry;
  }

  /** The code for a ticket; `keyId` is filled in from the tenant's active key. */
  sign(tenantId: number, payload: Omit<TicketCodePayload, 'keyId'>): string {
    const { keyId, key } = this.keyFor(tenantId);
    const full: TicketCodePayload = { ...payload, keyId };
    const signed = payloadBytes(full);
    return formatTicketCode(signed, sign(null, signed, key));
  }
}

export function publicSigningKeys(db: Db): PublicSigningKey[] {
  return db
    .prepare<
      [],
      {
        key_id: string;
        tenant_id: number;
        public_key: string;
        retired_at: number | null;
      }
    >('SELECT key_id, tenant_id, public_key, retired_at FROM ticket_signing_keys ORDER BY created_at')
    .all()
    .map((r) => ({
      keyId: r.key_id,
      tenantId: r.tenant_id,
      publicKey: r.public_key,
      retired: r.retired_at !== null,
    }));
}

export type TicketVerification =
  | { valid: true; payload: TicketCodePayload }
  | {
      valid: false;
      reason: 'not-a-ticket-code' | 'unknown-key' | 'bad-signature';
      payload?: TicketCodePayload;
    };

/**
 * Checks a scanned code offline against the public keys a scanner holds (keyId → raw base64url key).
 * Whether the ticket was already used at the door is the scanner's own list, not this function's.
 */
export function verifyTicketCode(code: string, keys: ReadonlyMap<string, string>): TicketVerification {
  const parsed = parseTicketCode(code);
  if (!parsed) return { valid: false, reason: 'not-a-ticket-code' };
  const raw = keys.get(parsed.payload.keyId);
  if (!raw) return { valid: false, reason: 'unknown-key', payload: parsed.payload };
  const ok = verify(null, parsed.signedBytes, publicKeyFromRaw(raw), parsed.signature);
  return ok
    ? { valid: true, payload: parsed.payload }
    : { valid: false, reason: 'bad-signature', payload: parsed.payload };
}
