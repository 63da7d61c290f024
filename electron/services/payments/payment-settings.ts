import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { formatRate, parseRate, rateInRange } from '../../../shared/money.ts';
import {
  DEFAULT_DEPOSIT_MINIMUM_BASIS_POINTS,
  percentToBasisPoints,
  RATE_CHANGE_CONFIRM_PERCENT,
  rateChangePercent,
} from '../../../shared/payments.ts';
import { paymentSettingsInput } from '../../../shared/schemas/payments.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import type { Catalog } from '../reservations/catalog.ts';

/** A stored rate that parses and is in range (an older store may hold one that is not). */
function knownRate(text: string): boolean {
  try {
    return rateInRange(parseRate(text));
  } catch {
    return false;
  }
}

/** An event's payment settings: its minimum deposit and its exchange rate (Bs. per USD). */
export class PaymentSettings {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly catalog: Catalog,
  ) {
    this.sql = {
      depositMinimum: db.prepare<[number], { bp: number }>(
        'SELECT deposit_minimum_basis_points AS bp FROM event_payment_settings WHERE event_id = ?',
      ),
      setDepositMinimum: db.prepare<[{ event: number; bp: number; now: number; actor: string }]>(
        `INSERT INTO event_payment_settings (event_id, deposit_minimum_basis_points, updated_at, updated_by)
         VALUES (@event, @bp, @now, @actor)
         ON CONFLICT (event_id) DO UPDATE SET deposit_minimum_basis_points = @bp, updated_at = @now,
           updated_by = @actor`,
      ),
      setRate: db.prepare<[string, number]>('UPDATE events SET ves_per_usd = ? WHERE id = ?'),
    };
  }

  /** Supervisor: the event's minimum deposit and/or exchange rate. Past payments keep their rate. */
  setEventSettings(raw: unknown): {
    eventId: number;
    depositMinimumBasisPoints: number;
    vesPerUsd: string;
  } {
    const input = parseInput(paymentSettingsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        if (input.depositMinimumPercent !== undefined) {
          this.sql.setDepositMinimum.run({
            event: input.eventId,
            bp: percentToBasisPoints(input.depositMinimumPercent),
            now,
            actor: input.actor,
          });
        }
        if (input.vesPerUsd !== undefined) {
          // In range already (the schema); far from today's rate only when the supervisor confirms.
          const proposed = parseRate(input.vesPerUsd);
          const current = this.catalog.event(input.eventId).ves_per_usd;
          const changePercent = knownRate(current) ? rateChangePercent(current, proposed) : 0;
          if (changePercent > RATE_CHANGE_CONFIRM_PERCENT && input.confirmRateChange !== true) {
            throw new TaquillaError(
              'RATE_CHANGE_UNCONFIRMED',
              `The rate would change by ${changePercent} % (${current} → ${formatRate(proposed)} Bs./USD): ` +
                'confirm the change',
              {
                eventId: input.eventId,
                current: formatRate(parseRate(current)),
                proposed: formatRate(proposed),
                changePercent,
                confirmAbovePercent: RATE_CHANGE_CONFIRM_PERCENT,
              },
            );
          }
          this.sql.setRate.run(formatRate(proposed), input.eventId);
        }
        return {
          eventId: input.eventId,
          depositMinimumBasisPoints: this.depositMinimumBasisPoints(input.eventId),
          vesPerUsd: this.catalog.event(input.eventId).ves_per_usd,
        };
      })
      .immediate();
  }

  depositMinimumBasisPoints(eventId: number): number {
    return this.sql.depositMinimum.get(eventId)?.bp ?? DEFAULT_DEPOSIT_MINIMUM_BASIS_POINTS;
  }
}
