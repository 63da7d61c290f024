import { describe, expect, it } from 'vitest';
import {
  type DecodeEvent,
  documentsOf,
  EscPosDecoder,
  elementsAsText,
  type PrintElement,
  type PrintedLine,
} from '../../../electron/services/printing/escpos-decoder.ts';
import {
  buildReceipt,
  buildTestPage,
  buildTicket,
  printable,
} from '../../../electron/services/printing/layouts.ts';
import { defaultPrinterSettings, type TicketPrintData } from '../../../shared/schemas/printing.ts';

const bytes = (...parts: (number[] | string)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function decodeAll(data: Buffer): DecodeEvent[] {
  const d = new EscPosDecoder();
  return [...d.push(data), ...d.flush()];
}

const elements = (events: DecodeEvent[]): PrintElement[] =>
  events.flatMap((e) => (e.kind === 'element' ? [e.element] : []));
const lines = (events: DecodeEvent[]): PrintedLine[] =>
  elements(events).filter((e): e is PrintedLine => e.kind === 'line');

const ticket: TicketPrintData = {
  ticketNumber: 'T1-000042',
  venue: 'Teatro Teresa Carreño',
  event: 'Función de Año Nuevo',
  eventId: 7,
  startsAt: Date.UTC(2026, 11, 31, 23, 30),
  zone: 'Platea',
  row: 'Ñ',
  seat: '12',
  seatLabel: 'PLA-Ñ-12',
  priceCents: 2500,
  vesPerUsd: '36.50',
  cashier: 'José Peña',
  transactionId: '3f2a9c1d-0000-4000-8000-000000000000',
  code: 'VFExfGFiY3xUMS0wMDAwNDJ8N3xQTEEtQS0xMnwzZjJhOWMxZA.c2ln',
  issuedAt: Date.UTC(2026, 10, 24, 15, 0),
};

describe('ESC/POS decoder', () => {
  it('decodes plain text lines and keeps a line without LF until flush', () => {
    const events = decodeAll(bytes('Hola\nMundo'));
    expect(lines(events).map((l) => l.text)).toEqual(['Hola', 'Mundo']);
  });

  it('reads every style: bold, underline, invert, double size, alignment, font B, upside down', () => {
    const events = decodeAll(
      bytes(
        [0x1b, 0x61, 0x01, 0x1b, 0x45, 0x01],
        'B',
        [0x1b, 0x45, 0x00, 0x1b, 0x2d, 0x02],
        'U',
        [0x1b, 0x2d, 0x00, 0x1d, 0x42, 0x01],
        'I',
        [0x1d, 0x42, 0x00, 0x1d, 0x21, 0x11],
        'D',
        [0x1d, 0x21, 0x00, 0x1b, 0x4d, 0x01],
        'F',
        [0x1b, 0x7b, 0x01],
        'X\n',
      ),
    );
    const [line] = lines(events);
    expect(line!.align).toBe('center');
    expect(line!.runs.map((r) => r.text)).toEqual(['B', 'U', 'I', 'D', 'F', 'X']);
    expect(line!.runs[0]!.style.bold).toBe(true);
    expect(line!.runs[1]!.style.underline).toBe(2);
    expect(line!.runs[2]!.style.invert).toBe(true);
    expect(line!.runs[3]!.style).toMatchObject({ width: 2, height: 2 });
    expect(line!.runs[4]!.style.font).toBe('B');
    expect(line!.runs[5]!.style.upsideDown).toBe(true);
  });

  it('ESC ! sets font, bold, double height/width and underline in one byte', () => {
    const [line] = lines(decodeAll(bytes([0x1b, 0x21, 0x01 | 0x08 | 0x10 | 0x20 | 0x80], 'x\n')));
    expect(line!.runs[0]!.style).toMatchObject({
      font: 'B',
      bold: true,
      height: 2,
      width: 2,
      underline: 1,
    });
  });

  it('ESC @ resets styles, alignment and code page', () => {
    const events = decodeAll(
      bytes([0x1b, 0x45, 0x01, 0x1b, 0x61, 0x02, 0x1b, 0x74, 19, 0x1b, 0x40], 'a', [0xa4], '\n'),
    );
    const [line] = lines(events);
    expect(line!.align).toBe('left');
    expect(line!.runs[0]!.style.bold).toBe(false);
    // 0xA4 is ñ in PC437 too, the page after reset.
    expect(line!.text).toBe('añ');
  });

  it.each([
    [19, 'PC858'],
    [2, 'PC850'],
    [16, 'WPC1252'],
  ])('round-trips á é í ó ú ñ Ñ ¿ ¡ through code page %i (%s)', (n, name) => {
    const charset = ({ 19: 'PC858_EURO', 2: 'PC850_MULTILINGUAL', 16: 'WPC1252' } as const)[n]!;
    const text = 'áéíóú ÁÉÍÓÚ ñÑ ü ¿Cómo? ¡Olé!';
    const data = buildTestPage({ ...defaultPrinterSettings, characterSet: charset }, 'tcp://x:1', 0);
    const events = decodeAll(data);
    expect(events.find((e) => e.kind === 'code-page')).toEqual({
      kind: 'code-page',
      n,
      known: true,
    });
    expect(lines(events).some((l) => l.text.includes('á é í ó ú Á É Í Ó Ú ñ Ñ ü ¿ ¡'))).toBe(true);
    expect(printable(text, charset)).toBe(text);
    expect(name).toBeTruthy();
  });

  it('decodes a QR code stored and printed with GS ( k, with its size and correction level', () => {
    const data = 'TQ1|ñ';
    const payload = Buffer.from(data, 'utf8');
    const len = payload.length + 3;
    const events = decodeAll(
      bytes(
        [0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00],
        [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06],
        [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x33],
        [0x1d, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30],
        [...payload],
        [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30],
      ),
    );
    expect(elements(events)).toEqual([{ kind: 'qr', data, cellSize: 6, correction: 'H', align: 'left' }]);
  });

  it('decodes barcodes in both GS k forms and strips the CODE128 code set', () => {
    const events = decodeAll(
      bytes([0x1d, 0x68, 80, 0x1d, 0x77, 2, 0x1d, 0x6b, 4], 'ABC-1', [0x00], [0x1d, 0x6b, 73, 7], '{B12345'),
    );
    const codes = elements(events);
    expect(codes).toEqual([
      {
        kind: 'barcode',
        system: 4,
        data: 'ABC-1',
        height: 80,
        moduleWidth: 2,
        align: 'left',
      },
      {
        kind: 'barcode',
        system: 73,
        data: '12345',
        height: 80,
        moduleWidth: 2,
        align: 'left',
      },
    ]);
  });

  it('reports full and partial cuts (GS V with and without feed, ESC i / ESC m)', () => {
    const events = decodeAll(
      bytes('a\n', [0x1d, 0x56, 0x00], 'b\n', [0x1d, 0x56, 66, 3], [0x1b, 0x69], [0x1b, 0x6d]),
    );
    expect(events.filter((e) => e.kind === 'cut')).toEqual([
      { kind: 'cut', partial: false },
      { kind: 'cut', partial: true },
      { kind: 'cut', partial: true },
      { kind: 'cut', partial: true },
    ]);
    expect(documentsOf(events).map((d) => d.elements.length)).toEqual([1, 1, 0, 0]);
  });

  it('reports DLE EOT and GS r status requests in stream order', () => {
    const events = decodeAll(bytes([0x10, 0x04, 0x04], 'x\n', [0x1d, 0x72, 0x01], [0x10, 0x04, 0x01]));
    expect(events.filter((e) => e.kind === 'status-request')).toEqual([
      { kind: 'status-request', n: 4, realtime: true },
      { kind: 'status-request', n: 1, realtime: false },
      { kind: 'status-request', n: 1, realtime: true },
    ]);
  });

  it('skips raster images by their declared size without eating the text after them', () => {
    const image = [0x1d, 0x76, 0x30, 0x00, 2, 0, 3, 0, 0x1b, 0x1b, 0x0a, 0x1d, 0x56, 0x00];
    const events = decodeAll(bytes(image, 'after\n'));
    expect(elements(events)).toEqual([
      { kind: 'image', widthDots: 16, heightDots: 3, align: 'left' },
      expect.objectContaining({ kind: 'line', text: 'after' }),
    ]);
    expect(events.some((e) => e.kind === 'cut')).toBe(false);
  });

  it('reports unknown commands with their bytes and keeps decoding', () => {
    const events = decodeAll(bytes([0x1b, 0x01], 'ok\n', [0x1d, 0x99], 'still\n'));
    expect(events.filter((e) => e.kind === 'unknown')).toEqual([
      { kind: 'unknown', bytes: [0x1b, 0x01] },
      { kind: 'unknown', bytes: [0x1d, 0x99] },
    ]);
    expect(lines(events).map((l) => l.text)).toEqual(['ok', 'still']);
  });

  it('reports drawer kicks and beeps', () => {
    const events = decodeAll(bytes([0x1b, 0x70, 0x00, 25, 250, 0x10, 0x14, 1, 1, 3, 0x1b, 0x42, 2, 3]));
    expect(events).toEqual([{ kind: 'drawer', pin: 0 }, { kind: 'drawer', pin: 1 }, { kind: 'beep' }]);
  });

  it('decodes the same stream identically however TCP splits it (byte by byte)', () => {
    const data = buildTicket(ticket);
    const whole = decodeAll(data);
    const d = new EscPosDecoder();
    const split: DecodeEvent[] = [];
    for (const b of data) split.push(...d.push(Buffer.from([b])));
    split.push(...d.flush());
    expect(split).toEqual(whole);
    expect(d.incompleteBytes).toBe(0);
  });

  it('waits for the rest of a QR block split across chunks', () => {
    const data = buildTicket(ticket);
    const qrAt = data.indexOf(Buffer.from([0x31, 0x50, 0x30])) + 5;
    const d = new EscPosDecoder();
    const first = d.push(data.subarray(0, qrAt));
    expect(first.some((e) => e.kind === 'element' && e.element.kind === 'qr')).toBe(false);
    expect(d.incompleteBytes).toBeGreaterThan(0);
    const rest = d.push(data.subarray(qrAt));
    expect(
      rest.some((e) => e.kind === 'element' && e.element.kind === 'qr' && e.element.data === ticket.code),
    ).toBe(true);
  });
});

describe('layouts through the decoder', () => {
  it('a ticket shows the sale: venue, event, Caracas time, zone, row and seat, USD and VES, number, cashier, QR', () => {
    const docs = documentsOf(decodeAll(buildTicket(ticket)));
    expect(docs).toHaveLength(1);
    expect(docs[0]!.cut).toBe(true);
    const text = elementsAsText(docs[0]!.elements, 48);
    expect(text).toContain('Teatro Teresa Carreño');
    expect(text).toContain('31 dic. 2026, 19:30');
    expect(text).toContain('Zona: Platea');
    expect(text).toContain('Fila Ñ  Asiento 12');
    expect(text).toContain('USD 25,00');
    expect(text).toContain('Bs. 912,50');
    expect(text).toContain('Boleto N.º T1-000042');
    expect(text).toContain('Atendió: José Peña');
    expect(docs[0]!.elements.filter((e) => e.kind === 'qr')).toEqual([
      expect.objectContaining({ data: ticket.code, align: 'center' }),
    ]);
    expect(text).not.toContain('COPIA');
  });

  it('a general-admission ticket says "Admisión general"; a copy says COPIA n', () => {
    const data = buildTicket(
      { ...ticket, row: null, seat: null, seatLabel: null, zone: 'General' },
      undefined,
      {
        copy: 3,
      },
    );
    const docs = documentsOf(decodeAll(data));
    const text = elementsAsText(docs[0]!.elements, 48);
    expect(text).toContain('Admisión general');
    expect(text).toContain('COPIA 3');
    const copyLine = lines(decodeAll(data)).find((l) => l.text.includes('COPIA'))!;
    expect(copyLine.runs[0]!.style).toMatchObject({ invert: true, bold: true });
  });

  it('58 mm tickets fold to 32 columns', () => {
    const long = { ...ticket, event: 'Gran Concierto Sinfónico de Año Nuevo en Caracas', venue: 'Teatro' };
    const data = buildTicket(long, { type: 'epson', paperWidth: 58, characterSet: 'PC858_EURO' });
    const printed = lines(decodeAll(data));
    for (const l of printed) {
      // Double-width letters take two columns.
      expect(l.runs.reduce((n, r) => n + r.text.length * r.style.width, 0)).toBeLessThanOrEqual(32);
    }
    expect(printed.filter((l) => l.runs[0]?.style.width === 2).map((l) => l.text)).toEqual([
      'Gran Concierto',
      'Sinfónico de Año',
      'Nuevo en Caracas',
    ]);
  });

  it('a receipt prints lines, payments by method and currency, change and the balance left', () => {
    const data = buildReceipt({
      transactionId: ticket.transactionId,
      venue: 'Teatro',
      event: 'Función',
      startsAt: ticket.startsAt,
      cashier: 'José',
      at: ticket.issuedAt,
      vesPerUsd: '36.50',
      lines: [
        {
          description: 'Platea PLA-A-1',
          quantity: 2,
          unitCents: 2500,
          totalCents: 5000,
        },
      ],
      totalCents: 5000,
      payments: [
        { method: 'CASH_USD', currency: 'USD', amountCents: 2000 },
        {
          method: 'PAGO_MOVIL',
          currency: 'VES',
          amountCents: 36500,
          reference: '1234',
        },
      ],
      change: { currency: 'USD', cents: 0 },
      balanceCents: 2000,
      reservedUntil: ticket.startsAt,
    });
    const text = elementsAsText(documentsOf(decodeAll(data))[0]!.elements, 48);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(48);
    expect(text).toContain('2 x Platea PLA-A-1');
    expect(text).toMatch(/TOTAL\s+USD 50,00/);
    expect(text).toContain('Bs. 1.825,00');
    expect(text).toMatch(/Efectivo USD\s+USD 20,00/);
    expect(text).toMatch(/Pago Móvil 1234\s+Bs. 365,00/);
    expect(text).toContain('ABONO - saldo pendiente');
    expect(text).toMatch(/Saldo\s+USD 20,00/);
    expect(text).not.toContain('Cambio');
    expect(text).toContain('¡Gracias por su compra!');
  });

  it('text the code page lacks never switches code pages: transliterated, accents dropped, ? last', () => {
    expect(printable('Ação — “ok” … ‘sí’', 'PC858_EURO')).toBe('Ação - "ok" ... \'sí\'');
    expect(printable('ŝ', 'PC858_EURO')).toBe('s');
    expect(printable('€ 5', 'PC850_MULTILINGUAL')).toBe('EUR 5');
    expect(printable('€ 5', 'PC858_EURO')).toBe('€ 5');
    expect(printable('中', 'PC858_EURO')).toBe('?');
    const events = decodeAll(buildTicket({ ...ticket, venue: 'Sala “Ríos” — Ŝ' }));
    expect(events.filter((e) => e.kind === 'code-page')).toHaveLength(1);
  });
});
