/**
 * A barcode scanner at the counter types like a keyboard, only faster: each character a few
 * milliseconds after the last, then Enter. A person's keystrokes are 80 ms or more apart. So an
 * Enter that ends such a burst is the scanner's (a slip code read while the payment dialog was open),
 * never a cashier confirming a payment; the payment dialog ignores it and says so.
 */

/** Characters closer than this are a machine typing (scanners send one every 1–30 ms). */
export const SCANNER_GAP_MS = 50;
/** A burst of at least this many characters marks the Enter that follows it soon after. */
export const SCANNER_MIN_BURST = 3;
/** How soon after a burst's last character its Enter comes (scanners send it at once). */
export const SCANNER_TAIL_MS = 250;

export class KeyBurst {
  private lastAt = Number.NEGATIVE_INFINITY;
  private length = 0;

  /**
   * Records a keydown at `at` (ms, any monotonic clock: the event's timeStamp). Only printable
   * characters count; Enter and the modifiers a scanner sends for capitals are not characters.
   */
  key(key: string, at: number): void {
    if (key.length !== 1) return;
    this.length = at - this.lastAt < SCANNER_GAP_MS ? this.length + 1 : 1;
    this.lastAt = at;
  }

  /**
   * Whether an Enter at `at` ends a scanner's burst: right after a character, or soon after several
   * that came machine-fast. Each Enter is judged once: the burst is forgotten afterwards.
   */
  enterIsScanned(at: number): boolean {
    const since = at - this.lastAt;
    const scanned = since < SCANNER_GAP_MS || (this.length >= SCANNER_MIN_BURST && since < SCANNER_TAIL_MS);
    this.length = 0;
    this.lastAt = Number.NEGATIVE_INFINITY;
    return scanned;
  }
}
