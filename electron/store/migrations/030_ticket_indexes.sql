-- Issue 17: fewer index writes per hold. Every ticket went into two indexes led by event_id: the
-- partial `tickets_live_by_event` (event_id) for the availability snapshot and the full
-- `tickets_by_event_status` (event_id, status) for the event's counts, and the planner already chose
-- the second for the snapshot. One index serves both: led by (event_id, status), so the snapshot
-- reads only the live ranges (ACTIVE, COMPLETED), and carrying the columns the snapshot reads, so it
-- never visits the table. A hold now writes five index entries on reserved_tickets, not six; an
-- expiry moves one entry, not two. The rule of rules (one_live_ticket_per_seat) is untouched.
DROP INDEX tickets_live_by_event;
DROP INDEX tickets_by_event_status;
CREATE INDEX tickets_by_event_status
  ON reserved_tickets(event_id, status, seat_id, reserved_until, session_id);

-- The audit trail is read by entity only for transactions (the dashboard's abandoned carts, the
-- expired-reservation notices); a ticket's rows, one per ticket per change and most of the log, are
-- read in id order. Indexing them cost every hold and every expired ticket one more index write.
-- The log stays append-only (audit_no_update, audit_no_delete).
DROP INDEX audit_by_entity;
CREATE INDEX audit_by_entity ON audit_log(entity, entity_id)
  WHERE entity = 'transaction' OR entity = 'seat' OR entity = 'tenant';
