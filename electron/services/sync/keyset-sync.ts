import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  type RegisterTicketKeysReply,
  registerTicketKeysReply,
  type TicketKeyRegistration,
  type TicketKeyset,
  ticketKeyset,
} from '../../../shared/schemas/keyset.ts';
import type { Db } from '../../store/database.ts';
import type { StoreKey } from '../../store/store-key.ts';
import { VenueKeysetStore } from '../printing/ticket-keyset.ts';
import { HoldServerClient, type ServerReply } from './hold-server-client.ts';
import { SyncCredentialStore } from './sync-credential.ts';

/** How often a counter that is up asks again for the venue's keyset (new keys, new revocations). */
export const KEYSET_REFRESH_MS = 5 * 60_000;

/**
 * An enrolled counter's part of door verification (issue 14): it registers every public ticket key of
 * its store at the central server under its credential (retired ones with their retirement), then
 * fetches the venue's keyset and revocation list and keeps it (venue_keyset), so this counter's door
 * verifies every counter's tickets offline. Registering is safe to repeat; it runs at enrolment, after
 * a rotation and on every refresh, so a key made while the link was down is registered once it is up.
 */
export class KeysetSync {
  private readonly credentials: SyncCredentialStore;
  private readonly cache: VenueKeysetStore;
  private readonly localKeys;

  constructor(
    db: Db,
    private readonly clock: Clock,
    storeKey: StoreKey,
    private readonly timeoutMs = 5000,
  ) {
    this.credentials = new SyncCredentialStore(db, storeKey);
    this.cache = new VenueKeysetStore(db);
    this.localKeys = db.prepare<
      [],
      { key_id: string; public_key: string; created_at: number; retired_at: number | null }
    >('SELECT key_id, public_key, created_at, retired_at FROM ticket_signing_keys ORDER BY created_at');
  }

  /**
   * Registers this store's keys and fetches the keyset (NetworkError when the server cannot be
   * reached; TaquillaError with the server's code when it refuses, e.g. UNAUTHORIZED once revoked).
   * `taken`: keys another counter registered first (this store is a copy: rotate its key).
   */
  async refresh(): Promise<{ registered: string[]; taken: string[]; keyset: TicketKeyset }> {
    const credential = this.credentials.load();
    if (!credential) throw new TaquillaError('UNAUTHORIZED', 'This terminal is not enrolled', {});
    const client = new HoldServerClient(credential.serverUrls, this.clock, credential.secret, this.timeoutMs);
    const keys: TicketKeyRegistration[] = this.localKeys.all().map((k) => ({
      keyId: k.key_id,
      publicKey: k.public_key,
      createdAt: k.created_at,
      retiredAt: k.retired_at,
    }));
    let reply: RegisterTicketKeysReply = { registered: [], taken: [] };
    if (keys.length > 0) {
      reply = registerTicketKeysReply.parse(answer(await client.postAgainSafe('/v1/ticket-keys', { keys })));
    }
    const keyset = ticketKeyset.parse(answer(await client.get('/v1/keyset')));
    this.cache.save(keyset, this.clock.now());
    return { ...reply, keyset };
  }

  /** The keyset this counter last fetched; null before the first fetch. */
  cached(): TicketKeyset | null {
    return this.cache.load()?.keyset ?? null;
  }
}

function answer(reply: ServerReply): unknown {
  if (reply.error) throw new TaquillaError(reply.error.code as 'UNAUTHORIZED', reply.error.message, {});
  return reply.result;
}
