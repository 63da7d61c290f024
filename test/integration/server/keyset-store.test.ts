import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HoldStore } from '../../../server/storage/hold-store.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/** A raw Ed25519 public key's shape (43 base64url characters); the store does not check the curve. */
const KEY_A = 'A'.repeat(43);
const KEY_B = 'B'.repeat(43);

/**
 * The keyset tables (server migration 5) on both dialects: a key is its first registrant's, learns its
 * retirement, and a revoked counter's keys carry the revocation and what the server recorded from it.
 */
async function keysetBehaviour(store: HoldStore) {
  const tenantId = await store.createTenant('Teatro', {}, T0);
  const other = await store.createTenant('Otro', {}, T0);
  const add = (name: string, t = tenantId) =>
    store.addCredential({
      tenantId: t,
      role: 'terminal',
      name,
      secretHash: randomBytes(8).toString('hex'),
      now: T0,
    });
  const caja1 = await add('Caja 1');
  const caja2 = await add('Caja 2');
  const foreign = await add('Caja X', other);

  const first = await store.registerTicketKeys(
    tenantId,
    caja1,
    [{ keyId: 'key-a1', publicKey: KEY_A, createdAt: T0, retiredAt: null }],
    T0 + 1,
  );
  expect(first).toEqual({ registered: ['key-a1'], taken: [] });
  // A copy of Caja 1's store enrolled as Caja 2 offers the same key: it stays Caja 1's.
  const copy = await store.registerTicketKeys(
    tenantId,
    caja2,
    [
      { keyId: 'key-a1', publicKey: KEY_A, createdAt: T0, retiredAt: null },
      { keyId: 'key-b1', publicKey: KEY_B, createdAt: T0 + 5, retiredAt: null },
    ],
    T0 + 6,
  );
  expect(copy).toEqual({ registered: ['key-b1'], taken: ['key-a1'] });
  // Another tenant's key ids are its own.
  expect(
    await store.registerTicketKeys(
      other,
      foreign,
      [{ keyId: 'key-a1', publicKey: KEY_B, createdAt: T0, retiredAt: null }],
      T0,
    ),
  ).toEqual({ registered: ['key-a1'], taken: [] });
  // Rotation: the old key learns its retirement (once; a later report does not move it).
  await store.registerTicketKeys(
    tenantId,
    caja1,
    [{ keyId: 'key-a1', publicKey: KEY_A, createdAt: T0, retiredAt: T0 + 10 }],
    T0 + 10,
  );
  await store.registerTicketKeys(
    tenantId,
    caja1,
    [{ keyId: 'key-a1', publicKey: KEY_A, createdAt: T0, retiredAt: T0 + 99 }],
    T0 + 99,
  );

  await store.revokeCredential(tenantId, caja2, T0 + 20, { actor: 'operator:test', credentialId: 0 });
  const keyset = await store.ticketKeyset(tenantId, T0 + 30);
  expect(keyset).toEqual({
    format: 'taquilla-keyset/1',
    tenantId,
    generatedAt: T0 + 30,
    keys: [
      {
        keyId: 'key-a1',
        publicKey: KEY_A,
        credentialId: caja1,
        terminal: 'Caja 1',
        validFrom: T0,
        retiredAt: T0 + 10,
        terminalRevokedAt: null,
      },
      {
        keyId: 'key-b1',
        publicKey: KEY_B,
        credentialId: caja2,
        terminal: 'Caja 2',
        validFrom: T0 + 5,
        retiredAt: null,
        terminalRevokedAt: T0 + 20,
        issuedBeforeRevocation: [],
      },
    ],
    revoked: [],
  });
}

describe('the venue keyset at the server', () => {
  it('SQLite', async () => {
    const { dir, remove } = tempDir('taquilla-keyset-');
    const store = new SqliteHoldStore(join(dir, 'server.db'));
    await store.init();
    try {
      await keysetBehaviour(store);
    } finally {
      await store.close();
      remove();
    }
  });

  it.skipIf(!process.env.TAQUILLA_PG_URL)('PostgreSQL', async () => {
    const store = new PgHoldStore(process.env.TAQUILLA_PG_URL!, {
      schema: `t_${randomBytes(6).toString('hex')}`,
    });
    await store.init();
    try {
      await keysetBehaviour(store);
    } finally {
      await store.close();
      await store.dropSchema();
    }
  });
});
