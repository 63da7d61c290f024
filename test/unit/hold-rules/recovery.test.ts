import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { DEFAULT_SETTINGS } from '../../../shared/config.ts';
import {
  decideRecoverSale,
  effectsOrThrow,
  type HeldTicketFact,
  type RecoverSaleFacts,
  type SeatTicketFact,
} from '../../../shared/hold-rules/index.ts';

/**
 * A sale re-sent to a server restored from an older backup (issue 14, docs/soak.md finding 9): what
 * gives way for it, decided once for both databases.
 */
const NOW = 1_000_000_000;
const MARK = 500; // the highest ticket id the restore brought back

const place = (ticketId: number, transactionId: string, quantity: number): HeldTicketFact => ({
  ticketId,
  transactionId,
  seatId: null,
  zoneId: 9,
  label: 'General',
  quantity,
  priceCents: 1000,
  reservedUntil: NOW + 10 * MINUTE_MS,
  createdAt: NOW - MINUTE_MS,
});

const onSeat = (ticketId: number, extra: Partial<SeatTicketFact> = {}): SeatTicketFact => ({
  ticketId,
  seatId: 7,
  zoneId: 1,
  label: 'A7',
  status: 'ACTIVE',
  reservedUntil: NOW + MINUTE_MS,
  sessionId: 'kiosk',
  transactionId: 'cart-1',
  transactionStatus: 'PENDING',
  actor: 'kiosk',
  ...extra,
});

function facts(extra: Partial<RecoverSaleFacts>): RecoverSaleFacts {
  return {
    now: NOW,
    settings: DEFAULT_SETTINGS,
    existing: null,
    requested: [],
    seats: [],
    onSeats: [],
    own: new Set(),
    restoredUpTo: MARK,
    ownTickets: [],
    zones: [],
    numbersInUse: [],
    ...extra,
  };
}

/** A sale of `quantity` standing places of zone 9 (capacity 10, `used` in use), these in its way. */
const standing = (quantity: number, used: number, placesAside: HeldTicketFact[], own: string[] = []) =>
  facts({
    own: new Set(own),
    zones: [
      {
        zone: { zoneId: 9, name: 'General', kind: 'general', capacity: 10, used, priceCents: 1000 },
        quantity,
        late: [],
        placesAside,
      },
    ],
  });

const asideOf = (f: RecoverSaleFacts) => {
  const decided = effectsOrThrow(decideRecoverSale(f));
  if (decided.kind !== 'recovered') throw new Error('not recovered');
  return decided.stepAside.map((m) => m.ticketId).sort((a, b) => a - b);
};

describe('a re-sent sale after a restore', () => {
  it('takes a seat held by a hold or a lease the backup brought back', () => {
    const seat = { seatId: 7, zoneId: 1, label: 'A7', priceCents: 1000, blocked: false, blockedReason: null };
    for (const holder of [
      onSeat(400),
      onSeat(401, { transactionId: 'lease-9', transactionStatus: 'RESERVED', sessionId: 'lease:9' }),
    ]) {
      expect(asideOf(facts({ requested: [7], seats: [seat], onSeats: [holder] }))).toEqual([holder.ticketId]);
    }
  });

  it('leaves a seat to a deposit the backup brought back, and to any hold made after the restore', () => {
    const seat = { seatId: 7, zoneId: 1, label: 'A7', priceCents: 1000, blocked: false, blockedReason: null };
    for (const holder of [
      onSeat(400, { transactionStatus: 'RESERVED', sessionId: 'lease:spoofed' }),
      onSeat(MARK + 1),
      onSeat(MARK + 2, { transactionId: 'lease-after', transactionStatus: 'RESERVED' }),
    ]) {
      const decided = decideRecoverSale(facts({ requested: [7], seats: [seat], onSeats: [holder] }));
      expect(decided.ok ? null : decided.refusal.code).toBe('SEAT_TAKEN');
    }
  });

  it('frees standing places only as far as the sale needs them: holds before leases, oldest first', () => {
    // Zone of 10 with 10 in use: a lease of 4 (oldest), holds of 1 and of 5.
    const lease = place(100, 'lease-old', 4);
    const small = place(200, 'cart-a', 1);
    const large = place(300, 'cart-b', 5);
    // 1 place: the first hold suffices; the lease and the other hold keep theirs.
    expect(asideOf(standing(1, 10, [lease, small, large]))).toEqual([200]);
    // 4 places: the holds (1, then 5) are taken; the hold of 1 turns out not to be needed and is kept.
    expect(asideOf(standing(4, 10, [lease, small, large]))).toEqual([300]);
    // 7 places: both holds are not enough, the lease is taken too; then the hold of 1 is not needed.
    expect(asideOf(standing(7, 10, [lease, small, large]))).toEqual([100, 300]);
    // 10 places: all of them.
    expect(asideOf(standing(10, 10, [lease, small, large]))).toEqual([100, 200, 300]);
    // Nothing in the way: nothing steps aside.
    expect(asideOf(standing(2, 6, [lease, small]))).toEqual([]);
  });

  it("takes this counter's lease from after the restore last, and only what the sale needs of it", () => {
    const mine = place(600, 'lease-mine', 3); // granted after the restore, to the counter re-sending
    const back = place(100, 'cart-a', 2);
    expect(asideOf(standing(2, 10, [back, mine], ['lease-mine']))).toEqual([100]);
    expect(asideOf(standing(4, 10, [back, mine], ['lease-mine']))).toEqual([100, 600]);
    expect(asideOf(standing(1, 5, [back, mine], ['lease-mine']))).toEqual([]);
  });

  it('is refused ZONE_FULL when even everything that may give way is not enough', () => {
    const decided = decideRecoverSale(standing(4, 10, [place(100, 'cart-a', 2)]));
    expect(decided.ok ? null : decided.refusal.code).toBe('ZONE_FULL');
  });
});
