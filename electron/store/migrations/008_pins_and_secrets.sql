-- PINs and secrets at rest (issue 11). Nothing secret is readable from this file alone: private keys
-- and credentials are sealed (AES-256-GCM) under the store key, and PIN hashes are peppered with a
-- key derived from it. The store key lives outside the database (electron/store/store-key.ts).

-- Which key belongs to this store: a check value derived from the key, never the key itself. A store
-- with this row has sealed secrets and refuses to open without its key.
CREATE TABLE store_key (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  key_check   TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
);

-- Ticket signing keys: the private key is sealed. `private_key` is only non-empty in a store older
-- than this migration, until it is first opened with its key (then sealed in place and emptied).
ALTER TABLE ticket_signing_keys ADD COLUMN sealed_private_key TEXT;
CREATE TRIGGER ticket_signing_key_sealed_on_insert BEFORE INSERT ON ticket_signing_keys
  WHEN NEW.private_key <> '' OR NEW.sealed_private_key IS NULL
BEGIN
  SELECT RAISE(ABORT, 'a ticket signing key is stored sealed, never in plain text');
END;
CREATE TRIGGER ticket_signing_key_sealed_on_update
  BEFORE UPDATE OF private_key, sealed_private_key ON ticket_signing_keys
  WHEN NEW.private_key <> '' OR NEW.sealed_private_key IS NULL
BEGIN
  SELECT RAISE(ABORT, 'a ticket signing key is stored sealed, never in plain text');
END;

-- The terminal's credential at the central server: sealed likewise.
ALTER TABLE sync_credentials ADD COLUMN sealed_secret TEXT;
CREATE TRIGGER sync_credential_sealed_on_insert BEFORE INSERT ON sync_credentials
  WHEN NEW.secret <> '' OR NEW.sealed_secret IS NULL
BEGIN
  SELECT RAISE(ABORT, 'the server credential is stored sealed, never in plain text');
END;
CREATE TRIGGER sync_credential_sealed_on_update BEFORE UPDATE OF secret, sealed_secret ON sync_credentials
  WHEN NEW.secret <> '' OR NEW.sealed_secret IS NULL
BEGIN
  SELECT RAISE(ABORT, 'the server credential is stored sealed, never in plain text');
END;

-- How a PIN hash was made (electron/services/session/pin-hash.ts):
--   'scrypt'           scrypt(pin, salt): hashes older than this migration, until the store is first
--                      opened with its key (then wrapped in place);
--   'wrapped-scrypt'   HMAC(pepper, scrypt(pin, salt)): an old hash wrapped in place; re-hashed as
--                      'peppered-scrypt' at the user's next successful sign-in;
--   'peppered-scrypt'  scrypt(HMAC(pepper, pin), salt): every hash made from now on.
ALTER TABLE users ADD COLUMN pin_scheme TEXT NOT NULL DEFAULT 'scrypt'
  CHECK (pin_scheme IN ('scrypt', 'wrapped-scrypt', 'peppered-scrypt'));
CREATE TRIGGER users_pin_peppered_on_insert BEFORE INSERT ON users WHEN NEW.pin_scheme = 'scrypt'
BEGIN
  SELECT RAISE(ABORT, 'a PIN hash is stored peppered');
END;
CREATE TRIGGER users_pin_peppered_on_update BEFORE UPDATE OF pin_hash, pin_scheme ON users
  WHEN NEW.pin_scheme = 'scrypt'
BEGIN
  SELECT RAISE(ABORT, 'a PIN hash is stored peppered');
END;

-- What may still try a PIN. subject: 'user:<id>', 'supervisor-override' or 'terminal' (every PIN
-- checked at this terminal). A try is counted here before its hash is checked, inside one
-- IMMEDIATE transaction, so no burst of parallel tries gets more than the budget.
CREATE TABLE pin_guards (
  subject       TEXT    PRIMARY KEY,
  -- Tries counted since the last success, lock or unlock (the terminal's: within its window).
  tries         INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
  -- The terminal-wide budget counts within a window that starts at its first try.
  window_start  INTEGER,
  -- Locks since the last success or unlock: each one lasts longer than the one before.
  locks         INTEGER NOT NULL DEFAULT 0 CHECK (locks >= 0),
  locked_until  INTEGER
);
INSERT INTO pin_guards (subject, tries, locks, locked_until)
  SELECT 'user:' || id, failed_attempts, CASE WHEN locked_until IS NULL THEN 0 ELSE 1 END, locked_until
  FROM users WHERE failed_attempts > 0 OR locked_until IS NOT NULL;
ALTER TABLE users DROP COLUMN failed_attempts;
ALTER TABLE users DROP COLUMN locked_until;

-- Every PIN try, checked or refused, and every unlock: the audit of who tried what, when, and how it
-- ended. (sign_ins keeps the sessions: signed in, signed out.)
CREATE TABLE pin_attempts (
  id            INTEGER PRIMARY KEY,
  at            INTEGER NOT NULL,
  purpose       TEXT    NOT NULL CHECK (purpose IN ('sign-in', 'supervisor-override', 'unlock')),
  -- sign-in: whose PIN was tried (an unknown id too: no foreign key); supervisor-override: the
  -- supervisor whose PIN matched; unlock: the user unlocked.
  user_id       INTEGER,
  -- Who asked: the calling session's actor (override), who unlocked (unlock).
  actor         TEXT,
  session_id    TEXT,
  -- ok / bad-pin / locked (wrong, and this try used the last one): the hash was checked;
  -- refused-locked: not checked, something was locked; unlocked: a lock was lifted.
  outcome       TEXT    NOT NULL
                CHECK (outcome IN ('ok', 'bad-pin', 'locked', 'refused-locked', 'unlocked')),
  scope         TEXT    CHECK (scope IN ('user', 'supervisor-override', 'terminal')),
  tries_left    INTEGER,
  locked_until  INTEGER
);
CREATE INDEX pin_attempts_by_user ON pin_attempts(user_id, at);
