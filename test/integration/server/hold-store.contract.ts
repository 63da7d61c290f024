import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldStore, StoredReply } from '../../../server/storage/hold-store.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import type { ServerEventDefinition, ServerOperation } from '../../../shared/schemas/sync.ts';
import { cash } from '../../support/cash-payment.ts';

export const T0 = Date.UTC(2026, 10, 24, 14, 0, 0);

/** 40 numbered seats (ids 101..140) and a standing zone for 5, as a terminal would publish them. */
export function demoEvent(eventId = 7): ServerEventDefinition {
  return {
    eventId,
    name: 'Concierto',
    leaseMinutes: 60,
    zones: [
      {
        kind: 'numbered',
        zoneId: 11,
        name: 'Platea',
        priceCents: 2500,
        seats: Array.from({ length: 40 }, (_, i) => ({
          seatId: 101 + i,
          label: `PLA-A-${i + 1}`,
        })),
      },
      {
        kind: 'general',
        zoneId: 12,
        name: 'General',
        priceCents: 1000,
        capacity: 5,
      },
    ],
  };
}

export interface StoreFixture {
  store: HoldStore;
  /** Another store on the same database (a second server instance), when the backend has one. */
  twin?: HoldStore;
  cleanup: () => Promise<void>;
}

let keys = 0;
function key(): string {
  return `k-${process.pid}-${++keys}-${Math.random().toString(36).slice(2)}`;
}

/** The behaviour every HoldStore must show, whatever database is under it. */
export function holdStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`${name} hold store`, () => {
    let fx: StoreFixture;
    let tenant: number;
    let other: number;
    let now = T0;
    const run = (op: ServerOperation, input: unknown, k: string | null = key(), t = tenant, s = fx.store) =>
      s.execute(
        t,
        1,
        op,
        input,
        now,
        k === null ? null : { key: k, requestHash: `${op}:${JSON.stringify(input)}` },
      );
    const ok = (reply: StoredReply) => {
      expect(reply.body.error, JSON.stringify(reply.body.error)).toBeUndefined();
      return reply.body.result as Record<string, unknown>;
    };
    const code = (reply: StoredReply) => reply.body.error?.code;

    beforeAll(async () => {
      fx = await open();
      tenant = await fx.store.createTenant('Teatro', {}, T0);
      other = await fx.store.createTenant('Otro', {}, T0);
      await fx.store.putEvent(tenant, demoEvent(7), T0);
      await fx.store.putEvent(other, demoEvent(7), T0);
    });
    afterAll(async () => fx?.cleanup());

    it('twenty sessions race for one seat: exactly one wins', async () => {
      const stores = fx.twin ? [fx.store, fx.twin] : [fx.store];
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          run(
            'holdSeats',
            { eventId: 7, sessionId: `race-${i}`, actor: 'c', seatIds: [101] },
            key(),
            tenant,
            stores[i % stores.length],
          ),
        ),
      );
      expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
      expect(replies.filter((r) => code(r) === 'SEAT_TAKEN')).toHaveLength(19);
    });

    it('overlapping batches race: every seat ends with at most one holder, batches all-or-nothing', async () => {
      const stores = fx.twin ? [fx.store, fx.twin] : [fx.store];
      const batches = Array.from({ length: 16 }, (_, i) => [102 + (i % 8), 102 + ((i + 3) % 8)]);
      const replies = await Promise.all(
        batches.map((seatIds, i) =>
          run(
            'holdSeats',
            { eventId: 7, sessionId: `batch-${i}`, actor: 'c', seatIds },
            key(),
            tenant,
            stores[i % stores.length],
          ),
        ),
      );
      const won = new Map<number, number>();
      replies.forEach((r, i) => {
        if (r.status !== 200) return;
        for (const seat of batches[i]!) won.set(seat, (won.get(seat) ?? 0) + 1);
      });
      for (const count of won.values()) expect(count).toBe(1);
      const snap = await fx.store.snapshot(tenant, 7, now);
      const held = snap.seats.filter((s) => s.seatId >= 102 && s.seatId <= 109 && s.state === 'held');
      expect(held.length).toBe(won.size);
    });

    it('a batch with one taken seat holds none of them', async () => {
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'a',
          actor: 'c',
          seatIds: [111],
        }),
      );
      const refused = await run('holdSeats', {
        eventId: 7,
        sessionId: 'b',
        actor: 'c',
        seatIds: [112, 111],
      });
      expect(code(refused)).toBe('SEAT_TAKEN');
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'c',
          actor: 'c',
          seatIds: [112],
        }),
      );
    });

    it('an expired hold blocks nobody', async () => {
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'exp-1',
          actor: 'c',
          seatIds: [113],
        }),
      );
      now += 11 * MINUTE_MS;
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'exp-2',
          actor: 'c',
          seatIds: [113],
        }),
      );
    });

    it('a general zone never goes over capacity under concurrency', async () => {
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          run('holdGeneral', {
            eventId: 7,
            sessionId: `ga-${i}`,
            actor: 'c',
            zoneId: 12,
            quantity: 2,
          }),
        ),
      );
      expect(replies.filter((r) => r.status === 200)).toHaveLength(2);
      expect(replies.filter((r) => code(r) === 'ZONE_FULL').length).toBe(6);
      const snap = await fx.store.snapshot(tenant, 7, now);
      expect(snap.zones.find((z) => z.zoneId === 12)?.available).toBe(1);
      now += 11 * MINUTE_MS; // those holds expire: capacity comes back
      ok(
        await run('holdGeneral', {
          eventId: 7,
          sessionId: 'ga-late',
          actor: 'c',
          zoneId: 12,
          quantity: 5,
        }),
      );
      ok(
        await run('releaseGeneral', {
          eventId: 7,
          sessionId: 'ga-late',
          actor: 'c',
          zoneId: 12,
        }),
      );
    });

    it('same key and body: one effect, the same stored reply; a different body under it: refused', async () => {
      const k = key();
      const input = {
        eventId: 7,
        sessionId: 'idem',
        actor: 'c',
        seatIds: [114, 115],
      };
      const first = await run('holdSeats', input, k);
      const again = await run('holdSeats', input, k);
      expect(again.replayed).toBe(true);
      expect(again.body).toEqual(first.body);
      const twin = await Promise.all([
        run('releaseSeats', { ...input }, `${k}-r`),
        run('releaseSeats', { ...input }, `${k}-r`),
      ]);
      expect(twin[0].body).toEqual(twin[1].body);
      expect((ok(twin[0]) as { released: number[] }).released.sort()).toEqual([114, 115]);
      const mismatch = await run('holdSeats', { ...input, seatIds: [116] }, k);
      expect(mismatch.status).toBe(409);
      expect(code(mismatch)).toBe('IDEMPOTENCY_MISMATCH');
      // a refusal is stored too: retrying a refused request hears the same refusal
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'x1',
          actor: 'c',
          seatIds: [117],
        }),
      );
      const rk = key();
      const refused = await run('holdSeats', { eventId: 7, sessionId: 'x2', actor: 'c', seatIds: [117] }, rk);
      ok(
        await run('releaseSeats', {
          eventId: 7,
          sessionId: 'x1',
          actor: 'c',
          seatIds: [117],
        }),
      );
      const retried = await run('holdSeats', { eventId: 7, sessionId: 'x2', actor: 'c', seatIds: [117] }, rk);
      expect(code(retried)).toBe('SEAT_TAKEN');
      expect(retried.body).toEqual(refused.body);
    });

    it('two terminals that choose the same idempotency key make two requests, each answered its own way', async () => {
      const k = key();
      const as = (credentialId: number, seatIds: number[]) => {
        const input = { eventId: 7, sessionId: `same-key-${credentialId}`, actor: 'c', seatIds };
        return fx.store.execute(tenant, credentialId, 'holdSeats', input, now, {
          key: k,
          requestHash: `holdSeats:${JSON.stringify(input)}`,
        });
      };
      const first = await as(101, [104]);
      const second = await as(102, [105]);
      expect(ok(first).tickets).toHaveLength(1);
      expect(second.replayed).toBe(false);
      expect(second.status).toBe(200);
      expect((ok(second).tickets as { seatId: number }[])[0]!.seatId).toBe(105);
      // each terminal's retry is answered from its own stored reply
      const again = await as(102, [105]);
      expect(again.replayed).toBe(true);
      expect(again.body).toEqual(second.body);
      expect((await as(101, [104])).body).toEqual(first.body);
    });

    it('hold, partial payment, full payment; cancel and session release give seats back', async () => {
      const held = ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'life',
          actor: 'c',
          seatIds: [118, 119],
        }),
      );
      const txId = held.transactionId as string;
      const ext = ok(
        await run('extendHolds', {
          eventId: 7,
          sessionId: 'life',
          actor: 'c',
          minutes: 20,
        }),
      );
      expect((ext.tickets as unknown[]).length).toBe(2);
      const partial = ok(
        await run('convertToPartial', {
          transactionId: txId,
          actor: 'c',
          hours: 24,
          payment: cash(5000, 2000),
        }),
      );
      expect(partial.status).toBe('RESERVED');
      const done = ok(
        await run('complete', { transactionId: txId, actor: 'c', payment: cash(3000, 3000, 'INSTALMENT') }),
      );
      expect(done).toMatchObject({
        status: 'COMPLETED',
        tickets: 2,
        totalCents: 5000,
      });
      expect(
        code(
          await run('cancel', {
            transactionId: txId,
            actor: 'c',
            reason: 'no',
          }),
        ),
      ).toBe('INVALID_TRANSITION');
      const cart = ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'gone',
          actor: 'c',
          seatIds: [120],
        }),
      );
      ok(
        await run('cancel', {
          transactionId: cart.transactionId,
          actor: 'c',
          reason: 'customer left',
        }),
      );
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'gone',
          actor: 'c',
          seatIds: [121],
        }),
      );
      ok(
        await run('holdGeneral', {
          eventId: 7,
          sessionId: 'gone',
          actor: 'c',
          zoneId: 12,
          quantity: 1,
        }),
      );
      const rel = ok(await run('releaseSession', { sessionId: 'gone', actor: 'c' }));
      expect(rel.released).toBe(2);
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'after',
          actor: 'c',
          seatIds: [120, 121],
        }),
      );
    });

    it('sells or reserves only what the cashier charged for (CART_CHANGED otherwise, nothing changes)', async () => {
      const held = ok(
        await run('holdSeats', { eventId: 7, sessionId: 'charged', actor: 'c', seatIds: [139, 140] }),
      );
      const transactionId = held.transactionId as string;
      const oneSeat = { totalCents: 2500, seatIds: [139], places: 0 };
      const refused = await run('complete', { transactionId, actor: 'c', expect: oneSeat });
      expect(code(refused)).toBe('CART_CHANGED');
      expect(refused.body.error?.details).toMatchObject({
        actual: { totalCents: 5000, seatIds: [139, 140], places: 0 },
        items: [{ seatId: 139 }, { seatId: 140 }],
      });
      expect(code(await run('convertToPartial', { transactionId, actor: 'c', expect: oneSeat }))).toBe(
        'CART_CHANGED',
      );
      const snap = await fx.store.snapshot(tenant, 7, now);
      expect(snap.seats.filter((x) => x.seatId >= 139).map((x) => x.state)).toEqual(['held', 'held']);
      const both = { totalCents: 5000, seatIds: [140, 139], places: 0 };
      expect(
        ok(await run('complete', { transactionId, actor: 'c', expect: both, payment: cash(5000) })),
      ).toMatchObject({
        status: 'COMPLETED',
        eventId: 7,
        sessionId: 'charged',
        items: [{ seatId: 139 }, { seatId: 140 }],
      });
    });

    it('a sale or deposit is stored only with the money that pays it, in the same transaction', async () => {
      await fx.store.putEvent(tenant, demoEvent(8), T0);
      const held = ok(
        await run('holdSeats', { eventId: 8, sessionId: 'money', actor: 'c', seatIds: [101, 102] }),
      );
      const transactionId = held.transactionId as string;
      const state = async () =>
        (await fx.store.snapshot(tenant, 8, now)).seats.filter((x) => x.seatId <= 102).map((x) => x.state);
      expect(code(await run('complete', { transactionId, actor: 'c' }))).toBe('PAYMENT_REQUIRED');
      expect(
        code(await run('complete', { transactionId, actor: 'c', payment: cash(5000, 4000, 'SALE') })),
      ).toBe('BALANCE_CHANGED');
      expect(code(await run('convertToPartial', { transactionId, actor: 'c', payment: cash(5000) }))).toBe(
        'BALANCE_CHANGED',
      );
      expect(await state()).toEqual(['held', 'held']);
      ok(await run('convertToPartial', { transactionId, actor: 'c', payment: cash(5000, 1000) }));
      // Another counter's instalment came first: this one is refused, nothing changes.
      const stale = {
        transactionId,
        actor: 'c',
        expect: { paidCents: 0 },
        payment: cash(5000, 500, 'INSTALMENT'),
      };
      expect(code(await run('pay', stale))).toBe('BALANCE_CHANGED');
      const part = ok(
        await run('pay', {
          transactionId,
          actor: 'c',
          expect: { paidCents: 1000 },
          payment: cash(4000, 1500, 'INSTALMENT'),
        }),
      );
      expect(part).toMatchObject({ status: 'RESERVED', paidCents: 2500 });
      const last = ok(
        await run('pay', {
          transactionId,
          actor: 'c',
          expect: { paidCents: 2500 },
          payment: cash(2500, 2500, 'INSTALMENT'),
        }),
      );
      expect(last).toMatchObject({ status: 'COMPLETED', paidCents: 5000 });
      expect(await state()).toEqual(['sold', 'sold']);
    });

    it('a void frees the named places of a sale in one write, with its refund; once; only for the tenant', async () => {
      await fx.store.putEvent(tenant, demoEvent(21), now);
      const sid = 'void-sale';
      ok(await run('holdSeats', { eventId: 21, sessionId: sid, actor: 'c', seatIds: [101, 102] }));
      const held = ok(
        await run('holdGeneral', { eventId: 21, sessionId: sid, actor: 'c', zoneId: 12, quantity: 2 }),
      );
      const transactionId = held.transactionId as string;
      ok(await run('complete', { transactionId, actor: 'c', payment: cash(7000) }));
      const seats = async () =>
        (await fx.store.snapshot(tenant, 21, now)).seats.filter((x) => x.seatId <= 102).map((x) => x.state);
      const standing = async () =>
        (await fx.store.snapshot(tenant, 21, now)).zones.find((z) => z.zoneId === 12)?.available;
      expect(await seats()).toEqual(['sold', 'sold']);
      expect(await standing()).toBe(3);
      const refund = (usdCents: number) => ({
        usdCents,
        vesPerUsd: '36.5000',
        lines: [
          {
            method: 'CASH_USD',
            currency: 'USD',
            amountCents: usdCents,
            usdCents,
            reference: null,
            asPaid: true,
          },
        ],
      });
      const voiding = (places: unknown[], usdCents: number, kind = 'TICKETS') => ({
        transactionId,
        kind,
        reason: 'cliente desiste',
        actor: 'c',
        approvedBy: 'supervisor:s',
        places,
        refund: refund(usdCents),
      });
      const some = voiding(
        [
          { zoneId: 11, seatId: 101, places: 1 },
          { zoneId: 12, seatId: null, places: 1 },
        ],
        3500,
      );

      // Another tenant's counter cannot void it.
      expect(code(await run('voidTickets', some, key(), other))).toBe('UNKNOWN_TRANSACTION');
      const before = await fx.store.changesSince(tenant, 21, 0, now);
      const k = key();
      const first = ok(await run('voidTickets', some, k));
      expect(first).toMatchObject({ transactionId, status: 'COMPLETED', refundUsdCents: 3500 });
      expect(await seats()).toEqual(['free', 'sold']);
      expect(await standing()).toBe(4);
      // Sold → free on the change feed: every counter's live map frees the seat.
      const delta = await fx.store.changesSince(tenant, 21, before.version, now);
      expect(delta.seats).toEqual([expect.objectContaining({ seatId: 101, state: 'free' })]);
      expect(delta.zones).toEqual([{ zoneId: 12, available: 4 }]);
      // The same request again: the same answer, nothing voided twice.
      const again = await run('voidTickets', some, k);
      expect(again.replayed).toBe(true);
      expect(again.body.result).toEqual(first);
      expect(code(await run('voidTickets', voiding([{ zoneId: 11, seatId: 101, places: 1 }], 2500)))).toBe(
        'ALREADY_VOIDED',
      );
      // A refund beyond what the sale's payments have left is refused, and nothing changes.
      const rest = [
        { zoneId: 11, seatId: 102, places: 1 },
        { zoneId: 12, seatId: null, places: 1 },
      ];
      expect(code(await run('voidTickets', voiding(rest, 3501)))).toBe('BALANCE_CHANGED');
      expect(await seats()).toEqual(['free', 'sold']);
      const last = ok(await run('voidTickets', voiding(rest, 3500, 'SALE')));
      expect(last).toMatchObject({ status: 'CANCELLED' });
      expect(await seats()).toEqual(['free', 'free']);
      expect(await standing()).toBe(5);
      expect(code(await run('voidTickets', voiding(rest, 0, 'SALE')))).toBe('ALREADY_VOIDED');

      // A deposit is cancelled whole: its seat frees, its money is refunded.
      const dep = ok(
        await run('holdSeats', { eventId: 21, sessionId: 'void-dep', actor: 'c', seatIds: [103] }),
      );
      const depId = dep.transactionId as string;
      ok(await run('convertToPartial', { transactionId: depId, actor: 'c', payment: cash(2500, 1000) }));
      expect(
        ok(
          await run('voidTickets', {
            ...voiding([{ zoneId: 11, seatId: 103, places: 1 }], 1000, 'DEPOSIT'),
            transactionId: depId,
          }),
        ),
      ).toMatchObject({ status: 'CANCELLED', refundUsdCents: 1000 });
      expect((await fx.store.snapshot(tenant, 21, now)).seats.find((x) => x.seatId === 103)?.state).toBe(
        'free',
      );
    });

    it('a lost answer is found by its key; a key never seen is abandoned, and a late copy changes nothing', async () => {
      await fx.store.putEvent(tenant, demoEvent(8), T0);
      const [k1, k2] = [key(), key()];
      const held = ok(
        await run('holdSeats', { eventId: 8, sessionId: 'lost', actor: 'c', seatIds: [103] }, k1),
      );
      const outcomes = await fx.store.resolveKeys(tenant, 1, [k1, k2], true, now);
      expect(outcomes).toEqual([
        { key: k1, outcome: 'applied', status: 200, body: { result: held } },
        { key: k2, outcome: 'abandoned' },
      ]);
      const late = await run('holdSeats', { eventId: 8, sessionId: 'lost', actor: 'c', seatIds: [104] }, k2);
      expect(code(late)).toBe('ABANDONED');
      const seat104 = (await fx.store.snapshot(tenant, 8, now)).seats.find((x) => x.seatId === 104);
      expect(seat104?.state).toBe('free');
      expect(await fx.store.resolveKeys(tenant, 1, [k2], true, now)).toEqual([
        { key: k2, outcome: 'abandoned' },
      ]);
      // Asking without abandoning leaves an unseen key open; another tenant's key is not this one's.
      const k3 = key();
      expect(await fx.store.resolveKeys(tenant, 1, [k3], false, now)).toEqual([
        { key: k3, outcome: 'unknown' },
      ]);
      expect(await fx.store.resolveKeys(other, 1, [k1], false, now)).toEqual([
        { key: k1, outcome: 'unknown' },
      ]);
    });

    it('a reservation is found by customer name, cédula, phone or sale number, with its tickets and money', async () => {
      await fx.store.putEvent(tenant, demoEvent(8), T0);
      const held = ok(await run('holdSeats', { eventId: 8, sessionId: 'dep', actor: 'c', seatIds: [105] }));
      const transactionId = held.transactionId as string;
      const deposit = cash(2500, 1000);
      ok(
        await run('convertToPartial', {
          transactionId,
          actor: 'c',
          customer: { name: 'Ana Núñez', idNumber: 'V-20111222', phone: '04245556677' },
          payment: deposit,
        }),
      );
      const number = transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
      for (const query of ['ana nunez', '20111222', '04245556677', number]) {
        const found = await fx.store.searchReservations(tenant, query, false, now);
        expect(
          found.map((r) => r.transactionId),
          query,
        ).toEqual([transactionId]);
      }
      const [r] = await fx.store.searchReservations(tenant, 'Núñez', false, now);
      expect(r).toMatchObject({
        status: 'RESERVED',
        customer: { name: 'Ana Núñez', idNumber: 'V-20111222', phone: '04245556677' },
        items: [{ seatId: 105, priceCents: 2500 }],
        payments: [{ paymentId: deposit.paymentId, appliedCents: 1000 }],
      });
      expect(await fx.store.searchReservations(other, 'Núñez', false, now)).toEqual([]);
    });

    it('a session may hold at most MAX_RESERVATIONS_PER_USER seats', async () => {
      const ids = Array.from({ length: 11 }, (_, i) => 122 + i);
      expect(
        code(
          await run('holdSeats', {
            eventId: 7,
            sessionId: 'greedy',
            actor: 'c',
            seatIds: ids,
          }),
        ),
      ).toBe('LIMIT_REACHED');
    });

    it("one tenant never reads or changes another's holds", async () => {
      const mine = ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'iso',
          actor: 'c',
          seatIds: [133],
        }),
      );
      // the other tenant's event 7 is a different event: the same seat id is free there
      ok(await run('holdSeats', { eventId: 7, sessionId: 'iso', actor: 'c', seatIds: [133] }, key(), other));
      expect(
        code(await run('complete', { transactionId: mine.transactionId, actor: 'x' }, key(), other)),
      ).toBe('UNKNOWN_TRANSACTION');
      expect(
        code(
          await run('cancel', { transactionId: mine.transactionId, actor: 'x', reason: 'r' }, key(), other),
        ),
      ).toBe('UNKNOWN_TRANSACTION');
      const theirs = await fx.store.snapshot(other, 7, now);
      expect(theirs.seats.filter((s) => s.state !== 'free').map((s) => s.seatId)).toEqual([133]);
      await expect(fx.store.snapshot(tenant, 999, now)).rejects.toMatchObject({
        code: 'UNKNOWN_EVENT',
      });
    });

    it('a lease keeps seats and capacity for one terminal; its offline sales are recorded; the rest goes back', async () => {
      const lease = ok(
        await run('lease', {
          eventId: 7,
          actor: 't1',
          seatIds: [134, 135, 136],
          general: { zoneId: 12, quantity: 2 },
          ticketNumbers: 50,
        }),
      );
      expect((lease.ticketTo as number) - (lease.ticketFrom as number)).toBe(49);
      expect(
        code(
          await run('holdSeats', {
            eventId: 7,
            sessionId: 'other',
            actor: 'c',
            seatIds: [134],
          }),
        ),
      ).toBe('SEAT_TAKEN');
      const sale = ok(
        await run('leaseSale', {
          leaseId: lease.leaseId,
          saleId: 's1',
          actor: 't1',
          seatIds: [134],
          general: { zoneId: 12, quantity: 1 },
          ticketNumbers: [lease.ticketFrom as number, (lease.ticketFrom as number) + 1],
          soldAt: now,
        }),
      );
      expect(sale.transactionId).toBeTruthy();
      // another terminal cannot report against this lease
      expect(
        code(
          await fx.store.execute(tenant, 2, 'leaseReturn', { leaseId: lease.leaseId, actor: 'x' }, now, null),
        ),
      ).toBe('UNKNOWN_LEASE');
      const back = ok(await run('leaseReturn', { leaseId: lease.leaseId, actor: 't1' }));
      expect(back.returned).toBe(3); // seats 135, 136 and one standing place
      const snap = await fx.store.snapshot(tenant, 7, now);
      expect(snap.seats.find((s) => s.seatId === 134)?.state).toBe('sold');
      expect(snap.seats.find((s) => s.seatId === 135)?.state).toBe('free');
    });

    it('a sale reported after its lease ran out and the seat was taken is refused, not double-sold', async () => {
      const lease = ok(
        await run('lease', {
          eventId: 7,
          actor: 't1',
          seatIds: [137],
          ticketNumbers: 5,
        }),
      );
      now += (60 + 30 + 1) * MINUTE_MS; // past the lease's end and its grace (LEASE_GRACE_MINUTES 30)
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'late',
          actor: 'c',
          seatIds: [137],
        }),
      );
      const refused = await run('leaseSale', {
        leaseId: lease.leaseId,
        saleId: 's2',
        actor: 't1',
        seatIds: [137],
        ticketNumbers: [lease.ticketFrom as number],
        soldAt: (lease.expiresAt as number) - 60_000,
      });
      expect(code(refused)).toBe('SEAT_TAKEN');
    });

    describe('leases in time and in bounds', () => {
      const E = 9;
      let lease: Record<string, unknown>;
      beforeAll(async () => {
        await fx.store.putEvent(tenant, demoEvent(E), now);
        lease = ok(
          await run('lease', {
            eventId: E,
            actor: 't1',
            seatIds: [101, 102, 103, 104],
            general: { zoneId: 12, quantity: 2 },
            ticketNumbers: 10,
          }),
        );
      });
      const state = async (seatId: number) =>
        (await fx.store.snapshot(tenant, E, now)).seats.find((x) => x.seatId === seatId)?.state;
      const sale = (body: Record<string, unknown>) =>
        run('leaseSale', {
          leaseId: lease.leaseId,
          saleId: `s-${Math.random()}`,
          actor: 't1',
          seatIds: [],
          ticketNumbers: [],
          soldAt: (lease.expiresAt as number) - 20_000,
          ...body,
        });
      const from = () => lease.ticketFrom as number;

      it('leaseSale refuses seats, places, numbers and times the lease does not cover, and writes nothing', async () => {
        const refusal = async (body: Record<string, unknown>) => {
          const reply = await sale(body);
          expect(code(reply), JSON.stringify(body)).toBe('OUTSIDE_LEASE');
          return (reply.body.error!.details as { reason: string }).reason;
        };
        expect(await refusal({ seatIds: [105], ticketNumbers: [from()] })).toBe('not-leased');
        expect(
          await refusal({
            general: { zoneId: 12, quantity: 3 },
            ticketNumbers: [0, 1, 2].map((i) => from() + i),
          }),
        ).toBe('not-leased');
        expect(await refusal({ seatIds: [101], ticketNumbers: [(lease.ticketTo as number) + 1] })).toBe(
          'ticket-numbers',
        );
        expect(await refusal({ seatIds: [101, 102], ticketNumbers: [from(), from()] })).toBe(
          'ticket-numbers',
        );
        expect(await refusal({ seatIds: [101, 102], ticketNumbers: [from()] })).toBe('ticket-numbers');
        expect(
          await refusal({ seatIds: [101], ticketNumbers: [from()], soldAt: (lease.expiresAt as number) + 1 }),
        ).toBe('sold-at');
        expect(
          await refusal({ seatIds: [101], ticketNumbers: [from()], soldAt: now - 2 * 60 * MINUTE_MS }),
        ).toBe('sold-at');
        expect(await state(101)).toBe('held');
        expect(await state(105)).toBe('free');
        // Reported once; the same seat or number again under another sale is refused.
        ok(await sale({ seatIds: [101], ticketNumbers: [from()] }));
        expect(await refusal({ seatIds: [101], ticketNumbers: [from() + 1] })).toBe('not-leased');
        expect(await refusal({ seatIds: [102], ticketNumbers: [from()] })).toBe('ticket-numbers');
      });

      it('renewals are bounded by the event policy, with a typed refusal on every store', async () => {
        const centuries = await run('leaseReturn', {
          leaseId: lease.leaseId,
          actor: 't1',
          renewMinutes: 190 * 365 * 24 * 60,
        });
        expect(code(centuries)).toBe('VALIDATION');
        const week = await run('leaseReturn', {
          leaseId: lease.leaseId,
          actor: 't1',
          renewMinutes: 7 * 24 * 60,
        });
        expect(code(week)).toBe('LEASE_RENEWAL_TOO_LONG');
        const policy = ok(await run('leaseReturn', { leaseId: lease.leaseId, actor: 't1', renew: true }));
        expect(policy.expiresAt).toBe(Math.max(lease.expiresAt as number, now + 60 * MINUTE_MS));
        lease = { ...lease, expiresAt: policy.expiresAt };
      });

      it("a seat sold offline just before the lease ends is not resold after the end: it stays the lease's for the grace", async () => {
        const end = lease.expiresAt as number;
        now = end + 15_000; // the finding: sold again online 15 s after the end
        const taken = await run('holdSeats', { eventId: E, sessionId: 'online', actor: 'c', seatIds: [102] });
        expect(code(taken)).toBe('SEAT_TAKEN');
        now = end + 40_000;
        ok(await sale({ seatIds: [102], ticketNumbers: [from() + 1], soldAt: end - 20_000 }));
        expect(await state(102)).toBe('sold');
        // Past the grace, what the lease did not report is everyone's again.
        now = end + 31 * MINUTE_MS;
        ok(await run('holdSeats', { eventId: E, sessionId: 'online', actor: 'c', seatIds: [103] }));
      });
    });

    it('changes are versioned per event and announced after commit', async () => {
      const heard: number[] = [];
      const off = fx.store.onChange((n) => {
        if (n.tenantId === tenant && n.eventId === 7) heard.push(n.version);
      });
      const before = await fx.store.changesSince(tenant, 7, 0, now);
      ok(
        await run('holdSeats', {
          eventId: 7,
          sessionId: 'feed',
          actor: 'c',
          seatIds: [138],
        }),
      );
      const delta = await fx.store.changesSince(tenant, 7, before.version, now);
      expect(delta.version).toBe(before.version + 1);
      // With when the hold ends: every terminal frees the seat then, without another change.
      expect(delta.seats).toEqual([{ seatId: 138, state: 'held', until: expect.any(Number) }]);
      expect(delta.seats[0]!.until).toBeGreaterThan(now);
      await expect.poll(() => heard.includes(delta.version)).toBe(true);
      off();
    });

    it('the cleanup marks expired temporary holds, frees them on the feed, and leaves deposits alone', async () => {
      // Event 19 of its own (8 is the money case's, 9 the leases'): other cases' holds do not count here.
      await fx.store.putEvent(tenant, demoEvent(19), now);
      const later = now + 11 * MINUTE_MS;
      while ((await fx.store.expireHolds(tenant, later)) > 0); // what earlier cases left to run out
      const cart = ok(
        await run('holdSeats', { eventId: 19, sessionId: 'sweep-a', actor: 'c', seatIds: [101, 102] }),
      );
      ok(
        await run('holdGeneral', { eventId: 19, sessionId: 'sweep-a', actor: 'c', zoneId: 12, quantity: 2 }),
      );
      const kept = ok(
        await run('holdSeats', { eventId: 19, sessionId: 'sweep-b', actor: 'c', seatIds: [103] }),
      );
      ok(
        await run('convertToPartial', {
          transactionId: kept.transactionId,
          actor: 'c',
          payment: cash(2500, 1000),
        }),
      );
      const before = await fx.store.changesSince(tenant, 19, 0, now);
      expect(await fx.store.expireHolds(tenant, now)).toBe(0); // nothing has run out yet
      await fx.store.expireHolds(other, later); // another tenant's cleanup touches nothing here
      expect(await fx.store.expireHolds(tenant, later, 2)).toBe(2); // in batches
      expect(await fx.store.expireHolds(tenant, later, 2)).toBe(1);
      expect(await fx.store.expireHolds(tenant, later)).toBe(0);
      const delta = await fx.store.changesSince(tenant, 19, before.version, later);
      expect(delta.seats).toEqual([
        { seatId: 101, state: 'free', until: null },
        { seatId: 102, state: 'free', until: null },
      ]);
      expect(delta.zones).toEqual([{ zoneId: 12, available: 5 }]);
      // The deposit keeps its seat; the places given back can be taken again, all five.
      const snap = await fx.store.snapshot(tenant, 19, later);
      expect(snap.seats.find((x) => x.seatId === 103)?.state).toBe('reserved');
      now = later;
      ok(
        await run('holdGeneral', { eventId: 19, sessionId: 'sweep-c', actor: 'c', zoneId: 12, quantity: 5 }),
      );
      // The cart the sweep emptied is closed (EXPIRED), as on the terminal (shared/hold-rules decideEmptied).
      expect(code(await run('complete', { transactionId: cart.transactionId, actor: 'c' }))).toBe(
        'INVALID_TRANSITION',
      );
    });

    it('an enrolment code works once, and only before it expires', async () => {
      await fx.store.addEnrolCode(tenant, 'hash-1', now + MINUTE_MS, now);
      await fx.store.addEnrolCode(tenant, 'hash-2', now + MINUTE_MS, now);
      const taken = await Promise.all([
        fx.store.takeEnrolCode('hash-1', now),
        fx.store.takeEnrolCode('hash-1', now),
      ]);
      expect(taken.filter((t) => t === tenant)).toHaveLength(1);
      expect(await fx.store.takeEnrolCode('hash-2', now + 2 * MINUTE_MS)).toBeNull();
      const id = await fx.store.addCredential({
        tenantId: tenant,
        role: 'terminal',
        name: 'T',
        secretHash: 'h-t',
        now,
      });
      expect(
        await fx.store.revokeCredential(other, id, now, { actor: 'operator:test', credentialId: 0 }),
      ).toBe(false);
      expect(
        await fx.store.revokeCredential(tenant, id, now, { actor: 'operator:test', credentialId: 0 }),
      ).toBe(true);
      expect((await fx.store.credentialByHash('h-t'))?.revokedAt).toBe(now);
    });

    it('history past its retention is pruned: an older cursor gets the whole event, a forgotten key is new', async () => {
      // Its own tenant: pruning reaches everything of the tenant it is given.
      const t = await fx.store.createTenant('Retención', {}, now);
      await fx.store.putEvent(t, demoEvent(10), now);
      const retention = { feedMs: MINUTE_MS, keysMs: 60 * MINUTE_MS };
      const first = { eventId: 10, sessionId: 'ret-a', actor: 'c', seatIds: [101] };
      ok(await run('holdSeats', first, 'ret-key-1', t));
      const v1 = (await fx.store.changesSince(t, 10, 0, now)).version;
      expect(await fx.store.pruneHistory(t, now, retention)).toEqual({ changes: 0, keys: 0, audit: 0 });
      ok(
        await run(
          'holdSeats',
          { eventId: 10, sessionId: 'ret-b', actor: 'c', seatIds: [102] },
          'ret-key-2',
          t,
        ),
      );
      // Within the retention a retry is answered from its key.
      expect((await run('holdSeats', first, 'ret-key-1', t)).replayed).toBe(true);

      const later = now + 2 * MINUTE_MS;
      const pruned = await fx.store.pruneHistory(t, later, retention);
      expect(pruned.changes).toBeGreaterThan(0);
      // The audit trail is kept as long as the feed.
      expect(pruned.audit).toBeGreaterThan(0);
      expect(await fx.store.auditTrail(t, { limit: 100 })).toEqual([]);
      // A cursor from before the pruned versions: the whole event, every seat, as it stands.
      const whole = await fx.store.changesSince(t, 10, 0, later);
      expect(whole.fromVersion).toBe(0);
      expect(whole.seats).toHaveLength(40);
      expect(whole.seats.filter((x) => x.state === 'held').map((x) => x.seatId)).toEqual([101, 102]);
      expect(whole.zones).toEqual([{ zoneId: 12, available: 5 }]);
      // A cursor at the floor still gets a delta.
      const delta = await fx.store.changesSince(t, 10, v1, later);
      expect(delta.seats.map((x) => x.seatId)).toEqual([102]);

      expect((await fx.store.pruneHistory(t, now + 2 * 60 * MINUTE_MS, retention)).keys).toBe(2);
      // Past the key retention, the same key is a new request (documented: replay is exactly-once within it).
      const again = await run('holdSeats', first, 'ret-key-1', t);
      expect(again.replayed).toBe(false);
    });
    it("the audit retention deletes only the tenant's entries at or before its cutoff", async () => {
      const a = await fx.store.createTenant('Retención A', {}, now);
      const b = await fx.store.createTenant('Retención B', {}, now);
      await fx.store.putEvent(a, demoEvent(12), now);
      await fx.store.putEvent(b, demoEvent(12), now);
      const retention = { feedMs: 5 * MINUTE_MS, keysMs: 60 * MINUTE_MS };
      const hold = (t: number, sessionId: string, seat: number, at: number) =>
        fx.store.execute(t, 1, 'holdSeats', { eventId: 12, sessionId, actor: 'c', seatIds: [seat] }, at, {
          key: key(),
          requestHash: `${sessionId}:${seat}`,
        });
      const trail = async (t: number) =>
        (await fx.store.auditTrail(t, { limit: 100 })).map((e) => `${e.at - now} ${e.entity}`);
      ok(await hold(a, 'old', 101, now));
      ok(await hold(b, 'old', 101, now));
      ok(await hold(a, 'new', 102, now + 10 * MINUTE_MS));
      // A clock set back: an old time on an entry written after newer ones.
      ok(await hold(a, 'back', 103, now + MINUTE_MS));
      const at12 = now + 12 * MINUTE_MS;
      expect((await fx.store.pruneHistory(a, at12, retention)).audit).toBe(2);
      const ten = 10 * MINUTE_MS;
      // The entry under the clock set back is kept until a later prune; nothing newer is ever deleted.
      expect(await trail(a)).toEqual([
        `${ten} transaction`,
        `${ten} ticket`,
        `${MINUTE_MS} transaction`,
        `${MINUTE_MS} ticket`,
      ]);
      expect(await trail(b)).toEqual(['0 transaction', '0 ticket']);
      expect((await fx.store.pruneHistory(a, now + 30 * MINUTE_MS, retention)).audit).toBe(4);
      expect(await trail(a)).toEqual([]);
      expect(await trail(b)).toEqual(['0 transaction', '0 ticket']);
    });
    it('every state change is in the audit trail, written with the change; a refusal writes none', async () => {
      const t = await fx.store.createTenant('Auditoría', {}, now);
      await fx.store.putEvent(t, demoEvent(11), now);
      const held = ok(
        await run('holdSeats', { eventId: 11, sessionId: 'au', actor: 'ana', seatIds: [101, 102] }, key(), t),
      );
      const cart = String(held.transactionId);
      ok(await run('releaseSeats', { eventId: 11, sessionId: 'au', actor: 'ana', seatIds: [102] }, key(), t));
      ok(
        await run(
          'holdGeneral',
          { eventId: 11, sessionId: 'au', actor: 'ana', zoneId: 12, quantity: 2 },
          key(),
          t,
        ),
      );
      const before = await fx.store.auditTrail(t, { limit: 100 });
      expect(
        code(
          await run('holdSeats', { eventId: 11, sessionId: 'other', actor: 'bea', seatIds: [101] }, key(), t),
        ),
      ).toBe('SEAT_TAKEN');
      expect(await fx.store.auditTrail(t, { limit: 100 })).toEqual(before);
      ok(
        await run(
          'complete',
          { transactionId: cart, actor: 'ana', payment: cash(2500 + 2 * 1000) },
          key(),
          t,
        ),
      );
      const trail = await fx.store.auditTrail(t, { eventId: 11, limit: 100 });
      const lines = trail.map((e) => `${e.entity} ${e.from ?? '-'}>${e.to} ${e.actor}`);
      expect(lines).toEqual([
        'transaction ->PENDING ana',
        'ticket ->ACTIVE ana',
        'ticket ->ACTIVE ana',
        'ticket ACTIVE>CANCELLED ana',
        'ticket ->ACTIVE ana',
        'transaction PENDING>COMPLETED ana',
        'ticket ACTIVE>COMPLETED ana',
        'ticket ACTIVE>COMPLETED ana',
      ]);
      expect(trail.every((e) => e.at > 0 && e.credentialId === 1)).toBe(true);
      expect((await fx.store.auditTrail(t, { entityId: cart, limit: 10 })).map((e) => e.to)).toEqual([
        'PENDING',
        'COMPLETED',
      ]);
      // Time alone: the sweeper's expiry is recorded too, by 'system'.
      ok(await run('holdSeats', { eventId: 11, sessionId: 'late', actor: 'ana', seatIds: [110] }, key(), t));
      expect(await fx.store.expireHolds(t, now + 11 * MINUTE_MS)).toBe(1);
      const last = (await fx.store.auditTrail(t, { limit: 2 })).map(
        (e) => `${e.entity} ${e.to} ${e.actor} ${e.reason}`,
      );
      expect(last).toEqual([
        'ticket EXPIRED system hold time ran out',
        'transaction EXPIRED system hold time ran out',
      ]);
    });

    it('a house seat blocked at the server is refused to every session, with its reason, until unblocked', async () => {
      const t = await fx.store.createTenant('Casa', {}, now);
      await fx.store.putEvent(t, demoEvent(12), now);
      ok(await run('holdSeats', { eventId: 12, sessionId: 'h1', actor: 'c', seatIds: [105] }, key(), t));
      // A seat someone holds cannot be blocked under them.
      expect(
        code(await run('blockSeats', { eventId: 12, actor: 'sup', seatIds: [104, 105] }, key(), t)),
      ).toBe('SEAT_TAKEN');
      ok(await run('blockSeats', { eventId: 12, actor: 'sup', seatIds: [104], reason: 'Prensa' }, key(), t));
      const refused = await run(
        'holdSeats',
        { eventId: 12, sessionId: 'h2', actor: 'c', seatIds: [104] },
        key(),
        t,
      );
      expect(refused.body.error).toMatchObject({
        code: 'SEAT_BLOCKED',
        details: { seats: [{ seatId: 104, reason: 'Prensa' }] },
      });
      const map = await fx.store.snapshot(t, 12, now);
      expect(map.seats.find((x) => x.seatId === 104)?.state).toBe('blocked');
      ok(await run('unblockSeats', { eventId: 12, actor: 'sup', seatIds: [104] }, key(), t));
      ok(await run('holdSeats', { eventId: 12, sessionId: 'h2', actor: 'c', seatIds: [104] }, key(), t));
      const seatTrail = (await fx.store.auditTrail(t, { entityId: '104', limit: 10 })).filter(
        (e) => e.entity === 'seat',
      );
      expect(seatTrail.map((e) => `${e.to} ${e.actor} ${e.reason}`)).toEqual([
        'blocked sup Prensa',
        'on sale sup unblocked',
      ]);
    });

    it('a general hold checks capacity before the session limit (ZONE_FULL, as on the terminal)', async () => {
      const t = await fx.store.createTenant('Orden', { MAX_RESERVATIONS_PER_USER: 3 }, now);
      await fx.store.putEvent(t, demoEvent(13), now);
      ok(
        await run(
          'holdGeneral',
          { eventId: 13, sessionId: 'g1', actor: 'c', zoneId: 12, quantity: 3 },
          key(),
          t,
        ),
      );
      ok(
        await run(
          'holdGeneral',
          { eventId: 13, sessionId: 'g2', actor: 'c', zoneId: 12, quantity: 2 },
          key(),
          t,
        ),
      );
      // g1 is at its limit and the zone is full: the full zone is the answer.
      expect(
        code(
          await run(
            'holdGeneral',
            { eventId: 13, sessionId: 'g1', actor: 'c', zoneId: 12, quantity: 1 },
            key(),
            t,
          ),
        ),
      ).toBe('ZONE_FULL');
    });
  });
}
