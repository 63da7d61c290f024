import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/taquilla.ts';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { publicSigningKeys, verifyTicketCode } from '../../../electron/services/printing/ticket-signing.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { parseTicketCode } from '../../../shared/printing/ticket-code.ts';
import { type SmallVenue, smallVenue, T0 } from '../../support/temp-store.ts';

let venue: SmallVenue;
let printer: VirtualPrinter;

function printingFor(v: { db: SmallVenue['db']; clock: ManualClock }): PrintingService {
  const printing = new PrintingService(v.db, v.clock, {
    queue: { backoffMs: 50, maxBackoffMs: 200 },
    tcp: { connectTimeoutMs: 500, statusTimeoutMs: 500 },
  });
  printing.setSettings({ connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } }, 'test');
  return printing;
}

function sell(
  reservations: ReservationService,
  seatIds: number[],
  ga = 0,
  session = 'caja-1',
  actor = 'María Peña',
): string {
  let transactionId = '';
  if (seatIds.length) {
    transactionId = reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: session,
      actor,
      seatIds,
    }).transactionId;
  }
  if (ga > 0) {
    transactionId = reservations.holdGeneral({
      eventId: venue.eventId,
      sessionId: session,
      actor,
      zoneId: venue.gaZoneId,
      quantity: ga,
    }).transactionId;
  }
  reservations.complete({ transactionId, actor });
  return transactionId;
}

const ticketNumbersPrinted = (p: VirtualPrinter): string[] =>
  p.documents.flatMap((d) => [...d.text.matchAll(/Boleto N\.º (T1-\d{6})/g)].map((m) => m[1]!));

beforeEach(async () => {
  venue = smallVenue();
  printer = new VirtualPrinter();
  await printer.start();
});

afterEach(async () => {
  await printer.stop();
  venue.close();
});

describe('printing a sale through the virtual printer', () => {
  it("a completed sale prints one ticket per seat and GA place with exactly the sale's data, then a receipt", async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    const tx = sell(venue.reservations, venue.seatIds.slice(0, 2), 2);
    expect(printing.status().pending).toBe(5);
    expect(await printing.queue.drain()).toBe('idle');

    expect(printer.documents).toHaveLength(5);
    const [a1, a2, ga1, ga2, receipt] = printer.documents.map((d) => d.text);
    expect(ticketNumbersPrinted(printer)).toEqual(['T1-000001', 'T1-000002', 'T1-000003', 'T1-000004']);
    for (const t of [a1!, a2!, ga1!, ga2!]) {
      expect(t).toContain('Sala Prueba');
      expect(t).toContain('Concierto de prueba');
      // T0 + 1 day = 25 Nov 2026 14:00 UTC = 10:00 in Caracas.
      expect(t).toContain('25 nov. 2026, 10:00');
      expect(t).toContain('Atendió: María Peña');
      expect(t).toContain(`Venta: ${tx.slice(0, 8).toUpperCase()}`);
    }
    expect(a1).toContain('Zona: Platea');
    expect(a1).toContain('Fila A  Asiento 1');
    expect(a2).toContain('Fila A  Asiento 2');
    expect(a1).toMatch(/Precio\s+USD 25,00/);
    expect(a1).toContain('Bs. 912,50');
    expect(ga1).toContain('Zona: General');
    expect(ga1).toContain('Admisión general');
    expect(ga1).toMatch(/Precio\s+USD 10,00/);
    expect(ga1).toContain('Bs. 365,00');
    expect(receipt).toContain('RECIBO');
    expect(receipt).toMatch(/2 x General \(Admisión general\)\s+USD 20,00/);
    expect(receipt).toMatch(/TOTAL\s+USD 70,00/);
    expect(receipt).toContain('Bs. 2.555,00');
    expect(printer.unknownCommands).toEqual([]);
    expect(printing.status()).toMatchObject({ state: 'ready', pending: 0, message: null });
  });

  it('the QR carries a signed code a scanner verifies offline; a changed code is refused', async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    const tx = sell(venue.reservations, [venue.seatIds[11]!], 1);
    await printing.queue.drain();
    const keys = new Map(publicSigningKeys(venue.db).map((k) => [k.keyId, k.publicKey]));
    const codes = printer.documents.flatMap((d) =>
      d.elements.flatMap((e) => (e.kind === 'qr' ? [e.data] : [])),
    );
    expect(codes).toHaveLength(2);
    const [seatCode, gaCode] = codes.map((c) => verifyTicketCode(c, keys));
    expect(seatCode).toMatchObject({
      valid: true,
      payload: {
        ticketNumber: 'T1-000001',
        eventId: venue.eventId,
        place: 'PLA-B-2',
        transactionPrefix: tx.slice(0, 8),
      },
    });
    expect(gaCode).toMatchObject({ valid: true, payload: { ticketNumber: 'T1-000002', place: 'GA:GEN' } });
    // Forge: same signature, another seat.
    const parsed = parseTicketCode(codes[0]!)!;
    const forged = codes[0]!.replace(
      /^[^.]+/,
      Buffer.from(new TextDecoder().decode(parsed.signedBytes).replace('PLA-B-2', 'PLA-A-1')).toString(
        'base64url',
      ),
    );
    expect(verifyTicketCode(forged, keys)).toMatchObject({ valid: false, reason: 'bad-signature' });
    expect(verifyTicketCode('hello', keys)).toEqual({ valid: false, reason: 'not-a-ticket-code' });
    expect(verifyTicketCode(codes[0]!, new Map())).toMatchObject({ valid: false, reason: 'unknown-key' });
  });

  it('a reserved (partial payment) or cancelled transaction queues nothing; the sale and its jobs commit together', async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    const { transactionId } = venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 's',
      actor: 'x',
      seatIds: [venue.seatIds[0]!],
    });
    venue.reservations.cancel({ transactionId, actor: 'x', reason: 'changed mind' });
    expect(printing.status().pending).toBe(0);
    // A listener that refuses rolls the sale back with its jobs.
    const off = venue.reservations.onSettled(() => {
      throw new Error('boom');
    });
    expect(() => sell(venue.reservations, [venue.seatIds[1]!])).toThrow('boom');
    off();
    expect(printing.status().pending).toBe(0);
    expect(venue.db.prepare('SELECT COUNT(*) AS n FROM issued_tickets').get()).toEqual({ n: 0 });
  });

  it('paper out before printing starts: nothing is sent until a roll is loaded', async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    printer.setPaperOut(true);
    sell(venue.reservations, [venue.seatIds[0]!]);
    expect(await printing.queue.drain()).toBe('paused');
    expect(printer.buffered).toBe(0);
    expect(venue.db.prepare('SELECT MAX(attempts) AS a FROM print_jobs').get()).toEqual({ a: 0 });
    printer.setPaperOut(false);
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.documents.map((d) => d.interrupted)).toEqual([false, false]);
    expect(printer.documents.some((d) => d.text.includes('COPIA'))).toBe(false);
  });

  it('a disconnected printer: the queue backs off, says so, and prints everything once the cable is back', async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    sell(venue.reservations, venue.seatIds.slice(0, 2));
    printer.setDisconnected(true);
    expect(await printing.queue.drain()).toBe('failed');
    const offline = printing.status();
    expect(offline.state).toBe('offline');
    expect(offline.message).toMatch(/desconectada.*reintento.*3 trabajos en espera/);
    expect(offline.waitingTickets).toEqual(['T1-000001', 'T1-000002']);
    expect(offline.retryAt).toBe(T0 + 50);
    expect(await printing.queue.drain()).toBe('waiting');
    venue.clock.advance(50);
    expect(await printing.queue.drain()).toBe('failed');
    expect(printing.status().retryAt).toBe(T0 + 50 + 100);
    printer.setDisconnected(false);
    venue.clock.advance(100);
    expect(await printing.queue.drain()).toBe('idle');
    expect(ticketNumbersPrinted(printer)).toEqual(['T1-000001', 'T1-000002']);
    expect(printer.documents).toHaveLength(3);
  });

  it('the background worker prints a sale as soon as it commits', async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    printing.start();
    const printed = new Promise<void>((resolve) =>
      printer.on('document', (d) => d.text.includes('RECIBO') && resolve()),
    );
    sell(venue.reservations, [venue.seatIds[0]!]);
    await printed;
    await printing.stop();
    expect(printer.documents).toHaveLength(2);
  });
});

const supervisor = {
  actor: 'supervisor',
  supervisor: true,
  verifySupervisor: () => Promise.reject(new Error('not asked')),
};

describe('reprints', () => {
  it('a reprint is marked COPIA n with a counter and written to the audit log', async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    const tx = sell(venue.reservations, venue.seatIds.slice(0, 2));
    await printing.queue.drain();
    await printing.reprint(
      { transactionId: tx, ticketNumbers: ['T1-000002'], reason: 'customer lost it' },
      supervisor,
    );
    await printing.reprint({ transactionId: tx }, supervisor);
    await printing.queue.drain();
    const copies = printer.documents.slice(3).map((d) => ({
      number: /Boleto N\.º (T1-\d+)/.exec(d.text)?.[1] ?? 'receipt',
      copy: /COPIA (\d+)/.exec(d.text)?.[1],
    }));
    expect(copies).toEqual([
      { number: 'T1-000002', copy: '1' },
      { number: 'T1-000001', copy: '1' },
      { number: 'T1-000002', copy: '2' },
      { number: 'receipt', copy: '1' },
    ]);
    const audit = venue.db
      .prepare(
        "SELECT entity, entity_id, from_state, to_state, actor FROM audit_log WHERE to_state LIKE '%COPIA%' ORDER BY id",
      )
      .all();
    expect(audit).toEqual([
      {
        entity: 'ticket',
        entity_id: 'T1-000002',
        from_state: 'PRINTED',
        to_state: 'COPIA 1',
        actor: 'supervisor',
      },
      {
        entity: 'ticket',
        entity_id: 'T1-000001',
        from_state: 'PRINTED',
        to_state: 'COPIA 1',
        actor: 'supervisor',
      },
      {
        entity: 'ticket',
        entity_id: 'T1-000002',
        from_state: 'COPIA 1',
        to_state: 'COPIA 2',
        actor: 'supervisor',
      },
      {
        entity: 'transaction',
        entity_id: tx,
        from_state: null,
        to_state: 'RECEIPT COPIA 1',
        actor: 'supervisor',
      },
    ]);
    await expect(
      printing.reprint({ transactionId: tx, ticketNumbers: ['T9-000001'] }, supervisor),
    ).rejects.toThrow(/not part/);
    await expect(printing.reprint({ transactionId: 'nope' }, supervisor)).rejects.toThrow(/nothing printed/);
  });

  it('by the short sale number, receipt and tickets separately, and only with a supervisor', async () => {
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    const tx = sell(venue.reservations, venue.seatIds.slice(0, 2));
    await printing.queue.drain();
    const number = tx.slice(0, 8).toUpperCase();
    expect(printing.printedSale({ saleNumber: number.toLowerCase() })).toMatchObject({
      transactionId: tx,
      saleNumber: number,
      event: 'Concierto de prueba',
      cashier: 'María Peña',
      tickets: [
        { ticketNumber: 'T1-000001', place: 'PLA-A-1', copies: 0 },
        { ticketNumber: 'T1-000002', place: 'PLA-A-2', copies: 0 },
      ],
      receipt: { copies: 0 },
    });
    // A cashier alone cannot; with a wrong PIN neither; with a supervisor's PIN, yes, and it is audited.
    const cashier = {
      actor: 'María Peña',
      supervisor: false,
      verifySupervisor: async (pin: string) => {
        if (pin !== '9999') throw new Error('BAD_PIN');
        return { name: 'Luis Supervisor' };
      },
    };
    await expect(printing.reprint({ saleNumber: number, receipt: true }, cashier)).rejects.toMatchObject({
      code: 'SUPERVISOR_APPROVAL',
    });
    await expect(
      printing.reprint({ saleNumber: number, receipt: true, supervisorPin: '1111' }, cashier),
    ).rejects.toThrow('BAD_PIN');
    // The receipt alone: no ticket is copied with it.
    expect(
      await printing.reprint({ saleNumber: number, receipt: true, supervisorPin: '9999' }, cashier),
    ).toMatchObject({ jobs: [{ kind: 'receipt', copy: 1 }] });
    expect(
      await printing.reprint(
        { saleNumber: number, ticketNumbers: ['T1-000002'], supervisorPin: '9999' },
        cashier,
      ),
    ).toMatchObject({ jobs: [{ kind: 'ticket', copy: 1 }] });
    await printing.queue.drain();
    expect(
      printer.documents.slice(3).map((d) => [d.text.includes('RECIBO'), /COPIA 1/.test(d.text)]),
    ).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(
      venue.db.prepare("SELECT actor, reason FROM audit_log WHERE to_state LIKE '%COPIA%' ORDER BY id").all(),
    ).toEqual([
      { actor: 'María Peña', reason: expect.stringContaining('approved by Luis Supervisor') },
      { actor: 'María Peña', reason: expect.stringContaining('approved by Luis Supervisor') },
    ]);
    expect(() => printing.printedSale({ saleNumber: 'FFFFFFFF' })).toThrow(/No sale FFFFFFFF/);
    expect(() => printing.printedSale({ saleNumber: 'xyz' })).toThrow(/8 letters and digits/);
  });
});

describe('surviving a crash', () => {
  it('a sale committed but never printed (db closed, no worker) prints after a restart, once', async () => {
    const first = printingFor(venue);
    first.attach(venue.reservations);
    sell(venue.reservations, [venue.seatIds[4]!], 1);
    venue.db.close();

    const db = openDatabase(venue.file);
    const clock = new ManualClock(T0 + 60_000);
    const printing = new PrintingService(db, clock);
    expect(printing.status().pending).toBe(3);
    expect(await printing.queue.drain()).toBe('idle');
    expect(ticketNumbersPrinted(printer)).toEqual(['T1-000001', 'T1-000002']);
    // Numbering continues after the restart.
    const reservations = new ReservationService(db, clock);
    printing.attach(reservations);
    venue = { ...venue, db };
    sell(reservations, [venue.seatIds[5]!], 0, 'caja-2');
    await printing.queue.drain();
    expect(ticketNumbersPrinted(printer)).toEqual(['T1-000001', 'T1-000002', 'T1-000003']);
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.documents).toHaveLength(5);
  });

  it('a terminal process killed with SIGKILL right after the sale commits still prints it after restart', async () => {
    const printing = printingFor(venue);
    const script = fileURLToPath(new URL('./sell-then-hang.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, venue.file, String(venue.eventId), String(venue.seatIds[7])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const transactionId = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /COMMITTED (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`child exited ${code} before committing`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(printer.documents).toHaveLength(0);

    expect(printing.status().pending).toBe(2);
    expect(await printing.queue.drain()).toBe('idle');
    expect(printer.documents).toHaveLength(2);
    expect(printer.documents[0]!.text).toContain('Fila A  Asiento 8');
    expect(printer.documents[0]!.text).toContain(`Venta: ${transactionId.slice(0, 8).toUpperCase()}`);
  });
});

describe('printing CLI', () => {
  it('printer-settings, print-test-page and verify-ticket work against the virtual printer', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), clock: venue.clock };
    const printing = printingFor(venue);
    printing.attach(venue.reservations);
    sell(venue.reservations, [venue.seatIds[0]!]);
    await printing.queue.drain();
    const code = printer.documents[0]!.elements.find((e) => e.kind === 'qr');
    venue.db.close();

    expect(
      await runCli(['printer-settings', '--db', venue.file, '--paper', '58', '--terminal', 'K2'], io),
    ).toBe(0);
    expect(out.at(-1)).toContain('Paper:     58 mm');
    expect(await runCli(['print-test-page', '--db', venue.file], io)).toBe(0);
    expect(out.at(-1)).toBe('Página de prueba impresa.');
    expect(printer.documents.at(-1)!.text).toContain('Acentos: á é í ó ú Á É Í Ó Ú ñ Ñ\nü ¿ ¡');
    expect(code?.kind).toBe('qr');
    const data = code!.kind === 'qr' ? code!.data : '';
    expect(await runCli(['verify-ticket', '--db', venue.file, '--code', data], io)).toBe(0);
    expect(out.at(-1)).toMatch(/^VALID ticket T1-000001/);
    // One signature character changed (not the last one, whose low bits are padding).
    const at = data.length - 10;
    const tampered = `${data.slice(0, at)}${data[at] === 'A' ? 'B' : 'A'}${data.slice(at + 1)}`;
    expect(await runCli(['verify-ticket', '--db', venue.file, '--code', tampered], io)).toBe(1);
    expect(await runCli(['printer-settings', '--db', venue.file, '--printer', 'tcp://127.0.0.1:1'], io)).toBe(
      0,
    );
    expect(await runCli(['print-test-page', '--db', venue.file], io)).toBe(1);
    expect(out.at(-1)).toMatch(/No se pudo conectar/);
    venue = { ...venue, db: openDatabase(venue.file) };
  });
});
