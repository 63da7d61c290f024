import { createHash, randomBytes } from 'node:crypto';

/** Secrets are random; the server keeps only their sha256, so a copied database opens no door. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSecret(): string {
  return `tqs_${randomBytes(32).toString('base64url')}`;
}

// No 0/O, 1/I/L: a supervisor reads the code aloud or types it at the counter.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A one-time enrolment code like 7KQ2-M9XD-PT4R. */
export function newEnrolCode(): string {
  const bytes = randomBytes(12);
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((g) => g.join('')).join('-');
}

/**
 * A code as it was issued, however it was typed: case, spaces, dots and dashes do not matter
 * ("7kq2 m9xd pt4r", "7KQ2M9XDPT4R" and "7KQ2-M9XD-PT4R" are one code). Twelve characters are
 * grouped back as issued, so codes stored before this rule still match.
 */
export function normalizeEnrolCode(code: string): string {
  const chars = code.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return chars.length === 12 ? `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}` : chars;
}
