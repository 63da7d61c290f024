import { verify } from 'node:crypto';
import { parseTicketCode, type TicketCodePayload } from '../../../shared/printing/ticket-code.ts';
import {
  type KeysetKey,
  type RevokedTicket,
  type TicketKeyset,
  ticketKeyset,
  venueTicketNumberText,
} from '../../../shared/schemas/keyset.ts';
import type { Db } from '../../store/database.ts';
import { publicKeyFromRaw } from './ticket-signing.ts';

/**
 * What a door says about a scanned code, checked offline against the venue's keyset:
 *   VALID          signed by a key of the venue (retired keys too) and not taken back;
 *   REVOKED        signed, but voided, refunded or moved (`revocation` says which and when);
 *   UNKNOWN_KEY    no counter of the venue registered the key it names (or the keyset is older);
 *   BAD_SIGNATURE  the key is the venue's, the signature is not: a forged or altered code;
 *   KEY_REVOKED    signed by a revoked counter's key for a ticket the server never recorded from it
 *                  (signed after its revocation, or by whoever has its key);
 *   TRAINING       a training store's code ("ENTRENAMIENTO - SIN VALOR");
 *   NOT_A_TICKET   not a Taquilla ticket code at all.
 * Whether the ticket was already used at this door is the scanner's own list, not this function's.
 */
export type DoorVerdict =
  'VALID' | 'REVOKED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'KEY_REVOKED' | 'TRAINING' | 'NOT_A_TICKET';

export interface DoorVerification {
  verdict: DoorVerdict;
  payload?: TicketCodePayload;
  /** The key's counter (its name at enrolment) and whether the key is retired for signing. */
  key?: { keyId: string; terminal: string; retired: boolean };
  revocation?: RevokedTicket;
  /** How old the keyset is: a revocation after `generatedAt` is not known to this door. */
  keysetGeneratedAt: number;
}

/** A venue ticket number as it is compared: 0000123 and 123 are one ticket. */
function numberKey(ticketNumber: string): string {
  return /^\d+$/.test(ticketNumber)
    ? venueTicketNumberText(Number(ticketNumber))
    : ticketNumber.toUpperCase();
}

/** Checks a scanned code offline against one keyset document. */
export function verifyAtDoor(code: string, keyset: TicketKeyset): DoorVerification {
  const base = { keysetGeneratedAt: keyset.generatedAt };
  const parsed = parseTicketCode(code);
  if (!parsed) return { ...base, verdict: 'NOT_A_TICKET' };
  const payload = parsed.payload;
  const key: KeysetKey | undefined = keyset.keys.find((k) => k.keyId === payload.keyId);
  if (!key) return { ...base, verdict: 'UNKNOWN_KEY', payload };
  const about = { keyId: key.keyId, terminal: key.terminal, retired: key.retiredAt !== null };
  if (!verify(null, parsed.signedBytes, publicKeyFromRaw(key.publicKey), parsed.signature)) {
    return { ...base, verdict: 'BAD_SIGNATURE', payload, key: about };
  }
  if (payload.training) return { ...base, verdict: 'TRAINING', payload, key: about };
  const number = numberKey(payload.ticketNumber);
  const revocation = keyset.revoked.find((r) => numberKey(r.ticketNumber) === number);
  if (revocation) return { ...base, verdict: 'REVOKED', payload, key: about, revocation };
  if (key.terminalRevokedAt !== null) {
    const issued = new Set((key.issuedBeforeRevocation ?? []).map(numberKey));
    if (!issued.has(number)) return { ...base, verdict: 'KEY_REVOKED', payload, key: about };
  }
  return { ...base, verdict: 'VALID', payload, key: about };
}

/** How a door's answer reads for people (the CLI, a scanner's screen). */
export function doorVerdictText(result: DoorVerification): string {
  const p = result.payload;
  const what = p
    ? `ticket ${p.ticketNumber}, event ${p.eventId}, ${p.place.startsWith('GA:') ? `general admission ${p.place.slice(3)}` : `seat ${p.place}`}`
    : 'not a ticket';
  const by = result.key
    ? ` (key ${result.key.keyId} of ${result.key.terminal}${result.key.retired ? ', retired' : ''})`
    : '';
  switch (result.verdict) {
    case 'VALID':
      return `VALID ${what}${by}`;
    case 'REVOKED': {
      const r = result.revocation!;
      return `REVOKED / ANULADO: ${what} was ${r.reason} at ${new Date(r.at).toISOString()}; not valid for entry`;
    }
    case 'UNKNOWN_KEY':
      return `UNKNOWN KEY: ${what} is signed with key ${p?.keyId ?? '?'}, which is not in the venue's keyset`;
    case 'BAD_SIGNATURE':
      return `BAD SIGNATURE: ${what}${by} is not what that key signed; not valid for entry`;
    case 'KEY_REVOKED':
      return `KEY REVOKED: ${what}${by} was not sold by that counter before it was revoked; not valid for entry`;
    case 'TRAINING':
      return `ENTRENAMIENTO - SIN VALOR: ${what}; not valid for entry`;
    case 'NOT_A_TICKET':
      return 'NOT A TICKET: this is not a Taquilla ticket code';
  }
}

/** Reads a keyset document (a file from `taquilla-server keyset export`, or GET /v1/keyset's result). */
export function parseKeyset(json: string): TicketKeyset {
  return ticketKeyset.parse(JSON.parse(json));
}

/**
 * The one owner of venue_keyset (terminal migration 029): the venue's keyset as this counter last
 * fetched it, so its door verifies other counters' tickets while the link is down.
 */
export class VenueKeysetStore {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      get: db.prepare<[], { document: string; fetched_at: number }>(
        'SELECT document, fetched_at FROM venue_keyset WHERE id = 1',
      ),
      save: db.prepare<[number, string, number, number]>(
        `INSERT INTO venue_keyset (id, tenant_id, document, generated_at, fetched_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, document = excluded.document,
           generated_at = excluded.generated_at, fetched_at = excluded.fetched_at
         WHERE excluded.generated_at >= venue_keyset.generated_at`,
      ),
    };
  }

  /** The cached keyset; null before the first fetch. */
  load(): { keyset: TicketKeyset; fetchedAt: number } | null {
    const row = this.sql.get.get();
    return row ? { keyset: parseKeyset(row.document), fetchedAt: row.fetched_at } : null;
  }

  /** Keeps `keyset` unless the cached one is newer (two fetches answered out of order). */
  save(keyset: TicketKeyset, fetchedAt: number): void {
    this.sql.save.run(keyset.tenantId, JSON.stringify(keyset), keyset.generatedAt, fetchedAt);
  }
}
