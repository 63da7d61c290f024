import type { CliCommand } from '../command.ts';
import { reservationCommands } from './reservation-commands.ts';

/** Every `taquilla` subcommand. Each capability adds its own list here. */
export const commands: CliCommand[] = [...reservationCommands];
