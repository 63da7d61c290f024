import { z } from 'zod';

/**
 * Tickets any door verifies (issue 14): each counter's public ticket keys, registered at the central
 * server under its credential, and the venue's keyset and revocation list as one document a door
 * scanner (or another counter) keeps and checks QR codes against offline.
 */

/** Ed25519 raw public key, base64url (43 characters). */
const publicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a raw Ed25519 public key, base64url');
const keyId = z.string().regex(/^[A-Za-z0-9_-]{4,32}$/, 'a ticket key id');
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

/** One public key a counter signs (or signed) tickets with, as the counter reports it. */
export const ticketKeyRegistration = z
  .object({
    keyId,
    publicKey,
    /** When the counter made it: tickets signed with it are not older. */
    createdAt: epochMs,
    /** When the counter stopped signing with it (a rotation); null while it signs. */
    retiredAt: epochMs.nullable(),
  })
  .strict();
export type TicketKeyRegistration = z.infer<typeof ticketKeyRegistration>;

export const registerTicketKeysInput = z
  .object({ keys: z.array(ticketKeyRegistration).min(1).max(200) })
  .strict();
export type RegisterTicketKeysInput = z.infer<typeof registerTicketKeysInput>;

/**
 * The server's answer: the key ids now registered to this credential, and those another credential
 * registered first (a store copied with its key: that copy must rotate, its tickets are not its own).
 */
export const registerTicketKeysReply = z.object({
  registered: z.array(z.string()),
  taken: z.array(z.string()),
});
export type RegisterTicketKeysReply = z.infer<typeof registerTicketKeysReply>;

export const REVOCATION_REASONS = ['voided', 'refunded', 'moved'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export const keysetKey = z.object({
  keyId,
  publicKey,
  credentialId: z.number().int(),
  /** The counter's name at enrolment. */
  terminal: z.string(),
  validFrom: epochMs,
  /** Retired for signing (rotated out): still valid for verifying what it signed. */
  retiredAt: epochMs.nullable(),
  /** The counter's credential was revoked then: its key verifies only `issuedBeforeRevocation`. */
  terminalRevokedAt: epochMs.nullable(),
  /**
   * Present when the terminal is revoked: the ticket numbers the server recorded as sold by it. A code
   * signed with this key for any other number was signed after the revocation (the server accepts no
   * new sale from a revoked counter) and is refused.
   */
  issuedBeforeRevocation: z.array(z.string()).optional(),
});
export type KeysetKey = z.infer<typeof keysetKey>;

export const revokedTicket = z.object({
  ticketNumber: z.string(),
  reason: z.enum(REVOCATION_REASONS),
  /** When the server took it back (epoch ms). */
  at: epochMs,
  transactionId: z.string(),
});
export type RevokedTicket = z.infer<typeof revokedTicket>;

export const KEYSET_FORMAT = 'taquilla-keyset/1';

/** The venue's keyset and revocation list (GET /v1/keyset, `taquilla-server keyset export`). */
export const ticketKeyset = z.object({
  format: z.literal(KEYSET_FORMAT),
  tenantId: z.number().int(),
  /** Server time of the export: a revocation after it is not in this document. */
  generatedAt: epochMs,
  keys: z.array(keysetKey),
  revoked: z.array(revokedTicket),
});
export type TicketKeyset = z.infer<typeof ticketKeyset>;

/** The venue's number as printed: seven digits at least (0000123), the same at every counter. */
export function venueTicketNumberText(n: number): string {
  return String(n).padStart(7, '0');
}
