import type { Clock } from '../../../../shared/clock.ts';
import { TaquillaError } from '../../../../shared/errors.ts';
import {
  type PaymentProviderSetting,
  paymentProviderSetInput,
} from '../../../../shared/schemas/payment-providers.ts';
import { parseInput } from '../../../../shared/validation.ts';
import type { Db } from '../../../store/database.ts';
import type { TerminalMode } from '../../terminal-mode/terminal-mode.ts';
import type { PaymentProvider } from './payment-provider.ts';
import { TrainingProvider } from './training-provider.ts';

/** How a provider is built, and whether it may exist on a live store. */
export interface ProviderFactory {
  /** Simulated approvals: only on a training store. */
  trainingOnly: boolean;
  create: () => PaymentProvider;
}

/**
 * The providers this build knows. Real ones (a bank's POS integration, a Pago Móvil verification
 * service) join here; until one does, a live kiosk takes no card or Pago Móvil payment and offers
 * "Pagar en taquilla" instead.
 */
export const BUILT_IN_PROVIDERS: Readonly<Record<string, ProviderFactory>> = {
  training: { trainingOnly: true, create: () => new TrainingProvider() },
};

/**
 * Which payment provider this terminal's kiosk uses: a terminal setting (migration 009,
 * `payment_provider_setting`), set by a supervisor (API `paymentProvider.set`, CLI
 * `taquilla payment-provider --set NAME`). An unknown name, or the training provider on a live store,
 * is refused and nothing is written.
 */
export class PaymentProviders {
  private readonly sql;
  private readonly factories: Readonly<Record<string, ProviderFactory>>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** The store's mode, read when needed (training is chosen once and is final). */
    private readonly mode: () => TerminalMode,
    factories: Readonly<Record<string, ProviderFactory>> = BUILT_IN_PROVIDERS,
  ) {
    this.factories = factories;
    this.sql = {
      get: db.prepare<[], { provider: string }>('SELECT provider FROM payment_provider_setting WHERE id = 1'),
      set: db.prepare<[string, number, string]>(
        `INSERT INTO payment_provider_setting (id, provider, set_at, set_by) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, set_at = excluded.set_at,
           set_by = excluded.set_by`,
      ),
      clear: db.prepare('DELETE FROM payment_provider_setting WHERE id = 1'),
    };
  }

  /** The names that can be configured on this store. */
  available(): string[] {
    const training = this.mode() === 'training';
    return Object.entries(this.factories)
      .filter(([, f]) => training || !f.trainingOnly)
      .map(([name]) => name)
      .sort();
  }

  setting(): PaymentProviderSetting {
    return { provider: this.sql.get.get()?.provider ?? null, available: this.available(), mode: this.mode() };
  }

  /** The configured provider, or null (none: the kiosk offers "Pagar en taquilla"). */
  current(): PaymentProvider | null {
    const name = this.sql.get.get()?.provider;
    return name === undefined ? null : this.byName(name);
  }

  /** A provider by name if this store may use it (to give back what it confirmed earlier). */
  byName(name: string): PaymentProvider | null {
    const factory = Object.hasOwn(this.factories, name) ? this.factories[name] : undefined;
    if (!factory || (factory.trainingOnly && this.mode() !== 'training')) return null;
    return factory.create();
  }

  /** Supervisor: choose the provider (null: none). Refused, writing nothing, unless it can exist here. */
  set(raw: unknown): PaymentProviderSetting {
    const input = parseInput(paymentProviderSetInput, raw);
    this.db
      .transaction(() => {
        if (input.provider === null) {
          this.sql.clear.run();
          return;
        }
        const factory = Object.hasOwn(this.factories, input.provider)
          ? this.factories[input.provider]
          : undefined;
        if (!factory) {
          throw new TaquillaError(
            'UNKNOWN_PAYMENT_PROVIDER',
            `There is no payment provider '${input.provider}' (available: ${this.available().join(', ') || 'none'})`,
            { provider: input.provider, available: this.available() },
          );
        }
        if (factory.trainingOnly && this.mode() !== 'training') {
          throw new TaquillaError(
            'TRAINING_MODE',
            `The '${input.provider}' provider approves nothing for real: it exists only on a training store`,
            { reason: 'live-store' },
          );
        }
        this.sql.set.run(input.provider, this.clock.now(), input.actor);
      })
      .immediate();
    return this.setting();
  }
}
