import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

const TERMINALS = 3;
const RESERVATIONS = 6;

describe('several terminals (OS processes) paying the same reservations at once', () => {
  let venue: SmallVenue;
  afterAll(() => venue?.close());

  it('each balance is paid down exactly, completed once, and later payments are refused', async () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const ids: string[] = [];
    for (let r = 0; r < RESERVATIONS; r++) {
      venue.reservations.holdSeats({
        eventId: venue.eventId,
        sessionId: `c${r}`,
        actor: 'cashier:ana',
        seatIds: [venue.seatIds[r]!],
      });
      // $25 seat, $10 deposit: $15 left, i.e. two payments of $7.50 from whichever terminals win.
      ids.push(
        payments.deposit({
          eventId: venue.eventId,
          sessionId: `c${r}`,
          actor: 'cashier:ana',
          customer: { name: `Cliente ${r}`, phone: '04141234567' },
          tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
        }).transactionId,
      );
    }
    const worker = join(import.meta.dirname, 'pay-worker.ts');
    const children = Array.from({ length: TERMINALS }, (_, w) =>
      spawn(
        process.execPath,
        ['--import', 'tsx', worker, venue.file, String(venue.clock.now()), `t${w + 1}`, ids.join(',')],
        { cwd: join(import.meta.dirname, '../../..'), stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    const outputs = children.map((child) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      return {
        ready: new Promise<void>((resolve) => {
          const check = () => (text.startsWith('ready\n') ? resolve() : child.stdout.once('data', check));
          child.stdout.once('data', check);
        }),
        done: new Promise<string>((resolve, reject) =>
          child.on('exit', (code) =>
            code === 0 ? resolve(text.slice('ready\n'.length)) : reject(new Error(`worker exit ${code}`)),
          ),
        ),
      };
    });
    await Promise.all(outputs.map((o) => o.ready));
    for (const child of children) child.stdin.end('go\n');
    const results = (await Promise.all(outputs.map((o) => o.done))).map(
      (out) =>
        JSON.parse(out.trim()) as {
          worker: string;
          paid: string[];
          completed: string[];
          refused: Record<string, number>;
          unexpected: string[];
        },
    );
    for (const r of results) expect(r.unexpected).toEqual([]);
    const completed = results.flatMap((r) => r.completed).sort();
    expect(completed).toEqual([...ids].sort());
    // 2 accepted payments per reservation; every other attempt saw it already paid.
    expect(results.reduce((n, r) => n + r.paid.length, 0)).toBe(2 * RESERVATIONS);
    expect(results.reduce((n, r) => n + (r.refused.NOT_PAYABLE ?? 0), 0)).toBe(
      TERMINALS * RESERVATIONS - 2 * RESERVATIONS,
    );
    const totals = venue.db
      .prepare<[], { transaction_id: string; paid: number; n: number; status: string }>(
        `SELECT p.transaction_id, SUM(p.applied_cents) AS paid, COUNT(*) AS n, x.status
         FROM payments p JOIN transactions x ON x.id = p.transaction_id GROUP BY p.transaction_id`,
      )
      .all();
    expect(totals).toHaveLength(RESERVATIONS);
    for (const t of totals) expect(t).toMatchObject({ paid: 2500, n: 3, status: 'COMPLETED' });
    expect(venue.db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  }, 60_000);
});
