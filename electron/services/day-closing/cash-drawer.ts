import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  type CashMovement,
  cashMovementInput,
  type CashShift,
  closeShiftInput,
  type DrawerCurrency,
  type DrawerState,
  openShiftInput,
  type StaffReference,
} from '../../../shared/schemas/day-closing.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import type { BusinessCalendar } from './business-calendar.ts';
import type { Staff, StaffDirectory } from './staff-directory.ts';

type Currency = 'USD' | 'VES';
const CURRENCIES: readonly Currency[] = ['USD', 'VES'];

export interface ShiftRow {
  id: number;
  staff_id: number;
  staff: string;
  business_day: string;
  opened_at: number;
  opened_by: string;
  float_usd_cents: number;
  float_ves_cents: number;
  closed_at: number | null;
  closed_by: string | null;
  expected_usd_cents: number | null;
  expected_ves_cents: number | null;
  counted_usd_cents: number | null;
  counted_ves_cents: number | null;
  note: string | null;
  closing_id: number | null;
}

interface MovementRow {
  id: number;
  kind: 'PAID_IN' | 'PAID_OUT';
  currency: Currency;
  amount_cents: number;
  reason: string;
  actor: string;
  approved_by: string | null;
  created_at: number;
}

/** What the cash of one staff member did between two instants, per currency (inclusive window). */
interface CashFlow {
  cashIn: Record<Currency, number>;
  change: Record<Currency, number>;
  /** Cash refunds of voided sales (VoidService): they leave the drawer of whoever voided. */
  refunds: Record<Currency, number>;
}

const SHIFT_COLUMNS = `id, staff_id, staff, business_day, opened_at, opened_by, float_usd_cents, float_ves_cents,
  closed_at, closed_by, expected_usd_cents, expected_ves_cents, counted_usd_cents, counted_ves_cents, note,
  closing_id`;

/**
 * The cash drawer (issue 16): a staff member opens it with a float per currency, puts cash in or
 * takes it out with a reason (a cashier's paid-out approved by a supervisor), and closes it by
 * counting each currency. What the drawer should hold is float + cash tenders taken − change given
 * − cash refunds of voids + paid in − paid out, over the staff member's payments between opening and closing; at closing
 * the expected and counted amounts are stored and the over/short is their difference. The tables
 * are append-only (a closed drawer changes only by being taken into a Z): they are the audit
 * trail of the cash, with who, when, why and who approved.
 */
export class CashDrawer {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly staff: StaffDirectory,
    private readonly calendar: BusinessCalendar,
  ) {
    const byActors = `p.cashier IN (SELECT value FROM json_each(@actors))
      AND p.created_at >= @from AND p.created_at <= @until`;
    this.sql = {
      open: db.prepare<[number], ShiftRow>(
        `SELECT ${SHIFT_COLUMNS} FROM cash_shifts WHERE staff_id = ? AND closed_at IS NULL`,
      ),
      // The open drawer, or else the latest closed one no Z has taken yet (its count to show).
      current: db.prepare<[number], ShiftRow>(
        `SELECT ${SHIFT_COLUMNS} FROM cash_shifts WHERE staff_id = ? AND closing_id IS NULL
         ORDER BY closed_at IS NULL DESC, opened_at DESC LIMIT 1`,
      ),
      byId: db.prepare<[number], ShiftRow>(`SELECT ${SHIFT_COLUMNS} FROM cash_shifts WHERE id = ?`),
      untaken: db.prepare<[{ staffId: number | null }], ShiftRow>(
        `SELECT ${SHIFT_COLUMNS} FROM cash_shifts
         WHERE closing_id IS NULL AND (@staffId IS NULL OR staff_id = @staffId) ORDER BY opened_at`,
      ),
      insert: db.prepare<
        [
          {
            staffId: number;
            staff: string;
            day: string;
            now: number;
            actor: string;
            usd: number;
            ves: number;
          },
        ],
        { id: number }
      >(
        `INSERT INTO cash_shifts (staff_id, staff, business_day, opened_at, opened_by, float_usd_cents, float_ves_cents)
         VALUES (@staffId, @staff, @day, @now, @actor, @usd, @ves) RETURNING id`,
      ),
      close: db.prepare<
        [
          {
            id: number;
            now: number;
            actor: string;
            expectedUsd: number;
            expectedVes: number;
            countedUsd: number;
            countedVes: number;
            note: string | null;
          },
        ]
      >(
        `UPDATE cash_shifts SET closed_at = @now, closed_by = @actor, expected_usd_cents = @expectedUsd,
           expected_ves_cents = @expectedVes, counted_usd_cents = @countedUsd, counted_ves_cents = @countedVes,
           note = @note
         WHERE id = @id AND closed_at IS NULL`,
      ),
      movements: db.prepare<[number], MovementRow>(
        `SELECT id, kind, currency, amount_cents, reason, actor, approved_by, created_at FROM cash_movements
         WHERE shift_id = ? ORDER BY id`,
      ),
      insertMovement: db.prepare<
        [
          {
            shiftId: number;
            kind: string;
            currency: Currency;
            cents: number;
            reason: string;
            actor: string;
            approvedBy: string | null;
            now: number;
          },
        ]
      >(
        `INSERT INTO cash_movements (shift_id, kind, currency, amount_cents, reason, actor, approved_by, created_at)
         VALUES (@shiftId, @kind, @currency, @cents, @reason, @actor, @approvedBy, @now)`,
      ),
      cashIn: db.prepare<
        [{ actors: string; from: number; until: number }],
        { currency: Currency; cents: number }
      >(
        `SELECT t.currency, SUM(t.amount_cents) AS cents FROM payment_tenders t JOIN payments p ON p.id = t.payment_id
         WHERE ${byActors} AND t.method IN ('CASH_USD', 'CASH_VES') GROUP BY t.currency`,
      ),
      change: db.prepare<
        [{ actors: string; from: number; until: number }],
        { currency: Currency; cents: number }
      >(
        `SELECT p.change_currency AS currency, SUM(p.change_cents) AS cents FROM payments p
         WHERE ${byActors} AND p.change_cents > 0 GROUP BY p.change_currency`,
      ),
      refunds: db.prepare<
        [{ actors: string; from: number; until: number }],
        { currency: Currency; cents: number }
      >(
        `SELECT r.currency, SUM(r.amount_cents) AS cents FROM refund_tenders r JOIN voids v ON v.id = r.void_id
         WHERE v.actor IN (SELECT value FROM json_each(@actors)) AND v.created_at >= @from
           AND v.created_at <= @until AND r.method IN ('CASH_USD', 'CASH_VES') GROUP BY r.currency`,
      ),
      closingNumber: db.prepare<[number], { number: number }>('SELECT number FROM day_closings WHERE id = ?'),
    };
  }

  /** The staff member's drawer as the screen shows it, and the business day it is now. */
  state(reference: StaffReference): DrawerState {
    const staff = this.drawerKeeper(reference);
    const row = this.sql.current.get(staff.staffId);
    const cutoffHour = this.calendar.cutoffHour();
    return {
      shift: row ? this.view(row, staff) : null,
      businessDay: this.calendar.today(cutoffHour),
      cutoffHour,
    };
  }

  /** Opens the staff member's drawer with the float counted into it. SHIFT_OPEN if one is open. */
  open(raw: unknown): CashShift {
    const input = parseInput(openShiftInput, raw);
    return this.db
      .transaction(() => {
        const staff = this.drawerKeeper(input.staff);
        const open = this.sql.open.get(staff.staffId);
        if (open) throw shiftOpen(open);
        const now = this.clock.now();
        const { id } = this.sql.insert.get({
          staffId: staff.staffId,
          staff: staff.actor,
          day: this.calendar.dayOf(now),
          now,
          actor: input.actor,
          usd: input.floatUsdCents,
          ves: input.floatVesCents,
        })!;
        return this.view(this.sql.byId.get(id)!, staff);
      })
      .immediate();
  }

  /**
   * Cash in (PAID_IN) or out (PAID_OUT) of the open drawer, with a reason. A paid-out needs a
   * supervisor's approval unless a supervisor takes it from their own drawer, and never takes more
   * than the drawer should hold in that currency.
   */
  move(raw: unknown): CashShift {
    const input = parseInput(cashMovementInput, raw);
    return this.db
      .transaction(() => {
        const staff = this.drawerKeeper(input.staff);
        const shift = this.openOrThrow(staff);
        let approvedBy = input.approvedBy ?? null;
        if (input.kind === 'PAID_OUT') {
          if (approvedBy === null && staff.role === 'supervisor' && input.actor === staff.actor) {
            approvedBy = staff.actor;
          }
          if (approvedBy === null) {
            throw new TaquillaError('APPROVAL_REQUIRED', 'A paid-out needs a supervisor to approve it', {
              kind: 'PAID_OUT',
            });
          }
          const now = this.clock.now();
          const available = this.figures(shift, staff, now).find((d) => d.currency === input.currency)!;
          if (input.amountCents > available.expectedCents) {
            throw new TaquillaError(
              'INSUFFICIENT_CASH',
              `The drawer should hold ${available.expectedCents} ${input.currency} cents, less than ${input.amountCents}`,
              {
                currency: input.currency,
                requestedCents: input.amountCents,
                availableCents: Math.max(0, available.expectedCents),
              },
            );
          }
        }
        this.sql.insertMovement.run({
          shiftId: shift.id,
          kind: input.kind,
          currency: input.currency,
          cents: input.amountCents,
          reason: input.reason,
          actor: input.actor,
          approvedBy,
          now: this.clock.now(),
        });
        return this.view(shift, staff);
      })
      .immediate();
  }

  /**
   * Closes the open drawer with the cash counted in each currency: expected and counted are stored,
   * and the over (+) or short (−) is their difference. The drawer then waits for the day's Z.
   */
  close(raw: unknown): CashShift {
    const input = parseInput(closeShiftInput, raw);
    return this.db
      .transaction(() => {
        const staff = this.drawerKeeper(input.staff);
        const shift = this.openOrThrow(staff);
        const now = this.clock.now();
        const drawer = this.figures(shift, staff, now);
        this.sql.close.run({
          id: shift.id,
          now,
          actor: input.actor,
          expectedUsd: drawer[0]!.expectedCents,
          expectedVes: drawer[1]!.expectedCents,
          countedUsd: input.countedUsdCents,
          countedVes: input.countedVesCents,
          note: input.note ?? null,
        });
        return this.view(this.sql.byId.get(shift.id)!, staff);
      })
      .immediate();
  }

  /** Drawers no Z has taken yet: the staff member's, or everyone's (oldest first). */
  untaken(staffId: number | null): ShiftRow[] {
    return this.sql.untaken.all({ staffId });
  }

  /**
   * A drawer's figures per currency (USD, VES). A closed drawer reads its stored expected and counted
   * amounts; an open one is computed up to `until`.
   */
  figures(shift: ShiftRow, staff: Pick<Staff, 'actors'>, until: number): DrawerCurrency[] {
    const flow = this.flow(staff.actors, shift.opened_at, shift.closed_at ?? until);
    const moved = { PAID_IN: { USD: 0, VES: 0 }, PAID_OUT: { USD: 0, VES: 0 } };
    for (const m of this.sql.movements.all(shift.id)) moved[m.kind][m.currency] += m.amount_cents;
    return CURRENCIES.map((currency) => {
      const floatCents = currency === 'USD' ? shift.float_usd_cents : shift.float_ves_cents;
      const computed =
        floatCents +
        flow.cashIn[currency] -
        flow.change[currency] -
        flow.refunds[currency] +
        moved.PAID_IN[currency] -
        moved.PAID_OUT[currency];
      const stored = currency === 'USD' ? shift.expected_usd_cents : shift.expected_ves_cents;
      const counted = currency === 'USD' ? shift.counted_usd_cents : shift.counted_ves_cents;
      const expectedCents = stored ?? computed;
      return {
        currency,
        floatCents,
        cashInCents: flow.cashIn[currency],
        changeCents: flow.change[currency],
        refundCents: flow.refunds[currency],
        paidInCents: moved.PAID_IN[currency],
        paidOutCents: moved.PAID_OUT[currency],
        expectedCents,
        countedCents: counted,
        overShortCents: counted === null ? null : counted - expectedCents,
      };
    });
  }

  /** A shift as the API returns it. */
  view(row: ShiftRow, staff: Pick<Staff, 'actors' | 'name'>): CashShift {
    const closing = row.closing_id === null ? null : this.sql.closingNumber.get(row.closing_id)!.number;
    return {
      id: row.id,
      staffId: row.staff_id,
      staffName: staff.name,
      businessDay: row.business_day,
      status: row.closed_at === null ? 'OPEN' : 'CLOSED',
      openedAt: row.opened_at,
      openedBy: row.opened_by,
      closedAt: row.closed_at,
      closedBy: row.closed_by,
      note: row.note,
      closingNumber: closing,
      drawer: this.figures(row, staff, this.clock.now()),
      movements: this.sql.movements.all(row.id).map((m): CashMovement => ({
        id: m.id,
        kind: m.kind,
        currency: m.currency,
        amountCents: m.amount_cents,
        reason: m.reason,
        actor: m.actor,
        approvedBy: m.approved_by,
        at: m.created_at,
      })),
    };
  }

  private flow(actors: string[], from: number, until: number): CashFlow {
    const params = { actors: JSON.stringify(actors), from, until };
    const flow: CashFlow = {
      cashIn: { USD: 0, VES: 0 },
      change: { USD: 0, VES: 0 },
      refunds: { USD: 0, VES: 0 },
    };
    for (const r of this.sql.cashIn.all(params)) flow.cashIn[r.currency] = r.cents;
    for (const r of this.sql.change.all(params)) flow.change[r.currency] = r.cents;
    for (const r of this.sql.refunds.all(params)) flow.refunds[r.currency] = r.cents;
    return flow;
  }

  /** Only staff with a user keep a drawer (the kiosk takes no cash). */
  private drawerKeeper(reference: StaffReference): Staff & { staffId: number } {
    const staff = this.staff.resolve(reference);
    if (staff.staffId === null) {
      throw new TaquillaError('UNKNOWN_STAFF', 'The kiosk keeps no cash drawer', {
        reference: staff.name,
        reason: 'unknown',
        known: this.staff.known().filter((k) => k.staffId !== null),
      });
    }
    return staff as Staff & { staffId: number };
  }

  private openOrThrow(staff: Staff & { staffId: number }): ShiftRow {
    const open = this.sql.open.get(staff.staffId);
    if (!open) {
      throw new TaquillaError('NO_OPEN_SHIFT', `${staff.name} has no cash drawer open`, {
        staffId: staff.staffId,
      });
    }
    return open;
  }
}

export function shiftOpen(row: ShiftRow): TaquillaError<'SHIFT_OPEN'> {
  return new TaquillaError('SHIFT_OPEN', `The cash drawer opened at ${row.opened_at} is still open`, {
    staffId: row.staff_id,
    shiftId: row.id,
    openedAt: row.opened_at,
    businessDay: row.business_day,
  });
}
