import { type ServerOperation, serverOperations } from '../../shared/schemas/sync.ts';
import { parseInput } from '../../shared/validation.ts';

/** Bodies that serverOperations[op] has already produced (the route's validator, the batch's parse). */
const parsed = new WeakSet<object>();

/**
 * Marks a body the HTTP layer has just validated with the operation's own schema, so the store does
 * not parse the same schema again (validation once). Returns the body.
 */
export function validated<T>(body: T): T {
  if (typeof body === 'object' && body !== null) parsed.add(body);
  return body;
}

/** The operation's input: a marked body as it is, anything else parsed (VALIDATION when it is bad). */
export function operationInput(op: ServerOperation, raw: unknown): unknown {
  if (typeof raw === 'object' && raw !== null && parsed.has(raw)) return raw;
  return parseInput(serverOperations[op], raw);
}
