import { createServer, type Server, Socket } from 'node:net';
import { join } from 'node:path';
import axios from 'axios';
import Database from 'better-sqlite3';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { SyncEngine, serverEventFromStore } from '../../../electron/services/sync/sync-engine.ts';
import { type SmallVenue, smallVenue, tempDir } from '../../support/temp-store.ts';
import { type ServerProcess, serverCli, startServer } from '../server/server-process.ts';

export type ProxyMode = 'up' | 'down' | 'drop-op-replies';

/**
 * A TCP proxy between terminals and the server: 'down' refuses connections (the cable is out),
 * 'drop-op-replies' lets hold operations reach the server but loses their replies (the worst
 * partition: applied, yet unacknowledged).
 */
export class Partition {
  mode: ProxyMode = 'up';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private upstreamPort: () => number) {
    this.server = createServer((client) => {
      if (this.mode === 'down') {
        client.destroy();
        return;
      }
      const mode = this.mode;
      const upstream = new Socket();
      this.sockets.add(client);
      this.sockets.add(upstream);
      let isOp = false;
      upstream.connect(this.upstreamPort(), '127.0.0.1');
      client.on('data', (chunk: Buffer) => {
        if (/\/v1\/(ops\/|batch)/.test(chunk.toString('latin1'))) isOp = true;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (mode === 'drop-op-replies' && isOp) {
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(chunk);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Changes the mode and cuts every open connection (keep-alive sockets must not outlive it). */
  set(mode: ProxyMode): void {
    this.mode = mode;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.set('down');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface TerminalCore {
  venue: SmallVenue;
  sync: SyncEngine;
  /** This terminal's own network path to the server. */
  proxy: Partition;
}

export interface SyncWorld {
  serverDb: string;
  server: ServerProcess;
  admin: { tenantId: number; secret: string };
  terminals: TerminalCore[];
  /** Restarts the server process on the same port and file, optionally with its clock moved ahead. */
  restart: (clockOffsetMs?: number) => Promise<void>;
  enrolTerminal: (name: string) => Promise<TerminalCore>;
  /** Reads the server's database directly: the invariants are checked on the authority. */
  serverRows: <T>(sql: string, ...params: unknown[]) => T[];
  close: () => Promise<void>;
}

export async function syncWorld(
  options: { terminals?: number; leaseMinutes?: number } = {},
): Promise<SyncWorld> {
  const tmp = tempDir('taquilla-sync-');
  const serverDb = join(tmp.dir, 'server.db');
  const admin = serverCli<{ tenantId: number; secret: string }>([
    'create-tenant',
    '--db',
    serverDb,
    '--name',
    'Teatro',
  ]);
  let server = await startServer(['--db', serverDb]);
  const http = axios.create({ baseURL: server.url, headers: { authorization: `Bearer ${admin.secret}` } });
  const terminals: TerminalCore[] = [];
  let published = false;

  const world: SyncWorld = {
    serverDb,
    server,
    admin,
    terminals,
    restart: async (clockOffsetMs = 0) => {
      const port = server.port;
      await server.stop();
      server = await startServer(['--db', serverDb, '--clock-offset-ms', String(clockOffsetMs)], port);
      world.server = server;
    },
    enrolTerminal: async (name) => {
      const venue = smallVenue();
      if (!published) {
        await http.put(
          '/v1/admin/events',
          serverEventFromStore(venue.db, venue.eventId, options.leaseMinutes ?? 60),
        );
        published = true;
      }
      const code = (await http.post('/v1/admin/enrol-codes', { minutes: 5 })).data.result.code as string;
      const proxy = new Partition(() => world.server.port);
      await proxy.listen();
      const sync = new SyncEngine(venue.db, venue.clock, {
        heartbeatMs: 50,
        maxBackoffMs: 200,
        requestTimeoutMs: 3000,
      });
      // Sales carry their money, written with each copy, as on a real counter.
      sync.usePayments(new PaymentService(venue.db, sync.serverClock, sync.reservations));
      await sync.enrol(`http://127.0.0.1:${proxy.port}`, code, name);
      const core = { venue, sync, proxy };
      terminals.push(core);
      return core;
    },
    serverRows: <T>(sql: string, ...params: unknown[]) => {
      const db = new Database(serverDb, { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    close: async () => {
      for (const t of terminals) {
        t.sync.stop();
        t.venue.close();
        await t.proxy.close();
      }
      await server.stop();
      tmp.remove();
    },
  };
  for (let i = 0; i < (options.terminals ?? 2); i++) await world.enrolTerminal(`Taquilla ${i + 1}`);
  return world;
}

/** The promises every scenario ends on. */
export function assertInvariants(world: SyncWorld): {
  doubleSold: number;
  pendingOutbox: number;
  unapplied: number;
  lostSales: number;
} {
  const doubleSold = world.serverRows<{ seat_id: number }>(
    `SELECT seat_id FROM tickets WHERE seat_id IS NOT NULL AND status IN ('ACTIVE', 'COMPLETED')
     GROUP BY tenant_id, event_id, seat_id HAVING COUNT(*) > 1`,
  ).length;
  let pendingOutbox = 0;
  let unapplied = 0;
  const keys = new Set(world.serverRows<{ key: string }>('SELECT key FROM idempotency').map((r) => r.key));
  for (const t of world.terminals) {
    const items = t.venue.db
      .prepare<[], { idempotency_key: string; acked_at: number | null; reply_status: number | null }>(
        'SELECT idempotency_key, acked_at, reply_status FROM sync_outbox',
      )
      .all();
    for (const item of items) {
      if (item.acked_at === null) pendingOutbox += 1;
      // A withdrawn item (reply 0) never left the terminal: it is rightly unknown at the server.
      else if (item.reply_status !== 0 && !keys.has(item.idempotency_key)) unapplied += 1;
    }
  }
  // Every sale a cashier completed is on the server, or on the supervisor's conflict list.
  let lostSales = 0;
  const serverCompleted = new Set(
    world
      .serverRows<{ id: string }>("SELECT id FROM transactions WHERE status = 'COMPLETED'")
      .map((r) => r.id),
  );
  for (const t of world.terminals) {
    const db = t.venue.db;
    const completed = db
      .prepare<[], { id: string; leased: number }>(
        `SELECT x.id, EXISTS (SELECT 1 FROM sync_lease_carts c WHERE c.transaction_id = x.id) AS leased
         FROM transactions x WHERE x.status = 'COMPLETED'`,
      )
      .all();
    for (const sale of completed) {
      if (!sale.leased) {
        if (!serverCompleted.has(sale.id)) lostSales += 1;
        continue;
      }
      const report = db
        .prepare<[string], { id: number; reply_status: number | null; conflict: number }>(
          `SELECT o.id, o.reply_status, EXISTS (SELECT 1 FROM sync_conflicts k WHERE k.outbox_id = o.id) AS conflict
           FROM sync_outbox o WHERE o.op = 'leaseSale' AND json_extract(o.body, '$.saleId') = ?`,
        )
        .get(sale.id);
      if (!report || (report.reply_status !== 200 && !report.conflict)) lostSales += 1;
    }
  }
  return { doubleSold, pendingOutbox, unapplied, lostSales };
}
