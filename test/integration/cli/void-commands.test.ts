import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

let dir: ReturnType<typeof tempDir>;
let file: string;
const clock = new ManualClock(T0);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Two seats of the demo theatre sold at a counter on this store (tickets issued with the sale). */
function sellTwo(): { transactionId: string; tickets: { ticket_number: string; code: string }[] } {
  const terminal = createTerminal({ dbFile: file, clock });
  try {
    const seats = terminal.db
      .prepare<[], { id: number }>(
        "SELECT id FROM seats WHERE event_id = 1 AND label IN ('VIP-B-1', 'VIP-B-2')",
      )
      .all()
      .map((s) => s.id);
    terminal.reservations.holdSeats({
      eventId: 1,
      sessionId: 's',
      actor: 'cashier:Ana Cajera',
      seatIds: seats,
    });
    const sale = terminal.payments.checkout({
      eventId: 1,
      sessionId: 's',
      actor: 'cashier:Ana Cajera',
      tenders: [{ method: 'CASH_USD', amountCents: 100_000 }],
      changeCurrency: 'USD',
    });
    const tickets = terminal.db
      .prepare<[string], { ticket_number: string; code: string }>(
        'SELECT ticket_number, code FROM issued_tickets WHERE transaction_id = ? ORDER BY ticket_number',
      )
      .all(sale.transactionId);
    return { transactionId: sale.transactionId, tickets };
  } finally {
    terminal.close();
  }
}

beforeAll(async () => {
  dir = tempDir();
  file = join(dir.dir, 'demo.db');
  expect((await cli('seed-demo', '--db', file, '--json')).code).toBe(0);
});
afterAll(() => dir.remove());

describe('taquilla void-sale and verify-ticket', () => {
  it('voids one ticket by its number; verify-ticket then answers VOID / ANULADO for it and VALID for the other', async () => {
    const sale = sellTwo();
    const [voided, kept] = sale.tickets;
    const number = sale.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
    const noReason = await cli('void-sale', '--sale', number, '--db', file);
    expect(noReason.code).toBe(2);

    const args = [
      'void-sale',
      '--sale',
      number,
      '--ticket',
      voided!.ticket_number,
      '--reason',
      'cliente desiste',
    ];
    const done = await cli(
      ...args,
      '--request-id',
      'cli-void-0001',
      '--db',
      file,
      '--actor',
      'supervisor:Luis',
    );
    expect(done.code, done.err).toBe(0);
    expect(done.out).toContain(`Tickets voided: ${voided!.ticket_number}`);
    expect(done.out).toMatch(/CASH_USD USD 80,00/);
    const again = await cli(...args, '--request-id', 'cli-void-0001', '--db', file, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ refundUsdCents: 8000, approvedBy: 'supervisor:Luis' });

    const door = await cli('verify-ticket', '--code', voided!.code, '--db', file);
    expect(door.code).not.toBe(0);
    expect(door.err).toContain('VOID / ANULADO');
    const other = await cli('verify-ticket', '--code', kept!.code, '--db', file);
    expect(other.code).toBe(0);
    expect(other.out).toMatch(/^VALID/);
  });
});
