-- Counter staff and their PINs (issue 3). A PIN is never stored: only scrypt(pin, salt) with a salt
-- per user. Five wrong PINs in a row lock the user out until locked_until.

CREATE TABLE users (
  id               INTEGER PRIMARY KEY,
  name             TEXT    NOT NULL UNIQUE,
  role             TEXT    NOT NULL CHECK (role IN ('cashier', 'supervisor')),
  pin_salt         TEXT    NOT NULL,
  pin_hash         TEXT    NOT NULL,
  failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until     INTEGER,
  active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at       INTEGER NOT NULL
);

-- Who signed in and out, when, and refused attempts: the counter's own trail.
CREATE TABLE sign_ins (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER REFERENCES users(id),
  at          INTEGER NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('signed-in', 'bad-pin', 'locked-out', 'signed-out')),
  session_id  TEXT
);
CREATE INDEX sign_ins_by_user ON sign_ins(user_id, at);
