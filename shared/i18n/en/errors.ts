import type { ErrorsKey } from '../es/errors.ts';

export const errors: Record<ErrorsKey, string> = {
  UNKNOWN_EVENT: 'That event does not exist at this terminal (no. {eventId}).',
  UNKNOWN_TENANT: 'That company does not exist at the server (no. {tenantId}).',
  UNKNOWN_ZONE: 'That zone does not exist in this event (no. {zoneId}).',
  UNKNOWN_SEAT:
    '{n, plural, one {That seat does not exist} other {Those seats do not exist}} in this event: {seats}.',
  UNKNOWN_TRANSACTION: 'There is no sale or reservation with that number.',
  WRONG_ZONE_KIND:
    '{kind, select, general {This zone is general admission: give a quantity} other {This zone is numbered: pick the seats}}.',
  INVALID_TRANSITION:
    'This {entity, select, ticket {ticket} other {sale}} cannot go from {from} to {to}: it changed at another counter or at the server.',
  UNAUTHORIZED: 'This terminal is not authorised at the central server: tell the supervisor.',
  FORBIDDEN: 'Your user may not do this.',
  IDEMPOTENCY_MISMATCH: 'This operation was already sent with other data: nothing was done. Start it again.',
  UNKNOWN_LEASE: 'The server no longer knows this terminal’s allocation: it is renewed on reconnecting.',
  PAYMENT_REQUIRED:
    'The server did not receive the money for this sale ({paid} of {total}): it was not recorded. Charge again.',
  ABANDONED: 'This operation was given up as lost and the server will not apply it: nothing was done.',
  NOT_LEASED:
    'Without the central server this terminal sells only what it was allocated: {seats, select, none {no tickets left in this zone} other {{seats} {n, plural, one {is} other {are}} not allocated to this terminal}}.',
  'NOT_LEASED.available':
    'Without the central server this terminal sells only what it was allocated: {available, plural, =0 {no tickets left} one {# ticket left} other {# tickets left}} in this zone.',
  CONFLICT_NOT_MOVABLE: 'This conflict is not resolved by moving seats: refund or accept it.',
  CONFLICT_RESOLVED: "This sale's conflict was already settled at the server.",
  UNKNOWN_METHOD: 'This terminal does not know the operation “{method}”: update the program.',
  ROLE_NOT_ALLOWED: 'Your user may not do this.',
  SUPERVISOR_APPROVAL: 'A copy needs a supervisor’s PIN.',
  TRAINING_MODE: 'Not available in training mode.',
  OUTSIDE_LEASE:
    'The server does not accept this offline sale: {reason, select, notLeased {those seats or places were not leased to this counter} ticketNumbers {the ticket numbers are outside the leased block or were used} other {the sale time is outside the lease}}. It stays as a conflict for the supervisor.',
  LEASE_RENEWAL_TOO_LONG: 'A lease renews for at most {maxMinutes} minutes ({renewMinutes} were asked).',
  EVENT_STARTED: 'The show started on {when}: this sale can no longer be voided.',
  NOT_VOIDABLE: 'This sale cannot be voided (status {status}).',
  ALREADY_VOIDED:
    '{tickets, select, all {This sale was already voided whole} other {Already voided: {tickets}}}.',
  VOID_NEEDS_SERVER:
    'This counter sells for the central server: the void must be made there so the seats are freed venue-wide. Call the supervisor.',
  TICKET_VOIDED: 'Ticket voided: {tickets}. It is not reprinted.',
};
