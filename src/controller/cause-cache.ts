// The pods and FailedCreate events status reads, indexed: pods by their
// HarborCluster (the cluster label), events by the StatefulSet they are
// about, so that a status write never scans every pod. track*() keep the
// index current and say whether what status reads changed, so that only
// those changes queue a reconcile (a pod becoming ready already shows in its
// workload's status).
import { problemOf } from '../kube/cached-pod.ts';
import type { CachedEvent } from '../kube/cached-event.ts';
import type { KubeObject } from '../model/object.ts';
import { clusterLabel } from '../render/values.ts';
import type { StatusSources } from './ports.ts';

type Event = 'add' | 'update' | 'delete';

export class CauseCache implements StatusSources {
  private readonly pods = new Map<string, Map<string, KubeObject>>();
  private readonly events = new Map<string, Map<string, CachedEvent>>();

  /** Indexes a (cut down) pod; returns its HarborCluster's key when the pod's problem came, changed or went. */
  trackPod(event: Event, pod: KubeObject, old?: KubeObject): string | undefined {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name;
    const label = (o: KubeObject | undefined): string | undefined => o?.metadata.labels?.[clusterLabel];
    const wasIn = event === 'delete' ? label(pod) : label(old);
    const isIn = event === 'delete' ? undefined : label(pod);
    if (wasIn && wasIn !== isIn) remove(this.pods, `${ns}/${wasIn}`, name);
    if (isIn) put(this.pods, `${ns}/${isIn}`, name, pod);
    const was = event === 'add' ? undefined : problemOf(event === 'delete' ? pod : old ?? pod);
    const now = event === 'delete' ? undefined : problemOf(pod);
    if (!was && !now) return undefined;
    if (wasIn === isIn && was?.reason === now?.reason && was?.message === now?.message) return undefined;
    const cluster = isIn ?? wasIn;
    return cluster ? `${ns}/${cluster}` : undefined;
  }

  /** Indexes a FailedCreate event; returns whether what status reads of it (its message) came, changed or went. */
  trackEvent(event: Event, ev: CachedEvent, old?: CachedEvent): boolean {
    const key = `${ev.metadata.namespace ?? ''}/${ev.involvedObject.name}`;
    if (event === 'delete') {
      remove(this.events, key, ev.metadata.name);
      return true;
    }
    put(this.events, key, ev.metadata.name, ev);
    return !old || old.message !== ev.message || old.involvedObject.uid !== ev.involvedObject.uid;
  }

  podsOf(namespace: string, cluster: string): KubeObject[] {
    return [...(this.pods.get(`${namespace}/${cluster}`)?.values() ?? [])];
  }

  failedCreatesOf(namespace: string, statefulSet: string): CachedEvent[] {
    return [...(this.events.get(`${namespace}/${statefulSet}`)?.values() ?? [])];
  }
}

function put<T>(index: Map<string, Map<string, T>>, key: string, name: string, value: T): void {
  let bucket = index.get(key);
  if (!bucket) index.set(key, (bucket = new Map<string, T>()));
  bucket.set(name, value);
}

function remove<T>(index: Map<string, Map<string, T>>, key: string, name: string): void {
  const bucket = index.get(key);
  if (!bucket) return;
  bucket.delete(name);
  if (bucket.size === 0) index.delete(key);
}
