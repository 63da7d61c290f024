import type { Db } from '../../store/database.ts';
import { ChangeFeedWriter, ChangeSet } from './change-set.ts';
import { HoldFacts } from './hold-facts.ts';
import { HoldWriter, type SoldTicketRelease } from './hold-writer.ts';

export type { SoldTicketRelease } from './hold-writer.ts';

/**
 * The void arrow of the lifecycle (issue 16), written by the hold tables' one writer (HoldWriter): a
 * sold ticket goes back on sale, a general-admission ticket keeps fewer places, a sale with nothing
 * left is CANCELLED. Call after writing the void, inside the same write transaction; the seats reach
 * every screen through the change feed, as any release does.
 */
export class SoldTicketVoids {
  private readonly writer: HoldWriter;
  private readonly feed: ChangeFeedWriter;

  constructor(db: Db) {
    this.writer = new HoldWriter(db, new HoldFacts(db));
    this.feed = new ChangeFeedWriter(db);
  }

  /** Releases the tickets; returns whether the sale was left with nothing (and so was cancelled). */
  release(
    transactionId: string,
    tickets: SoldTicketRelease[],
    at: number,
    actor: string,
    reason: string,
  ): { saleCancelled: boolean } {
    const changes = new ChangeSet();
    const result = this.writer.voidSold(transactionId, tickets, at, actor, reason, changes);
    this.feed.flush(changes);
    return result;
  }
}
