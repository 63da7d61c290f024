/** A database failure the operator can act on, as the API answers it (always 5xx: retry later). */
export interface StoreFailure {
  code: 'STORE_FULL' | 'STORE_READ_ONLY' | 'STORE_UNAVAILABLE';
  status: number;
  message: string;
  /** The database's own code (SQLITE_FULL, 53100, ...), for the log. */
  cause: string;
}

const SQLITE_UNAVAILABLE = /^SQLITE_(IOERR|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|NOMEM)/;
// PostgreSQL: disk full, out of memory, too many connections, cannot connect, admin shutdown.
const PG_UNAVAILABLE = new Set([
  '53200',
  '53300',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/**
 * Recognises the failures of the database itself (disk full, read-only, gone) among the errors a
 * request can end in. A terminal hears a 5xx, keeps the operation in its outbox and retries it under
 * the same idempotency key: nothing was written (SQLite and PostgreSQL rolled the write back).
 */
export function storeFailure(error: unknown): StoreFailure | null {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_FULL' || code === '53100') {
    return {
      code: 'STORE_FULL',
      status: 507,
      message: 'The server database has no disk space left: nothing was written; retry once space is freed',
      cause: code,
    };
  }
  if (code.startsWith('SQLITE_READONLY') || code === '25006') {
    return {
      code: 'STORE_READ_ONLY',
      status: 503,
      message: 'The server database cannot be written (read-only): nothing was written',
      cause: code,
    };
  }
  if (SQLITE_UNAVAILABLE.test(code) || PG_UNAVAILABLE.has(code) || /connection lost/i.test(String(error))) {
    return {
      code: 'STORE_UNAVAILABLE',
      status: 503,
      message: 'The server database is unavailable: nothing was written; retry shortly',
      cause: code || String(error),
    };
  }
  return null;
}
