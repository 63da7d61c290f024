import thermal from 'node-thermal-printer';
import { describe, expect, it } from 'vitest';
import { documentsOf, elementsAsText } from '../../../electron/services/printing/escpos-decoder.ts';
import { buildTicket } from '../../../electron/services/printing/layouts.ts';
import { StarLineDecoder } from '../../../electron/services/printing/star-line-decoder.ts';

const bytes = (...parts: (number[] | string)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function decode(data: Buffer) {
  const d = new StarLineDecoder();
  return [...d.push(data), ...d.flush()];
}

describe('Star Line mode decoder', () => {
  it('reads styles, size, alignment, the code page, cuts and the drawer', () => {
    const events = decode(
      bytes(
        [0x1b, 0x40, 0x18, 0x1b, 0x1d, 0x74, 4, 0x1b, 0x1d, 0x61, 1, 0x1b, 0x45],
        'Se',
        [0xa4, 0x6f, 0x72],
        [0x1b, 0x46, 0x0a, 0x1b, 0x69, 1, 1, 0x1b, 0x34],
        'BIG',
        [0x1b, 0x35, 0x1b, 0x69, 0, 0, 0x0a, 0x0d, 0x1b, 0x07, 20, 20, 0x07, 0x1b, 0x64, 1],
      ),
    );
    const docs = documentsOf(events);
    expect(docs).toHaveLength(1);
    const [first, second] = docs[0]!.elements as { kind: 'line'; text: string; runs: { style: object }[] }[];
    expect(first).toMatchObject({ text: 'Señor', align: 'center', runs: [{ style: { bold: true } }] });
    expect(second!.runs[0]!.style).toMatchObject({ width: 2, height: 2, invert: true });
    expect(events.filter((e) => e.kind === 'drawer')).toEqual([{ kind: 'drawer', pin: 0 }]);
    expect(events.filter((e) => e.kind === 'unknown')).toEqual([]);
  });

  it('prints a QR only from stored data: node-thermal-printer 4.6’s Star QR never stores it', () => {
    const p = new thermal.ThermalPrinter({ type: thermal.PrinterTypes.STAR } as never);
    p.printQR('TQ1-code', { cellSize: 5, correction: 'M', model: 2 });
    const lib = decode(Buffer.from(p.getBuffer()));
    expect(lib.some((e) => e.kind === 'element' && e.element.kind === 'qr')).toBe(false);

    const ours = decode(
      buildTicket(
        {
          ticketNumber: 'T1-000001',
          venue: 'Sala',
          event: 'Función',
          eventId: 1,
          startsAt: 0,
          zone: 'General',
          row: null,
          seat: null,
          seatLabel: null,
          priceCents: 1000,
          vesPerUsd: '36.50',
          cashier: 'Ana',
          transactionId: 'abcdef12-0000',
          code: 'TQ1-code',
          issuedAt: 0,
        },
        { type: 'star', paperWidth: 58, characterSet: 'PC858_EURO' },
      ),
    );
    const [doc] = documentsOf(ours);
    expect(doc!.cut).toBe(true);
    expect(doc!.elements.filter((e) => e.kind === 'qr')).toMatchObject([{ data: 'TQ1-code', cellSize: 4 }]);
    expect(elementsAsText(doc!.elements, 32)).toContain('Admisión general');
    expect(ours.filter((e) => e.kind === 'unknown')).toEqual([]);
  });

  it('decodes the same stream however TCP splits it', () => {
    const data = buildTicket(
      {
        ticketNumber: 'T1-000009',
        venue: 'Teatro',
        event: 'Gala',
        eventId: 1,
        startsAt: 0,
        zone: 'Platea',
        row: 'A',
        seat: '1',
        seatLabel: 'PLA-A-1',
        priceCents: 2500,
        vesPerUsd: '36.50',
        cashier: 'Ana',
        transactionId: 'abcdef12-0000',
        code: 'X'.repeat(140),
        issuedAt: 0,
      },
      { type: 'star', paperWidth: 80, characterSet: 'WPC1252' },
    );
    const whole = decode(data);
    const d = new StarLineDecoder();
    const pieces = [...data].flatMap((b) => d.push(Uint8Array.of(b)));
    expect([...pieces, ...d.flush()]).toEqual(whole);
  });
});
