import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerEventDefinition } from '../../../shared/schemas/sync.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { T0 } from './hold-store.contract.ts';

const url = process.env.TAQUILLA_PG_URL;
const SEATS = 1000;
const HOLDS = 60;

function seatEvent(eventId: number): ServerEventDefinition {
  return {
    eventId,
    name: 'Plan',
    leaseMinutes: 240,
    zones: [
      {
        kind: 'numbered',
        zoneId: 1,
        name: 'Platea',
        priceCents: 2500,
        seats: Array.from({ length: SEATS }, (_, i) => ({ seatId: i + 1, label: `S-${i + 1}` })),
      },
    ],
  };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function scansOf(node: PlanNode, relation: string): PlanNode[] {
  const own = node['Relation Name'] === relation ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => scansOf(child, relation))];
}

/**
 * The live push reads the change feed once per change for every subscriber of an event
 * (server/live.ts). On PostgreSQL that read must scan the feed's range once, whatever the planner
 * believes of the tables: on a fresh schema (not yet analyzed) `seat IN (SELECT … FROM changes …)`
 * was planned as a nested loop that ran the range scan again for every seat of the event, and 50
 * subscribers doubled the database's CPU per hold. Judged by the plan's loop counts, not by time.
 */
if (!url) {
  describe.skip('PostgreSQL change-feed read plan (set TAQUILLA_PG_URL to run)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('PostgreSQL change-feed read (live push)', () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let store: PgHoldStore;
    let tenant: number;
    let explainer: pg.Client;
    const original = pg.Client.prototype.query;
    let sent: { text: string; values: unknown[] }[] = [];

    beforeAll(async () => {
      store = new PgHoldStore(url, { schema });
      await store.init();
      tenant = await store.createTenant('Teatro', {}, T0);
      await store.putEvent(tenant, seatEvent(7), T0);
      for (let i = 0; i < HOLDS; i++) {
        const reply = await store.execute(
          tenant,
          1,
          'holdSeats',
          { eventId: 7, sessionId: `s${i}`, actor: 'c', seatIds: [1 + i * 7] },
          T0,
          { key: `k${i}`, requestHash: `h${i}` },
        );
        expect(reply.status).toBe(200);
      }
      explainer = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await explainer.connect();
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        const q = args[0] as string | { text: string; values?: unknown[] };
        if (typeof q !== 'string') sent.push({ text: q.text, values: q.values ?? [] });
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
    });
    afterAll(async () => {
      pg.Client.prototype.query = original;
      await explainer?.end();
      await store?.close();
      await store?.dropSchema();
    });

    it('scans the feed once for the seats and once for the zones, not once per seat', async () => {
      sent = [];
      const delta = await store.changesSince(tenant, 7, HOLDS / 2, T0);
      pg.Client.prototype.query = original;
      expect(delta.seats.length).toBeGreaterThan(0);
      const feedReads = sent.filter((q) => q.text.includes('FROM changes'));
      expect(feedReads).toHaveLength(2);
      for (const read of feedReads) {
        const { rows } = await explainer.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${read.text}`,
          read.values,
        );
        const scans = scansOf(rows[0]!['QUERY PLAN'][0]!.Plan, 'changes');
        expect(scans.length).toBeGreaterThan(0);
        for (const scan of scans) expect(scan['Actual Loops']).toBe(1);
      }
    });
  });
}
