import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  documentsOf,
  EscPosDecoder,
  elementsAsText,
} from '../../../electron/services/printing/escpos-decoder.ts';
import { buildTestPage } from '../../../electron/services/printing/layouts.ts';
import { StarTcpTransport } from '../../../electron/services/printing/star-transport.ts';
import {
  DeviceTransport,
  OsPrinterTransport,
  TcpTransport,
  transportFor,
} from '../../../electron/services/printing/transports.ts';
import { defaultPrinterSettings } from '../../../shared/schemas/printing.ts';
import { ptyMissing, startPtyPrinter } from '../../support/pty-printer.ts';
import { tempDir } from '../../support/temp-store.ts';

let dir: string;
let remove: () => void;

beforeEach(() => {
  ({ dir, remove } = tempDir('taquilla-transport-'));
});
afterEach(() => remove());

const page = buildTestPage(defaultPrinterSettings, 'test', 0);
const decodedText = (bytes: Buffer): string =>
  elementsAsText(documentsOf(new EscPosDecoder().push(bytes))[0]!.elements, 48);

describe('transports', () => {
  it.skipIf(ptyMissing)(
    'a device path receives the exact bytes (USB/serial printers are character devices)',
    async () => {
      const device = await startPtyPrinter();
      try {
        // A pseudo-terminal stands in for a USB printer: only a training store prints to one.
        const transport = transportFor(
          { ...defaultPrinterSettings, connection: { kind: 'device', path: device.path } },
          {},
          { training: true },
        );
        expect(transport).toBeInstanceOf(DeviceTransport);
        expect(await transport.status()).toMatchObject({ reachable: true });
        expect(await transport.send(page)).toEqual({ outcome: 'sent' });
        const received = await device.waitFor(page.length);
        expect(received.equals(page)).toBe(true);
        expect(decodedText(received)).toContain('Página de prueba');
      } finally {
        await device.close();
      }
    },
  );

  it('a device path that is a plain file or nothing at all gets nothing, and nothing is created', async () => {
    const file = join(dir, 'lp0');
    writeFileSync(file, 'keep');
    expect(await new DeviceTransport(file).send(page)).toMatchObject({
      outcome: 'unreachable',
      error: expect.stringMatching(/not a character device/),
    });
    expect(readFileSync(file, 'utf8')).toBe('keep');
    expect(await new DeviceTransport(file).status()).toMatchObject({ reachable: false });
    const missing = join(dir, 'missing', 'lp0');
    expect(await new DeviceTransport(missing).send(page)).toMatchObject({ outcome: 'unreachable' });
    expect(existsSync(missing)).toBe(false);
  });

  it('an OS printer gets the job raw on stdin of `lp -d NAME -o raw -s`', async () => {
    const fakeLp = join(dir, 'lp');
    writeFileSync(fakeLp, `#!/bin/sh\necho "$@" > "${dir}/args"\ncat > "${dir}/job"\n`);
    chmodSync(fakeLp, 0o755);
    expect(await new OsPrinterTransport('TM_T20', fakeLp).send(page)).toEqual({ outcome: 'sent' });
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('-d TM_T20 -o raw -s');
    expect(readFileSync(join(dir, 'job')).equals(page)).toBe(true);
    expect(await new OsPrinterTransport('TM_T20', join(dir, 'no-such-lp')).send(page)).toMatchObject({
      outcome: 'unreachable',
    });
  });

  it('a TCP printer that is not there is unreachable, quickly', async () => {
    const transport = new TcpTransport('127.0.0.1', 1, { connectTimeoutMs: 500 });
    expect(await transport.send(page)).toMatchObject({ outcome: 'unreachable' });
    expect(await transport.status()).toMatchObject({ reachable: false });
  });

  it('Star printers over TCP get Star status questions (ESC ACK SOH, the ETB counter) and confirm jobs', () => {
    const star = transportFor({ ...defaultPrinterSettings, type: 'star' });
    expect(star).toBeInstanceOf(StarTcpTransport);
    expect(star.description).toBe('tcp://127.0.0.1:9100');
    expect(star.confirms).toBe(true);
    expect(transportFor(defaultPrinterSettings)).toBeInstanceOf(TcpTransport);
  });
});

/** A printer on TCP that reads everything and answers only what `reply` says. */
async function fakePrinter(
  reply: (chunk: Buffer) => number[],
): Promise<{ port: number; received: () => Buffer; close: () => Promise<void> }> {
  const { createServer } = await import('node:net');
  const chunks: Buffer[] = [];
  const server = createServer((socket) => {
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const answer = reply(c);
      if (answer.length) socket.write(Buffer.from(answer));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    received: () => Buffer.concat(chunks),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('printers that answer less than an Epson', () => {
  it('a printer that never answers status is sent nothing, and is asked again every time', async () => {
    const mute = await fakePrinter(() => []);
    try {
      const transport = new TcpTransport('127.0.0.1', mute.port, { statusTimeoutMs: 150 });
      expect(await transport.send(page)).toMatchObject({ outcome: 'no-reply' });
      expect(await transport.send(page)).toMatchObject({ outcome: 'no-reply' });
      expect(await transport.status()).toMatchObject({ reachable: true, silent: true, condition: null });
      await new Promise((r) => setTimeout(r, 50));
      // Only the status questions (DLE EOT 1-4), three times; not one byte of the page.
      const ask = [0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04];
      expect([...mute.received()]).toEqual([...ask, ...ask, ...ask]);
    } finally {
      await mute.close();
    }
  });

  it('a printer that answers DLE EOT but never GS r: the job is sent once and reported unconfirmed, never printed', async () => {
    const partial = await fakePrinter((c) => {
      const asks = [...c.keys()].filter((i) => c[i] === 0x10 && c[i + 1] === 0x04).length;
      return Array.from({ length: asks }, () => 0x12);
    });
    try {
      const transport = new TcpTransport('127.0.0.1', partial.port, {
        statusTimeoutMs: 150,
        printTimeoutMs: 300,
        printMsPerKb: 0,
        pollMs: 50,
      });
      expect(await transport.send(page)).toMatchObject({ outcome: 'unconfirmed' });
      await new Promise((r) => setTimeout(r, 50));
      const docs = documentsOf(new EscPosDecoder().push(partial.received()));
      expect(docs.filter((d) => d.cut)).toHaveLength(1);
    } finally {
      await partial.close();
    }
  });
});
