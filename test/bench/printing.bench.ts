import { PrintingService } from '../../electron/services/printing/printing-service.ts';
import { buildTicket } from '../../electron/services/printing/layouts.ts';
import { VirtualPrinter } from '../../electron/services/printing/virtual-printer.ts';
import type { TicketPrintData } from '../../shared/schemas/printing.ts';
import { smallVenue } from '../support/temp-store.ts';
import { type BenchSuite, type Figure, percentile } from './figures.ts';

const sample: TicketPrintData = {
  ticketNumber: 'T1-000001',
  venue: 'Teatro Teresa Carreño',
  event: 'Concierto de Año Nuevo',
  eventId: 1,
  startsAt: Date.UTC(2026, 11, 31, 23, 0),
  zone: 'Platea',
  row: 'F',
  seat: '12',
  seatLabel: 'PLA-F-12',
  priceCents: 2500,
  vesPerUsd: '36.50',
  cashier: 'María Peña',
  transactionId: '3f2a9c1d-0000-4000-8000-000000000000',
  // A real code is ~140 characters: payload + 64-byte signature in base64url.
  code: `${'A'.repeat(54)}.${'B'.repeat(86)}`,
  issuedAt: Date.UTC(2026, 10, 24, 15, 0),
};

/** Building one ticket's ESC/POS bytes (layout + code page + QR commands). */
function ticketBytes(): Figure[] {
  for (let i = 0; i < 300; i++) buildTicket({ ...sample, ticketNumber: `T1-${i}` });
  const samples: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const start = process.hrtime.bigint();
    buildTicket({ ...sample, ticketNumber: `T1-${i}` });
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  return [
    {
      key: 'print.ticketBytes.p50',
      label: 'Build a ticket (bytes), p50',
      value: p50,
      unit: 'µs',
      target: '< 1000 µs',
      met: p50 < 1000,
    },
    {
      key: 'print.ticketBytes.p99',
      label: 'Build a ticket (bytes), p99',
      value: p99,
      unit: 'µs',
      target: '< 5000 µs',
      met: p99 < 5000,
    },
  ];
}

/**
 * Tickets per second from the durable queue to the virtual printer over TCP, each confirmed as a real
 * printer confirms it. ESC/POS: full status (DLE EOT 1-4) before the job, GS r after it. Star Line
 * mode: ESC ACK SOH before, then ESC RS E 0 + ETB after the job and ESC ACK SOH until the ETB
 * counter says it printed.
 */
async function queueThroughput(
  commandSet: 'escpos' | 'star-line',
): Promise<{ figures: Figure[]; tickets: number }> {
  const venue = smallVenue({ gaCapacity: 1000 });
  const printer = new VirtualPrinter({ commandSet });
  await printer.start();
  try {
    const printing = new PrintingService(venue.db, venue.clock);
    printing.setSettings(
      {
        connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port },
        type: commandSet === 'star-line' ? 'star' : 'epson',
      },
      'bench',
    );
    printing.attach(venue.reservations);
    // 20 sales of 10 general-admission tickets (the per-session limit), + a receipt each.
    for (let s = 0; s < 20; s++) {
      const { transactionId } = venue.reservations.holdGeneral({
        eventId: venue.eventId,
        sessionId: `bench-${s}`,
        actor: 'bench',
        zoneId: venue.gaZoneId,
        quantity: 10,
      });
      venue.reservations.complete({ transactionId, actor: 'bench' });
    }
    const start = process.hrtime.bigint();
    const outcome = await printing.queue.drain();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (outcome !== 'idle') throw new Error(`queue stopped: ${outcome}`);
    const tickets = printer.documents.filter((d) => d.text.includes('Boleto N.º')).length;
    const perSecond = tickets / seconds;
    const star = commandSet === 'star-line';
    return {
      tickets,
      figures: [
        {
          key: star ? 'print.queue.star.ticketsPerSecond' : 'print.queue.ticketsPerSecond',
          label: star
            ? 'Tickets/s through the queue to the virtual printer in Star Line mode (ESC ACK SOH before, ETB counter after, TCP per job)'
            : 'Tickets/s through the queue to the virtual printer (DLE EOT 1-4 before, GS r after, TCP per job)',
          value: perSecond,
          unit: 'tickets/s',
          target: '> 50 tickets/s',
          met: perSecond > 50,
        },
      ],
    };
  } finally {
    await printer.stop();
    venue.close();
  }
}

export const suite: BenchSuite = {
  name: 'printing',
  run: async () => {
    const bytes = ticketBytes();
    const queue = await queueThroughput('escpos');
    const star = await queueThroughput('star-line');
    return {
      figures: [...bytes, ...queue.figures, ...star.figures],
      notes: {
        ticketsPrinted: queue.tickets,
        starTicketsPrinted: star.tickets,
        paper: '80 mm',
        codePage: 'PC858',
        transport: 'tcp://127.0.0.1 (virtual)',
        confirmation: 'DLE EOT 1-4 in one write before each job, GS r 1 after it',
        starConfirmation:
          'ESC ACK SOH before each job; ESC RS E 0 + ETB after it, ESC ACK SOH until the ETB counter moves',
      },
    };
  },
};
