import { ApiError, type ApiClient, createClient } from '../api/client.ts';

/**
 * A client on the signed-in session for the payment, dashboard, kiosk and closing screens. The
 * counter's client keeps the session token in sessionStorage, which a fresh client reads, so these
 * screens speak as the same session without reaching into the counter's store.
 */
export function sessionClient(): ApiClient {
  return createClient();
}

export function errorParts(error: unknown): { code: string; message: string; details: unknown } {
  if (error instanceof ApiError) return { code: error.code, message: error.message, details: error.details };
  return { code: 'other', message: String(error), details: {} };
}

/** A fresh idempotency key per attempt at paying: a retried request never takes the money twice. */
export function newRequestId(): string {
  return globalThis.crypto.randomUUID();
}
