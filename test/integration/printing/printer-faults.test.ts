import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/taquilla.ts';
import { DayClosingService } from '../../../electron/services/day-closing/day-closing-service.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { caracasDateTime } from '../../../electron/services/printing/layouts.ts';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { publicSigningKeys, verifyTicketCode } from '../../../electron/services/printing/ticket-signing.ts';
import {
  VirtualPrinter,
  type VirtualPrinterOptions,
} from '../../../electron/services/printing/virtual-printer.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { addStaff, type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/**
 * Issue 15: every situation a real printer puts the queue in, against the virtual printer behaving as
 * the Epson manual says (offline and silent to GS r on paper end, cover open or cutter error; real-time
 * status answered even then; automatic status back arriving unasked).
 */
let venue: SmallVenue;
let printer: VirtualPrinter;

async function setUp(options: VirtualPrinterOptions = {}): Promise<PrintingService> {
  venue = smallVenue();
  printer = new VirtualPrinter(options);
  await printer.start();
  const printing = new PrintingService(venue.db, venue.clock, {
    queue: { backoffMs: 50, maxBackoffMs: 200 },
    tcp: { connectTimeoutMs: 500, statusTimeoutMs: 300, printTimeoutMs: 1500, pollMs: 20 },
  });
  printing.setSettings({ connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } }, 'test');
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

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const numbers = (): string[] =>
  printer.documents.flatMap((d) => [...d.text.matchAll(/Boleto N\.º (T1-\d{6})/g)].map((m) => m[1]!));
const jobStates = (): { status: string; n: number }[] =>
  venue.db.prepare('SELECT status, COUNT(*) AS n FROM print_jobs GROUP BY status ORDER BY status').all() as {
    status: string;
    n: number;
  }[];

describe('a job is printed only when the printer said so', () => {
  it('a printer that accepts the connection but never answers: nothing is marked printed, the queue keeps asking, and prints once it answers', async () => {
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
    // It keeps asking: every attempt and probe asks DLE EOT 1-4, however long it stayed silent.
    const asked = printer.bytesReceived;
    expect((await printing.queue.probe()).state).toBe('no-reply');
    // DLE EOT 1-4, nothing else.
    expect(printer.bytesReceived).toBe(asked + 12);

    printer.setMute(false);
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(jobStates()).toEqual([{ status: 'DONE', n: 3 }]);
    expect(printing.status()).toMatchObject({ state: 'ready', message: null });
  });

  it('cover open: nothing is sent, the cashier is told, and the jobs print when it is closed', async () => {
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
  });

  it('a cutter jam: the ticket came out uncut, the queue stops and asks the cashier, then goes on', async () => {
    const printing = await setUp();
    sellSeats(2);
    printer.jamCutterOnNextCut();
    expect(await printing.queue.drain()).toBe('paused');
    expect(printer.documents.map((d) => d.cut)).toEqual([false]);
    const jammed = printing.status();
    expect(jammed.state).toBe('cutter-error');
    expect(jammed.message).toMatch(
      /^Error de cuchilla: abra la tapa, retire el papel atascado y ciérrela\. 2 trabajos en espera; se imprimirán solos\. La impresora se detuvo en 1 trabajo/,
    );
    expect(jammed.interrupted).toMatchObject([
      { jobId: 1, ticketNumber: 'T1-000001', reason: 'cutter-error' },
    ]);
    expect(await printing.queue.drain()).toBe('paused');
    printer.clearCutterError();
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    // The cashier holds the uncut ticket: it came out.
    expect(printing.resolveInterrupted({ jobs: [{ jobId: 1, cameOut: true }] }, 'Ana')).toEqual({ jobs: [] });
    expect(jobStates()).toEqual([{ status: 'DONE', n: 3 }]);
    expect(
      venue.db
        .prepare(
          "SELECT from_state, to_state, actor FROM audit_log WHERE entity = 'ticket' AND reason LIKE 'print job%'",
        )
        .all(),
    ).toEqual([{ from_state: 'INTERRUPTED ORIGINAL', to_state: 'PRINTED', actor: 'Ana' }]);
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

  it('paper runs out mid-ticket: the rest prints on the new roll, nothing is printed twice unasked, and the cashier says which came out', async () => {
    const printing = await setUp();
    const tx = sellSeats(6);
    // Three tickets, then four lines of the fourth: the roll ends under the head.
    printer.paperOutAfter(3, 4);
    expect(await printing.queue.drain()).toBe('paused');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002', 'T1-000003']);
    expect(printer.onTheHead.length).toBe(4);
    // A real printer answers no GS r while out of paper: the job waits in its buffer.
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
    // Still out: polling sends nothing.
    expect(await printing.queue.drain()).toBe('paused');

    printer.setPaperOut(false);
    expect(await printing.queue.drain()).toBe('idle');
    // The buffered original finished on the new roll; nothing was reprinted by itself.
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

    // Torn across two rolls: the cashier asks for it again. The copy is marked.
    const { jobs } = printing.resolveInterrupted({ jobs: [{ jobId: 4, cameOut: false }] }, 'Ana');
    expect(jobs).toMatchObject([{ kind: 'ticket', copy: 1 }]);
    expect(await printing.queue.drain()).toBe('idle');
    const last = printer.documents.at(-1)!;
    expect(last.text).toContain('Boleto N.º T1-000004');
    expect(last.text).toContain('COPIA 1');
    expect(printing.status().interrupted).toEqual([]);
    expect(() => printing.resolveInterrupted({ jobs: [{ jobId: 4, cameOut: true }] }, 'Ana')).toThrow(
      /not waiting/,
    );
  });

  it('status bytes that arrive unasked (automatic status back) are never read as the answer', async () => {
    const printing = await setUp({ asb: true });
    printer.setPaperOut(true);
    sellSeats(2);
    // Every connection opens with four ASB bytes reporting paper end, before any answer.
    expect(await printing.queue.drain()).toBe('paused');
    expect(printer.buffered).toBe(0);
    expect(printing.status().state).toBe('paper-out');
    printer.setPaperOut(false);
    printer.setPaperNearEnd(true);
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(jobStates()).toEqual([{ status: 'DONE', n: 3 }]);
    expect(printing.status()).toMatchObject({ state: 'ready', paperNearEnd: true, interrupted: [] });

    // A fault mid-job: the ASB block and the GS r that never comes must not be confused.
    sellSeats(1, 5);
    printer.paperOutAfter(0, 2);
    expect(await printing.queue.drain()).toBe('paused');
    expect(printing.status().interrupted).toMatchObject([{ reason: 'paper-out' }]);
  });
});

describe('at the counter', () => {
  it('a deposit prints its receipt with the code, the balance and the expiry; paying the rest prints the tickets; cash opens the drawer once', async () => {
    const printing = await setUp();
    printing.setSettings({ cashDrawer: 'pin2' }, 'test');
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'caja-1',
      actor: 'Ana',
      seatIds: venue.seatIds.slice(0, 2),
    });
    const deposit = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'caja-1',
      actor: 'Ana',
      customer: { name: 'Pedro Pérez', idNumber: 'V-12.345.678' },
      tenders: [{ method: 'CASH_USD', amountCents: 2000 }],
    });
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.documents).toHaveLength(1);
    const receipt = printer.documents[0]!.text;
    const code = deposit.transactionId.slice(0, 8).toUpperCase();
    expect(receipt).toContain('RECIBO DE ABONO');
    expect(receipt).toContain('Cliente: Pedro Pérez');
    expect(receipt).toMatch(/Efectivo USD\s+USD 20,00/);
    expect(receipt).toMatch(/Saldo\s+USD 30,00/);
    expect(receipt).toContain(caracasDateTime(deposit.reservedUntil!));
    expect(receipt).toContain(`[BARCODE ${code}]`);
    expect(printer.drawerKicks).toEqual([0]);

    payments.pay({
      transactionId: deposit.transactionId,
      actor: 'Ana',
      tenders: [{ method: 'CASH_USD', amountCents: 3000 }],
    });
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    expect(printer.documents.at(-1)!.text).toMatch(/^\s*Sala Prueba\s+RECIBO\n/);
    // Cash again: the sale's receipt opens the drawer (pin 2), once.
    expect(printer.drawerKicks).toEqual([0, 0]);
    // A copy never opens the drawer.
    await printing.reprint({ transactionId: deposit.transactionId, receipt: true }, supervisorRequester);
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.drawerKicks).toEqual([0, 0]);
  });
});

describe('at the kiosk', () => {
  it('a "Pagar en taquilla" slip prints alone (no deposit receipt: nothing was paid); one the paper ran out on is copied as a slip marked COPIA', async () => {
    const printing = await setUp();
    const { transactionId } = venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'kiosko-1',
      actor: 'kiosk:K1',
      seatIds: venue.seatIds.slice(0, 2),
    });
    // What PayAtCounter does in one write: a short reservation (minutes), then its slip.
    venue.db.transaction(() => {
      venue.reservations.convertToPartial({ transactionId, actor: 'kiosk:K1', minutes: 30 });
      printing.jobs.enqueueSlip({
        transactionId,
        code: 'ACE347',
        seats: ['PLA-A-1', 'PLA-A-2'],
        totalCents: 5000,
        reservedUntil: venue.clock.now() + 30 * 60_000,
        issuedAt: venue.clock.now(),
      });
    })();
    printer.paperOutAfter(0, 6);
    expect(await printing.queue.drain()).toBe('paused');
    expect(printing.status().interrupted).toMatchObject([{ kind: 'slip', reason: 'paper-out' }]);
    printer.setPaperOut(false);
    expect(await printing.queue.drain()).toBe('idle');
    const jobId = printing.status().interrupted[0]!.jobId;
    expect(printing.resolveInterrupted({ jobs: [{ jobId, cameOut: false }] }, 'Luis')).toMatchObject({
      jobs: [{ kind: 'slip', copy: 1 }],
    });
    expect(await printing.queue.drain()).toBe('idle');
    const texts = printer.documents.map((d) => d.text);
    expect(texts).toHaveLength(2);
    expect(texts.every((t) => t.includes('PAGAR EN TAQUILLA') && t.includes('ACE-347'))).toBe(true);
    expect(texts[1]).toContain('COPIA 1');
    expect(texts.some((t) => t.includes('RECIBO'))).toBe(false);
    expect(
      venue.db.prepare("SELECT to_state FROM audit_log WHERE to_state LIKE 'SLIP%'").pluck().all(),
    ).toEqual(['SLIP COPIA 1']);
  });
});

describe('an X or Z report on paper (issue 16)', () => {
  it('a Z the paper ran out on is listed with no sale, and one that did not come out is printed again as COPIA 1', async () => {
    const printing = await setUp();
    const closing = new DayClosingService(venue.db, venue.clock);
    const ana = await addStaff(venue.db, 'Ana', 'cashier');
    sellSeats(1);
    expect(await printing.queue.drain()).toBe('idle');
    const z = closing.z({ staff: { staffId: ana }, actor: 'cashier:Ana' });
    printing.jobs.enqueueReport(z);
    printer.paperOutAfter(0, 5);
    expect(await printing.queue.drain()).toBe('paused');
    expect(printing.status().interrupted).toMatchObject([
      { kind: 'report', transactionId: null, saleNumber: null, reason: 'paper-out' },
    ]);
    printer.setPaperOut(false);
    expect(await printing.queue.drain()).toBe('idle');
    const jobId = printing.status().interrupted[0]!.jobId;
    expect(printing.resolveInterrupted({ jobs: [{ jobId, cameOut: false }] }, 'Ana')).toMatchObject({
      jobs: [{ kind: 'report', copy: 1 }],
    });
    expect(await printing.queue.drain()).toBe('idle');
    const reports = printer.documents.map((d) => d.text).filter((t) => t.includes('REPORTE Z N.º 0001'));
    expect(reports.at(-1)).toContain('COPIA 1');
    expect(reports.at(-1)).toContain('Día cerrado');
    expect(printing.status().interrupted).toEqual([]);
  });
});

const supervisorRequester = {
  actor: 'Luis',
  supervisor: true,
  verifySupervisor: () => Promise.reject(new Error('not asked')),
};

describe('Star printers in Star Line mode', () => {
  it('tickets and receipts print with a QR whose data is stored first, decoded by the virtual printer', async () => {
    const printing = await setUp({ commandSet: 'star-line' });
    printing.setSettings({ type: 'star' }, 'test');
    const tx = sellSeats(2);
    // Confirmed by the printer's ETB counter: everything is on paper when drain() returns.
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.documents).toHaveLength(3);
    expect(printer.unknownCommands).toEqual([]);
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    const keys = new Map(publicSigningKeys(venue.db).map((k) => [k.keyId, k.publicKey]));
    const codes = printer.documents.flatMap((d) =>
      d.elements.flatMap((e) => (e.kind === 'qr' ? [e.data] : [])),
    );
    expect(codes.map((c) => verifyTicketCode(c, keys).valid)).toEqual([true, true]);
    const first = printer.documents[0]!.text;
    expect(first).toContain('Fila A  Asiento 1');
    expect(first).toContain(`Venta: ${tx.slice(0, 8).toUpperCase()}`);
    expect(printer.documents[2]!.text).toContain('RECIBO');
    expect(printing.status()).toMatchObject({ confirms: true, state: 'ready' });
    await printing.reprint({ transactionId: tx, ticketNumbers: ['T1-000002'] }, supervisorRequester);
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.documents).toHaveLength(4);
    const copy = printer.documents.at(-1)!;
    expect(copy.text).toContain('COPIA 1');
    expect(copy.elements.find((e) => e.kind === 'qr')).toBeDefined();
  });
});

describe('the command line', () => {
  it('print-queue lists the jobs the printer stopped on and takes the answer; reprint --sale --receipt copies the receipt alone', async () => {
    const printing = await setUp();
    const tx = sellSeats(2);
    printer.paperOutAfter(0, 3);
    expect(await printing.queue.drain()).toBe('paused');
    printer.setPaperOut(false);
    expect(await printing.queue.drain()).toBe('idle');
    venue.db.close();
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), clock: venue.clock };
    expect(await runCli(['print-queue', '--db', venue.file], io)).toBe(0);
    expect(out.at(-1)).toMatch(
      /Stopped on.*\n {2}job 1: ticket T1-000001 \(PLA-A-1\) of sale \w{8}, stopped: paper-out/s,
    );
    expect(await runCli(['print-queue', '--db', venue.file, '--not-out', '1', '--drain'], io)).toBe(0);
    expect(out.at(-1)).toContain('job 4: ticket COPIA 1 queued');
    const number = tx.slice(0, 8).toLowerCase();
    expect(await runCli(['reprint', '--db', venue.file, '--sale', number, '--receipt'], io)).toBe(0);
    expect(out.at(-1)).toMatch(/^job \d+: receipt COPIA 1$/);
    expect(await runCli(['reprint', '--db', venue.file], io)).toBe(2);
    expect(await runCli(['print-queue', '--db', venue.file, '--drain'], io)).toBe(0);
    await until(() => printer.documents.length === 5);
    expect(
      printer.documents
        .slice(3)
        .map((d) => [/T1-000001/.test(d.text), /RECIBO/.test(d.text), /COPIA 1/.test(d.text)]),
    ).toEqual([
      [true, false, true],
      [false, true, true],
    ]);
    venue.db = openDatabase(venue.file);
  });
});
