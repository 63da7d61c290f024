-- Issue 17: an expired or released hold moves fewer index entries. A session's live holds (the
-- per-user limit, logout) are now found through its open carts: one index entry per cart, written
-- when the cart opens and removed when it closes, instead of one per ticket that every expiry and
-- release removed (cleanup of 100,000 holds in 10,000 carts: 10,000 removals instead of 100,000).
-- A ticket's session is always its cart's (HoldWriter writes it from the cart).
-- tickets_by_event_status stays a full index: the reservation counts read an event's expired and
-- cancelled tickets through it too.
DROP INDEX tickets_active_by_session;
CREATE INDEX carts_by_session ON transactions(session_id) WHERE status = 'PENDING';
