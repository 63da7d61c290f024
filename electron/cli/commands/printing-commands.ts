import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { columnsOf, commandSetOf, parsePrinterUri, printerUri } from '../../../shared/schemas/printing.ts';
import { PrintingService, type PrintingServiceOptions } from '../../services/printing/printing-service.ts';
import { renderDocumentPng } from '../../services/printing/ticket-image.ts';
import {
  publicSigningKeys,
  TicketSigner,
  verificationText,
  verifyTicketAtStore,
  verifyTicketCode,
} from '../../services/printing/ticket-signing.ts';
import {
  type DoorVerification,
  doorVerdictText,
  VenueKeysetStore,
  verifyAtDoor,
} from '../../services/printing/ticket-keyset.ts';
import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import { TRAINING_TICKET_TEXT } from '../../../shared/printing/ticket-code.ts';
import { type TicketKeyset, ticketKeyset } from '../../../shared/schemas/keyset.ts';
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
    'virtual-printer [--port N] [--out DIR] [--paper 58|80] [--columns 32|42|48] [--star] [--asb] [--paper-out]  a printer on 127.0.0.1 (SIGUSR1 paper, SIGUSR2 cable)',
  options: {
    port: { type: 'string' },
    columns: { type: 'string' },
    star: { type: 'boolean', default: false },
    asb: { type: 'boolean', default: false },
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
    const columns = values.columns === undefined ? undefined : Number(values.columns);
    if (columns !== undefined && ![32, 42, 48].includes(columns))
      throw new UsageError('--columns must be 32, 42 or 48');
    const printer = new VirtualPrinter({
      port,
      paperWidth: paper,
      ...(columns ? { columns } : {}),
      asb: values.asb === true,
      commandSet: values.star ? 'star-line' : 'escpos',
    });
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
    printer.on('condition', (c) => {
      const faults = [
        c.paperOut && 'paper out',
        c.coverOpen && 'cover open',
        c.cutterError && 'cutter error',
        c.paperNearEnd && 'paper near end',
      ].filter(Boolean);
      io.out(
        `--- printer: ${faults.length ? faults.join(', ') : 'ready'}${printer.buffered ? ` (${printer.buffered} commands waiting)` : ''}`,
      );
    });
    const bound = await printer.start();
    io.out(
      `Virtual printer listening on tcp://127.0.0.1:${bound} (${paper} mm, ${printer.columns} columns, ${values.star ? 'Star Line mode' : 'ESC/POS'}), writing to ${out}`,
    );
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
      json: {
        documents: printer.documents.length,
        interrupted: printer.documents.filter((d) => d.interrupted).length,
        out,
      },
      text: `Stopped: ${printer.documents.length} documents printed, ${printer.documents.filter((d) => d.interrupted).length} interrupted.`,
    };
  },
};

const settingsCommand: CliCommand = {
  name: 'printer-settings',
  usage:
    'printer-settings [--printer URI] [--type T] [--paper 58|80] [--columns 32|42|48] [--code-page CS] [--drawer none|pin2|pin5] [--terminal CODE]  show or change (URI: tcp://HOST:PORT, printer:NAME, a character device such as /dev/usb/lp0, or file:PATH.prn on a training store)',
  options: {
    columns: { type: 'string' },
    drawer: { type: 'string' },
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
    if (typeof values.columns === 'string') patch.columns = Number(values.columns);
    if (typeof values.drawer === 'string') patch.cashDrawer = values.drawer;
    if (typeof values['code-page'] === 'string') patch.characterSet = values['code-page'];
    if (typeof values.terminal === 'string') patch.terminalCode = values.terminal;
    const settings = Object.keys(patch).length ? printing.setSettings(patch, actor) : printing.getSettings();
    return {
      json: settings,
      text: [
        `Printer:   ${printerUri(settings.connection)}`,
        `Type:      ${settings.type} (${commandSetOf(settings.type) === 'escpos' ? 'ESC/POS, Epson-compatible' : 'Star Line mode'})`,
        `Paper:     ${settings.paperWidth} mm, ${columnsOf(settings)} columns`,
        `Drawer:    ${settings.cashDrawer}`,
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
  usage:
    'print-queue [--drain] [--came-out JOB]... [--not-out JOB]...  show the queue and the jobs the printer stopped on; say which came out (the others print again as COPIA)',
  options: {
    drain: { type: 'boolean', default: false },
    'came-out': { type: 'string', multiple: true },
    'not-out': { type: 'string', multiple: true },
  },
  database: 'existing',
  run: async (ctx) => {
    const { values, actor } = ctx;
    const printing = printingOf(ctx, { queue: { backoffMs: 200 } });
    const list = (name: string) =>
      (((values as Record<string, unknown>)[name] as string[] | undefined) ?? []).map((id) =>
        positiveInt(id, `--${name}`),
      );
    const answers = [
      ...list('came-out').map((jobId) => ({ jobId, cameOut: true })),
      ...list('not-out').map((jobId) => ({ jobId, cameOut: false })),
    ];
    const copies = answers.length ? printing.resolveInterrupted({ jobs: answers }, actor).jobs : [];
    let outcome: string | null = null;
    if (values.drain) outcome = await printing.queue.drain();
    const status = printing.status();
    const stopped = status.interrupted.map(
      (j) =>
        `  job ${j.jobId}: ${j.kind === 'ticket' ? `ticket ${j.ticketNumber} (${j.place})` : j.kind} of sale ${j.saleNumber}, stopped: ${j.reason}`,
    );
    return {
      json: { ...status, outcome, copies },
      text: [
        `${status.state}: ${status.pending} pending${status.message ? ` - ${status.message}` : ''}`,
        ...(stopped.length ? ['Stopped on (say --came-out JOB or --not-out JOB):', ...stopped] : []),
        ...copies.map((c) => `job ${c.jobId}: ${c.kind} COPIA ${c.copy} queued`),
      ].join('\n'),
    };
  },
};

const reprintCommand: CliCommand = {
  name: 'reprint',
  usage:
    'reprint (--sale NUMBER | --transaction ID) [--ticket N]... [--all-tickets] [--receipt] [--reason TEXT]  queue copies marked COPIA (everything when none is chosen)',
  options: {
    sale: { type: 'string' },
    transaction: { type: 'string' },
    'all-tickets': { type: 'boolean' },
    ticket: { type: 'string', multiple: true },
    receipt: { type: 'boolean' },
    reason: { type: 'string' },
  },
  database: 'existing',
  run: async (ctx) => {
    const { values, actor } = ctx;
    const tickets = (values as Record<string, unknown>).ticket as string[] | undefined;
    if ((typeof values.sale === 'string') === (typeof values.transaction === 'string'))
      throw new UsageError('give --sale NUMBER or --transaction ID');
    // Whoever runs the command line holds the store's file: they approve their own copies (audited).
    const result = await printingOf(ctx).reprint(
      {
        ...(typeof values.sale === 'string' ? { saleNumber: values.sale } : {}),
        ...(typeof values.transaction === 'string' ? { transactionId: values.transaction } : {}),
        ...(tickets ? { ticketNumbers: tickets } : {}),
        ...(values['all-tickets'] === true ? { allTickets: true } : {}),
        ...(typeof values.receipt === 'boolean' ? { receipt: values.receipt } : {}),
        ...(typeof values.reason === 'string' ? { reason: values.reason } : {}),
      },
      { actor, supervisor: true, verifySupervisor: () => Promise.reject(new Error('not used')) },
    );
    return {
      json: result,
      text: result.jobs.map((j) => `job ${j.jobId}: ${j.kind} COPIA ${j.copy}`).join('\n'),
    };
  },
};

/**
 * A door's keyset file, or a refusal saying what is wrong with it: no such file, not JSON, or not a
 * venue keyset (its first problems, by field). UsageError: the file given is the caller's to fix.
 */
function readKeysetFile(file: string): TicketKeyset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT')
      throw new UsageError(
        `no keyset file at ${file}: export the venue's with taquilla-server keyset export --out FILE`,
      );
    throw new UsageError(`cannot read the keyset file ${file} (${code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(
      `${file} is not JSON: a venue keyset is the file taquilla-server keyset export writes`,
    );
  }
  const parsed = ticketKeyset.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`,
    );
    const shown =
      issues.slice(0, 5).join('; ') + (issues.length > 5 ? `; and ${issues.length - 5} more` : '');
    throw new UsageError(`${file} is not a venue keyset (${shown})`);
  }
  return parsed.data;
}

const verifyCommand: CliCommand = {
  name: 'verify-ticket',
  usage:
    "verify-ticket --code CODE (--keyset FILE | --db FILE | --public-key KEYID=KEY)  check a scanned ticket QR offline (--keyset: the venue's, from keyset export)",
  options: {
    code: { type: 'string' },
    keyset: { type: 'string' },
    'public-key': { type: 'string', multiple: true },
  },
  database: 'none',
  access: 'read',
  run: ({ db, values }) => {
    const code = requiredString(values.code, '--code');
    // A door with the venue's keyset file: every counter's keys and the revocation list, nothing else.
    if (typeof values.keyset === 'string') {
      return doorAnswer(verifyAtDoor(code, readKeysetFile(values.keyset)));
    }
    const given = (values as Record<string, unknown>)['public-key'] as string[] | undefined;
    const keys = new Map<string, string>();
    for (const k of given ?? []) {
      const [id, key] = k.split('=');
      if (!id || !key) throw new UsageError('--public-key takes KEYID=BASE64URLKEY');
      keys.set(id, key);
    }
    // With the store: its keys, and whether it issued this very ticket (a copy of it could sign more).
    const atStore = typeof values.db === 'string' ? verifyTicketAtStore(db(), code, keys) : null;
    if (!atStore && keys.size === 0)
      throw new UsageError('give --keyset FILE, --db FILE or --public-key KEYID=KEY');
    // An enrolled counter's door: another counter's ticket, or one revoked elsewhere, is judged by the
    // venue keyset this counter keeps (fetched while online).
    const venue = atStore ? new VenueKeysetStore(db()).load() : null;
    if (atStore && venue) {
      const door = verifyAtDoor(code, venue.keyset);
      const own = atStore.verification;
      if (!own.valid && own.reason === 'unknown-key') return doorAnswer(door);
      if (own.valid && door.verdict === 'REVOKED') return doorAnswer(door);
    }
    const result = atStore ? atStore.verification : verifyTicketCode(code, keys);
    const text = verificationText(result);
    if (!result.valid) throw new Error(`ticket code refused (${result.reason}): ${text}`);
    return {
      json: { ...result, ...(atStore ? { issued: atStore.issued } : {}) },
      text: atStore?.issued ? `${text} (issued here; sale ${atStore.issued.status})` : text,
    };
  },
};

/** A door's answer: VALID prints; anything else is a refusal (exit 1) that says why. */
function doorAnswer(result: DoorVerification) {
  const text = doorVerdictText(result);
  if (result.verdict !== 'VALID') throw new Error(`ticket code refused (${result.verdict}): ${text}`);
  return { json: { valid: true, ...result }, text };
}

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
