import { readFileSync } from 'node:fs';
import { pin as pinSchema } from '../../../shared/api/counter.ts';
import { parseInput } from '../../../shared/validation.ts';
import { SessionService, type StaffRole } from '../../services/session/session-service.ts';
import { type CliCommand, type OptionValues, requiredString, UsageError } from '../command.ts';

/** The PIN, kept off the command line: --pin-file FILE, else TAQUILLA_STAFF_PIN. */
function staffPin(values: OptionValues): string {
  const raw =
    typeof values['pin-file'] === 'string'
      ? (() => {
          try {
            return readFileSync(values['pin-file'], 'utf8');
          } catch (error) {
            throw new UsageError(`cannot read ${values['pin-file']}: ${(error as Error).message}`);
          }
        })()
      : process.env.TAQUILLA_STAFF_PIN;
  if (raw === undefined || raw.trim() === '') {
    throw new UsageError('the PIN is needed: set TAQUILLA_STAFF_PIN or pass --pin-file FILE');
  }
  return parseInput(pinSchema, raw.trim());
}

const addStaffCommand: CliCommand = {
  name: 'add-staff',
  usage:
    'add-staff --name NAME --role cashier|supervisor [--pin-file F]  a cashier or supervisor (PIN: TAQUILLA_STAFF_PIN)',
  options: { name: { type: 'string' }, role: { type: 'string' }, 'pin-file': { type: 'string' } },
  database: 'existing',
  run: async ({ db, clock, values, storeKey }) => {
    const name = requiredString(values.name, '--name').trim();
    const role = values.role;
    if (role !== 'cashier' && role !== 'supervisor')
      throw new UsageError('--role must be cashier or supervisor');
    const id = await new SessionService(db(), clock, { pepper: storeKey().pepper }).createUser(
      name,
      role as StaffRole,
      staffPin(values),
    );
    return { json: { id, name, role }, text: `${name} (${role}) can sign in now.` };
  },
};

const staffCommand: CliCommand = {
  name: 'staff',
  usage: 'staff                             who can sign in at this terminal',
  database: 'existing',
  run: ({ db, clock, storeKey }) => {
    const users = new SessionService(db(), clock, { pepper: storeKey().pepper }).users();
    return {
      json: { users },
      text: users.map((u) => `${u.id}\t${u.role}\t${u.name}`).join('\n') || 'No staff yet.',
    };
  },
};

export const staffCommands: CliCommand[] = [addStaffCommand, staffCommand];
