// Events on HarborClusters (what `kubectl describe` shows). Repeats of the
// same reason and message within a while bump the count of one Event instead
// of creating new ones.
import type { KubeObject } from '../model/object.ts';
import type { KubeHttp } from './http.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(regarding: KubeObject, type: EventType, reason: string, message: string): void;
}

interface Recent {
  name: string;
  count: number;
}

export function createEventRecorder(
  http: KubeHttp,
  opts: { component: string; onError?: (err: unknown) => void; now?: () => Date },
): EventRecorder {
  const recent = new Map<string, Recent>();
  const now = opts.now ?? ((): Date => new Date());
  async function send(regarding: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const ns = regarding.metadata.namespace ?? 'default';
    const key = `${ns}/${regarding.metadata.name}/${regarding.metadata.uid ?? ''}/${type}/${reason}/${message}`;
    const ts = now().toISOString();
    const seen = recent.get(key);
    if (seen) {
      seen.count++;
      try {
        await http.request('PATCH', `/api/v1/namespaces/${ns}/events/${seen.name}`, {
          body: { count: seen.count, lastTimestamp: ts },
          contentType: 'application/merge-patch+json',
        });
        return;
      } catch {
        recent.delete(key); // gone (events expire): create a new one
      }
    }
    const created = await http.request<KubeObject>('POST', `/api/v1/namespaces/${ns}/events`, {
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${regarding.metadata.name}.`, namespace: ns },
        involvedObject: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: regarding.metadata.name,
          namespace: ns,
          uid: regarding.metadata.uid,
          resourceVersion: regarding.metadata.resourceVersion,
        },
        reason,
        message: message.slice(0, 1024),
        type,
        source: { component: opts.component },
        reportingComponent: opts.component,
        reportingInstance: opts.component,
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
      },
    });
    if (recent.size > 5000) recent.clear();
    recent.set(key, { name: created.metadata.name, count: 1 });
  }
  return {
    event(regarding, type, reason, message): void {
      send(regarding, type, reason, message).catch((err: unknown) => opts.onError?.(err));
    },
  };
}
