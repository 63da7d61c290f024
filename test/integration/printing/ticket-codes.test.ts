import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { createDispatcher } from '../../../electron/api/dispatcher.ts';
import { createHandlers } from '../../../electron/api/handlers.ts';
import { publicSigningKeys, verifyTicketCode } from '../../../electron/services/printing/ticket-signing.ts';
import { keyFileOf } from '../../../electron/store/store-key.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { base64UrlDecode, parseTicketCode } from '../../../shared/printing/ticket-code.ts';
import { T0 } from '../../support/temp-store.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Red-team findings 8 and 9 (issue 11 follow-up). 8: `verify-ticket --db` checked only the signature,
 * so a copy of a store (with its key) sold a seat whose ticket the real store called VALID. 9: a
 * training store's QR said `TQ1|…` like a live one, and nothing warned that it is worth nothing.
 */
const clock = new ManualClock(T0);
let api: ApiFixture;
afterEach(() => api?.close());

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Sells one seat through the HTTP API; the code on its ticket. */
async function sell(seat: number): Promise<string> {
  const ana = await api.signIn(api.users.cashier, '1234');
  await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[seat]] }, ana);
  const sale = await api.call(
    'payments.checkout',
    { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
    ana,
  );
  expect(sale.status).toBe(200);
  return api.terminal.db
    .prepare<[string], { code: string }>('SELECT code FROM issued_tickets WHERE transaction_id = ?')
    .get(sale.body.transactionId)!.code;
}

const signedText = (code: string) => new TextDecoder().decode(base64UrlDecode(code.split('.')[0]!));

describe('verify-ticket --db says when the store never issued a ticket', () => {
  it("a ticket sold from a copy of the store (with its key) is NOT ISSUED; the store's own is VALID", async () => {
    api = await startApi();
    const real = await sell(0);
    api.terminal.db.pragma('wal_checkpoint(TRUNCATE)');
    // The copy: the store file and its key file, served elsewhere, selling a seat of its own.
    const copy = join(api.dir, 'copy.db');
    copyFileSync(api.file, copy);
    copyFileSync(keyFileOf(api.file), keyFileOf(copy));
    const other = createTerminal({ dbFile: copy, clock });
    let forged: string;
    try {
      const dispatch = createDispatcher(other, createHandlers(), () => {});
      const signed = await dispatch({
        method: 'session.signIn',
        input: { userId: api.users.cashier, pin: '1234' },
      });
      const token = (signed as { result: { sessionToken: string } }).result.sessionToken;
      await dispatch({
        method: 'holds.seats',
        input: { eventId: api.eventId, seatIds: [api.seatIds[7]] },
        sessionToken: token,
      });
      const sale = await dispatch({
        method: 'payments.checkout',
        input: { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
        sessionToken: token,
      });
      expect(sale.ok).toBe(true);
      forged = other.db
        .prepare<[], { code: string }>(
          'SELECT code FROM issued_tickets ORDER BY issued_at DESC, ticket_number DESC LIMIT 1',
        )
        .get()!.code;
    } finally {
      other.close();
    }
    // Its signature is the store's own key's, so a scanner with only the public key admits it...
    const keys = new Map(publicSigningKeys(api.terminal.db).map((k) => [k.keyId, k.publicKey]));
    expect(verifyTicketCode(forged, keys).valid).toBe(true);
    // ...but the store knows it never issued it.
    const verdict = await cli('verify-ticket', '--db', api.file, '--code', forged);
    expect(verdict.code).toBe(1);
    expect(verdict.err).toMatch(/not-issued.*NOT ISSUED by this store: ticket T1-000002/);
    const genuine = await cli('verify-ticket', '--db', api.file, '--code', real);
    expect(genuine.code).toBe(0);
    expect(genuine.out).toMatch(/^VALID ticket T1-000001, .*seat PLA-A-1.*\(issued here; sale COMPLETED\)$/);
  });
});

describe('training tickets are marked inside what is signed', () => {
  it('a live ticket keeps TQ1; a training ticket is TQT1 and every check says ENTRENAMIENTO - SIN VALOR', async () => {
    api = await startApi();
    const live = await sell(0);
    expect(signedText(live)).toMatch(/^TQ1\|/);
    expect(parseTicketCode(live)!.payload.training).toBeUndefined();
    await api.close();

    api = await startApi({ training: true });
    const practice = await sell(0);
    expect(signedText(practice)).toMatch(/^TQT1\|/);
    expect(parseTicketCode(practice)!.payload.training).toBe(true);
    // A door scanner holding the public key: signature fine, not valid for entry.
    const keys = new Map(publicSigningKeys(api.terminal.db).map((k) => [k.keyId, k.publicKey]));
    expect(verifyTicketCode(practice, keys)).toMatchObject({ valid: false, reason: 'training' });
    const [keyId, key] = [...keys][0]!;
    const scanner = await cli('verify-ticket', '--public-key', `${keyId}=${key}`, '--code', practice);
    expect(scanner.code).toBe(1);
    expect(scanner.err).toMatch(/ENTRENAMIENTO - SIN VALOR/);
    const atStore = await cli('verify-ticket', '--db', api.file, '--code', practice);
    expect(atStore.code).toBe(1);
    expect(atStore.err).toMatch(/\(training\): ENTRENAMIENTO - SIN VALOR/);
    // Turning it into a live code breaks the signature.
    const [, signature] = practice.split('.');
    const relabelled = `${Buffer.from(signedText(practice).replace(/^TQT1/, 'TQ1')).toString('base64url')}.${signature}`;
    expect(verifyTicketCode(relabelled, keys)).toMatchObject({ valid: false, reason: 'bad-signature' });
    // And the keys of a training store say what they sign.
    const ticketKeys = await cli('ticket-keys', '--db', api.file);
    expect(ticketKeys.out.split('\n')[0]).toMatch(/^ENTRENAMIENTO - SIN VALOR: this is a training store/);
    expect(JSON.parse((await cli('ticket-keys', '--db', api.file, '--json')).out)).toMatchObject({
      training: true,
    });
  });
});
