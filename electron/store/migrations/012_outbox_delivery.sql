-- How an outbox item is delivered (issue 12, "no outcome left unknown"):
--   queued       replayed until the server answers (offline sales, releases queued offline, returns);
--   interactive  a cashier is waiting on it: sent once, in order; if it never left, it is withdrawn;
--   unresolved   it left but its answer was lost and its caller was answered: it is never sent again,
--                only asked about by its idempotency key (POST /v1/outcomes), which also settles a key
--                the server never saw as abandoned, so it can never be applied later.
-- A withdrawn item is acknowledged with reply_status 0.
ALTER TABLE sync_outbox ADD COLUMN delivery TEXT NOT NULL DEFAULT 'queued'
  CHECK (delivery IN ('queued', 'interactive', 'unresolved'));
-- After a crash, nobody waits for an interactive item any more, and it may have left.
UPDATE sync_outbox SET delivery = 'unresolved' WHERE delivery = 'interactive' AND acked_at IS NULL;
