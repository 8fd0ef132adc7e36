// The reconciler's view of the cluster: the informers' caches, with an index
// of children by HarborCluster so a reconcile never scans every object.
import type { Informer } from '../kube/informer.ts';
import { objectKey, type KubeObject } from '../model/object.ts';
import { clusterLabel } from '../render/values.ts';
import type { ClusterCache } from './ports.ts';

const typeKey = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

export class InformerCache implements ClusterCache {
  private readonly clusters: Informer[];
  private readonly byType = new Map<string, Informer[]>();
  private readonly index = new Map<string, Map<string, KubeObject>>();

  constructor(clusters: Informer[], children: Informer[]) {
    this.clusters = clusters;
    for (const i of children) {
      const k = typeKey(i.type.apiVersion, i.type.kind);
      this.byType.set(k, [...(this.byType.get(k) ?? []), i]);
    }
  }

  /** Keeps the by-cluster index current; called for every child event. */
  track(event: 'add' | 'update' | 'delete', obj: KubeObject, old?: KubeObject): string | undefined {
    const before = old?.metadata.labels?.[clusterLabel];
    const after = obj.metadata.labels?.[clusterLabel];
    const ns = obj.metadata.namespace ?? '';
    const k = objectKey(obj);
    if (before && before !== after) this.index.get(`${ns}/${before}`)?.delete(k);
    if (!after) return before ? `${ns}/${before}` : undefined;
    const bucket = this.index.get(`${ns}/${after}`) ?? new Map<string, KubeObject>();
    if (event === 'delete') bucket.delete(k);
    else bucket.set(k, obj);
    if (bucket.size === 0) this.index.delete(`${ns}/${after}`);
    else this.index.set(`${ns}/${after}`, bucket);
    return `${ns}/${after}`;
  }

  getCluster(namespace: string, name: string): KubeObject | undefined {
    for (const i of this.clusters) {
      const o = i.get(namespace, name);
      if (o) return o;
    }
    return undefined;
  }

  listClusters(): KubeObject[] {
    return this.clusters.flatMap((i) => i.list());
  }

  getChild(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    for (const i of this.byType.get(typeKey(apiVersion, kind)) ?? []) {
      const o = i.get(namespace, name);
      if (o) return o;
    }
    return undefined;
  }

  childrenOf(namespace: string, cluster: string): KubeObject[] {
    return [...(this.index.get(`${namespace}/${cluster}`)?.values() ?? [])];
  }

  kindAvailable(apiVersion: string, kind: string): boolean {
    const list = this.byType.get(typeKey(apiVersion, kind));
    return !!list && list.length > 0 && list.every((i) => i.isAvailable() && i.hasSynced());
  }
}
