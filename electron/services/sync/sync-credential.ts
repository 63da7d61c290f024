import type { Db } from '../../store/database.ts';
import type { StoreKey } from '../../store/store-key.ts';

/** This terminal's enrolment at the central server (one row of sync_credentials). */
export interface SyncCredential {
  /** The first of `serverUrls` (older Taquilla read only this column). */
  serverUrl: string;
  /** Every URL the venue's server answers on (its instances), in the order they are tried. */
  serverUrls: string[];
  tenantId: number;
  credentialId: number;
  /** The bearer secret the server issued; the server keeps only its hash. */
  secret: string;
  terminalName: string;
  enrolledAt: number;
}

const PURPOSE = 'sync_credentials:1';

/**
 * The one owner of sync_credentials. The secret is stored sealed under the store key, never in plain
 * text; a secret written in plain text by an older Taquilla is sealed in place when this starts.
 */
export class SyncCredentialStore {
  private readonly sql;

  constructor(
    db: Db,
    private readonly storeKey: StoreKey,
  ) {
    this.sql = {
      get: db.prepare<
        [],
        {
          server_url: string;
          server_urls: string | null;
          tenant_id: number;
          credential_id: number;
          sealed_secret: string | null;
          terminal_name: string;
          enrolled_at: number;
        }
      >(
        `SELECT server_url, server_urls, tenant_id, credential_id, sealed_secret, terminal_name, enrolled_at
         FROM sync_credentials WHERE id = 1`,
      ),
      save: db.prepare<[string, string, number, number, string, string, number]>(
        `INSERT INTO sync_credentials
           (id, server_url, server_urls, tenant_id, credential_id, secret, sealed_secret, terminal_name, enrolled_at)
         VALUES (1, ?, ?, ?, ?, '', ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url, server_urls = excluded.server_urls,
           tenant_id = excluded.tenant_id,
           credential_id = excluded.credential_id, secret = '', sealed_secret = excluded.sealed_secret,
           terminal_name = excluded.terminal_name, enrolled_at = excluded.enrolled_at`,
      ),
      plaintext: db.prepare<[], { secret: string }>(
        "SELECT secret FROM sync_credentials WHERE id = 1 AND secret <> ''",
      ),
      seal: db.prepare<[string]>("UPDATE sync_credentials SET sealed_secret = ?, secret = '' WHERE id = 1"),
      setServers: db.prepare<[string, string]>(
        'UPDATE sync_credentials SET server_url = ?, server_urls = ? WHERE id = 1',
      ),
    };
    const plain = this.sql.plaintext.get();
    if (plain) this.sql.seal.run(storeKey.seal(PURPOSE, plain.secret));
  }

  load(): SyncCredential | null {
    const row = this.sql.get.get();
    if (!row || row.sealed_secret === null) return null;
    return {
      serverUrl: row.server_url,
      serverUrls: row.server_urls ? (JSON.parse(row.server_urls) as string[]) : [row.server_url],
      tenantId: row.tenant_id,
      credentialId: row.credential_id,
      secret: this.storeKey.unseal(PURPOSE, row.sealed_secret).toString('utf8'),
      terminalName: row.terminal_name,
      enrolledAt: row.enrolled_at,
    };
  }

  save(credential: SyncCredential): void {
    this.sql.save.run(
      credential.serverUrl,
      JSON.stringify(credential.serverUrls),
      credential.tenantId,
      credential.credentialId,
      this.storeKey.seal(PURPOSE, credential.secret),
      credential.terminalName,
      credential.enrolledAt,
    );
  }

  /** The venue's server moved or gained an instance: its URLs change, the credential stays. */
  setServers(urls: readonly string[]): void {
    this.sql.setServers.run(urls[0]!, JSON.stringify(urls));
  }
}
