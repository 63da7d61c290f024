import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePrinterUri, printerUri } from '../../../shared/schemas/printing.ts';
import { PrintingService, type PrintingServiceOptions } from '../../services/printing/printing-service.ts';
import { renderDocumentPng } from '../../services/printing/ticket-image.ts';
import {
  publicSigningKeys,
  TicketSigner,
  verificationText,
  verifyTicketAtStore,
  verifyTicketCode,
} from '../../services/printing/ticket-signing.ts';
import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import { TRAINING_TICKET_TEXT } from '../../../shared/printing/ticket-code.ts';
import { VirtualPrinter } from '../../services/printing/virtual-printer.ts';
import { type CliCommand, type CliContext, positiveInt, requiredString, UsageError } from '../command.ts';

/**
 * The printing service of --db, signing with the store key the command opened (under the desktop
 * app's `--cli`, unwrapped by the OS keychain).
 */
function printingOf(ctx: CliContext, options: PrintingServiceOptions = {}): PrintingService {
  const signer = new TicketSigner(ctx.db(), ctx.clock, ctx.storeKey());
  return new PrintingService(ctx.db(), ctx.clock, { ...options, jobs: { signer } });
}

const virtualPrinterCommand: CliCommand = {
  name: 'virtual-printer',
  usage:
    'virtual-printer [--port N] [--out DIR] [--paper 58|80] [--paper-out]  ESC/POS printer on 127.0.0.1 (SIGUSR1 paper, SIGUSR2 cable)',
  options: {
    port: { type: 'string' },
    out: { type: 'string' },
    paper: { type: 'string' },
    'paper-out': { type: 'boolean', default: false },
    'no-png': { type: 'boolean', default: false },
  },
  database: 'none',
  run: async ({ values, io }) => {
    const port = values.port === undefined ? 9100 : positiveInt(values.port, '--port');
    const paper = values.paper === undefined ? 80 : Number(values.paper);
    if (paper !== 58 && paper !== 80) throw new UsageError('--paper must be 58 or 80');
    const out = resolve(typeof values.out === 'string' ? values.out : './virtual-printer-out');
    mkdirSync(out, { recursive: true });
    const printer = new VirtualPrinter({ port, paperWidth: paper });
    if (values['paper-out']) printer.setPaperOut(true);
    let writing = Promise.resolve();
    printer.on('document', (doc) => {
      const base = join(out, `${String(doc.index).padStart(5, '0')}`);
      writeFileSync(`${base}.txt`, `${doc.text}\n`);
      io.out(`--- document ${doc.index} -> ${base}.txt${values['no-png'] ? '' : ' + .png'}\n${doc.text}\n`);
      if (!values['no-png']) {
        writing = writing.then(async () =>
          writeFileSync(`${base}.png`, await renderDocumentPng(doc.elements, paper)),
        );
      }
    });
    printer.on('truncated', () => io.out('--- a document was cut short: out of paper'));
    const bound = await printer.start();
    io.out(`Virtual printer listening on tcp://127.0.0.1:${bound} (${paper} mm), writing to ${out}`);
    io.out('SIGUSR1 toggles paper out, SIGUSR2 toggles a loose cable, Ctrl+C stops.');
    const togglePaper = () => {
      printer.setPaperOut(!printer.condition.paperOut);
      io.out(printer.condition.paperOut ? 'Paper: OUT' : 'Paper: loaded');
    };
    let cable = false;
    const toggleCable = () => {
      cable = !cable;
      printer.setDisconnected(cable);
      io.out(cable ? 'Cable: disconnected' : 'Cable: connected');
    };
    process.on('SIGUSR1', togglePaper);
    process.on('SIGUSR2', toggleCable);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    process.off('SIGUSR1', togglePaper);
    process.off('SIGUSR2', toggleCable);
    await printer.stop();
    await writing;
    return {
      json: { documents: printer.documents.length, truncated: printer.truncated.length, out },
      text: `Stopped: ${printer.documents.length} documents printed, ${printer.truncated.length} cut short.`,
    };
  },
};

const settingsCommand: CliCommand = {
  name: 'printer-settings',
  usage:
    'printer-settings [--printer URI] [--type T] [--paper 58|80] [--code-page CS] [--terminal CODE]  show or change (URI: tcp://HOST:PORT, printer:NAME, a character device such as /dev/usb/lp0, or file:PATH.prn on a training store)',
  options: {
    printer: { type: 'string' },
    type: { type: 'string' },
    paper: { type: 'string' },
    'code-page': { type: 'string' },
    terminal: { type: 'string' },
  },
  database: 'create',
  run: (ctx) => {
    const { values, actor } = ctx;
    const printing = printingOf(ctx);
    const patch: Record<string, unknown> = {};
    if (typeof values.printer === 'string') patch.connection = parsePrinterUri(values.printer);
    if (typeof values.type === 'string') patch.type = values.type;
    if (typeof values.paper === 'string') patch.paperWidth = Number(values.paper);
    if (typeof values['code-page'] === 'string') patch.characterSet = values['code-page'];
    if (typeof values.terminal === 'string') patch.terminalCode = values.terminal;
    const settings = Object.keys(patch).length ? printing.setSettings(patch, actor) : printing.getSettings();
    return {
      json: settings,
      text: [
        `Printer:   ${printerUri(settings.connection)}`,
        `Type:      ${settings.type}`,
        `Paper:     ${settings.paperWidth} mm`,
        `Code page: ${settings.characterSet}`,
        `Terminal:  ${settings.terminalCode}`,
      ].join('\n'),
    };
  },
};

const testPageCommand: CliCommand = {
  name: 'print-test-page',
  usage: 'print-test-page                   print a test page on the configured printer',
  database: 'create',
  run: async (ctx) => {
    const result = await printingOf(ctx).testPage();
    if (result.outcome !== 'printed' && result.outcome !== 'sent') throw new Error(result.message);
    return { json: result, text: result.message };
  },
};

const printQueueCommand: CliCommand = {
  name: 'print-queue',
  usage: 'print-queue [--drain]             show the print queue; --drain prints what is waiting',
  options: { drain: { type: 'boolean', default: false } },
  database: 'existing',
  run: async (ctx) => {
    const { values } = ctx;
    const printing = printingOf(ctx, { queue: { backoffMs: 200 } });
    let outcome: string | null = null;
    if (values.drain) outcome = await printing.queue.drain();
    const status = printing.status();
    return {
      json: { ...status, outcome },
      text: `${status.state}: ${status.pending} pending${status.message ? ` - ${status.message}` : ''}`,
    };
  },
};

const reprintCommand: CliCommand = {
  name: 'reprint',
  usage: 'reprint --transaction ID [--ticket N]... [--receipt] [--reason TEXT]  queue copies marked COPIA',
  options: {
    transaction: { type: 'string' },
    ticket: { type: 'string', multiple: true },
    receipt: { type: 'boolean' },
    reason: { type: 'string' },
  },
  database: 'existing',
  run: (ctx) => {
    const { values, actor } = ctx;
    const tickets = (values as Record<string, unknown>).ticket as string[] | undefined;
    const result = printingOf(ctx).reprint(
      {
        transactionId: requiredString(values.transaction, '--transaction'),
        ...(tickets ? { ticketNumbers: tickets } : {}),
        ...(typeof values.receipt === 'boolean' ? { receipt: values.receipt } : {}),
        ...(typeof values.reason === 'string' ? { reason: values.reason } : {}),
      },
      actor,
    );
    return {
      json: result,
      text: result.jobs.map((j) => `job ${j.jobId}: ${j.kind} COPIA ${j.copy}`).join('\n'),
    };
  },
};

const verifyCommand: CliCommand = {
  name: 'verify-ticket',
  usage: 'verify-ticket --code CODE (--db FILE | --public-key KEYID=KEY)  check a scanned ticket QR offline',
  options: { code: { type: 'string' }, 'public-key': { type: 'string', multiple: true } },
  database: 'none',
  access: 'read',
  run: ({ db, values }) => {
    const code = requiredString(values.code, '--code');
    const given = (values as Record<string, unknown>)['public-key'] as string[] | undefined;
    const keys = new Map<string, string>();
    for (const k of given ?? []) {
      const [id, key] = k.split('=');
      if (!id || !key) throw new UsageError('--public-key takes KEYID=BASE64URLKEY');
      keys.set(id, key);
    }
    // With the store: its keys, and whether it issued this very ticket (a copy of it could sign more).
    const atStore = typeof values.db === 'string' ? verifyTicketAtStore(db(), code, keys) : null;
    if (!atStore && keys.size === 0) throw new UsageError('give --db FILE or --public-key KEYID=KEY');
    const result = atStore ? atStore.verification : verifyTicketCode(code, keys);
    const text = verificationText(result);
    if (!result.valid) throw new Error(`ticket code refused (${result.reason}): ${text}`);
    return {
      json: { ...result, ...(atStore ? { issued: atStore.issued } : {}) },
      text: atStore?.issued ? `${text} (issued here; sale ${atStore.issued.status})` : text,
    };
  },
};

const keysCommand: CliCommand = {
  name: 'ticket-keys',
  usage: 'ticket-keys                       public keys door scanners need to verify tickets',
  database: 'existing',
  access: 'read',
  run: ({ db, clock }) => {
    const keys = publicSigningKeys(db());
    // A training store's keys sign only worthless tickets: never hand them to a door scanner.
    const training = new TerminalModeStore(db(), clock).mode() === 'training';
    const lines = keys.map(
      (k) => `${k.keyId}=${k.publicKey}\ttenant ${k.tenantId}${k.retired ? ' (retired)' : ''}`,
    );
    if (training)
      lines.unshift(`${TRAINING_TICKET_TEXT}: this is a training store; its keys sign training tickets only`);
    return { json: { keys, training }, text: lines.join('\n') };
  },
};

export const printingCommands: CliCommand[] = [
  virtualPrinterCommand,
  settingsCommand,
  testPageCommand,
  printQueueCommand,
  reprintCommand,
  verifyCommand,
  keysCommand,
];
