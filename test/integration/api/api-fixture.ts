import { join } from 'node:path';
import { startCounterServer } from '../../../electron/api/counter-server.ts';
import type { RunningServer } from '../../../electron/api/http-server.ts';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { TerminalModeStore } from '../../../electron/services/terminal-mode/terminal-mode.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

export interface ApiFixture {
  terminal: Terminal;
  server: RunningServer;
  clock: ManualClock;
  base: string;
  eventId: number;
  seatIds: number[];
  numberedZoneId: number;
  gaZoneId: number;
  users: { cashier: number; other: number; supervisor: number };
  /** The store's file (its folder is removed by close). */
  file: string;
  dir: string;
  /** POST /api/<method> with the terminal token, and a session token when given. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered
  call: (method: string, input: unknown, session?: string) => Promise<{ status: number; body: any }>;
  signIn: (userId: number, pin: string) => Promise<string>;
  close: () => Promise<void>;
}

/** A real terminal on a temp SQLite file, served on a loopback port, with three staff members. */
export async function startApi(
  options: { testClock?: boolean; training?: boolean; kiosk?: boolean } = {},
): Promise<ApiFixture> {
  const { dir, remove } = tempDir('taquilla-api-');
  const file = join(dir, 'terminal.db');
  const setup = openDatabase(file);
  const tenantId = createTenant(setup, 'Prueba', T0);
  const venueId = createVenue(setup, tenantId, 'Sala Prueba');
  const created = createEvent(
    setup,
    {
      tenantId,
      venueId,
      name: 'Concierto de prueba',
      startsAt: T0 + 86_400_000,
      vesPerUsd: '36.50',
      zones: [
        {
          kind: 'numbered',
          code: 'PLA',
          name: 'Platea',
          priceCents: 2500,
          seats: ['A', 'B'].flatMap((row, r) =>
            Array.from({ length: 10 }, (_, i) => ({
              row,
              number: i + 1,
              x: i * 10,
              y: r * 10,
            })),
          ),
        },
        {
          kind: 'general',
          code: 'GEN',
          name: 'General',
          priceCents: 1000,
          capacity: 5,
        },
      ],
    },
    T0,
  );
  if (options.training) new TerminalModeStore(setup, new ManualClock(T0)).enableTraining('test');
  setup.close();
  const clock = new ManualClock(T0);
  const terminal = createTerminal({ dbFile: file, clock, kiosk: options.kiosk ?? false });
  const users = {
    cashier: await terminal.sessions.createUser('Ana', 'cashier', '1234'),
    other: await terminal.sessions.createUser('Beto', 'cashier', '4321'),
    supervisor: await terminal.sessions.createUser('Sara', 'supervisor', '9999'),
  };
  const server = await startCounterServer(terminal, {
    ...(options.testClock ? { advanceClock: (ms: number) => clock.advance(ms) } : {}),
  });
  const base = `http://127.0.0.1:${server.port}`;
  const call: ApiFixture['call'] = async (method, input, session) => {
    const res = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-taquilla-token': server.token,
        ...(session ? { 'x-taquilla-session': session } : {}),
      },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: await res.json() };
  };
  const [numbered, ga] = created.zones;
  return {
    terminal,
    server,
    clock,
    base,
    eventId: created.eventId,
    seatIds: numbered!.seatIds,
    numberedZoneId: numbered!.id,
    gaZoneId: ga!.id,
    users,
    file,
    dir,
    call,
    signIn: async (userId, pin) => {
      const { status, body } = await call('session.signIn', { userId, pin });
      if (status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
      return body.sessionToken as string;
    },
    close: async () => {
      await server.close();
      terminal.close();
      remove();
    },
  };
}
