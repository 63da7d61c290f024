-- The venue's catalogue from the central server (issue 12). Events this store holds because the
-- server defined them (origin 'server') or because this terminal published them (origin
-- 'published'). A delivered event may update only such an event: a local event that merely shares
-- its id with the server's (set up here before enrolment) is never overwritten.
CREATE TABLE catalog_events (
  event_id     INTEGER PRIMARY KEY REFERENCES events(id),
  origin       TEXT    NOT NULL CHECK (origin IN ('server', 'published')),
  revision     INTEGER NOT NULL,
  received_at  INTEGER NOT NULL
);
