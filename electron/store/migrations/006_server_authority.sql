-- An enrolled terminal copies what the central server decided. Sometimes the server keeps open, or
-- sells, a cart this terminal had already closed: the terminal's cleanup ran on a clock a little
-- ahead of the server's, or it expired the cart while the server kept it for the session's next hold.
-- The local copy must then follow the server. A row here lets exactly one closed (EXPIRED or
-- CANCELLED) transaction change state; the sync mirror writes it and deletes it again inside its own
-- write, so no other code path ever sees a grant. COMPLETED stays final for everyone.
CREATE TABLE transaction_reopen_grants (
  transaction_id  TEXT PRIMARY KEY
);

DROP TRIGGER transaction_terminal_guard;

CREATE TRIGGER transaction_terminal_guard BEFORE UPDATE OF status ON transactions
  WHEN NEW.status <> OLD.status AND (
    OLD.status = 'COMPLETED'
    OR (OLD.status IN ('CANCELLED', 'EXPIRED')
        AND NOT EXISTS (SELECT 1 FROM transaction_reopen_grants g WHERE g.transaction_id = OLD.id))
    OR (OLD.status = 'RESERVED' AND NEW.status = 'PENDING'))
BEGIN
  SELECT RAISE(ABORT, 'INVALID_TRANSITION');
END;
