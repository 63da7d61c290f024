import { describe, expect, it } from 'vitest';
import { KeyBurst } from '../../../../renderer/src/payments/scanner-burst.ts';

/** Keys typed at `times` (ms), then Enter at `enterAt`: is that Enter a scanner's? */
function scanned(keys: string, times: number[], enterAt: number): boolean {
  const burst = new KeyBurst();
  [...keys].forEach((key, i) => burst.key(key, times[i]!));
  return burst.enterIsScanned(enterAt);
}

describe("a barcode scanner's Enter is told from a cashier's", () => {
  it("a slip code read in a burst (a few ms apart) ends in the scanner's Enter", () => {
    expect(scanned('K7PXR4', [0, 4, 8, 12, 16, 20], 24)).toBe(true);
    // Some scanners pause a little before the Enter.
    expect(scanned('K7PXR4', [0, 20, 40, 60, 80, 100], 220)).toBe(true);
    // Capitals come with Shift: modifiers neither count nor break the burst.
    const burst = new KeyBurst();
    ['Shift', 'K', 'Shift', '7', 'P'].forEach((key, i) => burst.key(key, i * 3));
    expect(burst.enterIsScanned(16)).toBe(true);
  });

  it("a cashier's Enter is a person's: alone, or after typing at a person's pace", () => {
    expect(scanned('', [], 1000)).toBe(false);
    expect(scanned('160', [0, 140, 290], 520)).toBe(false);
    // Typed fast but a moment before the Enter.
    expect(scanned('16', [0, 40], 400)).toBe(false);
    // After a burst was judged, the next Enter stands alone.
    const burst = new KeyBurst();
    for (const [i, key] of [...'ABC'].entries()) burst.key(key, i * 5);
    expect(burst.enterIsScanned(15)).toBe(true);
    expect(burst.enterIsScanned(900)).toBe(false);
  });
});
