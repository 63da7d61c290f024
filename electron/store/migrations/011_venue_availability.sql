-- The venue's map as the central server's live feed reports it (issue 12): what other counters hold
-- and sold. An enrolled terminal's availability is its own tickets, and these states for every seat
-- it has no live ticket on. Free seats have no row. Written only by the feed follower
-- (electron/services/sync/venue-feed.ts), in the same transaction as the local change-feed rows that
-- announce them to the screens.
CREATE TABLE server_seat_states (
  event_id  INTEGER NOT NULL,
  seat_id   INTEGER NOT NULL,
  state     TEXT    NOT NULL CHECK (state IN ('held', 'reserved', 'sold', 'blocked')),
  -- When a hold or reservation ends (server time); time alone frees the seat after it.
  until     INTEGER,
  PRIMARY KEY (event_id, seat_id)
) WITHOUT ROWID;

CREATE TABLE server_zone_states (
  event_id   INTEGER NOT NULL,
  zone_id    INTEGER NOT NULL,
  available  INTEGER NOT NULL,
  PRIMARY KEY (event_id, zone_id)
) WITHOUT ROWID;

-- The server's feed version each event's states are at: a reconnect asks for what came after it.
CREATE TABLE server_feed_versions (
  event_id  INTEGER PRIMARY KEY,
  version   INTEGER NOT NULL
);
