import { randomUUID } from 'node:crypto';
import type { TaquillaError } from '../../shared/errors.ts';
import {
  type Decision,
  decideEmptied,
  decideExtendHolds,
  decideGeneralHold,
  decideRelease,
  decideSeatHold,
  ticketView,
} from '../../shared/hold-rules/index.ts';
import type {
  ExtendHoldsInput,
  HoldGeneralInput,
  HoldSeatsInput,
  ReleaseSeatsInput,
} from '../../shared/schemas/reservations.ts';
import type { StoredReply } from './hold-store.ts';
import { readCart, readGeneralHoldFacts, readSeatHoldFacts } from './pg-hold-facts.ts';
import type { PgStatements, Plan, Request } from './pg-hold-ops.ts';
import { EXTEND_WRITE, GENERAL_WRITE, HOLD_WRITE, RELEASE_WRITE, RELEASED } from './pg-hold-writes.ts';
import { heldFact } from './sql-hold-facts.ts';

/**
 * The plans of PostgreSQL's one-read-one-write hold path (pg-hold-ops.ts), one per operation: the
 * facts read (pg-hold-facts.ts), the hold rules' decision on them (shared/hold-rules), and the
 * decided guarded write (pg-hold-writes.ts) with its parameters and the reply it answers; or the
 * refusal, the key's stored answer, or the locked path for what this one leaves to it.
 */

// ---- holdSeats ------------------------------------------------------------------------------------

export async function planHoldSeats(db: PgStatements, req: Request, input: HoldSeatsInput): Promise<Plan> {
  const { eventId, seatIds, sessionId } = input;
  const facts = await readSeatHoldFacts(db, req, input);
  if (!('session' in facts)) return facts;
  const { seats, onSeats, session } = facts;
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

export async function planHoldGeneral(
  db: PgStatements,
  req: Request,
  input: HoldGeneralInput,
): Promise<Plan> {
  const { eventId, sessionId, quantity } = input;
  const facts = await readGeneralHoldFacts(db, req, input);
  if (!('session' in facts)) return facts;
  const { zone, late, session } = facts;
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

export async function planReleaseSeats(
  db: PgStatements,
  req: Request,
  input: ReleaseSeatsInput,
): Promise<Plan> {
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

export async function planExtendHolds(
  db: PgStatements,
  req: Request,
  input: ExtendHoldsInput,
): Promise<Plan> {
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
