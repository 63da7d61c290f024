/**
 * The hold rules: the one place that decides seat and standing-place holds, releases, extensions,
 * conversion to a reservation, completion, expiry, limits, capacity, house seats, closing empty
 * transactions and the order of the checks. Pure: facts in, effects or a typed refusal out. The
 * terminal engine and both server stores load the facts and write the effects in their own
 * transaction.
 */
export * from './decision.ts';
export * from './facts.ts';
export * from './holds.ts';
export * from './house-seats.ts';
export * from './transactions.ts';
export * from './recovery.ts';
