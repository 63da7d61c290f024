import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scryptSync,
  sign,
} from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { SyncCredentialStore } from '../../../electron/services/sync/sync-credential.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { keyFileOf, StoreKey } from '../../../electron/store/store-key.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import {
  base64UrlEncode,
  formatTicketCode,
  parseTicketCode,
  payloadBytes,
} from '../../../shared/printing/ticket-code.ts';
import { startApi } from '../api/api-fixture.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

const MIGRATIONS = fileURLToPath(new URL('../../../electron/store/migrations/', import.meta.url));
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const mode = (path: string) => statSync(path).mode & 0o777;

let dir: ReturnType<typeof tempDir>;
const clock = new ManualClock(T0);
beforeEach(() => {
  dir = tempDir('taquilla-secrets-');
});
afterEach(() => dir.remove());

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A sale through the local HTTP API on a fresh store: its ticket code and the store's file. */
async function storeWithSale(): Promise<{
  file: string;
  code: string;
  sellAgain: () => Promise<string>;
  /** Moves the WAL into the store file, so a copy of the file alone holds everything. */
  checkpoint: () => void;
  close: () => Promise<void>;
}> {
  const api = await startApi();
  const ana = await api.signIn(api.users.cashier, '1234');
  let next = 0;
  const sell = async () => {
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[next++]] }, ana);
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
      ana,
    );
    expect(sale.status).toBe(200);
    return api.terminal.db
      .prepare<[string], { code: string }>(
        'SELECT code FROM issued_tickets WHERE transaction_id = ? ORDER BY ticket_number DESC LIMIT 1',
      )
      .get(sale.body.transactionId)!.code;
  };
  const code = await sell();
  return {
    file: api.terminal.db.name,
    code,
    sellAgain: sell,
    checkpoint: () => api.terminal.db.pragma('wal_checkpoint(TRUNCATE)'),
    close: () => api.close(),
  };
}

/** A ticket code for a seat that was never sold, signed with `key` under `keyId`. */
function forge(code: string, keyId: string, key: KeyObject): string {
  const { payload } = parseTicketCode(code)!;
  const forged = payloadBytes({ ...payload, keyId, ticketNumber: 'T1-999999', place: 'PLA-Z-99' });
  return formatTicketCode(forged, sign(null, forged, key));
}

describe('the store on disk', () => {
  it('is created 0600 (its -wal and -shm too) in a 0700 folder, with a 0600 key file', async () => {
    const file = join(dir.dir, 'nuevo', 'caja', 'terminal.db');
    expect((await cli('seed-demo', '--db', file)).code).toBe(0);
    const terminal = createTerminal({ dbFile: file, clock });
    try {
      terminal.db.prepare('SELECT COUNT(*) FROM events').get();
      expect(mode(join(dir.dir, 'nuevo'))).toBe(0o700);
      expect(mode(join(dir.dir, 'nuevo', 'caja'))).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`, keyFileOf(file)])
        expect(mode(path)).toBe(0o600);
    } finally {
      terminal.close();
    }
  });

  it('tightens an existing store, -wal and -shm that others could read', () => {
    const file = join(dir.dir, 'old.db');
    const db = openDatabase(file);
    db.prepare('SELECT 1').get();
    for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);
    const again = openDatabase(file);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(mode(path)).toBe(0o600);
    again.close();
    db.close();
  });

  it('keeps no secret in a table in plain text, and refuses to write one', async () => {
    const store = await storeWithSale();
    const db = openDatabase(store.file);
    try {
      const key = db
        .prepare<[], { key_id: string; private_key: string; sealed_private_key: string }>(
          'SELECT key_id, private_key, sealed_private_key FROM ticket_signing_keys',
        )
        .get()!;
      expect(key.private_key).toBe('');
      expect(key.sealed_private_key).toMatch(/^tqs1\./);
      const { privateKey } = generateKeyPairSync('ed25519');
      const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
      expect(() =>
        db
          .prepare(
            `INSERT INTO ticket_signing_keys (key_id, tenant_id, public_key, private_key, created_at)
             VALUES ('x', 1, 'x', ?, 0)`,
          )
          .run(der),
      ).toThrow(/sealed/);
      expect(() =>
        db
          .prepare(
            `INSERT INTO sync_credentials (id, server_url, tenant_id, credential_id, secret, terminal_name, enrolled_at)
             VALUES (1, 'http://x', 1, 1, 'tqt_secret', 'Caja', 0)`,
          )
          .run(),
      ).toThrow(/sealed/);
      expect(() => db.prepare("UPDATE users SET pin_scheme = 'scrypt'").run()).toThrow(/peppered/);
    } finally {
      db.close();
      await store.close();
    }
  });
});

describe('the store key', () => {
  it('refuses to run when the key file is readable by others, missing, or another store’s', async () => {
    const file = join(dir.dir, 'terminal.db');
    expect((await cli('seed-demo', '--db', file)).code).toBe(0);
    const key = keyFileOf(file);
    chmodSync(key, 0o644);
    expect(() => createTerminal({ dbFile: file, clock })).toThrow(/can be read by other users.*chmod 600/);
    const serve = await cli('serve', '--db', file, '--port', '0');
    expect(serve.code).toBe(1);
    expect(serve.err).toMatch(/can be read by other users/);
    chmodSync(key, 0o600);
    renameSync(key, `${key}.away`);
    expect(() => createTerminal({ dbFile: file, clock })).toThrow(/key file .*terminal\.db\.key is missing/);
    const other = join(dir.dir, 'other.db');
    createTerminal({ dbFile: other, clock }).close();
    copyFileSync(keyFileOf(other), key);
    expect(() => createTerminal({ dbFile: file, clock })).toThrow(/does not belong to the store/);
    renameSync(`${key}.away`, key);
    createTerminal({ dbFile: file, clock }).close();
  });

  it('a copied database without its key file reveals no PIN and signs no ticket verify-ticket accepts', async () => {
    const store = await storeWithSale();
    expect((await cli('verify-ticket', '--db', store.file, '--code', store.code)).code).toBe(0);
    store.checkpoint();
    const stolen = join(dir.dir, 'stolen.db');
    copyFileSync(store.file, stolen);
    await store.close();
    const copy = openDatabase(stolen);
    try {
      // The right PIN, scrypt-ed with the stored salt, is not the stored hash: a search of every
      // 4-digit PIN through scrypt finds nothing without the pepper.
      const ana = copy
        .prepare<[], { pin_salt: string; pin_hash: string; pin_scheme: string }>(
          "SELECT pin_salt, pin_hash, pin_scheme FROM users WHERE name = 'Ana'",
        )
        .get()!;
      const scrypted = scryptSync('1234', Buffer.from(ana.pin_salt, 'base64'), 32, {
        N: 16384,
        r: 8,
        p: 1,
        maxmem: 64 * 1024 * 1024,
      });
      expect(scrypted.toString('base64')).not.toBe(ana.pin_hash);
      expect(ana.pin_scheme).toBe('peppered-scrypt');
      // Whatever the table holds, it does not make a key that signs tickets the store accepts.
      const row = copy
        .prepare<[], { key_id: string; private_key: string }>(
          'SELECT key_id, private_key FROM ticket_signing_keys',
        )
        .get()!;
      let key: KeyObject;
      try {
        key = createPrivateKey({ key: Buffer.from(row.private_key, 'base64'), format: 'der', type: 'pkcs8' });
      } catch {
        key = generateKeyPairSync('ed25519').privateKey;
      }
      const forged = forge(store.code, row.key_id, key);
      const verdict = await cli('verify-ticket', '--db', stolen, '--code', forged);
      expect(verdict.code).toBe(1);
      expect(verdict.err).toMatch(/bad-signature/);
    } finally {
      copy.close();
    }
    // Nor does the copy run, or make itself a new key.
    expect(() => createTerminal({ dbFile: stolen, clock })).toThrow(/is missing/);
    expect((await cli('rotate-ticket-key', '--db', stolen)).code).toBe(1);
  });

  it('rotating the ticket signing key keeps tickets signed with the old one valid', async () => {
    const store = await storeWithSale();
    try {
      const before = parseTicketCode(store.code)!.payload.keyId;
      const rotated = await cli('rotate-ticket-key', '--db', store.file, '--json');
      expect(rotated.code).toBe(0);
      const [r] = JSON.parse(rotated.out).rotated as { keyId: string; retired: string }[];
      expect(r!.retired).toBe(before);
      expect(r!.keyId).not.toBe(before);
      // The running terminal signs with the new key at once; the old ticket still verifies.
      const after = await store.sellAgain();
      expect(parseTicketCode(after)!.payload.keyId).toBe(r!.keyId);
      expect((await cli('verify-ticket', '--db', store.file, '--code', store.code)).code).toBe(0);
      expect((await cli('verify-ticket', '--db', store.file, '--code', after)).code).toBe(0);
      const keys = await cli('ticket-keys', '--db', store.file);
      expect(keys.out).toMatch(new RegExp(`${before}=.*\\(retired\\)`));
    } finally {
      await store.close();
    }
  });
});

describe('a store from before sealed secrets', () => {
  /** A store at schema 7 with what an older Taquilla wrote: plain-text keys, credential and hashes. */
  function legacyStore(file: string) {
    const old = join(dir.dir, 'migrations-before-008');
    mkdirSync(old);
    for (const name of readdirSync(MIGRATIONS).filter((n) => /^\d{3}_/.test(n) && Number(n.slice(0, 3)) < 8))
      copyFileSync(join(MIGRATIONS, name), join(old, name));
    const db = openDatabase(file, { migrationsDir: old });
    const tenantId = createTenant(db, 'Prueba', T0);
    const venueId = createVenue(db, tenantId, 'Sala');
    const event = createEvent(
      db,
      {
        tenantId,
        venueId,
        name: 'Concierto',
        startsAt: T0 + 86_400_000,
        vesPerUsd: '36.50',
        zones: [{ kind: 'general', code: 'GEN', name: 'General', priceCents: 1000, capacity: 5 }],
      },
      T0,
    );
    const salt = randomBytes(16);
    const hash = scryptSync('1234', salt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    db.prepare(
      `INSERT INTO users (name, role, pin_salt, pin_hash, failed_attempts, created_at)
       VALUES ('Ana', 'cashier', ?, ?, 3, ?)`,
    ).run(salt.toString('base64'), hash.toString('base64'), T0);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    db.prepare(
      `INSERT INTO ticket_signing_keys (key_id, tenant_id, public_key, private_key, created_at)
       VALUES ('oldkey', ?, ?, ?, ?)`,
    ).run(tenantId, base64UrlEncode(raw), der, T0);
    db.prepare(
      `INSERT INTO sync_credentials (id, server_url, tenant_id, credential_id, secret, terminal_name, enrolled_at)
       VALUES (1, 'http://127.0.0.1:9', ?, 7, 'tqt_the-terminal-secret', 'Caja 1', ?)`,
    ).run(tenantId, T0);
    const signed = payloadBytes({
      keyId: 'oldkey',
      ticketNumber: 'T1-000001',
      eventId: 1,
      place: 'GA:GEN',
      transactionPrefix: 'abcdef12',
    });
    const code = formatTicketCode(signed, sign(null, signed, privateKey));
    // The sale that issued it: verify-ticket --db accepts only tickets the store issued.
    const tx = 'abcdef12-0000-4000-8000-000000000000';
    db.prepare(
      `INSERT INTO transactions (id, tenant_id, event_id, session_id, actor, status, created_at, updated_at)
       VALUES (?, ?, ?, 's', 'cashier:Ana', 'COMPLETED', ?, ?)`,
    ).run(tx, tenantId, event.eventId, T0, T0);
    const ticket = db
      .prepare(
        `INSERT INTO reserved_tickets (transaction_id, event_id, zone_id, quantity, session_id, price_cents, status,
           reserved_until, created_at, updated_at) VALUES (?, ?, ?, 1, 's', 1000, 'COMPLETED', ?, ?, ?)`,
      )
      .run(tx, event.eventId, event.zones[0]!.id, T0, T0, T0);
    db.prepare(
      `INSERT INTO issued_tickets (ticket_number, transaction_id, reserved_ticket_id, place, event_id, code, data,
         issued_at) VALUES ('T1-000001', ?, ?, 1, ?, ?, '{}', ?)`,
    ).run(tx, Number(ticket.lastInsertRowid), event.eventId, code, T0);
    db.close();
    return { code, der, legacyHash: hash.toString('base64') };
  }

  it('is sealed in place at open: plain text emptied, old tickets valid, old PINs work and are re-hashed', async () => {
    const file = join(dir.dir, 'terminal.db');
    const { code, der, legacyHash } = legacyStore(file);
    expect((await cli('verify-ticket', '--db', file, '--code', code)).code).toBe(0);
    const terminal = createTerminal({ dbFile: file, clock });
    try {
      const key = terminal.db
        .prepare<[], { private_key: string; sealed_private_key: string }>(
          'SELECT private_key, sealed_private_key FROM ticket_signing_keys',
        )
        .get()!;
      expect(key.private_key).toBe('');
      expect(key.sealed_private_key).not.toContain(der.slice(0, 20));
      const credential = terminal.db
        .prepare<[], { secret: string; sealed_secret: string }>(
          'SELECT secret, sealed_secret FROM sync_credentials',
        )
        .get()!;
      expect(credential.secret).toBe('');
      expect(new SyncCredentialStore(terminal.db, terminal.storeKey).load()!.secret).toBe(
        'tqt_the-terminal-secret',
      );
      const wrapped = terminal.db
        .prepare<[], { pin_hash: string; pin_scheme: string }>('SELECT pin_hash, pin_scheme FROM users')
        .get()!;
      expect(wrapped.pin_scheme).toBe('wrapped-scrypt');
      expect(wrapped.pin_hash).not.toBe(legacyHash);
      const users = terminal.sessions.users();
      // The lock state came along: 3 wrong PINs before, so 1 more try before the lock.
      await expect(terminal.sessions.signIn(users[0]!.id, '0000')).rejects.toMatchObject({
        code: 'BAD_PIN',
        details: { attemptsLeft: 1 },
      });
      await terminal.sessions.signIn(users[0]!.id, '1234');
      expect(
        terminal.db.prepare<[], { pin_scheme: string }>('SELECT pin_scheme FROM users').get()!.pin_scheme,
      ).toBe('peppered-scrypt');
      await terminal.sessions.signIn(users[0]!.id, '1234');
    } finally {
      terminal.close();
    }
    expect((await cli('verify-ticket', '--db', file, '--code', code)).code).toBe(0);
    const raw = readFileSync(file);
    expect(raw.includes(Buffer.from(der.slice(0, 40)))).toBe(false);
    expect(raw.includes(Buffer.from('tqt_the-terminal-secret'))).toBe(false);
  });
});

describe('StoreKey', () => {
  it('opens a sealed value only for the purpose it was sealed for', () => {
    const file = join(dir.dir, 'k.db');
    const db = openDatabase(file);
    try {
      const key = StoreKey.open(db, clock);
      const sealed = key.seal('sync_credentials:1', 'secreto');
      expect(key.unseal('sync_credentials:1', sealed).toString()).toBe('secreto');
      expect(() => key.unseal('ticket_signing_keys:x', sealed)).toThrow(/does not open/);
    } finally {
      db.close();
    }
  });
});
