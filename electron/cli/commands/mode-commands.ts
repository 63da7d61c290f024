import { PaymentProviders } from '../../services/payments/providers/provider-registry.ts';
import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import type { CliCommand } from '../command.ts';

const trainingCommand: CliCommand = {
  name: 'training',
  usage:
    "training [--enable]                the store's mode; --enable makes a new store a training store (final) with the training payment provider",
  options: { enable: { type: 'boolean', default: false } },
  database: 'existing',
  access: 'read',
  run: ({ db, clock, values, actor }) => {
    const modes = new TerminalModeStore(db(), clock);
    if (values.enable === true && modes.mode() === 'live') {
      modes.enableTraining(actor);
      // Its kiosk simulates card and Pago Móvil approvals from now on (a supervisor may change it).
      const providers = new PaymentProviders(db(), clock, () => modes.mode());
      if (providers.setting().provider === null) providers.set({ provider: 'training', actor });
    }
    const mode = modes.mode();
    return {
      json: { mode },
      text:
        mode === 'training'
          ? 'Training store: simulated approvals, paper marked "ENTRENAMIENTO - SIN VALOR", never synced.'
          : 'Live store: real sales.',
    };
  },
};

export const modeCommands: CliCommand[] = [trainingCommand];
