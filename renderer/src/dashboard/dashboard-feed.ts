import { useEffect, useState } from 'react';
import type { DashboardSummary } from '../../../shared/api/dashboard.ts';
import type { ApiClient } from '../api/client.ts';
import { errorParts } from '../payments/session-client.ts';

/** Changes arrive in bursts (a sale moves several seats): one reload per burst. */
const BURST_MS = 250;
/**
 * Some figures change with time alone (a hold or a deposit running out writes nothing until cleanup),
 * so the summary is also read once a minute; everything else arrives through the change feed.
 */
const TIME_ONLY_REFRESH_MS = 60_000;
/** A dropped feed is taken up again after this long, from a fresh summary. */
const RECONNECT_MS = 2000;

export interface DashboardFeed {
  summary: DashboardSummary | null;
  error: { code: string; message: string; details: unknown } | null;
}

/**
 * The dashboard's figures, kept current by the live change feed the seat map uses (one subscription
 * per event, from the version the summary was read at) rather than by polling.
 */
export function useDashboardFeed(client: ApiClient): DashboardFeed {
  const [feed, setFeed] = useState<DashboardFeed>({ summary: null, error: null });

  useEffect(() => {
    let stopped = false;
    let burst: ReturnType<typeof setTimeout> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: (() => void)[] = [];
    let subscribed = '';

    const follow = (summary: DashboardSummary) => {
      // Subscribe again only when the set of events changed; the feed carries each one's version on.
      const key = summary.reservations.events.map((e) => e.eventId).join(',');
      if (key === subscribed) return;
      for (const stop of unsubscribe) stop();
      subscribed = key;
      unsubscribe = summary.reservations.events.map((e) =>
        client.live(
          e.eventId,
          e.version,
          (message) => {
            if (message.type === 'changes') schedule();
          },
          () => {
            subscribed = '';
            clearTimeout(retry);
            retry = setTimeout(() => void load(), RECONNECT_MS);
          },
        ),
      );
    };

    const load = async () => {
      try {
        const summary = await client.call('dashboard.summary', {});
        if (stopped) return;
        setFeed({ summary, error: null });
        follow(summary);
      } catch (e) {
        if (!stopped) setFeed((f) => ({ ...f, error: errorParts(e) }));
      }
    };

    const schedule = () => {
      if (burst !== undefined) return;
      burst = setTimeout(() => {
        burst = undefined;
        void load();
      }, BURST_MS);
    };

    void load();
    const clock = setInterval(() => void load(), TIME_ONLY_REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(clock);
      clearTimeout(burst);
      clearTimeout(retry);
      for (const stop of unsubscribe) stop();
    };
  }, [client]);

  return feed;
}
