import { TaquillaError } from '../../shared/errors.ts';
import type {
  GeneralHoldFacts,
  SeatFact,
  SeatHoldFacts,
  SeatTicketFact,
} from '../../shared/hold-rules/index.ts';
import type { TransactionStatus } from '../../shared/lifecycle.ts';
import type { HoldGeneralInput, HoldSeatsInput } from '../../shared/schemas/reservations.ts';
import type { StoredReply } from './hold-store.ts';
import type { FastOperation, PgStatements, Plan, Request } from './pg-hold-ops.ts';
import { answerFromStored, type StoredRow } from './sql-idempotency.ts';
import type { TicketRow } from './sql-tx.ts';

/**
 * The one facts read of each operation on PostgreSQL's one-read-one-write hold path
 * (pg-hold-ops.ts): a single statement, one round trip, that reads every fact the hold rules decide
 * on together with the key's stored answer and the credential's revocation, and turns its row into
 * the rules' facts; or into the plan's answer (the key's stored one, or an unknown event or zone).
 */

/** The key's stored answer and the credential's revocation, as columns of the facts read ($1–$3). */
const STORED_COLUMNS = `
  (SELECT c.revoked_at FROM credentials c WHERE c.id = $2 AND c.tenant_id = $1) AS revoked_at,
  (SELECT json_build_array(i.request_hash, i.status, i.body) FROM idempotency i
   WHERE i.tenant_id = $1 AND i.credential_id IN ($2, 0) AND i.key = $3
   ORDER BY i.credential_id DESC LIMIT 1) AS stored`;

interface StoredColumns {
  revoked_at: number | null;
  stored: [string, number, string] | null;
}

function storedRow(r: StoredColumns): StoredRow {
  return {
    revoked_at: r.revoked_at,
    request_hash: r.stored?.[0] ?? null,
    status: r.stored?.[1] ?? null,
    body: r.stored?.[2] ?? null,
  };
}

/**
 * Runs one facts read: `sql` with the key's columns ($1–$3: tenant, credential, key) and `params`
 * from $4 on; its row, or the key's stored answer for `op`.
 */
async function factsRow<R extends StoredColumns>(
  db: PgStatements,
  req: Request,
  op: FastOperation,
  sql: string,
  params: unknown[],
): Promise<{ row: R } | { answer: StoredReply }> {
  const [row] = await db.statement<R>(sql, [
    req.tenantId,
    req.credentialId,
    req.idempotency?.key ?? null,
    ...params,
  ]);
  const stored = answerFromStored(storedRow(row!), req.idempotency, op);
  return stored ? { answer: stored } : { row: row! };
}

function unknownEvent(eventId: number) {
  return new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
}

/**
 * sql-hold-facts.ts' sessionFact as columns of a hold's facts read ($4 event, $6 session, $7 now):
 * the session's open cart in the event, and the places it holds across events.
 */
const SESSION_COLUMNS = `(SELECT x.id FROM transactions x
   WHERE x.tenant_id = $1 AND x.event_id = $4 AND x.session_id = $6 AND x.status = 'PENDING') AS cart_id,
  (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
   JOIN transactions y ON y.tenant_id = t.tenant_id AND y.id = t.transaction_id
   WHERE t.tenant_id = $1 AND t.session_id = $6 AND t.status = 'ACTIVE' AND y.status = 'PENDING'
     AND t.reserved_until > $7) AS held`;

// ---- holdSeats ------------------------------------------------------------------------------------

/** sql-hold-facts.ts' seatFacts, seatTicketFacts and sessionFact, in one statement. */
const HOLD_FACTS = `SELECT ${STORED_COLUMNS},
  EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 AND e.id = $4) AS event_known,
  (SELECT json_agg(json_build_array(s.id, s.zone_id, s.label, s.blocked, s.blocked_reason, z.price_cents))
   FROM seats s JOIN zones z ON z.tenant_id = s.tenant_id AND z.event_id = s.event_id AND z.id = s.zone_id
   WHERE s.tenant_id = $1 AND s.event_id = $4 AND s.id = ANY($5::bigint[])) AS seats,
  (SELECT json_agg(json_build_array(t.id, t.zone_id, t.seat_id, t.status, t.reserved_until, t.session_id,
                                    t.transaction_id, x.status, x.actor, s.label))
   FROM tickets t
   JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
   JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
   WHERE t.tenant_id = $1 AND t.event_id = $4 AND t.seat_id = ANY($5::bigint[])
     AND t.seat_id IS NOT NULL AND t.status IN ('ACTIVE', 'COMPLETED')) AS on_seats,
  ${SESSION_COLUMNS}`;

interface HoldFactsRow extends StoredColumns {
  event_known: boolean;
  seats: [number, number, string, number, string | null, number][] | null;
  on_seats: [number, number, number, string, number, string, string, string, string, string][] | null;
  cart_id: string | null;
  held: number | string;
}

/** The facts a seat hold decides on (HOLD_FACTS), or the plan's answer. */
export async function readSeatHoldFacts(
  db: PgStatements,
  req: Request,
  input: HoldSeatsInput,
): Promise<Pick<SeatHoldFacts, 'seats' | 'onSeats' | 'session'> | Plan> {
  const { eventId, seatIds, sessionId } = input;
  const read = await factsRow<HoldFactsRow>(db, req, 'holdSeats', HOLD_FACTS, [
    eventId,
    seatIds,
    sessionId,
    req.now,
  ]);
  if ('answer' in read) return read;
  const r = read.row;
  const seats: SeatFact[] = (r.seats ?? []).map(([id, zoneId, label, blocked, reason, price]) => ({
    seatId: Number(id),
    zoneId: Number(zoneId),
    label,
    priceCents: Number(price),
    blocked: Number(blocked) === 1,
    blockedReason: reason,
  }));
  // Seats exist only in an event that does: on a miss, say first whether the event is unknown.
  if (seats.length !== seatIds.length && !r.event_known) return { refused: unknownEvent(eventId) };
  const onSeats: SeatTicketFact[] = (r.on_seats ?? []).map((t) => ({
    ticketId: Number(t[0]),
    zoneId: Number(t[1]),
    seatId: Number(t[2]),
    status: t[3] as SeatTicketFact['status'],
    reservedUntil: Number(t[4]),
    sessionId: t[5],
    transactionId: t[6],
    transactionStatus: t[7] as TransactionStatus,
    actor: t[8],
    label: t[9],
  }));
  const session = { sessionId, cartId: r.cart_id, held: Number(r.held) };
  return { seats, onSeats, session };
}

// ---- holdGeneral ---------------------------------------------------------------------------------

/** sql-hold-facts.ts' zoneFacts (without its row lock) and sessionFact, in one statement. */
const GENERAL_FACTS = `SELECT ${STORED_COLUMNS},
  EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 AND e.id = $4) AS event_known,
  (SELECT json_build_array(z.id, z.kind, z.name, z.capacity, z.used, z.price_cents) FROM zones z
   WHERE z.tenant_id = $1 AND z.event_id = $4 AND z.id = $5) AS zone,
  (SELECT json_agg(json_build_array(t.id, t.transaction_id, t.quantity)) FROM tickets t
   WHERE t.tenant_id = $1 AND t.event_id = $4 AND t.zone_id = $5 AND t.seat_id IS NULL
     AND t.status = 'ACTIVE' AND t.reserved_until <= $7) AS late,
  ${SESSION_COLUMNS}`;

interface GeneralFactsRow extends StoredColumns {
  event_known: boolean;
  zone: [number, 'numbered' | 'general', string, number, number, number] | null;
  late: [number, string, number][] | null;
  cart_id: string | null;
  held: number | string;
}

/** The facts a standing-places hold decides on (GENERAL_FACTS), or the plan's answer. */
export async function readGeneralHoldFacts(
  db: PgStatements,
  req: Request,
  input: HoldGeneralInput,
): Promise<Pick<GeneralHoldFacts, 'zone' | 'late' | 'session'> | Plan> {
  const { eventId, zoneId, sessionId } = input;
  const read = await factsRow<GeneralFactsRow>(db, req, 'holdGeneral', GENERAL_FACTS, [
    eventId,
    zoneId,
    sessionId,
    req.now,
  ]);
  if ('answer' in read) return read;
  const r = read.row;
  if (r.zone === null) {
    if (!r.event_known) return { refused: unknownEvent(eventId) };
    return {
      refused: new TaquillaError('UNKNOWN_ZONE', `There is no zone ${zoneId} in event ${eventId}`, {
        zoneId,
      }),
    };
  }
  const [id, kind, name, capacity, used, price] = r.zone;
  const zone = {
    zoneId: Number(id),
    kind,
    name,
    capacity: Number(capacity),
    used: Number(used),
    priceCents: Number(price),
  };
  const late = (r.late ?? []).map(([ticketId, transactionId, q]) => ({
    ticketId: Number(ticketId),
    transactionId,
    quantity: Number(q),
  }));
  const session = { sessionId, cartId: r.cart_id, held: Number(r.held) };
  return { zone, late, session };
}

// ---- releaseSeats and extendHolds ----------------------------------------------------------------

/** sql-hold-facts.ts' cartsWithTickets for one event, in one statement with the key. */
const RELEASE_FACTS = `SELECT ${STORED_COLUMNS},
  EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 AND e.id = $4) AS event_known,
  (SELECT json_build_array(x.id, x.status) FROM transactions x
   WHERE x.tenant_id = $1 AND x.event_id = $4 AND x.session_id = $5 AND x.status = 'PENDING') AS cart,
  (SELECT json_agg(json_build_array(t.id, t.zone_id, t.seat_id, t.quantity, t.reserved_until, t.created_at,
                                    t.price_cents, COALESCE(s.label, z.name)) ORDER BY t.id)
   FROM transactions x
   JOIN tickets t ON t.tenant_id = x.tenant_id AND t.transaction_id = x.id AND t.status = 'ACTIVE'
   LEFT JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
   LEFT JOIN zones z ON z.tenant_id = t.tenant_id AND z.event_id = t.event_id AND z.id = t.zone_id
   WHERE x.tenant_id = $1 AND x.event_id = $4 AND x.session_id = $5 AND x.status = 'PENDING') AS tickets`;

interface ReleaseFactsRow extends StoredColumns {
  event_known: boolean;
  cart: [string, TransactionStatus] | null;
  tickets: [number, number, number | null, number, number, number, number, string][] | null;
}

/** The session's cart in the event with its ACTIVE tickets (RELEASE_FACTS), or the plan's answer. */
export async function readCart(
  db: PgStatements,
  req: Request,
  op: FastOperation,
  eventId: number,
  sessionId: string,
): Promise<{ cartId: string | null; cartStatus: TransactionStatus; tickets: TicketRow[] } | Plan> {
  const read = await factsRow<ReleaseFactsRow>(db, req, op, RELEASE_FACTS, [eventId, sessionId]);
  if ('answer' in read) return read;
  const r = read.row;
  // A cart exists only in an event that does.
  if (r.cart === null && !r.event_known) return { refused: unknownEvent(eventId) };
  const [cartId, cartStatus] = r.cart ?? [null, 'PENDING' as TransactionStatus];
  const tickets: TicketRow[] = (r.tickets ?? []).map((t) => ({
    id: Number(t[0]),
    transaction_id: cartId!,
    zone_id: Number(t[1]),
    seat_id: t[2] === null ? null : Number(t[2]),
    quantity: Number(t[3]),
    status: 'ACTIVE',
    reserved_until: Number(t[4]),
    created_at: Number(t[5]),
    price_cents: Number(t[6]),
    label: t[7],
  }));
  return { cartId, cartStatus, tickets };
}
