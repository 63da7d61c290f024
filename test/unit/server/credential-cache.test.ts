import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../../../server/credential-cache.ts';
import type { CredentialRow } from '../../../server/storage/hold-store.ts';

const row = (id: number, revokedAt: number | null = null): CredentialRow => ({
  id,
  tenantId: 1,
  role: 'terminal',
  name: `T${id}`,
  revokedAt,
});

describe('credential cache', () => {
  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new CredentialCache(3);
    for (const id of [1, 2, 3]) cache.put(`h${id}`, row(id), 0);
    expect(cache.trusted('h1', 0)?.id).toBe(1); // 1 is now the most recent
    cache.put('h4', row(4), 0);
    expect(cache.size).toBe(3);
    expect(cache.known('h2')).toBe(false); // the least recently used went
    expect(['h1', 'h3', 'h4'].every((h) => cache.known(h))).toBe(true);
  });

  it('trusts a row only under the epoch it was read in; a null epoch is never trusted, only known', () => {
    const cache = new CredentialCache(10);
    cache.put('a', row(1), 3);
    cache.put('b', row(2), null);
    expect(cache.trusted('a', 3)?.id).toBe(1);
    expect(cache.trusted('a', 4)).toBeNull();
    expect(cache.trusted('b', 0)).toBeNull();
    expect(cache.known('b')).toBe(true);
  });

  it("gives a write the row of a live credential whatever the epoch it was read in, never a revoked one's", () => {
    const cache = new CredentialCache(10);
    cache.put('a', row(1), null);
    cache.put('b', row(2), 5);
    cache.put('c', row(3, 1000), null);
    expect(cache.live('a')?.id).toBe(1);
    expect(cache.live('b')?.id).toBe(2);
    expect(cache.live('c')).toBeNull();
    cache.forget(1);
    expect(cache.live('a')).toBeNull();
  });

  it('never keeps a revoked credential, and forgets one when it is revoked', () => {
    const cache = new CredentialCache(10);
    cache.put('a', row(1), 0);
    cache.put('b', row(2, 1000), 0);
    expect(cache.known('b')).toBe(false);
    expect(cache.size).toBe(1);
    cache.forget(1);
    expect(cache.known('a')).toBe(false);
    expect(cache.size).toBe(0);
  });
});
