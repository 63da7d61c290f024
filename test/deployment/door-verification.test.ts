import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.ts';
import {
  base64UrlEncode,
  formatTicketCode,
  parseTicketCode,
  payloadBytes,
  type TicketCodePayload,
} from '../../shared/printing/ticket-code.ts';
import type { TicketKeyset } from '../../shared/schemas/keyset.ts';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { TicketSigner } from '../../electron/services/printing/ticket-signing.ts';
import { StoreKey } from '../../electron/store/store-key.ts';
import { ROOT } from '../e2e/counter/counter-fixture.ts';
import { CASH, type Counter, type SignedIn, startVenue, THEATRE, type Venue } from './venue-fixture.ts';

/**
 * Tickets any door verifies (issue 14). Every counter signs with a key of its own, registered at the
 * venue's server at enrolment and on rotation; the server exports the venue's keyset and revocation
 * list (`taquilla-server keyset export`), and each counter keeps a copy while online. A door checks a
 * QR offline against it (`taquilla verify-ticket --keyset FILE`, or `--db` at a counter): VALID,
 * REVOKED (voided or refunded anywhere), UNKNOWN KEY, BAD SIGNATURE, KEY REVOKED.
 */
const run = promisify(execFile);
let venue: Venue;
let a: Counter;
let b: Counter;
let ana: SignedIn;
let beto: SignedIn;
let map: SeatMap;
let nextSeat = 20;

beforeAll(async () => {
  venue = await startVenue({ counters: 2 });
  [a, b] = venue.counters as [Counter, Counter];
  [ana, beto] = await Promise.all([a.signIn('ana'), b.signIn('beto')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
});
afterAll(async () => {
  await venue?.close();
});

interface Printed {
  ticketNumber: string;
  code: string;
}

/** Sells `n` fresh seats at `counter` (cash); its printed tickets, in seat order. */
async function sell(counter: Counter, who: SignedIn, n: number) {
  const seatIds = map.seats.id.slice(nextSeat, nextSeat + n);
  nextSeat += n;
  await counter.call('holds.seats', { eventId: THEATRE, seatIds }, who);
  const sale = await counter.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, who);
  expect(sale.status).toBe('COMPLETED');
  const tickets = await venue.eventually(() => {
    const rows = counter.rows<Printed>(
      `SELECT i.ticket_number AS ticketNumber, i.code FROM issued_tickets i
       JOIN reserved_tickets t ON t.id = i.reserved_ticket_id WHERE i.transaction_id = ? ORDER BY t.seat_id`,
      sale.transactionId,
    );
    expect(rows).toHaveLength(n);
    return rows;
  }, 10_000);
  return { sale, tickets };
}

/** `taquilla verify-ticket`: the door's verdict word (VALID, or the refusal's) and its text. */
async function verify(code: string, ...where: string[]): Promise<{ verdict: string; text: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'bin/taquilla.js'), 'verify-ticket', '--code', code, ...where],
      { cwd: ROOT },
    );
    return { verdict: stdout.trim().split(' ')[0]!, text: stdout.trim() };
  } catch (error) {
    const e = error as { stderr?: string; code?: number };
    const match = /ticket code refused \(([^)]+)\)/.exec(e.stderr ?? '');
    if (!match) throw new Error(`verify-ticket failed: ${e.stderr}`, { cause: error });
    return { verdict: match[1]!, text: e.stderr!.trim() };
  }
}

async function taquilla(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(ROOT, 'bin/taquilla.js'), ...args], { cwd: ROOT });
  return stdout;
}

/** The venue's keyset, exported by the documented admin command to a file a door scanner is given. */
async function exportKeyset(): Promise<{ file: string; keyset: TicketKeyset }> {
  const file = join(venue.dir, `keyset-${Date.now()}.json`);
  await venue.serverCommand(['keyset', 'export', '--tenant', String(venue.admin.tenantId), '--out', file]);
  return { file, keyset: JSON.parse(readFileSync(file, 'utf8')) as TicketKeyset };
}

function keyIdOf(code: string): string {
  return parseTicketCode(code)!.payload.keyId;
}

describe('tickets any door verifies', () => {
  it("counter B's ticket verifies at counter A's door, offline, and every counter signs with its own key", async () => {
    const [ofA] = (await sell(a, ana, 1)).tickets;
    const [ofB] = (await sell(b, beto, 1)).tickets;
    // Two counters enrolled from copies of one store still sign with keys of their own.
    expect(keyIdOf(ofA!.code)).not.toBe(keyIdOf(ofB!.code));

    // Counter A fetched the venue's keyset while online: B's key is in it.
    await venue.eventually(() => {
      const [row] = a.rows<{ document: string }>('SELECT document FROM venue_keyset WHERE id = 1');
      const keyset = JSON.parse(row!.document) as TicketKeyset;
      expect(keyset.keys.map((k) => k.keyId)).toContain(keyIdOf(ofB!.code));
    }, 20_000);
    await a.link('refuse');
    try {
      const atA = await verify(ofB!.code, '--db', a.dbFile);
      expect(atA.verdict).toBe('VALID');
      expect(atA.text).toContain('Caja 2');
    } finally {
      await a.link('pass');
    }

    // A door scanner with the exported file, nothing else.
    const { file, keyset } = await exportKeyset();
    expect(keyset.keys.map((k) => k.terminal).sort()).toEqual(['Caja 1', 'Caja 2']);
    // A code altered after signing, and one from a key the venue never registered.
    const [signed, signature] = ofB!.code.split('.');
    const forged = `${signed}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    const stranger = strangerCode(parseTicketCode(ofB!.code)!.payload);
    const [okA, okB, bad, unknown] = await Promise.all(
      [ofA!.code, ofB!.code, forged, stranger].map((code) => verify(code, '--keyset', file)),
    );
    expect([okA!.verdict, okB!.verdict, bad!.verdict, unknown!.verdict]).toEqual([
      'VALID',
      'VALID',
      'BAD_SIGNATURE',
      'UNKNOWN_KEY',
    ]);
  }, 120_000);

  it('a voided ticket with its refund is REVOKED at every door; its sale-mate stays VALID', async () => {
    const { sale, tickets } = await sell(a, ana, 2);
    const [kept, voided] = tickets as [Printed, Printed];
    await a.call(
      'sales.void',
      {
        transactionId: sale.transactionId,
        ticketNumbers: [voided.ticketNumber],
        reason: 'cliente desiste',
        supervisorPin: '9999',
      },
      ana,
    );
    const { file, keyset } = await exportKeyset();
    expect(keyset.revoked).toContainEqual(
      expect.objectContaining({ ticketNumber: voided.ticketNumber, reason: 'refunded' }),
    );
    const door = await verify(voided.code, '--keyset', file);
    expect(door.verdict).toBe('REVOKED');
    expect(door.text).toContain('refunded');
    expect((await verify(kept.code, '--keyset', file)).verdict).toBe('VALID');

    // Counter B's door, once it has fetched the keyset (it does so while online), offline.
    await taquilla('keyset', '--fetch', '--db', b.dbFile);
    await b.link('refuse');
    try {
      expect((await verify(voided.code, '--db', b.dbFile)).verdict).toBe('REVOKED');
      expect((await verify(kept.code, '--db', b.dbFile)).verdict).toBe('VALID');
    } finally {
      await b.link('pass');
    }
  }, 120_000);

  it('after a key rotation the tickets signed before it still verify, and new ones carry the new key', async () => {
    const [before] = (await sell(a, ana, 1)).tickets;
    const rotated = await taquilla('rotate-ticket-key', '--db', a.dbFile);
    expect(rotated).toContain('registered at the server');
    const [after] = (await sell(a, ana, 1)).tickets;
    expect(keyIdOf(after!.code)).not.toBe(keyIdOf(before!.code));

    const { file, keyset } = await exportKeyset();
    const old = keyset.keys.find((k) => k.keyId === keyIdOf(before!.code))!;
    expect(old.retiredAt).not.toBeNull();
    expect(keyset.keys.find((k) => k.keyId === keyIdOf(after!.code))?.retiredAt).toBeNull();
    expect((await verify(before!.code, '--keyset', file)).verdict).toBe('VALID');
    expect((await verify(after!.code, '--keyset', file)).verdict).toBe('VALID');
    // The rotation is in the server's audit trail: the old key retired, the new one registered.
    const audit = async (entityId: string) =>
      (
        await venue.serverCommand<{ entries: { entity: string; to: string }[] }>([
          'audit',
          '--tenant',
          String(venue.admin.tenantId),
          '--entity',
          entityId,
        ])
      ).entries;
    expect(await audit(keyIdOf(before!.code))).toContainEqual(
      expect.objectContaining({ entity: 'key', to: 'retired' }),
    );
    expect(await audit(keyIdOf(after!.code))).toContainEqual(
      expect.objectContaining({ entity: 'key', from: null, to: 'registered' }),
    );
  }, 120_000);

  it("every counter prints the venue's numbers: none repeats, none is a terminal's own T1-", async () => {
    const fromA = (await sell(a, ana, 2)).tickets.map((t) => t.ticketNumber);
    const fromB = (await sell(b, beto, 2)).tickets.map((t) => t.ticketNumber);
    const all = [...fromA, ...fromB];
    for (const n of all) expect(n).toMatch(/^\d{7,}$/);
    expect(new Set(all).size).toBe(all.length);
  });

  it("a revoked counter's tickets sold before stay VALID; one signed with its key after is refused", async () => {
    const [sold] = (await sell(b, beto, 1)).tickets;
    const [{ credential_id: credentialId }] = b.rows<{ credential_id: number }>(
      'SELECT credential_id FROM sync_credentials WHERE id = 1',
    ) as [{ credential_id: number }];
    await venue.serverCommand([
      'revoke',
      '--tenant',
      String(venue.admin.tenantId),
      '--credential',
      String(credentialId),
    ]);
    // Whoever holds B's store (or its key) signs a ticket the server never sold.
    const later = signWith(b.dbFile, '0099999');
    expect(keyIdOf(later)).toBe(keyIdOf(sold!.code));

    const { file, keyset } = await exportKeyset();
    expect(keyset.keys.find((k) => k.keyId === keyIdOf(sold!.code))?.terminalRevokedAt).not.toBeNull();
    expect((await verify(sold!.code, '--keyset', file)).verdict).toBe('VALID');
    expect((await verify(later, '--keyset', file)).verdict).toBe('KEY_REVOKED');
  }, 120_000);
});

/** The same ticket signed by a key no counter of the venue registered (someone else's Taquilla). */
function strangerCode(payload: TicketCodePayload): string {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const signed = payloadBytes({ ...payload, keyId: base64UrlEncode(raw.subarray(0, 6)) });
  return formatTicketCode(signed, sign(null, signed, privateKey));
}

/** A code signed with the active key of the store at `file`, for a ticket number nobody sold. */
function signWith(file: string, ticketNumber: string): string {
  const db = new Database(file);
  try {
    const tenantId = (db.prepare('SELECT id FROM tenants ORDER BY id LIMIT 1').get() as { id: number }).id;
    const signer = new TicketSigner(db as never, systemClock, StoreKey.open(db as never, systemClock, null));
    return signer.sign(tenantId, {
      ticketNumber,
      eventId: THEATRE,
      place: 'PLA-Z-99',
      transactionPrefix: 'deadbeef',
    });
  } finally {
    db.close();
  }
}
