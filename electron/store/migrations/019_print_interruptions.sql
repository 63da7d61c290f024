-- Printing that never doubles a ticket (issue 15). A job whose bytes reached the printer but which the
-- printer never confirmed (paper ran out mid-ticket, cover opened, cutter jammed, connection dropped,
-- the sending process died) may or may not have come out. It is never sent again by itself: it stays
-- PENDING with interrupted_at set, outside the queue, until the cashier says whether it came out
-- (then DONE) or not (then CANCELLED, and a copy marked COPIA n is queued in its place).
ALTER TABLE print_jobs ADD COLUMN interrupted_at INTEGER;
-- Why: paper-out, cover-open, cutter-error, error, unconfirmed (no answer), crashed (sender died).
ALTER TABLE print_jobs ADD COLUMN interruption TEXT;
CREATE INDEX print_jobs_interrupted ON print_jobs(id) WHERE status = 'PENDING' AND interrupted_at IS NOT NULL;
