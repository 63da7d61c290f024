import { randomUUID } from 'node:crypto';
import type { ReservationSettings } from '../../shared/config.ts';
import { TaquillaError } from '../../shared/errors.ts';
import {
  type Decision,
  decideEmptied,
  decideExtendHolds,
  decideGeneralHold,
  decideRelease,
  decideSeatHold,
  type SeatFact,
  type SeatTicketFact,
  ticketView,
} from '../../shared/hold-rules/index.ts';
import type { TransactionStatus } from '../../shared/lifecycle.ts';
import type {
  ExtendHoldsInput,
  HoldGeneralInput,
  HoldSeatsInput,
  ReleaseSeatsInput,
} from '../../shared/schemas/reservations.ts';
import { type ServerOperation } from '../../shared/schemas/sync.ts';
import type { Idempotency, StoredReply } from './hold-store.ts';
import { operationInput } from './operation-input.ts';
import { heldFact } from './sql-hold-facts.ts';
import { answerFromStored, type StoredRow } from './sql-idempotency.ts';
import { refusal } from './sql-operations.ts';
import type { FailureKind, TicketRow } from './sql-tx.ts';

/**
 * Holds (of seats or standing places), releases of seats and extensions on PostgreSQL in two
 * statements, each one round trip: one read of every fact the hold rules decide on (with the
 * key's stored answer and the credential's revocation), then one guarded write that commits on
 * its own (autocommit, the connection's synchronous_commit off): the key's answer, the tickets,
 * the cart, the audit and change-feed rows, the event's version and NOTIFY.
 *
 * The rules are decided once, in TypeScript (shared/hold-rules); SQL only re-checks that the
 * facts the decision used still hold: the unique partial index (a seat another counter took in
 * between), the zone's CHECK (places left), the cart still PENDING and the seats not blocked
 * (hold), the tickets still ACTIVE in the cart (release) with the end they had (extension). A
 * guard that finds them changed writes nothing; the operation reads and decides again
 * (OPTIMISTIC_ATTEMPTS), then goes the locked transactional way, which is also taken for the
 * rare decision with more to write (late holds on the requested seats to expire first).
 */

export type FastOperation = 'holdSeats' | 'holdGeneral' | 'releaseSeats' | 'extendHolds';

export const FAST_OPERATIONS: ReadonlySet<ServerOperation> = new Set<FastOperation>([
  'holdSeats',
  'holdGeneral',
  'releaseSeats',
  'extendHolds',
]);

const OPTIMISTIC_ATTEMPTS = 3;
const RELEASED = 'released by its session';

/** What the one-statement path needs of the PostgreSQL store. */
export interface PgStatements {
  /** One statement on its own (autocommit), `$n` placeholders; its rows. */
  statement<R>(sql: string, params: unknown[]): Promise<R[]>;
  /** True when the connection was lost with the statement possibly applied. */
  connectionLost(error: unknown): boolean;
  classify(error: unknown): FailureKind;
  tenantSettings(tenantId: number): Promise<ReservationSettings>;
  /** The NOTIFY channel of this store's schema. */
  readonly channel: string;
  /** The transactional path (operations.execute), for what this one leaves to it. */
  locked(): Promise<StoredReply>;
}

interface Request {
  tenantId: number;
  credentialId: number;
  now: number;
  idempotency: Idempotency | null;
  settings: ReservationSettings;
}

/** A decided write, or the answer (a refusal to store, or the locked path's). */
type Plan =
  | { write: { sql: string; params: unknown[] }; reply: StoredReply }
  | { refused: TaquillaError }
  | { answer: StoredReply }
  | { locked: true };

/** Runs a FAST_OPERATIONS operation; the same answers, refusals and rows as operations.execute. */
export async function executeInOneStatement(
  db: PgStatements,
  tenantId: number,
  credentialId: number,
  op: FastOperation,
  raw: unknown,
  now: number,
  idempotency: Idempotency | null,
): Promise<StoredReply> {
  let input: unknown;
  try {
    input = operationInput(op, raw);
  } catch (error) {
    if (error instanceof TaquillaError) return refusal(error);
    throw error;
  }
  const req: Request = {
    tenantId,
    credentialId,
    now,
    idempotency,
    settings: await db.tenantSettings(tenantId),
  };
  for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
    let plan: Plan;
    try {
      plan =
        op === 'holdSeats'
          ? await planHoldSeats(db, req, input as HoldSeatsInput)
          : op === 'holdGeneral'
            ? await planHoldGeneral(db, req, input as HoldGeneralInput)
            : op === 'releaseSeats'
              ? await planReleaseSeats(db, req, input as ReleaseSeatsInput)
              : await planExtendHolds(db, req, input as ExtendHoldsInput);
    } catch (error) {
      if (error instanceof TaquillaError) return refusal(error); // revoked, or a reused key
      if (db.connectionLost(error)) continue; // a read: nothing was written
      throw error;
    }
    if ('answer' in plan) return plan.answer; // the key's stored answer
    if ('locked' in plan) break;
    if ('refused' in plan) {
      // The refusal is an answer too: a retry of the same request must hear the same thing.
      try {
        if (await storeRefusal(db, req, plan.refused)) return refusal(plan.refused);
      } catch (error) {
        if (!db.connectionLost(error)) throw error; // stored or not, the next read tells
      }
      continue; // a twin request stored its answer first: read it
    }
    try {
      const [row] = await db.statement<{ ok: boolean }>(plan.write.sql, plan.write.params);
      if (row?.ok) return plan.reply;
    } catch (error) {
      // A seat another counter took in between, a twin cart or a twin key: read and decide again.
      if (db.classify(error) !== null) continue;
      // Lost while the write was in flight: it may have committed. With a key the next read finds
      // its answer; without one the outcome is unknown, and says so.
      if (db.connectionLost(error) && idempotency !== null) continue;
      throw error;
    }
  }
  return db.locked();
}

/** Stores a refusal as the key's answer; false when a twin request stored one first. */
async function storeRefusal(db: PgStatements, req: Request, refused: TaquillaError): Promise<boolean> {
  if (req.idempotency === null) return true;
  const reply = refusal(refused);
  const rows = await db.statement(
    `INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1`,
    [
      req.tenantId,
      req.credentialId,
      req.idempotency.key,
      req.idempotency.requestHash,
      reply.status,
      JSON.stringify(reply.body),
      req.now,
    ],
  );
  return rows.length > 0;
}

// ---- the facts read -------------------------------------------------------------------------------

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

function unknownEvent(eventId: number) {
  return new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
}

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
  (SELECT x.id FROM transactions x
   WHERE x.tenant_id = $1 AND x.event_id = $4 AND x.session_id = $6 AND x.status = 'PENDING') AS cart_id,
  (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
   JOIN transactions y ON y.tenant_id = t.tenant_id AND y.id = t.transaction_id
   WHERE t.tenant_id = $1 AND t.session_id = $6 AND t.status = 'ACTIVE' AND y.status = 'PENDING'
     AND t.reserved_until > $7) AS held`;

interface HoldFactsRow extends StoredColumns {
  event_known: boolean;
  seats: [number, number, string, number, string | null, number][] | null;
  on_seats: [number, number, number, string, number, string, string, string, string, string][] | null;
  cart_id: string | null;
  held: number | string;
}

/**
 * The hold's guarded write ($1 tenant, $2 event, $3 cart, $4 whether to open it, $5 session,
 * $6 actor, $7 now, $8 until, $9–$11 seats/zones/prices, $12–$15 the key's answer, $16 credential,
 * $17 channel). The cart is locked first and the tickets written before the event's version, so a
 * wait on another counter's seat never holds the event row.
 */
const HOLD_WRITE = `WITH
cart AS (
  SELECT x.id FROM transactions x
  WHERE NOT $4::boolean AND x.tenant_id = $1 AND x.id = $3 AND x.status = 'PENDING' FOR UPDATE
),
guard AS (
  SELECT ($4::boolean OR EXISTS (SELECT 1 FROM cart))
     AND (SELECT count(*) FROM seats s WHERE s.tenant_id = $1 AND s.event_id = $2
            AND s.id = ANY($9::bigint[]) AND s.blocked = 0) = cardinality($9::bigint[]) AS ok
),
opened AS (
  INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
  SELECT $1::bigint, $3::text, $2::bigint, $5::text, $6::text, 'PENDING', NULL::bigint, $7::bigint, $7::bigint
  FROM guard WHERE guard.ok AND $4::boolean
  RETURNING id
),
held AS (
  INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
                       price_cents, status, reserved_until, created_at, updated_at)
  SELECT $1::bigint, $3::text, $2::bigint, h.zone_id, h.seat_id, 1, $5::text, h.price_cents, 'ACTIVE',
         $8::bigint, $7::bigint, $7::bigint
  FROM guard, unnest($9::bigint[], $10::bigint[], $11::bigint[]) AS h(seat_id, zone_id, price_cents)
  WHERE guard.ok
  RETURNING id, seat_id
),
answer AS (
  INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at)
  SELECT $1::bigint, $16::bigint, $12::text, $13::text, $14::int, $15::text, $7::bigint
  FROM guard WHERE guard.ok AND $12::text IS NOT NULL
),
audit AS (
  INSERT INTO audit_log (tenant_id, event_id, at, actor, credential_id, entity, entity_id, from_state, to_state, reason)
  SELECT a.t, a.e, a.at, a.actor, a.cred, a.entity, a.entity_id, a.from_state, a.to_state, a.reason FROM (
    SELECT $1::bigint, $2::bigint, $7::bigint, $6::text, $16::bigint, 'transaction', $3::text,
           NULL::text, 'PENDING', 'cart opened', 0 FROM opened
    UNION ALL
    SELECT $1, $2, $7, $6, $16, 'ticket', h.id::text, NULL, 'ACTIVE', 'held seat ' || h.seat_id,
           array_position($9::bigint[], h.seat_id) FROM held h
  ) AS a(t, e, at, actor, cred, entity, entity_id, from_state, to_state, reason, n) ORDER BY a.n
),
v AS (
  UPDATE events SET version = version + 1
  WHERE tenant_id = $1 AND id = $2 AND (SELECT count(*) FROM held) > 0
  RETURNING version
),
feed AS (
  INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id)
  SELECT $1::bigint, $2::bigint, v.version, h.seat_id, 0 FROM v, held h
)
SELECT (SELECT ok FROM guard) AS ok,
       (SELECT pg_notify($17, json_build_object('tenantId', $1::bigint, 'eventId', $2::bigint,
                                                'version', v.version)::text) FROM v) AS notified`;

async function planHoldSeats(db: PgStatements, req: Request, input: HoldSeatsInput): Promise<Plan> {
  const { eventId, seatIds, sessionId } = input;
  const [r] = await db.statement<HoldFactsRow>(HOLD_FACTS, [
    req.tenantId,
    req.credentialId,
    req.idempotency?.key ?? null,
    eventId,
    seatIds,
    sessionId,
    req.now,
  ]);
  const stored = answerFromStored(storedRow(r!), req.idempotency, 'holdSeats');
  if (stored) return { answer: stored };
  const seats: SeatFact[] = (r!.seats ?? []).map(([id, zoneId, label, blocked, reason, price]) => ({
    seatId: Number(id),
    zoneId: Number(zoneId),
    label,
    priceCents: Number(price),
    blocked: Number(blocked) === 1,
    blockedReason: reason,
  }));
  // Seats exist only in an event that does: on a miss, say first whether the event is unknown.
  if (seats.length !== seatIds.length && !r!.event_known) return { refused: unknownEvent(eventId) };
  const onSeats: SeatTicketFact[] = (r!.on_seats ?? []).map((t) => ({
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
  const session = { sessionId, cartId: r!.cart_id, held: Number(r!.held) };
  const decided = effectsOrRefusal(
    decideSeatHold({ now: req.now, settings: req.settings, requested: seatIds, seats, onSeats, session }),
  );
  if ('refused' in decided) return decided;
  const d = decided.effects;
  if (d.expire.length > 0) return { locked: true };
  const cartId = session.cartId ?? randomUUID();
  const reply: StoredReply = {
    status: 200,
    body: {
      result: {
        transactionId: cartId,
        tickets: d.hold.map((s) => ({
          seatId: s.seatId,
          zoneId: s.zoneId,
          label: s.label,
          quantity: 1,
          priceCents: s.priceCents,
          reservedUntil: d.until,
        })),
        alreadyHeld: d.alreadyHeld,
      },
    },
    replayed: false,
  };
  return {
    reply,
    write: {
      sql: HOLD_WRITE,
      params: [
        req.tenantId,
        eventId,
        cartId,
        session.cartId === null,
        sessionId,
        input.actor,
        req.now,
        d.until,
        d.hold.map((s) => s.seatId),
        d.hold.map((s) => s.zoneId),
        d.hold.map((s) => s.priceCents),
        ...answerParams(req, reply),
        req.credentialId,
        db.channel,
      ],
    },
  };
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
  (SELECT x.id FROM transactions x
   WHERE x.tenant_id = $1 AND x.event_id = $4 AND x.session_id = $6 AND x.status = 'PENDING') AS cart_id,
  (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
   JOIN transactions y ON y.tenant_id = t.tenant_id AND y.id = t.transaction_id
   WHERE t.tenant_id = $1 AND t.session_id = $6 AND t.status = 'ACTIVE' AND y.status = 'PENDING'
     AND t.reserved_until > $7) AS held`;

interface GeneralFactsRow extends StoredColumns {
  event_known: boolean;
  zone: [number, 'numbered' | 'general', string, number, number, number] | null;
  late: [number, string, number][] | null;
  cart_id: string | null;
  held: number | string;
}

/**
 * A standing-places hold's guarded write: HOLD_WRITE's parameters, with $9 the quantity, $10 the
 * zone and $11 its price. The zone's count is taken in the write: the CHECK on zones.used (the fact the
 * rules decided on: places left) fails the statement when another counter took them in between.
 */
const GENERAL_WRITE = `WITH
cart AS (
  SELECT x.id FROM transactions x
  WHERE NOT $4::boolean AND x.tenant_id = $1 AND x.id = $3 AND x.status = 'PENDING' FOR UPDATE
),
guard AS (
  SELECT ($4::boolean OR EXISTS (SELECT 1 FROM cart)) AS ok
),
taken AS (
  UPDATE zones z SET used = z.used + $9
  FROM guard WHERE guard.ok AND z.tenant_id = $1 AND z.event_id = $2 AND z.id = $10
  RETURNING z.id
),
opened AS (
  INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
  SELECT $1::bigint, $3::text, $2::bigint, $5::text, $6::text, 'PENDING', NULL::bigint, $7::bigint, $7::bigint
  FROM guard WHERE guard.ok AND $4::boolean
  RETURNING id
),
held AS (
  INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
                       price_cents, status, reserved_until, created_at, updated_at)
  SELECT $1::bigint, $3::text, $2::bigint, $10::bigint, NULL, $9::bigint, $5::text, $11::bigint, 'ACTIVE',
         $8::bigint, $7::bigint, $7::bigint
  FROM guard WHERE guard.ok
  RETURNING id
),
answer AS (
  INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at)
  SELECT $1::bigint, $16::bigint, $12::text, $13::text, $14::int, $15::text, $7::bigint
  FROM guard WHERE guard.ok AND $12::text IS NOT NULL
),
audit AS (
  INSERT INTO audit_log (tenant_id, event_id, at, actor, credential_id, entity, entity_id, from_state, to_state, reason)
  SELECT a.t, a.e, a.at, a.actor, a.cred, a.entity, a.entity_id, a.from_state, a.to_state, a.reason FROM (
    SELECT $1::bigint, $2::bigint, $7::bigint, $6::text, $16::bigint, 'transaction', $3::text,
           NULL::text, 'PENDING', 'cart opened', 0 FROM opened
    UNION ALL
    SELECT $1, $2, $7, $6, $16, 'ticket', h.id::text, NULL, 'ACTIVE', 'held ' || $9 || ' in zone ' || $10, 1
    FROM held h
  ) AS a(t, e, at, actor, cred, entity, entity_id, from_state, to_state, reason, n) ORDER BY a.n
),
v AS (
  UPDATE events SET version = version + 1
  WHERE tenant_id = $1 AND id = $2 AND (SELECT count(*) FROM held) + (SELECT count(*) FROM taken) > 0
  RETURNING version
),
feed AS (
  INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id)
  SELECT $1::bigint, $2::bigint, v.version, NULL, $10::bigint FROM v
)
SELECT (SELECT ok FROM guard) AS ok,
       (SELECT pg_notify($17, json_build_object('tenantId', $1::bigint, 'eventId', $2::bigint,
                                                'version', v.version)::text) FROM v) AS notified`;

async function planHoldGeneral(db: PgStatements, req: Request, input: HoldGeneralInput): Promise<Plan> {
  const { eventId, zoneId, sessionId, quantity } = input;
  const [r] = await db.statement<GeneralFactsRow>(GENERAL_FACTS, [
    req.tenantId,
    req.credentialId,
    req.idempotency?.key ?? null,
    eventId,
    zoneId,
    sessionId,
    req.now,
  ]);
  const stored = answerFromStored(storedRow(r!), req.idempotency, 'holdGeneral');
  if (stored) return { answer: stored };
  if (r!.zone === null) {
    if (!r!.event_known) return { refused: unknownEvent(eventId) };
    return {
      refused: new TaquillaError('UNKNOWN_ZONE', `There is no zone ${zoneId} in event ${eventId}`, {
        zoneId,
      }),
    };
  }
  const [id, kind, name, capacity, used, price] = r!.zone;
  const zone = {
    zoneId: Number(id),
    kind,
    name,
    capacity: Number(capacity),
    used: Number(used),
    priceCents: Number(price),
  };
  const late = (r!.late ?? []).map(([ticketId, transactionId, q]) => ({
    ticketId: Number(ticketId),
    transactionId,
    quantity: Number(q),
  }));
  const session = { sessionId, cartId: r!.cart_id, held: Number(r!.held) };
  const decided = effectsOrRefusal(
    decideGeneralHold({ now: req.now, settings: req.settings, zone, quantity, late, session }),
  );
  if ('refused' in decided) return decided;
  const d = decided.effects;
  if (d.expire.length > 0) return { locked: true };
  const cartId = session.cartId ?? randomUUID();
  const reply: StoredReply = {
    status: 200,
    body: {
      result: {
        transactionId: cartId,
        tickets: [
          {
            seatId: null,
            zoneId: d.hold.zoneId,
            label: d.hold.label,
            quantity: d.hold.quantity,
            priceCents: d.hold.priceCents,
            reservedUntil: d.until,
          },
        ],
        alreadyHeld: [],
      },
    },
    replayed: false,
  };
  return {
    reply,
    write: {
      sql: GENERAL_WRITE,
      params: [
        req.tenantId,
        eventId,
        cartId,
        session.cartId === null,
        sessionId,
        input.actor,
        req.now,
        d.until,
        d.hold.quantity,
        d.hold.zoneId,
        d.hold.priceCents,
        ...answerParams(req, reply),
        req.credentialId,
        db.channel,
      ],
    },
  };
}

// ---- releaseSeats ---------------------------------------------------------------------------------

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

/**
 * The release's guarded write ($1 tenant, $2 event, $3 cart, $4–$6 tickets/new states/reasons,
 * $7 now, $8 actor, $9 whether the cart closes, $10 its state then, $11–$14 the key's answer,
 * $15 credential, $16 channel). The tickets are locked and re-checked ACTIVE in the cart first:
 * a sweep or a twin release that moved one in between makes the guard fail and nothing is written.
 */
const RELEASE_WRITE = `WITH
locked AS (
  SELECT t.id FROM tickets t
  WHERE t.tenant_id = $1 AND t.id = ANY($4::bigint[]) AND t.transaction_id = $3 AND t.status = 'ACTIVE'
  FOR UPDATE
),
guard AS (
  SELECT (SELECT count(*) FROM locked) = cardinality($4::bigint[]) AS ok
),
moved AS (
  UPDATE tickets t SET status = m.status, updated_at = $7
  FROM guard, unnest($4::bigint[], $5::text[], $6::text[]) AS m(id, status, reason)
  WHERE guard.ok AND t.tenant_id = $1 AND t.id = m.id AND t.status = 'ACTIVE'
  RETURNING t.id, t.seat_id, t.zone_id, m.status, m.reason
),
closed AS (
  UPDATE transactions x SET status = $10, updated_at = $7
  FROM guard WHERE guard.ok AND $9::boolean AND x.tenant_id = $1 AND x.id = $3 AND x.status = 'PENDING'
  RETURNING x.id
),
answer AS (
  INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at)
  SELECT $1::bigint, $15::bigint, $11::text, $12::text, $13::int, $14::text, $7::bigint
  FROM guard WHERE guard.ok AND $11::text IS NOT NULL
),
audit AS (
  INSERT INTO audit_log (tenant_id, event_id, at, actor, credential_id, entity, entity_id, from_state, to_state, reason)
  SELECT a.t, a.e, a.at, a.actor, a.cred, a.entity, a.entity_id, a.from_state, a.to_state, a.reason FROM (
    SELECT $1::bigint, $2::bigint, $7::bigint, $8::text, $15::bigint, 'ticket', m.id::text, 'ACTIVE'::text,
           m.status, m.reason, m.id FROM moved m
    UNION ALL
    SELECT $1, $2, $7, $8, $15, 'transaction', c.id, 'PENDING', $10::text, '${RELEASED}', NULL FROM closed c
  ) AS a(t, e, at, actor, cred, entity, entity_id, from_state, to_state, reason, n) ORDER BY a.n NULLS LAST
),
v AS (
  UPDATE events SET version = version + 1
  WHERE tenant_id = $1 AND id = $2 AND (SELECT count(*) FROM moved) > 0
  RETURNING version
),
feed AS (
  INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id)
  SELECT $1::bigint, $2::bigint, v.version, m.seat_id, 0 FROM v, moved m
)
SELECT (SELECT ok FROM guard) AS ok,
       (SELECT pg_notify($16, json_build_object('tenantId', $1::bigint, 'eventId', $2::bigint,
                                                'version', v.version)::text) FROM v) AS notified`;

/** The session's cart in the event with its ACTIVE tickets (RELEASE_FACTS), or the plan's answer. */
async function readCart(
  db: PgStatements,
  req: Request,
  op: FastOperation,
  eventId: number,
  sessionId: string,
): Promise<{ cartId: string | null; cartStatus: TransactionStatus; tickets: TicketRow[] } | Plan> {
  const [r] = await db.statement<ReleaseFactsRow>(RELEASE_FACTS, [
    req.tenantId,
    req.credentialId,
    req.idempotency?.key ?? null,
    eventId,
    sessionId,
  ]);
  const stored = answerFromStored(storedRow(r!), req.idempotency, op);
  if (stored) return { answer: stored };
  // A cart exists only in an event that does.
  if (r!.cart === null && !r!.event_known) return { refused: unknownEvent(eventId) };
  const [cartId, cartStatus] = r!.cart ?? [null, 'PENDING' as TransactionStatus];
  const tickets: TicketRow[] = (r!.tickets ?? []).map((t) => ({
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

async function planReleaseSeats(db: PgStatements, req: Request, input: ReleaseSeatsInput): Promise<Plan> {
  const { eventId, seatIds, sessionId } = input;
  const cart = await readCart(db, req, 'releaseSeats', eventId, sessionId);
  if (!('tickets' in cart)) return cart;
  const { cartId, cartStatus, tickets } = cart;
  const wanted = new Set(seatIds);
  const picked = tickets.filter((t) => t.seat_id !== null && wanted.has(t.seat_id)).map(heldFact);
  const moves = decideRelease(req.now, picked, RELEASED);
  const [closing] =
    cartId === null
      ? []
      : decideEmptied(
          [{ transactionId: cartId, status: cartStatus, activeLeft: tickets.length - moves.length }],
          'CANCELLED',
        );
  const released = picked.map((t) => t.seatId!);
  const reply: StoredReply = {
    status: 200,
    body: { result: { released, notHeld: seatIds.filter((id) => !released.includes(id)) } },
    replayed: false,
  };
  return {
    reply,
    write: {
      sql: RELEASE_WRITE,
      params: [
        req.tenantId,
        eventId,
        cartId,
        moves.map((m) => m.ticketId),
        moves.map((m) => m.to),
        moves.map((m) => m.reason),
        req.now,
        input.actor,
        closing !== undefined,
        closing?.to ?? 'CANCELLED',
        ...answerParams(req, reply),
        req.credentialId,
        db.channel,
      ],
    },
  };
}

// ---- extendHolds ---------------------------------------------------------------------------------

/**
 * The extension's guarded write ($1 tenant, $2 event, $3 cart, $4–$6 tickets/ends read/new ends,
 * $7 now, $8–$11 the key's answer, $12 credential, $13 channel): each ticket is locked and must
 * still be ACTIVE in the cart with the end the rules extended from.
 */
const EXTEND_WRITE = `WITH
locked AS (
  SELECT t.id FROM tickets t
  JOIN unnest($4::bigint[], $5::bigint[]) AS e(id, until) ON e.id = t.id
  WHERE t.tenant_id = $1 AND t.transaction_id = $3 AND t.status = 'ACTIVE' AND t.reserved_until = e.until
  FOR UPDATE OF t
),
guard AS (
  SELECT (SELECT count(*) FROM locked) = cardinality($4::bigint[]) AS ok
),
extended AS (
  UPDATE tickets t SET reserved_until = e.until, updated_at = $7
  FROM guard, unnest($4::bigint[], $6::bigint[]) AS e(id, until)
  WHERE guard.ok AND t.tenant_id = $1 AND t.id = e.id AND t.status = 'ACTIVE'
  RETURNING t.seat_id, t.zone_id
),
answer AS (
  INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at)
  SELECT $1::bigint, $12::bigint, $8::text, $9::text, $10::int, $11::text, $7::bigint
  FROM guard WHERE guard.ok AND $8::text IS NOT NULL
),
v AS (
  UPDATE events SET version = version + 1
  WHERE tenant_id = $1 AND id = $2 AND (SELECT count(*) FROM extended) > 0
  RETURNING version
),
feed AS (
  INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id)
  SELECT DISTINCT $1::bigint, $2::bigint, v.version, x.seat_id, CASE WHEN x.seat_id IS NULL THEN x.zone_id ELSE 0 END
  FROM v, extended x
)
SELECT (SELECT ok FROM guard) AS ok,
       (SELECT pg_notify($13, json_build_object('tenantId', $1::bigint, 'eventId', $2::bigint,
                                                'version', v.version)::text) FROM v) AS notified`;

async function planExtendHolds(db: PgStatements, req: Request, input: ExtendHoldsInput): Promise<Plan> {
  const { eventId, sessionId } = input;
  const cart = await readCart(db, req, 'extendHolds', eventId, sessionId);
  if (!('tickets' in cart)) return cart;
  const decided = effectsOrRefusal(
    decideExtendHolds({
      now: req.now,
      settings: req.settings,
      sessionId,
      cartId: cart.cartId,
      tickets: cart.tickets.map(heldFact),
      minutes: input.minutes,
    }),
  );
  if ('refused' in decided) return decided;
  const d = decided.effects;
  const reply: StoredReply = {
    status: 200,
    body: {
      result: {
        transactionId: d.transactionId,
        tickets: d.extended.map(({ ticket, until }) => ({ ...ticketView(ticket), reservedUntil: until })),
      },
    },
    replayed: false,
  };
  return {
    reply,
    write: {
      sql: EXTEND_WRITE,
      params: [
        req.tenantId,
        eventId,
        d.transactionId,
        d.extended.map((e) => e.ticket.ticketId),
        d.extended.map((e) => e.ticket.reservedUntil),
        d.extended.map((e) => e.until),
        req.now,
        ...answerParams(req, reply),
        req.credentialId,
        db.channel,
      ],
    },
  };
}

// ---- pieces ---------------------------------------------------------------------------------------

/** The key, its request's hash, the answer's status and body (all null without a key). */
function answerParams(req: Request, reply: StoredReply): unknown[] {
  if (req.idempotency === null) return [null, null, null, null];
  return [req.idempotency.key, req.idempotency.requestHash, reply.status, JSON.stringify(reply.body)];
}

/** A decision as a plan's refusal, or its effects to write. */
function effectsOrRefusal<E>(d: Decision<E>): { effects: E } | { refused: TaquillaError } {
  return d.ok ? { effects: d.effects } : { refused: d.refusal };
}
