// What the operator's caches keep of an Event (only FailedCreate events of
// StatefulSets are watched, see resources.ts): the object it is about, its
// reason, message and when it was last seen.
import type { KubeObject } from '../model/object.ts';
import { cut } from '../status/pod-problem.ts';

interface EventShape {
  involvedObject?: { kind?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { lastObservedTime?: string } | null;
}

export interface CachedEvent extends KubeObject {
  involvedObject: { kind: string; name: string; uid: string };
  reason: string;
  message: string;
  /** lastTimestamp, or for events.k8s.io events the series' or the event's time. */
  lastSeen: string;
}

export function cachedEvent(ev: KubeObject): CachedEvent {
  const e = ev as unknown as EventShape;
  const m = ev.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: m.name,
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    },
    involvedObject: { kind: e.involvedObject?.kind ?? '', name: e.involvedObject?.name ?? '', uid: e.involvedObject?.uid ?? '' },
    reason: e.reason ?? '',
    message: cut(e.message ?? ''),
    lastSeen: e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? m.creationTimestamp ?? '',
  };
}
