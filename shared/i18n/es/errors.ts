/**
 * Spanish for the error codes that no screen's own section words (shared/errors.ts): one sentence per
 * code, or per code and variant (`CODE.variant`). The test in test/unit/shared/i18n enumerates every
 * code.
 */
export const errors = {
  UNKNOWN_EVENT: 'Ese evento no existe en esta taquilla (n.º {eventId}).',
  UNKNOWN_TENANT: 'Esa empresa no existe en el servidor (n.º {tenantId}).',
  UNKNOWN_ZONE: 'Esa zona no existe en este evento (n.º {zoneId}).',
  UNKNOWN_SEAT:
    '{n, plural, one {Ese asiento no existe} other {Esos asientos no existen}} en este evento: {seats}.',
  UNKNOWN_TRANSACTION: 'No hay ninguna venta o reserva con ese número.',
  WRONG_ZONE_KIND:
    '{kind, select, general {Esta zona es de admisión general: indique una cantidad} other {Esta zona es numerada: elija los asientos}}.',
  INVALID_TRANSITION:
    'Esta {entity, select, ticket {entrada} other {venta}} no puede pasar de {from} a {to}: ya cambió en otra caja o en el servidor.',
  UNAUTHORIZED: 'Esta taquilla no está autorizada ante el servidor central: avise al encargado.',
  FORBIDDEN: 'Su usuario no tiene permiso para esta operación.',
  IDEMPOTENCY_MISMATCH:
    'Esta operación ya se envió con otros datos: no se hizo nada. Vuelva a empezar la operación.',
  UNKNOWN_LEASE: 'El servidor ya no reconoce el cupo de esta taquilla: se renovará al reconectar.',
  PAYMENT_REQUIRED:
    'El servidor no recibió el dinero de esta venta ({paid} de {total}): no quedó registrada. Cobre de nuevo.',
  ABANDONED: 'Esta operación se dio por perdida y el servidor no la aplicará: no se hizo nada.',
  NOT_LEASED:
    'Sin conexión con el servidor central, esta taquilla solo vende lo que tiene asignado: {seats, select, none {no quedan entradas asignadas en esta zona} other {{seats} no {n, plural, one {está asignado} other {están asignados}} a esta taquilla}}.',
  'NOT_LEASED.available':
    'Sin conexión con el servidor central, esta taquilla solo vende lo que tiene asignado: {available, plural, =0 {no le quedan entradas} one {le queda # entrada} other {le quedan # entradas}} en esta zona.',
  CONFLICT_NOT_MOVABLE: 'Este conflicto no se resuelve cambiando de asientos: reembólselo o acéptelo.',
  CONFLICT_RESOLVED: 'El conflicto de esta venta ya se resolvió en el servidor.',
  UNKNOWN_METHOD: 'Esta taquilla no conoce la operación «{method}»: actualice el programa.',
  ROLE_NOT_ALLOWED: 'Su usuario no tiene permiso para esta operación.',
  SUPERVISOR_APPROVAL: 'Una copia necesita el PIN de un supervisor.',
  TRAINING_MODE: 'No disponible en modo entrenamiento.',
  OUTSIDE_LEASE:
    'El servidor no acepta esta venta sin conexión: {reason, select, notLeased {esos asientos o entradas no estaban asignados a esta taquilla} ticketNumbers {los números de boleto no son del bloque asignado o ya se usaron} other {la hora de la venta está fuera del cupo}}. Queda como conflicto para el supervisor.',
  LEASE_RENEWAL_TOO_LONG:
    'El cupo se renueva por {maxMinutes} minutos como máximo (se pidieron {renewMinutes}).',
  EVENT_STARTED: 'La función empezó el {when}: ya no se puede anular esta venta.',
  NOT_VOIDABLE: 'Esta venta no se puede anular (estado {status}).',
  ALREADY_VOIDED:
    '{tickets, select, all {Esta venta ya fue anulada por completo} other {Ya anulado: {tickets}}}.',
  VOID_NEEDS_SERVER:
    'Esta taquilla vende para el servidor central: la anulación debe hacerse allí para liberar los asientos en todo el recinto. Llame al supervisor.',
  TICKET_VOIDED: 'Boleto anulado: {tickets}. No se reimprime.',
};

export type ErrorsKey = keyof typeof errors;
