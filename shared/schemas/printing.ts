import { z } from 'zod';

/**
 * Printing (issue 5): printer settings, what a ticket and a receipt print, and the queue's state.
 * The print data is frozen when the sale commits, so a reprint shows what was sold even if the event
 * is renamed later.
 */

/**
 * Printer types as installers know them. Every one but `star` speaks ESC/POS and gets byte-identical
 * Epson commands (Tanca, Daruma, Brother and "custom" thermal printers are Epson-compatible); `star`
 * is Star Line mode.
 */
export const PRINTER_TYPES = ['epson', 'star', 'tanca', 'daruma', 'brother', 'custom'] as const;
export type PrinterType = (typeof PRINTER_TYPES)[number];

/** The command set a printer type speaks. */
export function commandSetOf(type: PrinterType): 'escpos' | 'star-line' {
  return type === 'star' ? 'star-line' : 'escpos';
}

/** Font A columns: 58 mm paper prints 32 (384 dots); 80 mm prints 48 (576 dots) or, on some models, 42. */
export const COLUMNS = { 58: [32], 80: [48, 42] } as const;
export type Columns = 32 | 42 | 48;

/** Code pages node-thermal-printer can select that hold á é í ó ú ñ ¿ ¡ (and the decoder reads). */
export const CHARACTER_SETS = ['PC858_EURO', 'PC850_MULTILINGUAL', 'WPC1252'] as const;
export type CharacterSetName = (typeof CHARACTER_SETS)[number];

export const printerConnection = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('tcp'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
  }),
  /**
   * A USB or serial printer's device file (/dev/usb/lp0, /dev/ttyUSB0; COM3 or LPT1 on Windows).
   * It must be a character device: the terminal never writes into a plain file through it
   * (electron/services/printing/printer-target.ts).
   */
  z.object({ kind: z.literal('device'), path: z.string().min(1).max(500) }),
  /** Training stores only: a capture file (*.prn, *.escpos) that each job is appended to. */
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(500) }),
  /** A printer the OS spooler knows (CUPS `lp -d NAME`), sent raw. */
  z.object({
    kind: z.literal('os'),
    name: z
      .string()
      .min(1)
      .max(127)
      .regex(/^[\w.@-]+$/, 'a printer name has letters, digits, . _ - @'),
  }),
]);
export type PrinterConnection = z.infer<typeof printerConnection>;

const printerSettingsObject = z.object({
  connection: printerConnection,
  type: z.enum(PRINTER_TYPES),
  paperWidth: z.union([z.literal(58), z.literal(80)]),
  /** Font A columns; omitted: 32 on 58 mm, 48 on 80 mm. 42 for 80 mm models with a 512-dot head. */
  columns: z.union([z.literal(32), z.literal(42), z.literal(48)]).optional(),
  characterSet: z.enum(CHARACTER_SETS),
  /**
   * The cash drawer on the receipt printer's kick connector, opened (ESC p) when a sale takes cash:
   * pin 2 or pin 5 of the connector, or none.
   */
  cashDrawer: z.enum(['none', 'pin2', 'pin5']).default('none'),
  /** Prefix of this terminal's ticket numbers (T1-000123). */
  terminalCode: z
    .string()
    .regex(/^[A-Z0-9]{1,6}$/, 'a terminal code is 1 to 6 capital letters or digits')
    .default('T1'),
});

export const printerSettings = printerSettingsObject.refine(
  (s) => s.columns === undefined || (COLUMNS[s.paperWidth] as readonly number[]).includes(s.columns),
  {
    message: '58 mm paper prints 32 columns; 80 mm prints 48 or 42',
    path: ['columns'],
  },
);
export type PrinterSettings = z.infer<typeof printerSettings>;

/** The columns a printer prints, from its settings. */
export function columnsOf(settings: Pick<PrinterSettings, 'paperWidth' | 'columns'>): Columns {
  return settings.columns ?? (settings.paperWidth === 58 ? 32 : 48);
}

/** The demo's default: the built-in virtual printer on this PC. */
export const DEFAULT_VIRTUAL_PRINTER_PORT = 9100;
export const defaultPrinterSettings: PrinterSettings = {
  connection: {
    kind: 'tcp',
    host: '127.0.0.1',
    port: DEFAULT_VIRTUAL_PRINTER_PORT,
  },
  type: 'epson',
  paperWidth: 80,
  characterSet: 'PC858_EURO',
  cashDrawer: 'none',
  terminalCode: 'T1',
};

/** A partial change of the settings (what the settings screen and the CLI send). */
export const printerSettingsPatch = printerSettingsObject.partial();

/** `tcp://host:port`, `printer:NAME`, `file:PATH` or a device path, as typed on the command line. */
export function parsePrinterUri(uri: string): PrinterConnection {
  const tcp = /^tcp:\/\/([^/:]+)(?::(\d{1,5}))?\/?$/i.exec(uri);
  if (tcp) return { kind: 'tcp', host: tcp[1]!, port: tcp[2] ? Number(tcp[2]) : 9100 };
  const os = /^printer:(.+)$/i.exec(uri);
  if (os) return { kind: 'os', name: os[1]! };
  const file = /^file:(.+)$/i.exec(uri);
  if (file) return { kind: 'file', path: file[1]! };
  return { kind: 'device', path: uri };
}

export function printerUri(connection: PrinterConnection): string {
  if (connection.kind === 'tcp') return `tcp://${connection.host}:${connection.port}`;
  if (connection.kind === 'os') return `printer:${connection.name}`;
  if (connection.kind === 'file') return `file:${connection.path}`;
  return connection.path;
}

/**
 * Why a device or file target was refused (PRINTER_TARGET):
 * - missing: nothing at that path (the terminal creates no device file);
 * - relative: the path does not start at the root;
 * - not-a-device: something other than a character device (a plain file, a folder, a pipe);
 * - symlink: a symbolic link other than the ones the system keeps for serial devices
 *   (/dev/serial/by-id/…, /dev/serial/by-path/…);
 * - not-a-printer: a character device that is not a printer's (a console, a terminal session, the
 *   kernel log, a watchdog): only USB, parallel, serial and Bluetooth serial ports are printers;
 * - not-a-port: on Windows, not a COM or LPT port (a shared printer is an OS printer, `printer:NAME`);
 * - file-live-store: a file target on a store that sells for real;
 * - file-name: a capture file is named *.prn or *.escpos (no dotfile, no script), its path written
 *   plainly (no trailing slash, no `..`);
 * - file-not-plain: the capture file is a link (symbolic or hard), a folder, or not a plain file;
 * - file-folder: the capture file's folder is reached through a link, or others could swap files in it;
 * - file-owner: the capture file belongs to another user.
 */
export const PRINTER_TARGET_PROBLEMS = [
  'missing',
  'relative',
  'not-a-device',
  'symlink',
  'not-a-printer',
  'not-a-port',
  'file-live-store',
  'file-name',
  'file-not-plain',
  'file-folder',
  'file-owner',
] as const;
export type PrinterTargetProblem = (typeof PRINTER_TARGET_PROBLEMS)[number];

const cents = z.number().int();

export const ticketPrintData = z.object({
  ticketNumber: z.string(),
  venue: z.string(),
  event: z.string(),
  eventId: z.number().int(),
  startsAt: z.number(),
  zone: z.string(),
  /** Row and seat; both null for general admission. */
  row: z.string().nullable(),
  seat: z.string().nullable(),
  seatLabel: z.string().nullable(),
  priceCents: cents,
  /** Bolívares per dollar of the event at the time of sale ('36.5000'). */
  vesPerUsd: z.string(),
  cashier: z.string(),
  transactionId: z.string(),
  /** The signed code the QR carries (shared/printing/ticket-code.ts). */
  code: z.string(),
  issuedAt: z.number(),
});
export type TicketPrintData = z.infer<typeof ticketPrintData>;

export const paymentMethodName = z.enum(['CASH_USD', 'CASH_VES', 'PAGO_MOVIL', 'ZELLE', 'CARD', 'TRANSFER']);

export const receiptPayment = z.object({
  method: paymentMethodName,
  currency: z.enum(['USD', 'VES']),
  amountCents: cents,
  reference: z.string().nullable().optional(),
});
export type ReceiptPayment = z.infer<typeof receiptPayment>;

export const receiptPrintData = z.object({
  /** 'deposit': the receipt of an abono (the seats reserved, the code to pay the rest, until when). */
  kind: z.enum(['sale', 'deposit']).optional(),
  transactionId: z.string(),
  /** Who the reservation is for (deposits). */
  customer: z.string().nullable().optional(),
  venue: z.string(),
  event: z.string(),
  startsAt: z.number(),
  cashier: z.string(),
  at: z.number(),
  vesPerUsd: z.string(),
  lines: z.array(
    z.object({
      description: z.string(),
      quantity: z.number().int().min(1),
      unitCents: cents,
      totalCents: cents,
    }),
  ),
  totalCents: cents,
  /** What was paid, as given; a receipt without payments prints the total only. */
  payments: z.array(receiptPayment).optional(),
  change: z
    .object({ currency: z.enum(['USD', 'VES']), cents })
    .nullable()
    .optional(),
  /** USD cents still owed on a partial-payment reservation. */
  balanceCents: cents.optional(),
  /** Until when a partial-payment reservation keeps the seats. */
  reservedUntil: z.number().nullable().optional(),
});
export type ReceiptPrintData = z.infer<typeof receiptPrintData>;

/**
 * A kiosk's "Pagar en taquilla" slip (issue 11): not a ticket. It carries the code the cashier types
 * or scans (printed, as a QR and as a CODE128 barcode), the seats, the amount and the time it lapses.
 */
export const slipPrintData = z.object({
  transactionId: z.string(),
  /** Compact ('ACE347'); printed as 'ACE-347'. */
  code: z.string(),
  venue: z.string(),
  event: z.string(),
  startsAt: z.number(),
  seats: z.array(z.string()),
  totalCents: cents,
  vesPerUsd: z.string(),
  reservedUntil: z.number(),
  issuedAt: z.number(),
});
export type SlipPrintData = z.infer<typeof slipPrintData>;

/**
 * What the printer is doing, as the worker last heard it. Every state but ready/printing stops the
 * queue until the printer itself says it is back; jobs wait, nothing is lost.
 * - no-reply: connected, but it does not answer its status (nothing is printed while it is silent).
 * - offline: cannot connect (cable, power, address).
 * - unknown: not asked yet.
 */
export const PRINTER_STATES = [
  'ready',
  'printing',
  'paper-out',
  'cover-open',
  'cutter-error',
  'error',
  'no-reply',
  'offline',
  'unknown',
] as const;
export type PrinterState = (typeof PRINTER_STATES)[number];

/**
 * What a print job prints: a ticket, a sale's or deposit's receipt, a kiosk's "Pagar en taquilla" slip,
 * an X or Z report (issue 16; it belongs to no sale).
 */
export const PRINT_JOB_KINDS = ['ticket', 'receipt', 'slip', 'report'] as const;
export type PrintJobKind = (typeof PRINT_JOB_KINDS)[number];

/** Why a job that reached the printer was not confirmed (see print_jobs.interruption). */
export const INTERRUPTIONS = [
  'paper-out',
  'cover-open',
  'cutter-error',
  'error',
  'unconfirmed',
  'crashed',
] as const;
export type Interruption = (typeof INTERRUPTIONS)[number];

/** A job that may or may not have come out: the cashier says which (printer.interrupted.resolve). */
export const interruptedJob = z.object({
  jobId: z.number().int(),
  kind: z.enum(PRINT_JOB_KINDS),
  /** Null for a report, which belongs to no sale. */
  transactionId: z.string().nullable(),
  /** What people read: the first 8 characters of the sale, upper case (null for a report). */
  saleNumber: z.string().nullable(),
  ticketNumber: z.string().nullable(),
  /** Seat label or zone, for the list the cashier checks against the paper. */
  place: z.string().nullable(),
  copy: z.number().int(),
  reason: z.enum(INTERRUPTIONS),
  at: z.number(),
});
export type InterruptedJob = z.infer<typeof interruptedJob>;

export const printQueueStatus = z.object({
  state: z.enum(PRINTER_STATES),
  /** The roll is nearly finished: still printing, have a new roll ready. */
  paperNearEnd: z.boolean(),
  /** Whether this printer confirms jobs (false: a device file or spooler; jobs are only "sent"). */
  confirms: z.boolean(),
  /** Jobs waiting to print (tickets, receipts, copies), interrupted ones not included. */
  pending: z.number().int(),
  /** The ticket numbers among them, oldest first (at most 50). */
  waitingTickets: z.array(z.string()),
  /** Jobs the printer stopped on: the cashier must say whether they came out. */
  interrupted: z.array(interruptedJob),
  /** A sentence for the status bar and the CLI (Spanish); null when all is well. */
  message: z.string().nullable(),
  lastError: z.string().nullable(),
  /** When the worker tries again after a failure (epoch ms), if it is waiting. */
  retryAt: z.number().nullable(),
  printer: z.string(),
});
export type PrintQueueStatus = z.infer<typeof printQueueStatus>;

/** The cashier's answer for each interrupted job: it came out whole, or it did not (print a copy). */
export const resolveInterruptedInput = z
  .object({
    jobs: z
      .array(z.object({ jobId: z.number().int().positive(), cameOut: z.boolean() }).strict())
      .min(1)
      .max(200),
  })
  .strict();
export type ResolveInterruptedInput = z.infer<typeof resolveInterruptedInput>;

/**
 * The number on screen and paper for a sale: the first 8 characters of its id, upper case
 * (`3F2A9C1D`). Typed with or without dashes, in any case.
 */
export const saleNumber = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
  .refine((s) => /^[0-9A-F]{8}$/.test(s), 'a sale number is 8 letters and digits, like 3F2A9C1D');

export function saleNumberOf(transactionId: string): string {
  return transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
}

const supervisorPin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');

/**
 * Copies of a sale's tickets and/or receipt. Name the sale by its id or its short number. Tickets:
 * the ones named in ticketNumbers, or all with allTickets; the receipt only with receipt: true. With
 * none of the three, everything is copied (the CLI's plain `reprint --transaction ID`).
 */
export const reprintInput = z
  .object({
    transactionId: z.string().min(1).optional(),
    saleNumber: saleNumber.optional(),
    ticketNumbers: z.array(z.string()).max(200).optional(),
    allTickets: z.boolean().optional(),
    receipt: z.boolean().optional(),
    reason: z.string().max(200).optional(),
    /** A cashier's reprint needs a supervisor's PIN; a signed-in supervisor approves their own. */
    supervisorPin: supervisorPin.optional(),
  })
  .strict()
  .refine((r) => (r.transactionId === undefined) !== (r.saleNumber === undefined), {
    message: 'give the sale number or the transaction id',
    path: ['saleNumber'],
  });
export type ReprintInput = z.input<typeof reprintInput>;

/** What a sale printed, for the reprint screen. */
export const printedSale = z.object({
  transactionId: z.string(),
  saleNumber: z.string(),
  event: z.string(),
  startsAt: z.number(),
  cashier: z.string(),
  issuedAt: z.number(),
  tickets: z.array(z.object({ ticketNumber: z.string(), place: z.string(), copies: z.number().int() })),
  /** Copies of the receipt so far; null when the sale has no receipt. */
  receipt: z.object({ copies: z.number().int() }).nullable(),
});
export type PrintedSale = z.infer<typeof printedSale>;

export const reprintResult = z.object({
  jobs: z.array(
    z.object({
      jobId: z.number(),
      kind: z.enum(PRINT_JOB_KINDS),
      copy: z.number(),
    }),
  ),
});
export type ReprintResult = z.infer<typeof reprintResult>;

export const testPageResult = z.object({
  outcome: z.enum(['printed', 'sent', 'not-ready', 'no-reply', 'unreachable', 'interrupted', 'unconfirmed']),
  /** The printer's state when it answered (paper-out, cover-open...), if it said. */
  state: z.enum(PRINTER_STATES).nullable(),
  message: z.string(),
});
export type TestPageResult = z.infer<typeof testPageResult>;
