/**
 * ESC/POS status bytes, as Epson's (and Citizen's, Bixolon's...) manuals define them: what a printer
 * sends and how the terminal reads it. The virtual printer encodes with these functions and the TCP
 * transport decodes with them, so the bit layout is decided in one place.
 *
 * Three kinds of byte come back from an ESC/POS printer, and they are told apart by their fixed bits,
 * never by the order we happen to expect them in:
 *
 * - `DLE EOT n` (real-time status, answered on arrival even while offline): `0xx1xx10`.
 * - Automatic status back (ASB, `GS a n`), sent unasked whenever the status changes: four bytes, the
 *   first `0xx1xx00`, the other three `0xx0xxxx`.
 * - `GS r n` (transmit status, answered in order, i.e. only after everything sent before it was
 *   processed, and never while the printer is offline): `0xx0xxxx`.
 */

/** What is wrong with (or right about) a printer, as its status bytes report it. */
export interface PrinterCondition {
  /** Roll paper end: the printer stopped and is offline. */
  paperOut: boolean;
  /** Roll paper near end: still printing, a new roll will be needed soon. */
  paperNearEnd: boolean;
  coverOpen: boolean;
  /** Autocutter error (a jam): offline until cleared. */
  cutterError: boolean;
  /** Head overheated and similar: the printer recovers by itself. */
  autoRecoverableError: boolean;
  /** Needs service or a power cycle. */
  unrecoverableError: boolean;
  /** Drawer kick connector pin 3 high (many drawers report "open" this way). */
  drawerOpen: boolean;
}

export const READY_CONDITION: PrinterCondition = {
  paperOut: false,
  paperNearEnd: false,
  coverOpen: false,
  cutterError: false,
  autoRecoverableError: false,
  unrecoverableError: false,
  drawerOpen: false,
};

/** A printer in any of these conditions is offline: it prints nothing and answers no `GS r`. */
export function isOffline(c: PrinterCondition): boolean {
  return c.paperOut || c.coverOpen || c.cutterError || c.autoRecoverableError || c.unrecoverableError;
}

export const DLE_EOT = (n: 1 | 2 | 3 | 4): Buffer => Buffer.from([0x10, 0x04, n]);
/** `GS r 1`: paper sensor status, answered only when everything before it has been printed. */
export const GS_R_PAPER = Buffer.from([0x1d, 0x72, 0x01]);

const bit = (on: boolean, mask: number): number => (on ? mask : 0);

/** The reply to `DLE EOT n` (1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor). */
export function realtimeStatusByte(n: number, c: PrinterCondition): number {
  const fixed = 0x12;
  switch (n) {
    case 1:
      return fixed | bit(c.drawerOpen, 0x04) | bit(isOffline(c), 0x08);
    case 2:
      return (
        fixed |
        bit(c.coverOpen, 0x04) |
        bit(c.paperOut, 0x20) |
        bit(c.cutterError || c.unrecoverableError || c.autoRecoverableError, 0x40)
      );
    case 3:
      return (
        fixed | bit(c.cutterError, 0x08) | bit(c.unrecoverableError, 0x20) | bit(c.autoRecoverableError, 0x40)
      );
    case 4:
      return fixed | bit(c.paperNearEnd, 0x0c) | bit(c.paperOut, 0x60);
    default:
      return fixed;
  }
}

/** The four bytes of an automatic status back. */
export function asbBytes(c: PrinterCondition): number[] {
  return [
    0x10 | bit(c.drawerOpen, 0x04) | bit(isOffline(c), 0x08) | bit(c.coverOpen, 0x20),
    bit(c.cutterError, 0x08) | bit(c.unrecoverableError, 0x20) | bit(c.autoRecoverableError, 0x40),
    bit(c.paperNearEnd, 0x03) | bit(c.paperOut, 0x0c),
    0x00,
  ];
}

/** The reply to `GS r n`: n=1 paper sensor (bits 0-1 near end, 2-3 end), n=2 drawer. */
export function transmitStatusByte(n: number, c: PrinterCondition): number {
  if (n === 1) return bit(c.paperNearEnd, 0x03) | bit(c.paperOut, 0x0c);
  if (n === 2) return bit(c.drawerOpen, 0x01);
  return 0;
}

export const isRealtimeReply = (b: number): boolean => (b & 0x93) === 0x12;
export const isAsbHeader = (b: number): boolean => (b & 0x93) === 0x10;
export const isTransmitReply = (b: number): boolean => (b & 0x90) === 0x00;

/** Reads the four `DLE EOT 1..4` replies; null if any of them breaks its fixed bits. */
export function conditionFromRealtime(replies: readonly number[]): PrinterCondition | null {
  if (replies.length !== 4 || !replies.every(isRealtimeReply)) return null;
  const [printer, offline, error, paper] = replies as [number, number, number, number];
  return {
    paperOut: (paper & 0x60) !== 0 || (offline & 0x20) !== 0,
    paperNearEnd: (paper & 0x0c) !== 0,
    coverOpen: (offline & 0x04) !== 0,
    cutterError: (error & 0x08) !== 0,
    unrecoverableError: (error & 0x20) !== 0,
    autoRecoverableError: (error & 0x40) !== 0,
    drawerOpen: (printer & 0x04) !== 0,
  };
}

/** Reads an automatic status back block. */
export function conditionFromAsb(bytes: readonly number[]): PrinterCondition {
  const [b1 = 0, b2 = 0, b3 = 0] = bytes;
  return {
    paperOut: (b3 & 0x0c) !== 0,
    paperNearEnd: (b3 & 0x03) !== 0,
    coverOpen: (b1 & 0x20) !== 0,
    cutterError: (b2 & 0x08) !== 0,
    unrecoverableError: (b2 & 0x20) !== 0,
    autoRecoverableError: (b2 & 0x40) !== 0,
    drawerOpen: (b1 & 0x04) !== 0,
  };
}

export type StatusReply =
  | { kind: 'realtime'; byte: number }
  | { kind: 'transmit'; byte: number }
  | { kind: 'asb'; bytes: number[] }
  /** A byte that fits no pattern (line noise, another protocol): counted, never taken as an answer. */
  | { kind: 'stray'; byte: number };

/**
 * Splits what an ESC/POS printer sends into replies by their bit patterns. Stateful because an ASB
 * block is four bytes whose last three look exactly like a `GS r` reply.
 */
export class StatusReplyReader {
  private asb: number[] | null = null;

  push(chunk: Uint8Array): StatusReply[] {
    const out: StatusReply[] = [];
    for (const b of chunk) {
      if (this.asb) {
        this.asb.push(b);
        if (this.asb.length === 4) {
          out.push({ kind: 'asb', bytes: this.asb });
          this.asb = null;
        }
      } else if (isAsbHeader(b)) this.asb = [b];
      else if (isRealtimeReply(b)) out.push({ kind: 'realtime', byte: b });
      else if (isTransmitReply(b)) out.push({ kind: 'transmit', byte: b });
      else out.push({ kind: 'stray', byte: b });
    }
    return out;
  }
}

/** Which printer state a condition is, worst first (what the cashier must fix first). */
export type ConditionState = 'ready' | 'paper-out' | 'cover-open' | 'cutter-error' | 'error';

export function stateOf(c: PrinterCondition): ConditionState {
  if (c.coverOpen) return 'cover-open';
  if (c.paperOut) return 'paper-out';
  if (c.cutterError) return 'cutter-error';
  if (c.unrecoverableError || c.autoRecoverableError) return 'error';
  return 'ready';
}
