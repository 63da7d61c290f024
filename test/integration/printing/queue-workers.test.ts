import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { TcpTransport } from '../../../electron/services/printing/transports.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { type SmallVenue, smallVenue, tempDir } from '../../support/temp-store.ts';

let venue: SmallVenue;
let printer: VirtualPrinter;

beforeEach(async () => {
  venue = smallVenue();
  printer = new VirtualPrinter();
  await printer.start();
});

afterEach(async () => {
  await printer.stop();
  venue.close();
});

function service(): PrintingService {
  const printing = new PrintingService(venue.db, venue.clock, { queue: { backoffMs: 20 } });
  printing.setSettings({ connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } }, 'test');
  return printing;
}

function sellSeats(printing: PrintingService, seatIds: number[]): string {
  printing.attach(venue.reservations);
  const { transactionId } = venue.reservations.holdSeats({
    eventId: venue.eventId,
    sessionId: 'caja',
    actor: 'Ana',
    seatIds,
  });
  venue.reservations.complete({ transactionId, actor: 'Ana' });
  return transactionId;
}

const numbers = (p: VirtualPrinter): string[] =>
  p.documents.flatMap((d) => [...d.text.matchAll(/Boleto N\.º (T1-\d{6})/g)].map((m) => m[1]!));

describe('workers sharing a store', () => {
  it('two workers draining the same queue never print a job twice', async () => {
    const a = service();
    const b = service();
    sellSeats(a, venue.seatIds.slice(0, 5));
    await Promise.all([a.queue.drain(), b.queue.drain(), a.queue.drain()]);
    await a.queue.drain();
    await b.queue.drain();
    expect(numbers(printer)).toEqual(['T1-000001', 'T1-000002', 'T1-000003', 'T1-000004', 'T1-000005']);
    expect(printer.documents).toHaveLength(6);
  });

  it('a job claimed by a worker that died mid-send is never printed again unasked: the cashier says whether it came out', async () => {
    const printing = service();
    sellSeats(printing, [venue.seatIds[0]!]);
    // A process id that is not running: the terminal that was printing this job crashed.
    venue.db
      .prepare("UPDATE print_jobs SET claimed_by = '2147483646-dead', claimed_until = ? WHERE id = 1")
      .run(venue.clock.now() + 60_000);
    expect(await printing.queue.drain()).toBe('idle');
    // The receipt behind it prints; the ticket the dead process may have sent waits for the cashier.
    expect(numbers(printer)).toEqual([]);
    expect(printing.status().interrupted).toMatchObject([
      { jobId: 1, kind: 'ticket', ticketNumber: 'T1-000001', place: 'PLA-A-1', reason: 'crashed' },
    ]);
    printing.resolveInterrupted({ jobs: [{ jobId: 1, cameOut: false }] }, 'Ana');
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers(printer)).toEqual(['T1-000001']);
    expect(printer.documents.at(-1)!.text).toContain('COPIA 1');
    expect(printing.status().interrupted).toEqual([]);
  });

  it('a job that cannot be laid out is set aside visibly instead of blocking the sales behind it', async () => {
    const printing = service();
    sellSeats(printing, venue.seatIds.slice(0, 2));
    venue.db.pragma('foreign_keys = OFF');
    venue.db.prepare("UPDATE issued_tickets SET data = '{}' WHERE ticket_number = 'T1-000001'").run();
    expect(await printing.queue.drain()).toBe('failed');
    expect(printing.status().lastError).toMatch(/job 1 set aside/);
    expect(await printing.queue.drain()).toBe('idle');
    expect(numbers(printer)).toEqual(['T1-000002']);
    expect(venue.db.prepare('SELECT status FROM print_jobs WHERE id = 1').get()).toEqual({
      status: 'CANCELLED',
    });
  });
});

describe('printer status for the status bar', () => {
  it('an idle queue asks the printer: ready, paper out, or disconnected', async () => {
    const printing = service();
    expect(printing.status().state).toBe('unknown');
    expect(await printing.queue.probe()).toMatchObject({ state: 'ready', pending: 0, message: null });
    printer.setPaperOut(true);
    expect(await printing.queue.probe()).toMatchObject({
      state: 'paper-out',
      message: 'Impresora sin papel: cargue un rollo nuevo y cierre la tapa.',
    });
    printer.setPaperOut(false);
    printer.setDisconnected(true);
    const offline = await printing.queue.probe();
    expect(offline.state).toBe('offline');
    expect(offline.message).toMatch(
      /^Impresora desconectada \(tcp:\/\/127\.0\.0\.1:\d+\)\. 0 trabajos en espera\.$/,
    );
    printer.setDisconnected(false);
    expect((await printing.queue.probe()).state).toBe('ready');
  });
});

describe('queuing a sale', () => {
  it('attaching twice, or a second service queuing the same sale, never issues a ticket twice', async () => {
    const printing = service();
    printing.attach(venue.reservations);
    printing.attach(venue.reservations);
    const other = service();
    other.attach(venue.reservations);
    sellSeats(printing, venue.seatIds.slice(0, 2));
    expect(printing.status().pending).toBe(3);
    await printing.queue.drain();
    expect(numbers(printer)).toEqual(['T1-000001', 'T1-000002']);
  });
});

describe('taquilla virtual-printer', () => {
  it('runs as a process, answers status, writes each ticket as text and PNG, and stops on SIGTERM', async () => {
    const { dir, remove } = tempDir('taquilla-vp-');
    try {
      const bin = fileURLToPath(new URL('../../../bin/taquilla.js', import.meta.url));
      const probe = new VirtualPrinter();
      const port = await probe.start();
      await probe.stop();
      const child = spawn(process.execPath, [bin, 'virtual-printer', '--port', String(port), '--out', dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('listening')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const tcp = new TcpTransport('127.0.0.1', port);
      expect(await tcp.status()).toMatchObject({ reachable: true, condition: { paperOut: false } });
      const printing = new PrintingService(venue.db, venue.clock);
      printing.setSettings({ connection: { kind: 'tcp', host: '127.0.0.1', port } }, 'test');
      expect(await printing.testPage()).toMatchObject({ outcome: 'printed' });
      child.kill('SIGUSR1');
      await new Promise((r) => setTimeout(r, 200));
      expect(await tcp.status()).toMatchObject({ condition: { paperOut: true } });
      expect(await printing.testPage()).toMatchObject({ outcome: 'not-ready', state: 'paper-out' });
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).toBe(0);
      expect(out).toContain('Stopped: 1 documents printed, 0 interrupted');
      const files = readdirSync(dir).sort();
      expect(files).toEqual(['00001.png', '00001.txt']);
      expect(readFileSync(join(dir, '00001.txt'), 'utf8')).toContain('Página de prueba');
      expect(existsSync(join(dir, '00001.png'))).toBe(true);
    } finally {
      remove();
    }
  });
});
