import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type PrinterSettings, printerUri } from '../../../shared/schemas/printing.ts';
import { renderDocumentPng } from '../../services/printing/ticket-image.ts';
import { VirtualPrinter } from '../../services/printing/virtual-printer.ts';
import { type CliIo, UsageError } from '../command.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Where `serve --virtual-printer` writes what it prints, unless told otherwise. */
export const VIRTUAL_PRINTER_OUT = './virtual-printer-out';

export interface ServedPrinter {
  stop: () => Promise<void>;
}

/**
 * `serve --virtual-printer`: the virtual printer (an ESC/POS listener that decodes what it gets),
 * started in the serving process on the port this store prints to, so a demo or a training
 * terminal prints with one command. Each document goes to OUT/NNNNN.txt and .png. Refused when the
 * store prints to a real printer (anything but TCP on this PC): a demo flag never takes over one.
 */
export async function startServedPrinter(
  settings: PrinterSettings,
  io: CliIo,
  outDir: string = VIRTUAL_PRINTER_OUT,
): Promise<ServedPrinter> {
  const target = settings.connection;
  if (target.kind !== 'tcp' || !LOOPBACK.has(target.host)) {
    throw new UsageError(
      `--virtual-printer: this store prints to ${printerUri(target)}, not to a port on this PC; drop the flag, or point it here first: taquilla printer-settings --printer tcp://127.0.0.1:9100`,
    );
  }
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  const paper = settings.paperWidth === 58 ? 58 : 80;
  const printer = new VirtualPrinter({ port: target.port, paperWidth: paper });
  let writing = Promise.resolve();
  printer.on('document', (doc) => {
    const base = join(out, String(doc.index).padStart(5, '0'));
    writeFileSync(`${base}.txt`, `${doc.text}\n`);
    writing = writing.then(async () =>
      writeFileSync(`${base}.png`, await renderDocumentPng(doc.elements, paper)),
    );
    io.out(`Virtual printer: document ${doc.index} -> ${base}.txt`);
  });
  try {
    await printer.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(
        `--virtual-printer: port ${target.port} is taken (a virtual printer is already running? then drop the flag: this terminal prints to it)`,
      );
    }
    throw error;
  }
  io.out(
    `Virtual printer (not a real one): ${printerUri(target)}, ${paper} mm, tickets and receipts written to ${out}`,
  );
  return {
    stop: async () => {
      await printer.stop();
      await writing;
    },
  };
}
