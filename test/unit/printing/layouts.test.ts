import { describe, expect, it } from 'vitest';
import { formatMoney, usdToVes } from '../../../shared/money.ts';
import {
  documentsOf,
  EscPosDecoder,
  elementsAsText,
} from '../../../electron/services/printing/escpos-decoder.ts';
import {
  buildReceipt,
  buildReport,
  buildSlip,
  buildTestPage,
  buildTicket,
  caracasDateTime,
  caracasTime,
  type LayoutOptions,
  TRAINING_BANNER,
} from '../../../electron/services/printing/layouts.ts';
import { code128ModuleWidth } from '../../../electron/services/printing/paper.ts';
import {
  type Columns,
  defaultPrinterSettings,
  type ReceiptPrintData,
  type SlipPrintData,
  type TicketPrintData,
} from '../../../shared/schemas/printing.ts';
import type { ClosingReport, ClosingSummary } from '../../../shared/schemas/day-closing.ts';
import { checkEscPos, checkStarLine } from '../../support/escpos-checker.ts';

/**
 * Issue 15, layouts: 58 mm (32 columns), 80 mm at 42 and at 48, in ESC/POS and Star Line mode, with
 * nothing cut, checked by the strict byte checker (test/support/escpos-checker.ts) and read back.
 */
const ticket: TicketPrintData = {
  ticketNumber: 'T1-000042',
  venue: 'Teatro Municipal de Caracas “Sala Ríos Reyna”',
  event: 'Gala de Año Nuevo — Orquesta Sinfónica Simón Bolívar… ¡en vivo!',
  eventId: 7,
  startsAt: Date.UTC(2026, 11, 31, 23, 30),
  zone: 'Platea Central Preferencial “A”',
  row: 'Ñ',
  seat: '12',
  seatLabel: 'PLA-Ñ-12',
  priceCents: 1_250_000,
  vesPerUsd: '236.4500',
  cashier: 'María José Peña de los Ríos',
  transactionId: '3f2a9c1d-0000-4000-8000-000000000000',
  code: `${'A'.repeat(54)}.${'B'.repeat(86)}`,
  issuedAt: Date.UTC(2026, 10, 24, 15, 0),
};

const receipt: ReceiptPrintData = {
  transactionId: ticket.transactionId,
  venue: ticket.venue,
  event: ticket.event,
  startsAt: ticket.startsAt,
  cashier: ticket.cashier,
  at: ticket.issuedAt,
  vesPerUsd: ticket.vesPerUsd,
  lines: [
    {
      description: 'Platea Central Preferencial PLA-Ñ-12',
      quantity: 1,
      unitCents: 1_250_000,
      totalCents: 1_250_000,
    },
    { description: 'General de pie (Admisión general)', quantity: 3, unitCents: 1500, totalCents: 4500 },
  ],
  totalCents: 1_254_500,
  payments: [
    { method: 'CASH_USD', currency: 'USD', amountCents: 4500 },
    {
      method: 'PAGO_MOVIL',
      currency: 'VES',
      amountCents: 295_562_500,
      reference: '0102-04121234567-000123456789',
    },
  ],
  change: { currency: 'USD', cents: 500 },
};

/** A kiosk's "Pagar en taquilla" slip (issue 11), with more seats than one line holds. */
const slip: SlipPrintData = {
  transactionId: ticket.transactionId,
  code: 'ACE347',
  venue: ticket.venue,
  event: ticket.event,
  startsAt: ticket.startsAt,
  seats: ['PLA-Ñ-12', 'PLA-Ñ-13', 'PLA-Ñ-14', 'PLA-Ñ-15', '2 × General de pie'],
  totalCents: 1_253_000,
  vesPerUsd: ticket.vesPerUsd,
  reservedUntil: Date.UTC(2026, 10, 24, 15, 30),
  issuedAt: ticket.issuedAt,
};

/** A Z report (issue 16) of a long name, millions of bolívares and a counted drawer that came up short. */
const summary: ClosingSummary = {
  payments: 3,
  sales: 2,
  deposits: 1,
  instalments: 0,
  refunds: 0,
  refundedUsdCents: 0,
  lines: [
    {
      method: 'CASH_USD',
      currency: 'USD',
      count: 2,
      receivedCents: 1_250_000,
      changeCents: 500,
      refundCents: 0,
      netCents: 1_249_500,
      netUsdCents: 1_249_500,
    },
    {
      method: 'PAGO_MOVIL',
      currency: 'VES',
      count: 1,
      receivedCents: 295_562_500,
      changeCents: 0,
      refundCents: 0,
      netCents: 295_562_500,
      netUsdCents: 1_250_000,
    },
  ],
  netUsdCents: 2_499_500,
  netVesCents: 591_006_775,
  firstAt: ticket.issuedAt,
  lastAt: ticket.issuedAt,
  shifts: 1,
  drawer: [
    {
      currency: 'USD',
      floatCents: 5000,
      cashInCents: 1_250_000,
      changeCents: 500,
      refundCents: 0,
      paidInCents: 0,
      paidOutCents: 1000,
      expectedCents: 1_253_500,
      countedCents: 1_253_400,
      overShortCents: -100,
    },
    {
      currency: 'VES',
      floatCents: 20_000_000,
      cashInCents: 0,
      changeCents: 0,
      refundCents: 0,
      paidInCents: 50_000,
      paidOutCents: 0,
      expectedCents: 20_050_000,
      countedCents: 20_050_000,
      overShortCents: 0,
    },
  ],
  outsideDrawer: [],
};
const zReport: ClosingReport = {
  kind: 'Z',
  number: 12,
  businessDay: '2026-11-27',
  cutoffHour: 4,
  dayStartsAt: 0,
  dayEndsAt: 0,
  cashier: 'cashier:María José Peña de los Ríos',
  staffId: 3,
  cashierName: 'María José Peña de los Ríos',
  generatedAt: Date.UTC(2026, 10, 28, 4, 40),
  generatedBy: 'supervisor:Luis Supervisor',
  cashiers: [
    {
      ...summary,
      cashier: 'cashier:María José Peña de los Ríos',
      cashierName: 'María José Peña de los Ríos',
    },
  ],
  totals: summary,
};

const WIDTHS: { columns: Columns; paperWidth: 58 | 80 }[] = [
  { columns: 32, paperWidth: 58 },
  { columns: 42, paperWidth: 80 },
  { columns: 48, paperWidth: 80 },
];

function layout(type: 'epson' | 'star', w: (typeof WIDTHS)[number], training = false): LayoutOptions {
  return { type, paperWidth: w.paperWidth, columns: w.columns, characterSet: 'PC858_EURO', training };
}

/** The ESC/POS document as text, read by the product's decoder. */
function text(bytes: Buffer, columns: number): string {
  const d = new EscPosDecoder();
  const docs = documentsOf([...d.push(bytes), ...d.flush()]);
  expect(docs).toHaveLength(1);
  return elementsAsText(docs[0]!.elements, columns);
}

describe.each(WIDTHS)('$columns columns', (w) => {
  it('a ticket passes the strict checker and keeps every value whole (ESC/POS and Star Line)', () => {
    const escpos = buildTicket(ticket, layout('epson', w, true), { copy: 2 });
    const checked = checkEscPos(escpos, w.columns);
    expect(checked.errors).toEqual([]);
    expect(checked.qr).toEqual([ticket.code]);
    const star = checkStarLine(buildTicket(ticket, layout('star', w, true), { copy: 2 }), w.columns);
    expect(star.errors).toEqual([]);
    expect(star.qr).toEqual([ticket.code]);

    const t = text(escpos, w.columns);
    const lines = t.split('\n');
    // Training marks top and bottom, the copy mark, the sale time and number: all there, none cut.
    expect(lines.filter((l) => l.includes(TRAINING_BANNER))).toHaveLength(2);
    expect(t).toContain('COPIA 2');
    expect(lines.some((l) => l.includes(caracasDateTime(ticket.issuedAt)))).toBe(true);
    expect(t).toContain('Venta: 3F2A9C1D');
    expect(t).toContain('Boleto N.º T1-000042');
    expect(t).toContain('Fila Ñ  Asiento 12');
    for (const word of [
      'Municipal',
      '"Sala',
      'Reyna"',
      'Sinfónica',
      'Bolívar...',
      '¡en',
      'vivo!',
      'Peña',
      'Ríos',
      'Preferencial',
    ])
      expect(t).toContain(word);
    // Typographic characters are transliterated, never "?".
    expect(t).not.toContain('?');
    expect(t).toContain('USD 12.500,00');
    expect(t).toContain('Bs. 2.955.625,00');
  });

  it('a receipt keeps the seat label, the Pago Móvil reference and every amount whole; cash opens the drawer', () => {
    const bytes = buildReceipt(receipt, layout('epson', w, true), undefined, { drawer: 2 });
    const checked = checkEscPos(bytes, w.columns);
    expect(checked.errors).toEqual([]);
    expect(checked.drawerKicks).toBe(1);
    expect(
      checkStarLine(buildReceipt(receipt, layout('star', w), undefined, { drawer: 5 }), w.columns),
    ).toMatchObject({
      errors: [],
      drawerKicks: 1,
    });
    const t = text(bytes, w.columns);
    expect(t).toContain('PLA-Ñ-12');
    expect(t).toContain('0102-04121234567-000123456789');
    expect(t).toMatch(/Venta N\.º\s+3F2A9C1D/);
    expect(t).toContain('USD 12.545,00');
    expect(t).toContain('Bs. 2.955.625,00');
    expect(t).toMatch(/Vuelto\s+USD 5,00/);
    expect(t.split('\n').filter((l) => l.includes(TRAINING_BANNER))).toHaveLength(2);
    expect(checkEscPos(buildReceipt(receipt, layout('epson', w), { copy: 1 }), w.columns).drawerKicks).toBe(
      0,
    );
  });

  it('a deposit receipt shows the code to pay the rest, the balance in both currencies and until when', () => {
    const deposit: ReceiptPrintData = {
      ...receipt,
      kind: 'deposit',
      customer: 'Pedro Pérez',
      payments: [{ method: 'ZELLE', currency: 'USD', amountCents: 500_000, reference: 'pedro@example.com' }],
      change: null,
      balanceCents: 754_500,
      reservedUntil: Date.UTC(2026, 10, 27, 15, 0),
    };
    const bytes = buildReceipt(deposit, layout('epson', w, true));
    const checked = checkEscPos(bytes, w.columns);
    expect(checked.errors).toEqual([]);
    expect(checked.barcodes).toEqual(['3F2A9C1D']);
    expect(checkStarLine(buildReceipt(deposit, layout('star', w)), w.columns).errors).toEqual([]);
    const t = text(bytes, w.columns);
    expect(t).toContain('RECIBO DE ABONO');
    expect(t).toContain('Cliente: Pedro Pérez');
    expect(t).toMatch(/Saldo\s+USD 7.545,00/);
    expect(t).toContain(formatMoney({ currency: 'VES', cents: usdToVes(754_500, ticket.vesPerUsd) }));
    expect(t).toContain(caracasDateTime(Date.UTC(2026, 10, 27, 15, 0)));
    expect(t).toContain('Código para pagar el saldo:');
    expect(t).toContain('pedro@example.com');
  });

  it('a kiosk slip: its code large, as a QR and as a barcode within the head; seats, total and time whole', () => {
    const bytes = buildSlip(slip, layout('epson', w, true));
    const checked = checkEscPos(bytes, w.columns);
    expect(checked.errors).toEqual([]);
    expect(checked.qr).toEqual(['ACE347']);
    expect(checked.barcodes).toEqual(['ACE347']);
    const star = checkStarLine(buildSlip(slip, layout('star', w, true), { copy: 1 }), w.columns);
    expect(star.errors).toEqual([]);
    expect(star.qr).toEqual(['ACE347']);
    const t = text(bytes, w.columns);
    const lines = t.split('\n');
    const words = t.replace(/\s+/g, ' ');
    expect(lines.filter((l) => l.includes(TRAINING_BANNER))).toHaveLength(2);
    expect(t).toContain('PAGAR EN TAQUILLA');
    expect(t).toContain('ACE-347');
    for (const seat of slip.seats) expect(words).toContain(seat);
    expect(t).toMatch(/Total\s+USD 12\.530,00/);
    expect(lines.some((l) => l.includes(caracasTime(slip.reservedUntil)))).toBe(true);
    expect(lines.some((l) => l.includes(caracasDateTime(slip.issuedAt)))).toBe(true);
    expect(words).toContain('Este comprobante no es una entrada.');
    expect(t).toContain('Reserva: 3F2A9C1D');
    expect(t).not.toContain('?');
    expect(text(buildSlip(slip, layout('epson', w), { copy: 1 }), w.columns)).toContain('COPIA 1');
  });

  it('an X or Z report passes the strict checker with every name and amount whole; a reprint says COPIA', () => {
    const bytes = buildReport(zReport, layout('epson', w, true));
    expect(checkEscPos(bytes, w.columns).errors).toEqual([]);
    expect(checkStarLine(buildReport(zReport, layout('star', w), { copy: 1 }), w.columns).errors).toEqual([]);
    const t = text(bytes, w.columns);
    const words = t.replace(/\s+/g, ' ');
    expect(t).toContain('REPORTE Z N.º 0012');
    expect(t.split('\n').filter((l) => l.includes(TRAINING_BANNER))).toHaveLength(2);
    expect(words).toContain('María José Peña de los Ríos');
    expect(t).toMatch(/Día\s+27\/11\/2026/);
    expect(t).toMatch(/Emitido\s+28\/11\/2026, 00:40/);
    for (const amount of ['Bs. 2.955.625,00', 'USD 24.995,00', 'Bs. 5.910.067,75', 'Bs. 200.500,00'])
      expect(t).toContain(amount);
    expect(t).toMatch(/Faltante\s+USD 1,00/);
    expect(t).not.toContain('?');
    expect(text(buildReport(zReport, layout('epson', w), { copy: 1 }), w.columns)).toContain('COPIA 1');
  });

  it('the test page fits: its barcode within the head, its QR with a quiet zone', () => {
    const settings = { ...defaultPrinterSettings, paperWidth: w.paperWidth, columns: w.columns };
    const checked = checkEscPos(buildTestPage(settings, 'tcp://10.0.0.5:9100', ticket.issuedAt), w.columns);
    expect(checked.errors).toEqual([]);
    expect(checked.barcodes).toEqual(['TAQUILLA-123']);
    expect(
      checkStarLine(buildTestPage({ ...settings, type: 'star' }, 'tcp://10.0.0.5:9100', 0), w.columns).errors,
    ).toEqual([]);
  });
});

describe('what the old layouts got wrong (issue 15)', () => {
  it('a CODE128 barcode is narrowed to fit a 384-dot head, or printed as text if it cannot', () => {
    // 12 characters at the library's default width 3: 501 dots, more than a 58 mm head.
    expect((11 * (12 + 3) + 2) * 3).toBe(501);
    expect(code128ModuleWidth('TAQUILLA-123', 384)).toBe(2);
    expect(code128ModuleWidth('X'.repeat(40), 384)).toBe(0);
  });

  it('the strict checker refuses what a printer would get wrong', () => {
    const ok = buildTicket(ticket, layout('epson', WIDTHS[2]!));
    expect(checkEscPos(ok.subarray(2), 48).errors).toContain('the job does not start with ESC @');
    expect(checkEscPos(ok, 32).errors.some((e) => e.startsWith('line wider than 32'))).toBe(true);
    expect(checkEscPos(Buffer.concat([ok.subarray(0, -3)]), 48).errors).toContain(
      'the job does not end with a cut',
    );
    expect(checkEscPos(Buffer.from([0x1b, 0x40, 0x1b, 0x70, 0x00, 0x0a]), 48).errors[0]).toMatch(
      /ESC p m t1 t2 cut short/,
    );
  });
});
