/**
 * The code on a kiosk's "Pagar en taquilla" slip (issue 11): six characters a cashier can read aloud,
 * type or scan. The alphabet leaves out what people confuse on paper or over the counter (0/O/D/Q,
 * 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V): 19 symbols, 19^6 ≈ 47 million codes, so a random one is unique
 * among a store's slips after at most a retry or two.
 */
export const SLIP_CODE_ALPHABET = 'ACEFHJKMNPRTWXY3479';
export const SLIP_CODE_LENGTH = 6;

/** A code from `random(n)` (an integer in [0, n)). */
export function newSlipCode(random: (n: number) => number): string {
  let code = '';
  for (let i = 0; i < SLIP_CODE_LENGTH; i++) code += SLIP_CODE_ALPHABET[random(SLIP_CODE_ALPHABET.length)];
  return code;
}

/** The code as typed or scanned ('ace-347', 'ACE 347', 'ACE347') → 'ACE347'; null if it cannot be one. */
export function normalizeSlipCode(text: string): string | null {
  const compact = text.toUpperCase().replace(/[\s.-]/g, '');
  if (compact.length !== SLIP_CODE_LENGTH) return null;
  for (const ch of compact) if (!SLIP_CODE_ALPHABET.includes(ch)) return null;
  return compact;
}

/** How the code is printed and shown: two groups of three ('ACE-347'). */
export function formatSlipCode(code: string): string {
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}
