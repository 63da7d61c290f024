-- Training mode (issue 11). A store is either live (no row) or a training store (one row). Practice
-- sales must never mix with real takings, so the mode is final once set, and a training store can
-- never be enrolled with the central server: nothing it sells is ever synced as a real sale.

CREATE TABLE terminal_mode (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  mode    TEXT    NOT NULL CHECK (mode = 'training'),
  set_at  INTEGER NOT NULL,
  set_by  TEXT    NOT NULL
);

CREATE TRIGGER terminal_mode_is_final_update BEFORE UPDATE ON terminal_mode
BEGIN
  SELECT RAISE(ABORT, 'TRAINING_MODE_FINAL: a training store stays a training store');
END;

CREATE TRIGGER terminal_mode_is_final_delete BEFORE DELETE ON terminal_mode
BEGIN
  SELECT RAISE(ABORT, 'TRAINING_MODE_FINAL: a training store stays a training store');
END;

CREATE TRIGGER training_store_never_enrols BEFORE INSERT ON sync_credentials
WHEN EXISTS (SELECT 1 FROM terminal_mode)
BEGIN
  SELECT RAISE(ABORT, 'TRAINING_STORE: a training store cannot be enrolled with a server');
END;
