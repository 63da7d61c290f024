import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { Db } from '../../store/database.ts';

/**
 * 'live' sells for real; 'training' is a practice store: simulated card approvals exist, every ticket
 * and receipt prints "ENTRENAMIENTO — SIN VALOR", the screens say so, and nothing is ever synced.
 */
export type TerminalMode = 'live' | 'training';

/**
 * The store's mode (migration 007). Training is chosen once, on a store that has sold nothing and is
 * not enrolled, and is final: practice sales never mix with real takings.
 */
export class TerminalModeStore {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = {
      mode: db.prepare<[], { mode: 'training' }>('SELECT mode FROM terminal_mode WHERE id = 1'),
      enrolled: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sync_credentials'),
      sales: db.prepare<[], { n: number }>(
        `SELECT (SELECT COUNT(*) FROM payments)
              + (SELECT COUNT(*) FROM transactions WHERE status IN ('COMPLETED', 'RESERVED')) AS n`,
      ),
      set: db.prepare<[number, string]>(
        "INSERT INTO terminal_mode (id, mode, set_at, set_by) VALUES (1, 'training', ?, ?)",
      ),
    };
  }

  mode(): TerminalMode {
    return this.sql.mode.get() ? 'training' : 'live';
  }

  /** Makes this a training store; refused (TRAINING_MODE) once it is enrolled or has sold anything. */
  enableTraining(actor: string): void {
    this.db
      .transaction(() => {
        if (this.mode() === 'training') return;
        if (this.sql.enrolled.get()!.n > 0) {
          throw new TaquillaError(
            'TRAINING_MODE',
            'This store is enrolled with a server; use a new store for training',
            {
              reason: 'enrolled',
            },
          );
        }
        if (this.sql.sales.get()!.n > 0) {
          throw new TaquillaError(
            'TRAINING_MODE',
            'This store has real sales; use a new store for training',
            {
              reason: 'has-sales',
            },
          );
        }
        this.sql.set.run(this.clock.now(), actor);
      })
      .immediate();
  }

  /** Refuses what a training store must never do (enrol with a server). */
  assertLive(what: string): void {
    if (this.mode() === 'training') {
      throw new TaquillaError('TRAINING_MODE', `A training store cannot ${what}`, {
        reason: 'training-store',
      });
    }
  }
}
