// Who wrote the Events of a period: the API server's request counts have no
// user, but each Event names the component that reported it. Counted by
// "component: reason", from every Event whose last occurrence falls in the
// period (a repeated Event is one object with a count, patched each time).
import type { KubeHttp } from '../src/kube/http.ts';

interface Event {
  reason?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  source?: { component?: string };
  reportingComponent?: string;
  series?: { lastObservedTime?: string; count?: number };
  involvedObject?: { kind?: string };
}

export async function eventsSince(http: KubeHttp, sinceMs: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cont: string | undefined;
  do {
    const page = await http.request<{ items: Event[]; metadata?: { continue?: string } }>('GET', '/api/v1/events', {
      query: { limit: 500, continue: cont },
    });
    for (const e of page.items) {
      const last = Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? '');
      // Timestamps have second precision.
      if (!(last >= sinceMs - 1000)) continue;
      const k = `${e.source?.component || e.reportingComponent || '?'}: ${e.reason ?? '?'} (${e.involvedObject?.kind ?? '?'})`;
      out[k] = (out[k] ?? 0) + 1;
    }
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return out;
}
