-- The cash drawer and the business day (issue 16). Money is integer hundredths of its currency.

-- A staff member's drawer from opening (the float counted in) to closing (the cash counted out).
-- One open drawer per staff member. A shift belongs to the business day it opened in (the tenant's
-- BUSINESS_DAY_CUTOFF_HOUR, America/Caracas) and is taken into that day's Z.
CREATE TABLE cash_shifts (
  id                  INTEGER PRIMARY KEY,
  staff_id            INTEGER NOT NULL REFERENCES users(id),
  -- The staff member's actor when it opened ('cashier:Ana Cajera'): what their payments carry.
  staff               TEXT    NOT NULL,
  business_day        TEXT    NOT NULL,
  opened_at           INTEGER NOT NULL,
  opened_by           TEXT    NOT NULL,
  float_usd_cents     INTEGER NOT NULL CHECK (float_usd_cents >= 0),
  float_ves_cents     INTEGER NOT NULL CHECK (float_ves_cents >= 0),
  closed_at           INTEGER,
  closed_by           TEXT,
  -- At closing: what the drawer should hold (float + cash taken − change given + paid in − paid out)
  -- and what was counted, per currency; over (+) or short (−) is counted − expected.
  expected_usd_cents  INTEGER,
  expected_ves_cents  INTEGER,
  counted_usd_cents   INTEGER CHECK (counted_usd_cents >= 0),
  counted_ves_cents   INTEGER CHECK (counted_ves_cents >= 0),
  note                TEXT,
  -- The Z report that took it; NULL until then.
  closing_id          INTEGER REFERENCES day_closings(id),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
  CHECK ((closed_at IS NULL) = (counted_usd_cents IS NULL)),
  CHECK ((closed_at IS NULL) = (counted_ves_cents IS NULL)),
  CHECK ((closed_at IS NULL) = (expected_usd_cents IS NULL)),
  CHECK ((closed_at IS NULL) = (expected_ves_cents IS NULL)),
  CHECK (closing_id IS NULL OR closed_at IS NOT NULL),
  CHECK (closed_at IS NULL OR closed_at >= opened_at)
);
CREATE UNIQUE INDEX one_open_shift_per_staff ON cash_shifts(staff_id) WHERE closed_at IS NULL;
CREATE INDEX cash_shifts_unclosed ON cash_shifts(staff_id, business_day) WHERE closing_id IS NULL;

-- A closed drawer is history: only the Z that takes it may be written, once.
CREATE TRIGGER cash_shifts_closed_stay_closed BEFORE UPDATE ON cash_shifts
  WHEN OLD.closed_at IS NOT NULL AND (
    OLD.closing_id IS NOT NULL OR NEW.closing_id IS NULL
    OR NEW.closed_at IS NOT OLD.closed_at OR NEW.counted_usd_cents IS NOT OLD.counted_usd_cents
    OR NEW.counted_ves_cents IS NOT OLD.counted_ves_cents
    OR NEW.expected_usd_cents IS NOT OLD.expected_usd_cents
    OR NEW.expected_ves_cents IS NOT OLD.expected_ves_cents
    OR NEW.float_usd_cents IS NOT OLD.float_usd_cents OR NEW.float_ves_cents IS NOT OLD.float_ves_cents
    OR NEW.opened_at IS NOT OLD.opened_at OR NEW.staff_id IS NOT OLD.staff_id
    OR NEW.closed_by IS NOT OLD.closed_by OR NEW.note IS NOT OLD.note)
BEGIN
  SELECT RAISE(ABORT, 'a closed cash drawer only changes by being taken into a Z, once');
END;

CREATE TRIGGER cash_shifts_open_keeps_float BEFORE UPDATE ON cash_shifts
  WHEN OLD.closed_at IS NULL AND (
    NEW.float_usd_cents IS NOT OLD.float_usd_cents OR NEW.float_ves_cents IS NOT OLD.float_ves_cents
    OR NEW.opened_at IS NOT OLD.opened_at OR NEW.staff_id IS NOT OLD.staff_id
    OR NEW.closing_id IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'an open cash drawer only changes by being closed');
END;

CREATE TRIGGER cash_shifts_no_delete BEFORE DELETE ON cash_shifts
BEGIN
  SELECT RAISE(ABORT, 'cash drawers are never deleted');
END;

-- Cash put into (PAID_IN: more change) or taken out of (PAID_OUT: a supplier paid, a bank drop) an
-- open drawer, with the reason and, for a cashier's paid-out, the supervisor who approved it.
CREATE TABLE cash_movements (
  id            INTEGER PRIMARY KEY,
  shift_id      INTEGER NOT NULL REFERENCES cash_shifts(id),
  kind          TEXT    NOT NULL CHECK (kind IN ('PAID_IN', 'PAID_OUT')),
  currency      TEXT    NOT NULL CHECK (currency IN ('USD', 'VES')),
  amount_cents  INTEGER NOT NULL CHECK (amount_cents > 0),
  reason        TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
  actor         TEXT    NOT NULL,
  approved_by   TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX cash_movements_by_shift ON cash_movements(shift_id);

CREATE TRIGGER cash_movements_append_only BEFORE UPDATE ON cash_movements
BEGIN
  SELECT RAISE(ABORT, 'cash movements are append-only');
END;

CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements
BEGIN
  SELECT RAISE(ABORT, 'cash movements are append-only');
END;

CREATE TRIGGER cash_movements_only_into_open_drawers BEFORE INSERT ON cash_movements
  WHEN (SELECT closed_at FROM cash_shifts WHERE id = NEW.shift_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'cash moves only in or out of an open drawer');
END;

-- A Z report is per staff member, by id (payments carry the actor text; a Z names the person).
-- Z reports taken before this version keep NULL and are found by their actor.
ALTER TABLE day_closings ADD COLUMN staff_id INTEGER REFERENCES users(id);
CREATE UNIQUE INDEX one_z_per_staff_and_day ON day_closings(staff_id, business_day) WHERE staff_id IS NOT NULL;
