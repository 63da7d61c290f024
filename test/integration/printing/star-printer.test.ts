import { afterEach, describe, expect, it } from 'vitest';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { StarTcpTransport } from '../../../electron/services/printing/star-transport.ts';
import {
  VirtualPrinter,
  type VirtualPrinterOptions,
} from '../../../electron/services/printing/virtual-printer.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/**
 * A Star printer in Star Line mode over TCP, against the virtual printer answering as the STAR Line
 * Mode Command Specifications say (ESC ACK SOH answered on arrival even offline; ETB executed only once
 * what came before has printed, never while offline; offline and silent on paper end, cover open and
 * cutter error; automatic status sent unasked when on). A job is DONE only on the printer's word.
 */
let venue: SmallVenue;
let printer: VirtualPrinter;

async function setUp(options: Omit<VirtualPrinterOptions, 'commandSet'> = {}): Promise<PrintingService> {
  venue = smallVenue();
  printer = new VirtualPrinter({ ...options, commandSet: 'star-line' });
  await printer.start();
  const printing = new PrintingService(venue.db, venue.clock, {
    queue: { backoffMs: 50, maxBackoffMs: 200 },
    tcp: { connectTimeoutMs: 500, statusTimeoutMs: 300, printTimeoutMs: 1500, pollMs: 20 },
  });
  printing.setSettings(
    { connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port }, type: 'star' },
    'test',
  );
  printing.attach(venue.reservations);
  return printing;
}

afterEach(async () => {
  await printer.stop();
  venue.close();
});

function sellSeats(n: number, from = 0): string {
  const { transactionId } = venue.reservations.holdSeats({
    eventId: venue.eventId,
    sessionId: 'caja-1',
    actor: 'Ana',
    seatIds: venue.seatIds.slice(from, from + n),
  });
  venue.reservations.complete({ transactionId, actor: 'Ana' });
  return transactionId;
}

const numbers = (): string[] =>
  printer.documents.flatMap((d) => [...d.text.matchAll(/Boleto N\.º (T1-\d{6})/g)].map((m) => m[1]!));
const jobStates = (): { status: string; n: number }[] =>
  venue.db.prepare('SELECT status, COUNT(*) AS n FROM print_jobs GROUP BY status ORDER BY status').all() as {
    status: string;
    n: number;
  }[];
/** ESC ACK SOH: the only status question a Star printer in line mode answers. */
const STATUS_REQUEST = 3;

describe('a Star job is printed only when the Star printer said so', () => {
  it('each job is DONE once the ETB counter says everything before it printed: all on paper when drain returns', async () => {
    const printing = await setUp();
    sellSeats(2);
    expect(printing.status().confirms).toBe(true);
    expect(await printing.queue.drain()).toBe('idle');
    // No waiting after the fact: the printer said it printed them.
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(printer.documents).toHaveLength(3);
    expect(printer.unknownCommands).toEqual([]);
    expect(jobStates()).toEqual([{ status: 'DONE', n: 3 }]);
    expect(printing.status()).toMatchObject({ state: 'ready', pending: 0, interrupted: [], message: null });
    // Asked before and after each job (ESC ACK SOH), never with ESC/POS DLE EOT.
    expect(printer.statusRequests.length).toBeGreaterThanOrEqual(6);
    expect(printer.statusRequests.every((r) => r.n === 0 && r.realtime)).toBe(true);
  });

  it('a Star printer that accepts the connection but never answers: nothing is sent or marked printed; it prints once it answers', async () => {
    const printing = await setUp();
    printer.setMute(true);
    sellSeats(2);
    expect(await printing.queue.drain()).toBe('paused');
    expect(await printing.queue.drain()).toBe('paused');
    expect(printer.documents).toHaveLength(0);
    expect(jobStates()).toEqual([{ status: 'PENDING', n: 3 }]);
    const silent = printing.status();
    expect(silent).toMatchObject({
      state: 'no-reply',
      pending: 3,
      waitingTickets: ['T1-000001', 'T1-000002'],
    });
    expect(silent.message).toMatch(
      /^La impresora no responde \(tcp:.*\): no se imprime nada hasta que responda\. 3 trabajos en espera\.$/,
    );
    // Every attempt asked (ESC ACK SOH) and sent nothing else.
    expect(printer.bytesReceived).toBe(2 * STATUS_REQUEST);
    expect((await printing.queue.probe()).state).toBe('no-reply');
    expect(printer.bytesReceived).toBe(3 * STATUS_REQUEST);

    printer.setMute(false);
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(jobStates()).toEqual([{ status: 'DONE', n: 3 }]);
    expect(printing.status()).toMatchObject({ state: 'ready', message: null });
  });

  it('a Star printer that goes silent after taking the job: the job is not DONE, it waits for the cashier', async () => {
    const printing = await setUp();
    sellSeats(1);
    // It answers the question before the job, then nothing: the job may or may not have printed.
    printer.once('document', () => printer.setMute(true));
    expect(await printing.queue.drain()).toBe('failed');
    expect(jobStates()).toEqual([{ status: 'PENDING', n: 2 }]);
    expect(printing.status().interrupted).toMatchObject([{ jobId: 1, reason: 'unconfirmed' }]);
    expect(venue.db.prepare("SELECT COUNT(*) AS n FROM print_jobs WHERE status = 'DONE'").get()).toEqual({
      n: 0,
    });
    // It answers again: the next job (the receipt) is confirmed on its own ETB; the ticket waits for
    // the cashier's word, never DONE by itself.
    printer.setMute(false);
    printing.queue.retryNow();
    expect(await printing.queue.drain()).toBe('idle');
    expect(jobStates()).toEqual([
      { status: 'DONE', n: 1 },
      { status: 'PENDING', n: 1 },
    ]);
    expect(printing.status().interrupted).toMatchObject([{ jobId: 1, reason: 'unconfirmed' }]);
    expect(printer.documents).toHaveLength(2);
  });

  it('cover open: nothing is sent, the cashier is told in Spanish, and the jobs print when it is closed', async () => {
    const printing = await setUp();
    printer.setCoverOpen(true);
    sellSeats(1);
    expect(await printing.queue.drain()).toBe('paused');
    expect(printer.buffered).toBe(0);
    expect(printing.status()).toMatchObject({
      state: 'cover-open',
      pending: 2,
      message: 'La tapa de la impresora está abierta: ciérrela. 2 trabajos en espera; se imprimirán solos.',
    });
    expect(venue.db.prepare('SELECT MAX(attempts) AS a FROM print_jobs').get()).toEqual({ a: 0 });
    printer.setCoverOpen(false);
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001']);
    expect(jobStates()).toEqual([{ status: 'DONE', n: 2 }]);
  });

  it('paper near end is shown while it still prints', async () => {
    const printing = await setUp();
    printer.setPaperNearEnd(true);
    sellSeats(1);
    expect(await printing.queue.drain()).toBe('idle');
    expect(printing.status()).toMatchObject({
      state: 'ready',
      paperNearEnd: true,
      message: 'Papel por acabarse: tenga un rollo nuevo a mano.',
    });
  });

  it('a cutter jam: the ticket came out uncut, the queue stops on it and asks the cashier, then goes on', async () => {
    const printing = await setUp();
    sellSeats(2);
    printer.jamCutterOnNextCut();
    expect(await printing.queue.drain()).toBe('paused');
    expect(printer.documents.map((d) => d.cut)).toEqual([false]);
    expect(printing.status()).toMatchObject({
      state: 'cutter-error',
      interrupted: [{ jobId: 1, reason: 'cutter-error' }],
    });
    expect(printing.status().message).toMatch(/^Error de cuchilla: abra la tapa/);
    expect(await printing.queue.drain()).toBe('paused');
    printer.clearCutterError();
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(jobStates()).toEqual([
      { status: 'DONE', n: 2 },
      { status: 'PENDING', n: 1 },
    ]);
  });

  it('paper runs out mid-ticket: the rest prints on the new roll, nothing prints twice unasked, and the cashier says which came out', async () => {
    const printing = await setUp();
    const tx = sellSeats(6);
    printer.paperOutAfter(3, 4);
    expect(await printing.queue.drain()).toBe('paused');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002', 'T1-000003']);
    expect(printer.onTheHead.length).toBe(4);
    // Offline: the rest of the ticket and its ETB wait in the printer's buffer.
    expect(printer.buffered).toBeGreaterThan(0);
    const stopped = printing.status();
    expect(stopped).toMatchObject({
      state: 'paper-out',
      pending: 3,
      waitingTickets: ['T1-000005', 'T1-000006'],
      interrupted: [
        { jobId: 4, kind: 'ticket', ticketNumber: 'T1-000004', place: 'PLA-A-4', reason: 'paper-out' },
      ],
    });
    expect(stopped.interrupted[0]!.saleNumber).toBe(tx.slice(0, 8).toUpperCase());
    expect(stopped.message).toBe(
      'Impresora sin papel: cargue un rollo nuevo y cierre la tapa. 3 trabajos en espera; se imprimirán solos. ' +
        'La impresora se detuvo en 1 trabajo: indique si salió completo.',
    );
    expect(jobStates()).toEqual([
      { status: 'DONE', n: 3 },
      { status: 'PENDING', n: 4 },
    ]);
    const received = printer.bytesReceived;
    expect(await printing.queue.drain()).toBe('paused');
    // Still out: it asked, and sent nothing.
    expect(printer.bytesReceived).toBe(received + STATUS_REQUEST);

    printer.setPaperOut(false);
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002', 'T1-000003', 'T1-000004', 'T1-000005', 'T1-000006']);
    expect(printer.documents.map((d) => d.interrupted)).toEqual([
      false,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
    expect(printer.documents.some((d) => d.text.includes('COPIA'))).toBe(false);
    expect(printing.status()).toMatchObject({ state: 'ready', pending: 0 });
    expect(printing.status().interrupted).toHaveLength(1);

    const { jobs } = printing.resolveInterrupted({ jobs: [{ jobId: 4, cameOut: false }] }, 'Ana');
    expect(jobs).toMatchObject([{ kind: 'ticket', copy: 1 }]);
    expect(await printing.queue.drain()).toBe('idle');
    const last = printer.documents.at(-1)!;
    expect(last.text).toContain('Boleto N.º T1-000004');
    expect(last.text).toContain('COPIA 1');
    expect(printer.documents).toHaveLength(8);
    expect(printing.status().interrupted).toEqual([]);
  });

  it('automatic status on (a memory switch): blocks sent unasked are never taken for the answer', async () => {
    const printing = await setUp({ asb: true });
    printer.setPaperOut(true);
    sellSeats(2);
    // Every connection opens with a block reporting paper end, before any question.
    expect(await printing.queue.drain()).toBe('paused');
    expect(printer.buffered).toBe(0);
    expect(printing.status().state).toBe('paper-out');
    printer.setPaperOut(false);
    printer.setPaperNearEnd(true);
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(jobStates()).toEqual([{ status: 'DONE', n: 3 }]);
    expect(printing.status()).toMatchObject({ state: 'ready', paperNearEnd: true, interrupted: [] });

    // A fault mid-job, with blocks arriving on every change and after every ETB.
    sellSeats(1, 5);
    printer.paperOutAfter(0, 2);
    expect(await printing.queue.drain()).toBe('paused');
    expect(printing.status().interrupted).toMatchObject([{ reason: 'paper-out' }]);
    expect(jobStates()).toEqual([
      { status: 'DONE', n: 3 },
      { status: 'PENDING', n: 2 },
    ]);
  });
});

describe('a Star printer that takes its time (3 ms a line, about 100 ms a ticket)', () => {
  it('every job DONE is on paper when drain returns, also after the rest of an interrupted ticket printed first', async () => {
    const printing = await setUp({ msPerElement: 3 });
    sellSeats(2);
    // The first ticket stops after six lines: its rest, then its ETB, wait in the printer.
    printer.paperOutAfter(0, 6);
    expect(await printing.queue.drain()).toBe('paused');
    expect(printing.status().interrupted).toMatchObject([{ jobId: 1, reason: 'paper-out' }]);
    printer.setPaperOut(false);
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.buffered).toBe(0);
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(printer.documents).toHaveLength(3);
    expect(jobStates()).toEqual([
      { status: 'DONE', n: 2 },
      { status: 'PENDING', n: 1 },
    ]);
  });

  it('the ETB of an interrupted job, executed late, never confirms the next job (one that does not reset the counter itself)', async () => {
    // Raw jobs without CAN: nothing in them sets the printer's ETB counter back.
    venue = smallVenue();
    printer = new VirtualPrinter({ commandSet: 'star-line', msPerElement: 5 });
    await printer.start();
    const transport = new StarTcpTransport('127.0.0.1', printer.port, {
      statusTimeoutMs: 300,
      printTimeoutMs: 1500,
      pollMs: 20,
    });
    const job = (name: string, lines: number): Buffer =>
      Buffer.from(`${Array.from({ length: lines }, (_, i) => `${name} ${i}\n`).join('')}\x1bd\x02`, 'latin1');
    printer.paperOutAfter(0, 8);
    expect((await transport.send(job('A', 10))).outcome).toBe('interrupted');
    printer.setPaperOut(false);
    // A's rest (2 lines, 10 ms) and its ETB come first, then B (30 lines, 150 ms): B is DONE only
    // once B is on paper, not when A's ETB moves the counter.
    expect((await transport.send(job('B', 30))).outcome).toBe('printed');
    expect(printer.documents.map((d) => d.text.split('\n')[0])).toEqual(['A 0', 'B 0']);
    expect(printer.buffered).toBe(0);
  });
});
