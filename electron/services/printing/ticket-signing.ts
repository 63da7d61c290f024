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
  TRAINING_TICKET_TEXT,
} from '../../../shared/printing/ticket-code.ts';
import type { Db } from '../../store/database.ts';
import type { StoreKey } from '../../store/store-key.ts';
import { TerminalModeStore } from '../terminal-mode/terminal-mode.ts';

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
 * transaction, so two terminals' processes on one file never make two active keys). Private keys
 * are stored sealed under the store key (electron/store/store-key.ts); a key written in plain text
 * by an older Taquilla is sealed in place when the signer starts.
 */
export class TicketSigner {
  private readonly sql;
  /** Opened private keys by key id; the active key is looked up on every signature, so a rotation
   * by another process (`taquilla rotate-ticket-key`) takes effect at once. */
  private readonly opened = new Map<string, KeyObject>();
  private readonly modes: TerminalModeStore;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly storeKey: StoreKey,
  ) {
    this.sql = {
      activeKey: db.prepare<[number], { key_id: string; sealed_private_key: string | null }>(
        'SELECT key_id, sealed_private_key FROM ticket_signing_keys WHERE tenant_id = ? AND retired_at IS NULL',
      ),
      insertKey: db.prepare<[string, number, string, string, number]>(
        `INSERT INTO ticket_signing_keys (key_id, tenant_id, public_key, private_key, sealed_private_key, created_at)
         VALUES (?, ?, ?, '', ?, ?)`,
      ),
      retire: db.prepare<[number, number]>(
        'UPDATE ticket_signing_keys SET retired_at = ? WHERE tenant_id = ? AND retired_at IS NULL',
      ),
      plaintext: db.prepare<[], { key_id: string; private_key: string }>(
        "SELECT key_id, private_key FROM ticket_signing_keys WHERE private_key <> ''",
      ),
      seal: db.prepare<[string, string]>(
        "UPDATE ticket_signing_keys SET sealed_private_key = ?, private_key = '' WHERE key_id = ?",
      ),
    };
    this.modes = new TerminalModeStore(db, clock);
    this.sealPlaintextKeys();
  }

  private sealPlaintextKeys(): void {
    const rows = this.sql.plaintext.all();
    if (rows.length === 0) return;
    this.db
      .transaction(() => {
        for (const row of rows) {
          const der = Buffer.from(row.private_key, 'base64');
          this.sql.seal.run(this.storeKey.seal(purposeOf(row.key_id), der), row.key_id);
        }
      })
      .immediate();
  }

  keyFor(tenantId: number): { keyId: string; key: KeyObject } {
    const row = this.sql.activeKey.get(tenantId);
    if (!row) return this.create(tenantId);
    let key = this.opened.get(row.key_id);
    if (!key) {
      if (row.sealed_private_key === null)
        throw new Error(`Signing key ${row.key_id} is not sealed yet: open the store with its key`);
      key = createPrivateKey({
        key: this.storeKey.unseal(purposeOf(row.key_id), row.sealed_private_key),
        format: 'der',
        type: 'pkcs8',
      });
      this.opened.set(row.key_id, key);
    }
    return { keyId: row.key_id, key };
  }

  /**
   * Retires the tenant's active key and makes a new one (in one transaction). Tickets signed with the
   * retired key stay valid: its public key stays in the table (`taquilla ticket-keys`).
   */
  rotate(tenantId: number): { retired: string | null; keyId: string } {
    return this.db
      .transaction(() => {
        const old = this.sql.activeKey.get(tenantId);
        this.sql.retire.run(this.clock.now(), tenantId);
        return { retired: old?.key_id ?? null, keyId: this.create(tenantId).keyId };
      })
      .immediate();
  }

  private create(tenantId: number): { keyId: string; key: KeyObject } {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
    const keyId = base64UrlEncode(sign(null, raw, privateKey).subarray(0, 6));
    const sealed = this.storeKey.seal(purposeOf(keyId), privateKey.export({ format: 'der', type: 'pkcs8' }));
    this.db.transaction(() =>
      this.sql.insertKey.run(keyId, tenantId, base64UrlEncode(raw), sealed, this.clock.now()),
    )();
    this.opened.set(keyId, privateKey);
    return { keyId, key: privateKey };
  }

  /**
   * The code for a ticket; `keyId` is filled in from the tenant's active key. On a training store the
   * code is marked as a training code (TQT1) inside what is signed.
   */
  sign(tenantId: number, payload: Omit<TicketCodePayload, 'keyId' | 'training'>): string {
    const { keyId, key } = this.keyFor(tenantId);
    const training = this.modes.mode() === 'training';
    const full: TicketCodePayload = { ...payload, keyId, ...(training ? { training: true as const } : {}) };
    const signed = payloadBytes(full);
    return formatTicketCode(signed, sign(null, signed, key));
  }
}

/** What a sealed private key is bound to: it opens only as the key of its own row. */
function purposeOf(keyId: string): string {
  return `ticket_signing_keys:${keyId}`;
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
      /**
       * training: signed, but by a training store: "ENTRENAMIENTO - SIN VALOR", never a way in.
       * not-issued: signed with this store's key, but this store never issued that ticket (a copy of
       * the store or its key made it): only verifyTicketAtStore says this.
       * voided: issued here, then voided (issue 16): on this terminal's revocation list, never a way in.
       */
      reason: 'not-a-ticket-code' | 'unknown-key' | 'bad-signature' | 'training' | 'not-issued' | 'voided';
      payload?: TicketCodePayload;
    };

/**
 * Checks a scanned code offline against the public keys a scanner holds (keyId → raw base64url key).
 * A training ticket whose signature holds is still refused (reason 'training'). Whether the ticket
 * was already used at the door is the scanner's own list, not this function's.
 */
export function verifyTicketCode(code: string, keys: ReadonlyMap<string, string>): TicketVerification {
  const parsed = parseTicketCode(code);
  if (!parsed) return { valid: false, reason: 'not-a-ticket-code' };
  const raw = keys.get(parsed.payload.keyId);
  if (!raw) return { valid: false, reason: 'unknown-key', payload: parsed.payload };
  const ok = verify(null, parsed.signedBytes, publicKeyFromRaw(raw), parsed.signature);
  if (!ok) return { valid: false, reason: 'bad-signature', payload: parsed.payload };
  if (parsed.payload.training) return { valid: false, reason: 'training', payload: parsed.payload };
  return { valid: true, payload: parsed.payload };
}

/** What a store says about a code, beyond its signature: did this store issue that very ticket? */
export interface StoreTicketVerification {
  verification: TicketVerification;
  /** The sale that issued it and its state now, when this store issued it. */
  issued: { transactionId: string; status: string } | null;
  /** The store is a training store: everything it issues is worth nothing. */
  trainingStore: boolean;
}

/**
 * Checks a code with the keys of the store `db` (and any `extraKeys` given) and against the store's
 * own record of issued tickets: a code whose signature holds but which this store never issued, or
 * issued with other contents, is refused ('not-issued') — a copy of the store or of its key cannot
 * add tickets to it. Retired keys still verify (revocation is issue 14).
 */
export function verifyTicketAtStore(
  db: Db,
  code: string,
  extraKeys: ReadonlyMap<string, string> = new Map(),
): StoreTicketVerification {
  const keys = new Map(extraKeys);
  for (const k of publicSigningKeys(db)) keys.set(k.keyId, k.publicKey);
  const trainingStore = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM terminal_mode').get()!.n > 0;
  let verification = verifyTicketCode(code, keys);
  let issued: StoreTicketVerification['issued'] = null;
  const payload = verification.payload;
  if (payload && (verification.valid || verification.reason === 'training')) {
    const row = db
      .prepare<[string], { code: string; transaction_id: string; status: string }>(
        `SELECT i.code, i.transaction_id, x.status FROM issued_tickets i
         JOIN transactions x ON x.id = i.transaction_id WHERE i.ticket_number = ?`,
      )
      .get(payload.ticketNumber);
    if (row && row.code === code.trim()) issued = { transactionId: row.transaction_id, status: row.status };
    else verification = { valid: false, reason: 'not-issued', payload };
    // The terminal's revocation list: a ticket a void took back (migration 027) lets nobody in.
    const voided =
      issued !== null &&
      verification.valid &&
      db
        .prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM voided_tickets WHERE ticket_number = ?')
        .get(payload.ticketNumber)!.n > 0;
    if (voided) verification = { valid: false, reason: 'voided', payload };
  }
  return { verification, issued, trainingStore };
}

/** How a verification reads for people (the CLI, a door scanner's screen). */
export function verificationText(result: TicketVerification): string {
  const p = result.payload;
  const what = p
    ? `ticket ${p.ticketNumber}, event ${p.eventId}, ${p.place.startsWith('GA:') ? `general admission ${p.place.slice(3)}` : `seat ${p.place}`}, sale ${p.transactionPrefix}…`
    : 'not a ticket';
  if (result.valid) return `VALID ${what}`;
  switch (result.reason) {
    case 'training':
      return `${TRAINING_TICKET_TEXT}: a training store's ${what}; not valid for entry`;
    case 'voided':
      return `VOID / ANULADO: ${what} was voided; not valid for entry`;
    case 'not-issued':
      return `NOT ISSUED by this store: ${what} has a valid signature, but this store never issued it`;
    default:
      return `REFUSED (${result.reason}): ${what}`;
  }
}
