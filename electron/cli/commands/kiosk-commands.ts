import { ProviderConfirmations } from '../../services/payments/provider-confirmations.ts';
import { PaymentProviders } from '../../services/payments/providers/provider-registry.ts';
import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import { type CliCommand, UsageError } from '../command.ts';

const paymentProviderCommand: CliCommand = {
  name: 'payment-provider',
  usage:
    "payment-provider [--set NAME | --none]  the kiosk's payment provider (none: customers pay at the counter)",
  options: { set: { type: 'string' }, none: { type: 'boolean', default: false } },
  database: 'existing',
  run: ({ db, clock, values, actor }) => {
    if (values.set !== undefined && values.none === true)
      throw new UsageError('give --set NAME or --none, not both');
    const modes = new TerminalModeStore(db(), clock);
    const providers = new PaymentProviders(db(), clock, () => modes.mode());
    if (typeof values.set === 'string') providers.set({ provider: values.set, actor });
    if (values.none === true) providers.set({ provider: null, actor });
    const setting = providers.setting();
    // Money a provider took that paid nothing (a sale refused after the charge, not given back).
    const unsettled = new ProviderConfirmations(db(), clock).unsettled();
    const lines = [
      setting.provider === null
        ? 'No payment provider: the kiosk offers "Pagar en taquilla" (the customer pays at the counter).'
        : `Payment provider: ${setting.provider}.`,
      `Available on this ${setting.mode} store: ${setting.available.join(', ') || 'none'}.`,
      ...unsettled.map(
        (c) =>
          `Not given back: ${c.provider} ${c.method} ${c.approvalReference}, ${c.amountCents} ${c.currency} cents (attempt ${c.requestId}).`,
      ),
    ];
    return { json: { ...setting, unsettled }, text: lines.join('\n') };
  },
};

export const kioskCommands: CliCommand[] = [paymentProviderCommand];
