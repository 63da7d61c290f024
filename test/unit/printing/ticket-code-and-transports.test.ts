import { describe, expect, it } from 'vitest';
import { documentsOf, EscPosDecoder } from '../../../electron/services/printing/escpos-decoder.ts';
import { buildTicket } from '../../../electron/services/printing/layouts.ts';
import { renderDocumentPng } from '../../../electron/services/printing/ticket-image.ts';
import { lpArguments } from '../../../electron/services/printing/transports.ts';
import { parseTicketCode, payloadBytes, ticketPlace } from '../../../shared/printing/ticket-code.ts';
import { parsePrinterUri, printerUri } from '../../../shared/schemas/printing.ts';

describe('ticket code parsing (shared, no node: modules)', () => {
  it('parses what it formats and refuses anything else', () => {
    const bytes = payloadBytes({
      keyId: 'k1',
      ticketNumber: 'T1-000001',
      eventId: 7,
      place: ticketPlace(null, 'GEN'),
      transactionPrefix: 'abcd1234',
    });
    const sig = new Uint8Array(64).fill(7);
    const code = `${Buffer.from(bytes).toString('base64url')}.${Buffer.from(sig).toString('base64url')}`;
    expect(parseTicketCode(code)?.payload).toEqual({
      keyId: 'k1',
      ticketNumber: 'T1-000001',
      eventId: 7,
      place: 'GA:GEN',
      transactionPrefix: 'abcd1234',
    });
    expect(parseTicketCode('x.y')).toBeNull();
    expect(
      parseTicketCode(
        `${Buffer.from('TQ2|a|b|1|c|d').toString('base64url')}.${Buffer.from(sig).toString('base64url')}`,
      ),
    ).toBeNull();
    expect(() =>
      payloadBytes({ keyId: 'a|b', ticketNumber: 'x', eventId: 1, place: 'p', transactionPrefix: 't' }),
    ).toThrow();
  });
});

describe('printer connections', () => {
  it('reads tcp://, printer:NAME and device paths, and builds raw lp arguments', () => {
    expect(parsePrinterUri('tcp://10.0.0.5:9100')).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 9100 });
    expect(parsePrinterUri('tcp://printer.local')).toEqual({
      kind: 'tcp',
      host: 'printer.local',
      port: 9100,
    });
    expect(parsePrinterUri('printer:EPSON_TM_T20')).toEqual({ kind: 'os', name: 'EPSON_TM_T20' });
    expect(parsePrinterUri('/dev/usb/lp0')).toEqual({ kind: 'device', path: '/dev/usb/lp0' });
    expect(printerUri({ kind: 'tcp', host: 'h', port: 1 })).toBe('tcp://h:1');
    expect(lpArguments('EPSON_TM_T20')).toEqual(['-d', 'EPSON_TM_T20', '-o', 'raw', '-s']);
  });
});

describe('ticket image', () => {
  it('renders a decoded ticket as a PNG as wide as the paper', async () => {
    const data = buildTicket({
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
      transactionId: 'abcdef12',
      code: 'code',
      issuedAt: 0,
    });
    const [doc] = documentsOf(new EscPosDecoder().push(data));
    const png = await renderDocumentPng(doc!.elements, 58);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(384 + 16);
  });
});
