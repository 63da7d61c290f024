/**
 * The guarded writes of PostgreSQL's one-read-one-write hold path (pg-hold-ops.ts): one statement
 * each, a CTE that locks and re-checks the facts the hold rules decided on (the `guard`), then
 * writes only if they still hold: the tickets, the cart, the key's answer, the audit and change-feed
 * rows, the event's version and NOTIFY. Their first column, `ok`, says whether the guard held.
 */

/**
 * The end every guarded write shares: the event's version bumped once when `changed` (a count of the
 * write's changed rows, SQL) is positive, the change-feed rows (`feedRows`, a SELECT of (tenant,
 * event, version, seat, zone) FROM v, ...) at that version, and NOTIFY on `channel` (a parameter),
 * all in the one statement. $1 is the tenant and $2 the event in every write.
 */
function versionFeedAndNotify(changed: string, feedRows: string, channel: string): string {
  return `v AS (
  UPDATE events SET version = version + 1
  WHERE tenant_id = $1 AND id = $2 AND ${changed} > 0
  RETURNING version
),
feed AS (
  INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id)
  ${feedRows}
)
SELECT (SELECT ok FROM guard) AS ok,
       (SELECT pg_notify(${channel}, json_build_object('tenantId', $1::bigint, 'eventId', $2::bigint,
                                                'version', v.version)::text) FROM v) AS notified`;
}

/**
 * The key's answer, stored in the write when the guard held and the request had a key: `key`,
 * `hash`, `status`, `body` and `credential` name the write's parameters ($7 is `now` in every write).
 */
function keyAnswer(p: {
  key: string;
  hash: string;
  status: string;
  body: string;
  credential: string;
}): string {
  return `answer AS (
  INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at)
  SELECT $1::bigint, ${p.credential}::bigint, ${p.key}::text, ${p.hash}::text, ${p.status}::int, ${p.body}::text, $7::bigint
  FROM guard WHERE guard.ok AND ${p.key}::text IS NOT NULL
)`;
}

/**
 * The audit rows of a write: `rows` a UNION of SELECTs of (tenant, event, at, actor, credential,
 * entity, entity id, from, to, reason, n), written in the order of n (`order`).
 */
function auditRows(rows: string, order = 'a.n'): string {
  return `audit AS (
  INSERT INTO audit_log (tenant_id, event_id, at, actor, credential_id, entity, entity_id, from_state, to_state, reason)
  SELECT a.t, a.e, a.at, a.actor, a.cred, a.entity, a.entity_id, a.from_state, a.to_state, a.reason FROM (
${rows}
  ) AS a(t, e, at, actor, cred, entity, entity_id, from_state, to_state, reason, n) ORDER BY ${order}
)`;
}

/**
 * A hold's cart ($3): the open one locked, or opened in the write when $4 says so ($5 session,
 * $6 actor, $7 now). `guardRest` adds the hold's own re-checks to the guard (SQL, or '').
 */
function cartLockedOrOpened(guardRest: string): string {
  return `cart AS (
  SELECT x.id FROM transactions x
  WHERE NOT $4::boolean AND x.tenant_id = $1 AND x.id = $3 AND x.status = 'PENDING' FOR UPDATE
),
guard AS (
  SELECT ($4::boolean OR EXISTS (SELECT 1 FROM cart))${guardRest} AS ok
),
opened AS (
  INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
  SELECT $1::bigint, $3::text, $2::bigint, $5::text, $6::text, 'PENDING', NULL::bigint, $7::bigint, $7::bigint
  FROM guard WHERE guard.ok AND $4::boolean
  RETURNING id
)`;
}

/** The audit row of a cart the write opened (first, n = 0). */
const CART_OPENED_AUDIT = `    SELECT $1::bigint, $2::bigint, $7::bigint, $6::text, $16::bigint, 'transaction', $3::text,
           NULL::text, 'PENDING', 'cart opened', 0 FROM opened`;

/** The reason a release writes on the tickets and the cart it moves. */
export const RELEASED = 'released by its session';

// ---- holdSeats ------------------------------------------------------------------------------------

/**
 * The hold's guarded write ($1 tenant, $2 event, $3 cart, $4 whether to open it, $5 session,
 * $6 actor, $7 now, $8 until, $9–$11 seats/zones/prices, $12–$15 the key's answer, $16 credential,
 * $17 channel). The cart is locked first and the tickets written before the event's version, so a
 * wait on another counter's seat never holds the event row.
 */
export const HOLD_WRITE = `WITH
${cartLockedOrOpened(`
     AND (SELECT count(*) FROM seats s WHERE s.tenant_id = $1 AND s.event_id = $2
            AND s.id = ANY($9::bigint[]) AND s.blocked = 0) = cardinality($9::bigint[])`)},
held AS (
  INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
                       price_cents, status, reserved_until, created_at, updated_at)
  SELECT $1::bigint, $3::text, $2::bigint, h.zone_id, h.seat_id, 1, $5::text, h.price_cents, 'ACTIVE',
         $8::bigint, $7::bigint, $7::bigint
  FROM guard, unnest($9::bigint[], $10::bigint[], $11::bigint[]) AS h(seat_id, zone_id, price_cents)
  WHERE guard.ok
  RETURNING id, seat_id
),
${keyAnswer({ key: '$12', hash: '$13', status: '$14', body: '$15', credential: '$16' })},
${auditRows(`${CART_OPENED_AUDIT}
    UNION ALL
    SELECT $1, $2, $7, $6, $16, 'ticket', h.id::text, NULL, 'ACTIVE', 'held seat ' || h.seat_id,
           array_position($9::bigint[], h.seat_id) FROM held h`)},
${versionFeedAndNotify(
  '(SELECT count(*) FROM held)',
  `SELECT $1::bigint, $2::bigint, v.version, h.seat_id, 0 FROM v, held h`,
  '$17',
)}`;

// ---- holdGeneral ---------------------------------------------------------------------------------

/**
 * A standing-places hold's guarded write: HOLD_WRITE's parameters, with $9 the quantity, $10 the
 * zone and $11 its price. The zone's count is taken in the write: the CHECK on zones.used (the fact the
 * rules decided on: places left) fails the statement when another counter took them in between.
 */
export const GENERAL_WRITE = `WITH
${cartLockedOrOpened('')},
taken AS (
  UPDATE zones z SET used = z.used + $9
  FROM guard WHERE guard.ok AND z.tenant_id = $1 AND z.event_id = $2 AND z.id = $10
  RETURNING z.id
),
held AS (
  INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
                       price_cents, status, reserved_until, created_at, updated_at)
  SELECT $1::bigint, $3::text, $2::bigint, $10::bigint, NULL, $9::bigint, $5::text, $11::bigint, 'ACTIVE',
         $8::bigint, $7::bigint, $7::bigint
  FROM guard WHERE guard.ok
  RETURNING id
),
${keyAnswer({ key: '$12', hash: '$13', status: '$14', body: '$15', credential: '$16' })},
${auditRows(`${CART_OPENED_AUDIT}
    UNION ALL
    SELECT $1, $2, $7, $6, $16, 'ticket', h.id::text, NULL, 'ACTIVE', 'held ' || $9 || ' in zone ' || $10, 1
    FROM held h`)},
${versionFeedAndNotify(
  '(SELECT count(*) FROM held) + (SELECT count(*) FROM taken)',
  `SELECT $1::bigint, $2::bigint, v.version, NULL, $10::bigint FROM v`,
  '$17',
)}`;

// ---- releaseSeats ---------------------------------------------------------------------------------

/**
 * The release's guarded write ($1 tenant, $2 event, $3 cart, $4–$6 tickets/new states/reasons,
 * $7 now, $8 actor, $9 whether the cart closes, $10 its state then, $11–$14 the key's answer,
 * $15 credential, $16 channel). The tickets are locked and re-checked ACTIVE in the cart first:
 * a sweep or a twin release that moved one in between makes the guard fail and nothing is written.
 */
export const RELEASE_WRITE = `WITH
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
${keyAnswer({ key: '$11', hash: '$12', status: '$13', body: '$14', credential: '$15' })},
${auditRows(
  `    SELECT $1::bigint, $2::bigint, $7::bigint, $8::text, $15::bigint, 'ticket', m.id::text, 'ACTIVE'::text,
           m.status, m.reason, m.id FROM moved m
    UNION ALL
    SELECT $1, $2, $7, $8, $15, 'transaction', c.id, 'PENDING', $10::text, '${RELEASED}', NULL FROM closed c`,
  'a.n NULLS LAST',
)},
${versionFeedAndNotify(
  '(SELECT count(*) FROM moved)',
  `SELECT $1::bigint, $2::bigint, v.version, m.seat_id, 0 FROM v, moved m`,
  '$16',
)}`;

// ---- extendHolds ---------------------------------------------------------------------------------

/**
 * The extension's guarded write ($1 tenant, $2 event, $3 cart, $4–$6 tickets/ends read/new ends,
 * $7 now, $8–$11 the key's answer, $12 credential, $13 channel): each ticket is locked and must
 * still be ACTIVE in the cart with the end the rules extended from.
 */
export const EXTEND_WRITE = `WITH
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
${keyAnswer({ key: '$8', hash: '$9', status: '$10', body: '$11', credential: '$12' })},
${versionFeedAndNotify(
  '(SELECT count(*) FROM extended)',
  `SELECT DISTINCT $1::bigint, $2::bigint, v.version, x.seat_id, CASE WHEN x.seat_id IS NULL THEN x.zone_id ELSE 0 END
  FROM v, extended x`,
  '$13',
)}`;
