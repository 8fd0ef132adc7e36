// The watches status reads besides the children: the HarborClusters' pods
// (by the cluster label, cut down to their problem on arrival, see
// kube/cached-pod.ts) and the FailedCreate events of StatefulSets (by field
// selector). Only a change of what status reads queues a reconcile, after
// the status-only delay (child-event.ts): a pod that becomes ready shows in
// its workload's status anyway.
import { cachedEvent, type CachedEvent } from '../kube/cached-event.ts';
import { cachedPod } from '../kube/cached-pod.ts';
import type { KubeHttp } from '../kube/http.ts';
import { Informer } from '../kube/informer.ts';
import type { StringTable } from '../kube/intern.ts';
import type { ListGate } from '../kube/list-gate.ts';
import { eventFieldSelector, eventType, podType } from '../kube/resources.ts';
import { clusterLabel } from '../render/values.ts';
import { COMPONENT_LABEL } from '../status/observe.ts';
import type { CauseCache } from './cause-cache.ts';
import { STATUS_ONLY_DELAY_MS } from './child-event.ts';
import type { ClusterCache } from './ports.ts';

export interface StatusSourceOptions {
  http: KubeHttp;
  /** Namespaces to watch; [undefined] for all. */
  namespaces: (string | undefined)[];
  listGate: ListGate;
  strings: StringTable;
  onError: (err: unknown) => void;
  causes: CauseCache;
  children: ClusterCache;
  /** Queues a HarborCluster's key after a delay. */
  queueAfter: (key: string, ms: number) => void;
}

const KEPT_LABELS = [clusterLabel, COMPONENT_LABEL];

export function statusSourceInformers(o: StatusSourceOptions): Informer[] {
  const intern = (s: string): string => o.strings.intern(s);
  const pods = o.namespaces.map(
    (ns) =>
      new Informer(o.http, podType, {
        ...(ns ? { namespace: ns } : {}),
        labelSelector: clusterLabel,
        // Pods are served whole (8 KiB of JSON each for a HarborCluster's,
        // test/integration/cached-pod.test.ts) and cut only once parsed:
        // smaller pages hold fewer of them at once while listing.
        pageSize: 100,
        onError: o.onError,
        listGate: o.listGate,
        transform: (p) => cachedPod(p, KEPT_LABELS, intern),
        onEvent: (event, pod, old) => {
          const key = o.causes.trackPod(event, pod, old);
          if (key) o.queueAfter(key, STATUS_ONLY_DELAY_MS);
        },
      }),
  );
  const events = o.namespaces.map(
    (ns) =>
      new Informer(o.http, eventType, {
        ...(ns ? { namespace: ns } : {}),
        fieldSelector: eventFieldSelector,
        onError: o.onError,
        listGate: o.listGate,
        transform: (e) => cachedEvent(e),
        onEvent: (event, e, old) => {
          const ev = e as CachedEvent;
          if (!o.causes.trackEvent(event, ev, old as CachedEvent | undefined)) return;
          const namespace = ev.metadata.namespace ?? '';
          const set = o.children.getChild('apps/v1', 'StatefulSet', namespace, ev.involvedObject.name);
          const cluster = set?.metadata.labels?.[clusterLabel];
          if (cluster) o.queueAfter(`${namespace}/${cluster}`, STATUS_ONLY_DELAY_MS);
        },
      }),
  );
  return [...pods, ...events];
}
