import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import type { CliCommand } from '../command.ts';

const trainingCommand: CliCommand = {
  name: 'training',
  usage:
    "training [--enable]                the store's mode; --enable makes a new store a training store (final)",
  options: { enable: { type: 'boolean', default: false } },
  database: 'existing',
  access: 'read',
  run: ({ db, clock, values, actor }) => {
    const modes = new TerminalModeStore(db(), clock);
    if (values.enable === true) modes.enableTraining(actor);
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
