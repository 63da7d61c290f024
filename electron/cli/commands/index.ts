import type { CliCommand } from '../command.ts';
import { backupCommands } from './backup-commands.ts';
import { keysetCommands } from './keyset-commands.ts';
import { kioskCommands } from './kiosk-commands.ts';
import { leaseCommands } from './lease-commands.ts';
import { modeCommands } from './mode-commands.ts';
import { paymentCommands } from './payment-commands.ts';
import { printingCommands } from './printing-commands.ts';
import { reservationCommands } from './reservation-commands.ts';
import { securityCommands } from './security-commands.ts';
import { serveCommands } from './serve-commands.ts';
import { staffCommands } from './staff-commands.ts';
import { syncCommands } from './sync-commands.ts';
import { voidCommands } from './void-commands.ts';

/** Every `taquilla` subcommand. Each capability adds its own list here. */
export const commands: CliCommand[] = [
  ...reservationCommands,
  ...serveCommands,
  ...staffCommands,
  ...paymentCommands,
  ...printingCommands,
  ...syncCommands,
  ...leaseCommands,
  ...modeCommands,
  ...backupCommands,
  ...securityCommands,
  ...kioskCommands,
  ...voidCommands,
  ...keysetCommands,
];
