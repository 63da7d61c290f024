import { createHmac, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost: ~30 ms per check, slow enough against guessing a 4-digit PIN offline from a stolen db. */
const PARAMS: ScryptOptions = {
  N: 16384,
  r: 8,
  p: 1,
  maxmem: 64 * 1024 * 1024,
};
const KEY_LENGTH = 32;

function derive(secret: string | Buffer, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, PARAMS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function hmac(pepper: Buffer, value: string | Buffer): Buffer {
  return createHmac('sha256', pepper).update(value).digest();
}

/**
 * How a stored hash was made (column users.pin_scheme, migration 008):
 * - 'peppered-scrypt': scrypt(HMAC(pepper, pin), salt). Every hash made now.
 * - 'wrapped-scrypt': HMAC(pepper, scrypt(pin, salt)). An older hash wrapped in place when its store
 *   was first opened with its key; re-hashed as 'peppered-scrypt' at the next successful sign-in.
 * - 'scrypt': scrypt(pin, salt). Only in a store not yet opened with its key.
 * The pepper comes from the store key (electron/store/store-key.ts), never from the database, so a
 * copied database alone cannot be searched for PINs, however short they are.
 */
export type PinScheme = 'peppered-scrypt' | 'wrapped-scrypt' | 'scrypt';

export interface PinHash {
  salt: string;
  hash: string;
  scheme: PinScheme;
}

/** A fresh random salt per user, so equal PINs never share a hash. */
export async function hashPin(pin: string, pepper: Buffer): Promise<PinHash> {
  const salt = randomBytes(16);
  const key = await derive(hmac(pepper, pin), salt);
  return { salt: salt.toString('base64'), hash: key.toString('base64'), scheme: 'peppered-scrypt' };
}

export async function verifyPin(pin: string, stored: PinHash, pepper: Buffer): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const salt = Buffer.from(stored.salt, 'base64');
  let key: Buffer;
  if (stored.scheme === 'peppered-scrypt') key = await derive(hmac(pepper, pin), salt);
  else if (stored.scheme === 'wrapped-scrypt') key = hmac(pepper, await derive(pin, salt));
  else key = await derive(pin, salt);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** An old 'scrypt' hash wrapped in place as 'wrapped-scrypt' (no PIN needed). */
export function wrapLegacyHash(hash: string, pepper: Buffer): string {
  return hmac(pepper, Buffer.from(hash, 'base64')).toString('base64');
}
