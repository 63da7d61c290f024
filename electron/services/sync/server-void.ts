import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  type KeyOutcome,
  type ServerVoidInput,
  serverVoidReply,
  type ServerVoidReply,
} from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';
import { NetworkError, type ServerReply } from './hold-server-client.ts';
import type { Outbox } from './outbox.ts';
import type { ServerLink } from './server-link.ts';

/** Voids decided at the server, straight over the link: a void is never queued in the outbox. */
export class ServerVoids {
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly serverClock: Clock,
    private readonly link: ServerLink,
    private readonly outbox: Outbox,
    /** Reports what is queued (an offline sale is reported before it is voided). */
    private readonly flush: () => Promise<void>,
    /** How long the server is asked what became of a void whose reply was lost (plus a margin). */
    private readonly heartbeatTimeoutMs: number,
  ) {
    this.sql = {
      // An offline sale not yet reported, or a sale queued to be re-sent to a restored server.
      unreportedSale: db.prepare<[string], { id: number }>(
        `SELECT id FROM sync_outbox WHERE op IN ('leaseSale', 'recoverSale') AND acked_at IS NULL
           AND COALESCE(json_extract(body, '$.saleId'), json_extract(body, '$.transactionId')) = ?`,
      ),
    };
  }

  /**
   * A void decided at the server (issue 16): its tickets free venue-wide in the server's write, and
   * this resolves with the server's answer; the caller then writes its local void. `key` is the
   * void's own idempotency key (from its requestId), so a void retried after the server said yes and
   * the local write failed hears the same answer and frees nothing twice. Not sent through the outbox:
   * a void is never queued. Unreachable, or a sale made offline whose report cannot be sent first:
   * OFFLINE (nothing done). A reply lost on the way: the server
   * is asked by key at once (giving it up if it never arrived, OFFLINE); when it cannot be asked,
   * OUTCOME_UNKNOWN (the same request retried settles it). The server's refusals as they are.
   */
  async voidAtServer(body: ServerVoidInput, key: string): Promise<ServerVoidReply> {
    if (!this.link.client || this.link.state === 'unenrolled') {
      throw new TaquillaError('OFFLINE', 'This terminal is not enrolled with a server', { outbox: 0 });
    }
    if (this.link.state === 'revoked') {
      throw new TaquillaError('UNAUTHORIZED', 'This terminal was revoked at the server; enrol it again', {});
    }
    const offline = () =>
      new TaquillaError('OFFLINE', 'The server cannot be reached', { outbox: this.outbox.length });
    if (this.link.state !== 'online') throw offline();
    // A sale made offline (or re-sent after a restore) is voided at the server once it is there: send
    // it first.
    if (this.sql.unreportedSale.get(body.transactionId)) {
      await this.flush();
      if (this.sql.unreportedSale.get(body.transactionId)) throw offline();
    }
    const client = this.link.client;
    let reply: ServerReply;
    try {
      reply = await client.operation('voidTickets', body, key);
    } catch (error) {
      this.link.goOffline();
      if (error instanceof NetworkError && error.refused) throw offline();
      const asked = await client.outcomes([key], this.heartbeatTimeoutMs + 500).catch(() => null);
      const outcome = (asked?.result as { outcomes?: KeyOutcome[] } | undefined)?.outcomes?.[0];
      if (!outcome || outcome.outcome === 'unknown') {
        throw new TaquillaError(
          'OUTCOME_UNKNOWN',
          'The server has not confirmed whether this void went through',
          {
            transactionId: body.transactionId,
            outbox: this.outbox.length,
          },
        );
      }
      if (outcome.outcome === 'abandoned') throw offline();
      reply = {
        ...outcome.body,
        status: outcome.status,
        serverTime: this.serverClock.now(),
        localMidpoint: this.clock.now(),
      };
    }
    this.link.noteReply(reply);
    if (reply.status === 401) {
      this.link.setState('revoked');
      throw new TaquillaError('UNAUTHORIZED', 'This terminal was revoked', {});
    }
    if (reply.error) {
      throw new TaquillaError(
        reply.error.code as 'ALREADY_VOIDED',
        reply.error.message,
        reply.error.details as never,
      );
    }
    return serverVoidReply.parse(reply.result);
  }
}
