import type { CredentialRow } from './storage/hold-store.ts';

/**
 * The credentials this instance has read, by secret hash, least recently used first out. Only real
 * credentials are kept: an unknown token is never stored, so a flood of junk tokens costs a database
 * read each (and the credential-failure rate limit) but no memory.
 *
 * An entry serves two purposes. Authorization trusts it only under the store's cache epoch it was
 * read in (`trusted`): while this instance is sure to hear every revocation. The rate limits only
 * ask whether a token belonged to a live credential when last read (`known`), so the terminals of a
 * venue are never throttled for what a stranger behind the same address does.
 */
export class CredentialCache {
  private readonly entries = new Map<string, { row: CredentialRow; epoch: number | null }>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The row read under `epoch`, or null (absent, or read under another epoch). */
  trusted(hash: string, epoch: number): CredentialRow | null {
    const entry = this.entries.get(hash);
    if (!entry || entry.epoch !== epoch) return null;
    this.touch(hash, entry);
    return entry.row;
  }

  /**
   * The row of a credential that was live when last read, whatever its epoch: only for a write, whose
   * own statement re-reads the revocation (nothing else of a credential ever changes).
   */
  live(hash: string): CredentialRow | null {
    const entry = this.entries.get(hash);
    if (!entry) return null;
    this.touch(hash, entry);
    return entry.row;
  }

  /** True when `hash` was a live (not revoked) credential when last read. */
  known(hash: string): boolean {
    const entry = this.entries.get(hash);
    return entry !== undefined && entry.row.revokedAt === null;
  }

  /** Keeps a live credential's row; `epoch` null: kept for `known` only, never trusted. */
  put(hash: string, row: CredentialRow, epoch: number | null): void {
    if (row.revokedAt !== null) {
      this.entries.delete(hash);
      return;
    }
    this.entries.delete(hash);
    this.entries.set(hash, { row, epoch });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops every entry of a revoked credential. */
  forget(credentialId: number): void {
    for (const [hash, entry] of this.entries) if (entry.row.id === credentialId) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(hash: string, entry: { row: CredentialRow; epoch: number | null }): void {
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(hash);
    this.entries.set(hash, entry);
  }
}
