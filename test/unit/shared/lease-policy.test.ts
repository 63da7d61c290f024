import { describe, expect, it } from 'vitest';
import {
  type EventFree,
  leasePolicySpec,
  planAcquire,
  planRebalance,
  policyFor,
  renewDue,
  returnReason,
} from '../../../shared/lease-policy.ts';

const policy = (raw: object) => leasePolicySpec.parse({ durationMinutes: 60, ...raw });

function free(seats: Record<number, number[]>, general: Record<number, number> = {}): EventFree {
  return {
    seatsByZone: new Map(Object.entries(seats).map(([z, s]) => [Number(z), s])),
    generalByZone: new Map(Object.entries(general).map(([z, n]) => [Number(z), n])),
  };
}

describe('a lease policy per event', () => {
  it('refuses a policy that carries nothing, renews after its end, or asks for more than it carries', () => {
    expect(leasePolicySpec.safeParse({ durationMinutes: 60 }).success).toBe(false);
    expect(
      leasePolicySpec.safeParse({
        durationMinutes: 60,
        renewBeforeMinutes: 60,
        seats: [{ zoneId: 1, count: 2 }],
      }).success,
    ).toBe(false);
    expect(
      leasePolicySpec.safeParse({ durationMinutes: 60, minPlaces: 5, seats: [{ zoneId: 1, count: 2 }] })
        .success,
    ).toBe(false);
    expect(leasePolicySpec.safeParse({ durationMinutes: 3, seats: [{ zoneId: 1, count: 2 }] }).success).toBe(
      false,
    );
    expect(
      leasePolicySpec.safeParse({
        durationMinutes: 60,
        seats: [
          { zoneId: 1, count: 2 },
          { zoneId: 1, count: 3 },
        ],
      }).success,
    ).toBe(false);
  });

  it("a counter's own policy wins over the event's default", () => {
    const p = policy({ seats: [{ zoneId: 1, count: 2 }] });
    const entries = [
      { eventId: 1, credentialId: null, policy: p, setAt: 1, setBy: 'x' },
      { eventId: 1, credentialId: 7, policy: { ...p, durationMinutes: 90 }, setAt: 1, setBy: 'x' },
    ];
    expect(policyFor(entries, 1, 7)?.policy.durationMinutes).toBe(90);
    expect(policyFor(entries, 1, 8)?.policy.durationMinutes).toBe(60);
    expect(policyFor(entries, 2, 7)).toBeNull();
  });

  it('takes the first free seats of each zone and the standing places, fewer when fewer are free', () => {
    const p = policy({ seats: [{ zoneId: 1, count: 3 }], general: { zoneId: 2, quantity: 10 } });
    expect(planAcquire(1, { policy: p, setAt: 0 }, free({ 1: [5, 6, 7, 8] }, { 2: 50 }), null)).toEqual({
      take: true,
      plan: { eventId: 1, seatIds: [5, 6, 7], general: { zoneId: 2, quantity: 10 }, ticketNumbers: 20 },
    });
    expect(planAcquire(1, { policy: p, setAt: 0 }, free({ 1: [5] }, { 2: 4 }), null)).toMatchObject({
      take: true,
      plan: { seatIds: [5], general: { zoneId: 2, quantity: 4 }, ticketNumbers: 8 },
    });
  });

  it('never takes the event below its sold-out mark, nor less than its minimum, nor after a recall', () => {
    const p = policy({ seats: [{ zoneId: 1, count: 4 }], soldOutBelow: 3, minPlaces: 2 });
    // 6 free, keep 3 for everyone: 3 leased.
    expect(planAcquire(1, { policy: p, setAt: 0 }, free({ 1: [1, 2, 3, 4, 5, 6] }), null)).toMatchObject({
      take: true,
      plan: { seatIds: [1, 2, 3] },
    });
    expect(planAcquire(1, { policy: p, setAt: 0 }, free({ 1: [1, 2, 3, 4] }), null)).toEqual({
      take: false,
      reason: 'too-few-free',
    });
    expect(planAcquire(1, { policy: p, setAt: 0 }, free({ 1: [1, 2] }), null)).toEqual({
      take: false,
      reason: 'nearly-sold-out',
    });
    expect(planAcquire(1, { policy: p, setAt: 10 }, free({ 1: [1, 2, 3, 4, 5, 6] }), 10)).toEqual({
      take: false,
      reason: 'recalled',
    });
    // Setting the policy again after a recall lets leases be taken again.
    expect(planAcquire(1, { policy: p, setAt: 11 }, free({ 1: [1, 2, 3, 4, 5, 6] }), 10).take).toBe(true);
  });

  it('renews once less than the margin is left, for the policy', () => {
    const p = policy({ seats: [{ zoneId: 1, count: 1 }], renewBeforeMinutes: 10 });
    expect(renewDue(p, 60 * 60_000, 49 * 60_000)).toBe(false);
    expect(renewDue(p, 60 * 60_000, 50 * 60_000)).toBe(true);
    // Without a margin, a quarter of the period.
    expect(policy({ seats: [{ zoneId: 1, count: 1 }], durationMinutes: 30 }).renewBeforeMinutes).toBe(7);
  });

  it('gives unsold places back when recalled, when nearly sold out, and on reconnect if the policy says so', () => {
    const p = policy({ seats: [{ zoneId: 1, count: 2 }], soldOutBelow: 2 });
    const facts = { recalled: false, unsoldPlaces: 2, free: free({ 1: [9] }), reconnected: false };
    expect(returnReason(p, facts)).toBe('nearly-sold-out');
    expect(returnReason(p, { ...facts, unsoldPlaces: 0 })).toBeNull();
    expect(returnReason(p, { ...facts, free: free({ 1: [8, 9] }) })).toBeNull();
    expect(returnReason(null, { ...facts, recalled: true })).toBe('recalled');
    expect(returnReason({ ...p, returnOnReconnect: true }, { ...facts, free: null, reconnected: true })).toBe(
      'reconnected',
    );
  });

  it('a rebalance recalls every lease still holding unsold places, largest first', () => {
    expect(
      planRebalance([
        { leaseId: 'a', credentialId: 1, unsoldPlaces: 2 },
        { leaseId: 'b', credentialId: 2, unsoldPlaces: 0 },
        { leaseId: 'c', credentialId: 3, unsoldPlaces: 5 },
      ]),
    ).toEqual({
      recall: [
        { leaseId: 'c', credentialId: 3, unsoldPlaces: 5 },
        { leaseId: 'a', credentialId: 1, unsoldPlaces: 2 },
      ],
      places: 7,
    });
  });
});
