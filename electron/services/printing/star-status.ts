import { isOffline, type PrinterCondition } from './printer-status.ts';

/**
 * Star Line mode status (Star "automatic status", ASB), as the STAR Line Mode Command Specifications
 * lay it out (Appendix 2, "Automatic Status"; TSP100/TSP650/TSP700II/TSP800 columns). The virtual
 * printer encodes with these functions and the TCP transport decodes with them.
 *
 * One block, asked with `ESC ACK SOH` (executed on reception, even while offline) or sent unasked
 * when ASB is on (memory switch, `ESC RS a n`):
 *
 * - header 1: `0xx0xxx1`; the block's length in bytes (itself included) in bits 1-3 (low) and 5 (high).
 * - header 2: version in bits 1-3, 5, 6; bit 7 set by Ethernet and wireless LAN interfaces, which
 *   then add a two-byte length and that many bytes of other status data after the block (0 for the
 *   ASB and for `ESC ACK SOH`).
 * - printer status 1..7 (bytes 3..9), every one `0xx0xxx0`:
 *   1: bit 1 ETB executed, bit 2 drawer (compulsion switch), bit 3 offline, bit 5 cover open;
 *   2: bit 2 mechanical error, bit 3 autocutter error, bit 5 unrecoverable error, bit 6 stopped by
 *      high head temperature (recovers by itself);
 *   4: bit 1 paper near end (outer sensor), bit 2 near end (inner), bit 3 paper end;
 *   6: the ETB counter, 5 bits in bits 1-3 (low) and 5-6 (high): `ETB` adds one when everything
 *      before it has printed (it waits for the print to end), `ESC RS E n` and `CAN` set it to 0.
 *
 * Every byte has bit 7 clear and bit 4 clear, and bit 0 tells a header 1 from the rest, so a block
 * is found in a stream without trusting the order bytes arrive in; bytes that fit no block (XON,
 * XOFF, noise) are counted and never read as status.
 */

/** `ESC ACK SOH`: ask for one status block now. */
export const STAR_STATUS_REQUEST = Buffer.from([0x1b, 0x06, 0x01]);
/** `ETB`: add one to the ETB counter once everything sent before it has printed. */
export const STAR_ETB = Buffer.from([0x17]);
/** `ESC RS E 0`: the ETB counter to 0 (executed in order, like the job). */
export const STAR_ETB_RESET = Buffer.from([0x1b, 0x1e, 0x45, 0x00]);

/** What a Star status block says. */
export interface StarStatus {
  condition: PrinterCondition;
  /** Printer status 1 bit 3: the printer is offline (prints nothing, executes no ETB). */
  offline: boolean;
  /** 0-31: how many ETBs have been executed since the last reset, modulo 32. */
  etbCounter: number;
  /** Printer status 1 bit 1: an ETB was executed since the last block was sent. */
  etbExecuted: boolean;
}

/** Status blocks of the usual thermal models: 9 bytes, printer status 1 to 7 (ASB version 3). */
const BLOCK_LENGTH = 9;
const VERSION = 3;

const bit = (on: boolean, mask: number): number => (on ? mask : 0);

/** Bits 1-3 and 5-6 hold a 5-bit number in Star's status bytes (bit 0 and 4 are fixed). */
function spread5(n: number): number {
  return ((n & 0x07) << 1) | ((n & 0x18) << 2);
}
function gather5(b: number): number {
  return ((b >> 1) & 0x07) | ((b >> 2) & 0x18);
}

/** Header 1 for a block of `length` bytes (bits 1-3 and 5). */
export function starHeader1(length: number): number {
  return 0x01 | ((length & 0x07) << 1) | ((length & 0x08) << 2);
}

/** The block's length in bytes, from header 1; null if the byte is not a header 1. */
export function starBlockLength(header1: number): number | null {
  if (!isStarHeader1(header1)) return null;
  return ((header1 >> 1) & 0x07) | ((header1 >> 2) & 0x08);
}

export const isStarHeader1 = (b: number): boolean => (b & 0x91) === 0x01;
/** Every byte after header 1 (header 2 may also carry bit 7: the Ethernet length follows). */
const isStarBody = (b: number, index: number): boolean =>
  index === 1 ? (b & 0x11) === 0x00 : (b & 0x91) === 0x00;

/**
 * The status block a Star printer sends for `c`, with `etbCounter`; `ethernet` adds header 2 bit 7
 * and the two-byte length 0 that Star's Ethernet interfaces send after it.
 */
export function starStatusBytes(
  c: PrinterCondition,
  etbCounter: number,
  o: { ethernet?: boolean; etbExecuted?: boolean } = {},
): number[] {
  const block = [
    starHeader1(BLOCK_LENGTH),
    bit(o.ethernet === true, 0x80) | spread5(VERSION),
    bit(o.etbExecuted === true, 0x02) |
      bit(c.drawerOpen, 0x04) |
      bit(isOffline(c), 0x08) |
      bit(c.coverOpen, 0x20),
    bit(c.cutterError, 0x08) | bit(c.unrecoverableError, 0x20) | bit(c.autoRecoverableError, 0x40),
    0x00,
    bit(c.paperNearEnd, 0x04) | bit(c.paperOut, 0x08),
    0x00,
    spread5(etbCounter & 0x1f),
    0x00,
  ];
  return o.ethernet ? [...block, 0x00, 0x00] : block;
}

/**
 * Reads one block (header 1 first, at least 7 bytes: up to printer status 5; the ETB counter needs 8).
 * Throws on a block that breaks its fixed bits: the reader never hands one over.
 */
export function starStatusFrom(block: readonly number[]): StarStatus {
  const length = starBlockLength(block[0] ?? 0);
  if (length === null || block.length < length || length < 3) throw new Error('not a Star status block');
  const at = (i: number): number => (i < length ? (block[i] ?? 0) : 0);
  const s1 = at(2);
  const s2 = at(3);
  const s4 = at(5);
  const offline = (s1 & 0x08) !== 0;
  const condition: PrinterCondition = {
    paperOut: (s4 & 0x08) !== 0,
    paperNearEnd: (s4 & 0x06) !== 0,
    coverOpen: (s1 & 0x20) !== 0,
    cutterError: (s2 & 0x08) !== 0,
    unrecoverableError: (s2 & 0x24) !== 0,
    autoRecoverableError: (s2 & 0x40) !== 0,
    drawerOpen: (s1 & 0x04) !== 0,
  };
  // Offline for a cause the block does not name (the feed button held, a model's own error): not
  // ready all the same; shown as a printer error until it says it is back.
  if (offline && !isOffline(condition)) condition.autoRecoverableError = true;
  return { condition, offline, etbCounter: length >= 8 ? gather5(at(7)) : 0, etbExecuted: (s1 & 0x02) !== 0 };
}

export type StarReply =
  | { kind: 'status'; status: StarStatus }
  /** A byte outside any block (XON/XOFF, noise, a broken block): counted, never taken as an answer. */
  | { kind: 'stray'; bytes: number[] };

/**
 * Splits what a Star printer sends into status blocks. Stateful: a block may arrive in pieces, and
 * on Ethernet a two-byte length and that many bytes of other status data follow it.
 */
export class StarStatusReader {
  private block: number[] | null = null;
  private length = 0;
  /** Bytes of the Ethernet length field still to read, then bytes of extra data to skip. */
  private lengthBytes: number[] | null = null;
  private skip = 0;
  private done: StarStatus | null = null;

  push(chunk: Uint8Array): StarReply[] {
    const out: StarReply[] = [];
    for (const b of chunk) {
      if (this.skip > 0) {
        this.skip -= 1;
        if (this.skip === 0) this.finish(out);
        continue;
      }
      if (this.lengthBytes) {
        this.lengthBytes.push(b);
        if (this.lengthBytes.length === 2) {
          // High byte first, as the manual writes it ("10 bytes: Length = 0x000a").
          this.skip = (this.lengthBytes[0]! << 8) | this.lengthBytes[1]!;
          this.lengthBytes = null;
          if (this.skip === 0) this.finish(out);
        }
        continue;
      }
      if (this.block) {
        if (!isStarBody(b, this.block.length)) {
          // A broken block: drop it whole and look at this byte afresh.
          out.push({ kind: 'stray', bytes: this.block });
          this.block = null;
        } else {
          this.block.push(b);
          if (this.block.length === this.length) {
            this.done = starStatusFrom(this.block);
            const ethernet = (this.block[1]! & 0x80) !== 0;
            this.block = null;
            if (ethernet) this.lengthBytes = [];
            else this.finish(out);
          }
          continue;
        }
      }
      const length = starBlockLength(b);
      if (length !== null && length >= 3) {
        this.block = [b];
        this.length = length;
      } else out.push({ kind: 'stray', bytes: [b] });
    }
    return out;
  }

  private finish(out: StarReply[]): void {
    if (this.done) out.push({ kind: 'status', status: this.done });
    this.done = null;
  }
}
