-- What a cashier finds their way by on the seat map (issue 16): the stage or the field, and where a
-- zone's name is written. Events set up before this have neither: the map then writes each zone's
-- name in the middle of its seats and draws no landmark.
CREATE TABLE map_landmarks (
  id        INTEGER PRIMARY KEY,
  event_id  INTEGER NOT NULL REFERENCES events(id),
  kind      TEXT    NOT NULL CHECK (kind IN ('stage', 'field')),
  -- NULL: the screen's own word for the kind, in the cashier's language.
  name      TEXT,
  shape     TEXT    NOT NULL DEFAULT 'rect' CHECK (shape IN ('rect', 'ellipse')),
  x         REAL    NOT NULL,
  y         REAL    NOT NULL,
  width     REAL    NOT NULL CHECK (width > 0),
  height    REAL    NOT NULL CHECK (height > 0),
  sort      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX map_landmarks_by_event ON map_landmarks(event_id);

CREATE TABLE zone_labels (
  id       INTEGER PRIMARY KEY,
  zone_id  INTEGER NOT NULL REFERENCES zones(id),
  x        REAL    NOT NULL,
  y        REAL    NOT NULL
);
CREATE INDEX zone_labels_by_zone ON zone_labels(zone_id);
