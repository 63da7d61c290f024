import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../electron/api/dispatcher.ts';
import { createHandlers } from '../../../electron/api/handlers.ts';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

const clock = new ManualClock(T0);
let dir: ReturnType<typeof tempDir>;
let printer: VirtualPrinter;
let terminal: Terminal | undefined;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  dir = tempDir();
  printer = new VirtualPrinter();
  await printer.start();
});
afterEach(() => {
  terminal?.close();
  terminal = undefined;
});
afterAll(async () => {
  await printer.stop();
  dir.remove();
});

describe('a training store', () => {
  it('is chosen when the demo is seeded, says so, and is final', async () => {
    const file = join(dir.dir, 'training.db');
    expect((await cli('seed-demo', '--db', file, '--training')).code).toBe(0);
    expect(JSON.parse((await cli('training', '--db', file, '--json')).out)).toEqual({ mode: 'training' });
    const db = openDatabase(file);
    expect(() => db.prepare('DELETE FROM terminal_mode').run()).toThrow(/TRAINING_MODE_FINAL/);
    expect(() => db.prepare("UPDATE terminal_mode SET set_by = 'x'").run()).toThrow(/TRAINING_MODE_FINAL/);
    // The database itself refuses an enrolment, whoever writes it.
    expect(() =>
      db
        .prepare(
          `INSERT INTO sync_credentials (id, server_url, tenant_id, credential_id, secret, sealed_secret, terminal_name, enrolled_at)
           VALUES (1, 'http://x', 1, 1, '', 'tqs1.sealed', 'Caja', 0)`,
        )
        .run(),
    ).toThrow(/TRAINING_STORE/);
    db.close();
  });

  it('refuses to enrol before any server is asked (exit 1, TRAINING_MODE)', async () => {
    const file = join(dir.dir, 'training-enrol.db');
    await cli('seed-demo', '--db', file, '--training');
    // Port 9 (discard) on loopback: if the command tried the network it would fail differently.
    const enrol = await cli(
      'enrol',
      '--db',
      file,
      '--server',
      'http://127.0.0.1:9',
      '--code',
      'AAAA-BBBB-CCCC',
    );
    expect(enrol.code).toBe(1);
    expect(enrol.err).toMatch(/TRAINING_MODE/);
  });

  it('cannot be switched on for a store that already sold for real', async () => {
    const file = join(dir.dir, 'live.db');
    await cli('seed-demo', '--db', file);
    expect(JSON.parse((await cli('training', '--db', file, '--json')).out)).toEqual({ mode: 'live' });
    terminal = createTerminal({ dbFile: file, clock });
    const seat = terminal.db
      .prepare<[], { id: number }>("SELECT id FROM seats WHERE label = 'PLA-F-1'")
      .get()!.id;
    terminal.reservations.holdSeats({ eventId: 1, sessionId: 's', actor: 'cashier:ana', seatIds: [seat] });
    await terminal.sales.checkout({
      eventId: 1,
      sessionId: 's',
      actor: 'cashier:ana',
      tenders: [{ method: 'CASH_USD', amountCents: 100_000 }],
    });
    terminal.close();
    terminal = undefined;
    const refused = await cli('training', '--db', file, '--enable');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/has-sales|real sales/);
  });

  it('reports its mode to the screens and marks every ticket and receipt as worth nothing', async () => {
    const file = join(dir.dir, 'training-sale.db');
    await cli('seed-demo', '--db', file, '--training');
    terminal = createTerminal({ dbFile: file, clock });
    terminal.printing.setSettings(
      { connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } },
      'test',
    );
    const dispatch = createDispatcher(terminal, createHandlers());
    const status = await dispatch({ method: 'terminal.status', input: {} });
    expect(status).toMatchObject({ ok: true, result: { mode: 'training' } });

    const seat = terminal.db
      .prepare<[], { id: number }>("SELECT id FROM seats WHERE label = 'PLA-F-2'")
      .get()!.id;
    terminal.reservations.holdSeats({ eventId: 1, sessionId: 's', actor: 'cashier:ana', seatIds: [seat] });
    await terminal.sales.checkout({
      eventId: 1,
      sessionId: 's',
      actor: 'cashier:ana',
      tenders: [{ method: 'CASH_USD', amountCents: 100_000 }],
    });
    const before = printer.documents.length;
    expect(await terminal.printing.queue.drain()).toBe('idle');
    const printed = printer.documents.slice(before).map((d) => d.text);
    expect(printed).toHaveLength(2);
    for (const text of printed) {
      // Top and bottom, so a torn ticket still says it.
      expect(text.match(/ENTRENAMIENTO - SIN VALOR/g)).toHaveLength(2);
    }
  });

  it('a live store prints no training mark', async () => {
    const file = join(dir.dir, 'live-sale.db');
    await cli('seed-demo', '--db', file);
    terminal = createTerminal({ dbFile: file, clock });
    terminal.printing.setSettings(
      { connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } },
      'test',
    );
    const dispatch = createDispatcher(terminal, createHandlers());
    expect(await dispatch({ method: 'terminal.status', input: {} })).toMatchObject({
      result: { mode: 'live' },
    });
    const seat = terminal.db
      .prepare<[], { id: number }>("SELECT id FROM seats WHERE label = 'PLA-F-3'")
      .get()!.id;
    terminal.reservations.holdSeats({ eventId: 1, sessionId: 's', actor: 'cashier:ana', seatIds: [seat] });
    await terminal.sales.checkout({
      eventId: 1,
      sessionId: 's',
      actor: 'cashier:ana',
      tenders: [{ method: 'CASH_USD', amountCents: 100_000 }],
    });
    const before = printer.documents.length;
    await terminal.printing.queue.drain();
    const printed = printer.documents.slice(before).map((d) => d.text);
    expect(printed).toHaveLength(2);
    for (const text of printed) expect(text).not.toContain('ENTRENAMIENTO');
  });
});
