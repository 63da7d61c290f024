import { formatDateTime } from '../../../shared/i18n/formats.ts';
import { TicketSigner } from '../../services/printing/ticket-signing.ts';
import { registerKeysIfEnrolled } from './keyset-commands.ts';
import { PinGuard, type PinLock, type PinLockTarget } from '../../services/session/pin-guard.ts';
import { type CliCommand, positiveInt, UsageError } from '../command.ts';

function describeLock(lock: PinLock): string {
  const what =
    lock.scope === 'user'
      ? `user ${lock.name ?? `#${lock.userId}`}`
      : lock.scope === 'supervisor-override'
        ? 'supervisor override'
        : 'every PIN at this terminal';
  const where = lock.station === 'kiosk' ? ' (kiosk)' : '';
  return `${what}${where} until ${formatDateTime('es', lock.until)}`;
}

const pinLocksCommand: CliCommand = {
  name: 'pin-locks',
  usage: 'pin-locks                         PIN locks in force (users, supervisor override, terminal)',
  database: 'existing',
  run: ({ db, clock }) => {
    const locks = new PinGuard(db(), clock).locks();
    return {
      json: { locks },
      text: locks.length === 0 ? 'No PIN locks.' : locks.map(describeLock).join('\n'),
    };
  },
};

const unlockCommand: CliCommand = {
  name: 'unlock-user',
  usage:
    "unlock-user (--user NAME|ID | --override | --terminal | --all) [--kiosk]  lift a PIN lock before its time (audited); --kiosk: the kiosk's own",
  options: {
    user: { type: 'string' },
    override: { type: 'boolean', default: false },
    terminal: { type: 'boolean', default: false },
    kiosk: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
  },
  database: 'existing',
  run: ({ db, clock, values, actor }) => {
    const chosen = [values.user !== undefined, values.override, values.terminal, values.all].filter(
      Boolean,
    ).length;
    if (chosen !== 1)
      throw new UsageError('give exactly one of --user NAME|ID, --override, --terminal, --all');
    const guard = new PinGuard(db(), clock);
    let targets: PinLockTarget[];
    const station = values.kiosk === true ? { station: 'kiosk' as const } : {};
    if (values.all) {
      targets = guard
        .locks()
        .map((l) =>
          l.scope === 'user'
            ? { scope: 'user', userId: l.userId! }
            : { scope: l.scope, ...(l.station ? { station: l.station } : {}) },
        );
    } else if (values.override) {
      targets = [{ scope: 'supervisor-override', ...station }];
    } else if (values.terminal) {
      targets = [{ scope: 'terminal', ...station }];
    } else {
      const given = String(values.user).trim();
      const user = db()
        .prepare<[string, number], { id: number; name: string }>(
          'SELECT id, name FROM users WHERE name = ? OR id = ?',
        )
        .get(given, /^\d+$/.test(given) ? positiveInt(given, '--user') : -1);
      if (!user) throw new UsageError(`no user '${given}' (give a name or an id)`);
      targets = [{ scope: 'user', userId: user.id }];
    }
    const lifted = targets.filter((target) => guard.unlock(target, actor));
    return {
      json: { unlocked: lifted },
      text: lifted.length === 0 ? 'Nothing was locked.' : `Unlocked ${lifted.length}.`,
    };
  },
};

const rotateCommand: CliCommand = {
  name: 'rotate-ticket-key',
  usage:
    'rotate-ticket-key [--tenant ID]     retire the ticket signing key and make a new one (old tickets stay valid)',
  options: { tenant: { type: 'string' } },
  database: 'existing',
  run: async ({ db, clock, storeKey, values }) => {
    const tenants =
      values.tenant === undefined
        ? db()
            .prepare<[], { id: number }>('SELECT id FROM tenants ORDER BY id')
            .all()
            .map((t) => t.id)
        : [positiveInt(values.tenant, '--tenant')];
    if (tenants.length === 0) throw new UsageError('this store has no tenant');
    const known = db().prepare<[number], { id: number }>('SELECT id FROM tenants WHERE id = ?');
    for (const id of tenants) if (!known.get(id)) throw new UsageError(`no tenant ${id} in this store`);
    const signer = new TicketSigner(db(), clock, storeKey());
    const rotated = tenants.map((tenantId) => ({ tenantId, ...signer.rotate(tenantId) }));
    // Enrolled: the new key (and the old one's retirement) go to the server, so every door knows them.
    const registered = await registerKeysIfEnrolled(db(), clock, storeKey());
    return {
      json: { rotated },
      text:
        rotated
          .map(
            (r) =>
              `tenant ${r.tenantId}: signing with ${r.keyId}${r.retired ? `, ${r.retired} retired (still verifies)` : ''}`,
          )
          .join('\n') + registered,
    };
  },
};

export const securityCommands: CliCommand[] = [pinLocksCommand, unlockCommand, rotateCommand];
