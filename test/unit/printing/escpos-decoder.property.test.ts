import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DecodeEvent, EscPosDecoder } from '../../../electron/services/printing/escpos-decoder.ts';
import { buildTicket } from '../../../electron/services/printing/layouts.ts';

function decode(chunks: Uint8Array[]): DecodeEvent[] {
  const d = new EscPosDecoder();
  return [...chunks.flatMap((c) => d.push(c)), ...d.flush()];
}

function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(data.subarray(last, p));
    last = p;
  }
  chunks.push(data.subarray(last));
  return chunks;
}

// Bytes biased towards command introducers so the fuzzing reaches the command parsers.
const escposByte = fc.oneof(
  fc.constantFrom(0x1b, 0x1d, 0x10, 0x1c, 0x0a, 0x00, 0x28, 0x6b, 0x31, 0x50, 0x51, 0x56, 0x76, 0x30),
  fc.integer({ min: 0, max: 255 }),
);

describe('ESC/POS decoder on any input', () => {
  it('never throws on arbitrary bytes, and how TCP splits them never changes the result', () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 300 })
          .chain((a) =>
            fc.tuple(
              fc.constant(a),
              fc.array(escposByte, { maxLength: 300 }),
              fc.array(fc.nat(), { maxLength: 8 }),
            ),
          ),
        ([random, biased, cuts]) => {
          const data = new Uint8Array([...random, ...biased]);
          const whole = decode([data]);
          expect(decode(splitAt(data, cuts))).toEqual(whole);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a ticket followed by garbage still decodes the ticket intact', () => {
    const ticket = buildTicket({
      ticketNumber: 'T1-000009',
      venue: 'Sala',
      event: 'Función',
      eventId: 1,
      startsAt: 0,
      zone: 'Platea',
      row: 'B',
      seat: '3',
      seatLabel: 'PLA-B-3',
      priceCents: 100,
      vesPerUsd: '40',
      cashier: 'Ana',
      transactionId: 'abcdefgh',
      code: 'abc.def',
      issuedAt: 0,
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (garbage) => {
        const events = decode([ticket, garbage]);
        const cutAt = events.findIndex((e) => e.kind === 'cut');
        expect(cutAt).toBeGreaterThan(0);
        const before = events.slice(0, cutAt);
        expect(
          before.some((e) => e.kind === 'element' && e.element.kind === 'qr' && e.element.data === 'abc.def'),
        ).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
