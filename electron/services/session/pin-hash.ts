import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost: ~30 ms per check, slow enough against guessing a 4-digit PIN offline from a stolen db. */
const PARAMS: ScryptOptions = {
  N: 16384,
  r: 8,
  p: 1,
  maxmem: 64 * 1024 * 1024,
};
const KEY_LENGTH = 32;

function derive(pin: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, KEY_LENGTH, PARAMS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export interface PinHash {
  salt: string;
  hash: string;
}

/** A fresh random salt per user, so equal PINs never share a hash. */
export async function hashPin(pin: string): Promise<PinHash> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt);
  return { salt: salt.toString('base64'), hash: key.toString('base64') };
}

export async function verifyPin(pin: string, stored: PinHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const key = await derive(pin, Buffer.from(stored.salt, 'base64'));
  return key.length === expected.length && timingSafeEqual(key, expected);
}
