/**
 * The code a ticket's QR carries: a compact payload and an Ed25519 signature, both base64url,
 * joined by a dot. Pure parsing lives here so a door scanner (browser, phone or Node) can read it;
 * the signature is checked with the tenant's public key (electron/services/printing/ticket-signing.ts
 * for Node; any Ed25519 implementation works).
 *
 *   payload = "TQ1|<keyId>|<ticketNumber>|<eventId>|<seat label or GA:<zone code>>|<transaction prefix>"
 *
 * A training store's tickets are worth nothing, and say so inside what is signed: their payload
 * starts "TQT1" instead of "TQ1" (the same fields after it), so no scanner can take one for a live
 * ticket and no one can turn one into a live ticket without the signing key.
 */

export const TICKET_CODE_VERSION = 'TQ1';
/** The version tag of a training store's codes ("ENTRENAMIENTO - SIN VALOR"). */
export const TRAINING_TICKET_CODE_VERSION = 'TQT1';
/** What a scanner shows for a training ticket. */
export const TRAINING_TICKET_TEXT = 'ENTRENAMIENTO - SIN VALOR';
const SEPARATOR = '|';
/** Enough of the transaction id to find the sale, short enough to keep the QR small. */
export const TRANSACTION_PREFIX_LENGTH = 8;

export interface TicketCodePayload {
  keyId: string;
  ticketNumber: string;
  eventId: number;
  /** The seat label (PLA-A-5) or `GA:<zone code>` for general admission. */
  place: string;
  transactionPrefix: string;
  /** Present (true) only on a training store's tickets: worth nothing. */
  training?: true;
}

export interface ParsedTicketCode {
  payload: TicketCodePayload;
  /** The exact bytes that were signed. */
  signedBytes: Uint8Array;
  signature: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64UrlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new RangeError('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The bytes to sign for `payload`; refuses fields that would make the payload ambiguous. */
export function payloadBytes(payload: TicketCodePayload): Uint8Array {
  const fields = [
    payload.training ? TRAINING_TICKET_CODE_VERSION : TICKET_CODE_VERSION,
    payload.keyId,
    payload.ticketNumber,
    String(payload.eventId),
    payload.place,
    payload.transactionPrefix,
  ];
  for (const f of fields) {
    if (f.includes(SEPARATOR) || f === '')
      throw new RangeError(`ticket code field '${f}' is empty or has '|'`);
  }
  return encoder.encode(fields.join(SEPARATOR));
}

export function formatTicketCode(signed: Uint8Array, signature: Uint8Array): string {
  return `${base64UrlEncode(signed)}.${base64UrlEncode(signature)}`;
}

/** Parses a scanned code; null when it is not a Taquilla ticket code at all. */
export function parseTicketCode(code: string): ParsedTicketCode | null {
  const parts = code.trim().split('.');
  if (parts.length !== 2) return null;
  try {
    const signedBytes = base64UrlDecode(parts[0]!);
    const signature = base64UrlDecode(parts[1]!);
    if (signature.length !== 64) return null;
    const fields = decoder.decode(signedBytes).split(SEPARATOR);
    const training = fields[0] === TRAINING_TICKET_CODE_VERSION;
    if (fields.length !== 6 || (fields[0] !== TICKET_CODE_VERSION && !training)) return null;
    const [, keyId, ticketNumber, eventText, place, transactionPrefix] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!/^\d+$/.test(eventText)) return null;
    return {
      payload: {
        keyId,
        ticketNumber,
        eventId: Number(eventText),
        place,
        transactionPrefix,
        ...(training ? { training: true as const } : {}),
      },
      signedBytes,
      signature,
    };
  } catch {
    return null;
  }
}

/** The place field for a ticket: the seat label, or GA and the zone code. */
export function ticketPlace(seatLabel: string | null, zoneCode: string): string {
  return seatLabel ?? `GA:${zoneCode}`;
}
