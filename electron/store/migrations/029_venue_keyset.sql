-- Tickets any door verifies (issue 14). An enrolled counter keeps the venue's keyset (every counter's
-- public ticket keys) and revocation list (tickets voided or refunded anywhere), as the server last
-- gave it, so its door verifies other counters' tickets offline. One row: the latest document whole.
CREATE TABLE venue_keyset (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  tenant_id     INTEGER NOT NULL,
  -- The server's document (shared/schemas/keyset.ts ticketKeyset), JSON.
  document      TEXT    NOT NULL,
  -- Server time the server made it: revocations after this are not in it.
  generated_at  INTEGER NOT NULL,
  fetched_at    INTEGER NOT NULL
);
