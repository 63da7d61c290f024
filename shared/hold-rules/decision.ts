import { type ErrorCode, TaquillaError } from '../errors.ts';

/**
 * What a rule answers: the effects to write, or a refusal (a TaquillaError with the existing code and
 * its facts). A refusal writes nothing: the store rolls its transaction back.
 */
export type Decision<E> = { ok: true; effects: E } | { ok: false; refusal: TaquillaError };

export function allow<E>(effects: E): Decision<E> {
  return { ok: true, effects };
}

export function refuse<E>(refusal: TaquillaError<ErrorCode>): Decision<E> {
  return { ok: false, refusal };
}

/** The effects, or the refusal thrown (stores that throw to roll back use this). */
export function effectsOrThrow<E>(decision: Decision<E>): E {
  if (!decision.ok) throw decision.refusal;
  return decision.effects;
}
