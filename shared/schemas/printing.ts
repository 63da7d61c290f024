import { z } from 'zod';

/**
 * Printing (issue 5): printer settings, what a ticket and a receipt print, and the queue's state.
 * The print data is frozen when the sale commits, so a reprint shows what was sold even if the event
 * is renamed later.
 */

export const PRINTER_TYPES = ['epson', 'star', 'tanca', 'daruma', 'brother', 'custom'] as const;
export type PrinterType = (typeof PRINTER_TYPES)[number];

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

export const printerSettings = z.object({
  connection: printerConnection,
  type: z.enum(PRINTER_TYPES),
  paperWidth: z.union([z.literal(58), z.literal(80)]),
  characterSet: z.enum(CHARACTER_SETS),
  /** Prefix of this terminal's ticket numbers (T1-000123). */
  terminalCode: z
    .string()
    .regex(/^[A-Z0-9]{1,6}$/, 'a terminal code is 1 to 6 capital letters or digits')
    .default('T1'),
});
export type PrinterSettings = z.infer<typeof printerSettings>;

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
  terminalCode: 'T1',
};

/** A partial change of the settings (what the settings screen and the CLI send). */
export const printerSettingsPatch = printerSettings.partial();

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
  transactionId: z.string(),
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

export const PRINTER_STATES = ['ready', 'printing', 'paused-paper-out', 'offline', 'unknown'] as const;

export const printQueueStatus = z.object({
  state: z.enum(PRINTER_STATES),
  /** Jobs waiting to print (tickets, receipts, copies). */
  pending: z.number().int(),
  /** A sentence for the status bar (Spanish); null when all is well. */
  message: z.string().nullable(),
  lastError: z.string().nullable(),
  /** When the worker tries again after a failure (epoch ms), if it is waiting. */
  retryAt: z.number().nullable(),
  printer: z.string(),
});
export type PrintQueueStatus = z.infer<typeof printQueueStatus>;

export const reprintInput = z.object({
  transactionId: z.string().min(1),
  /** Which tickets to copy; omitted means every ticket of the sale. */
  ticketNumbers: z.array(z.string()).max(200).optional(),
  /** Also copy the receipt (default true when no ticket numbers are given). */
  receipt: z.boolean().optional(),
  reason: z.string().max(200).optional(),
});
export type ReprintInput = z.infer<typeof reprintInput>;

export const reprintResult = z.object({
  jobs: z.array(
    z.object({
      jobId: z.number(),
      kind: z.enum(['ticket', 'receipt']),
      copy: z.number(),
    }),
  ),
});
export type ReprintResult = z.infer<typeof reprintResult>;

export const testPageResult = z.object({
  outcome: z.enum(['printed', 'sent', 'paper-out', 'unreachable', 'unconfirmed']),
  message: z.string(),
});
export type TestPageResult = z.infer<typeof testPageResult>;
