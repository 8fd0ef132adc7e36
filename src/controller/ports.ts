// The narrow interfaces the reconcile steps are given: what they may read
// (caches filled by watches), where they log, what they count. The I/O
// behind them lives in src/kube/ and src/observe/.
import type { KubeObject } from '../model/object.ts';

export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What the reconciler may read: caches filled by watches. */
export interface ClusterCache {
  getCluster(namespace: string, name: string): KubeObject | undefined;
  /** A child by identity (from the cache of its kind). */
  getChild(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
  /** Every cached child carrying the cluster label of this HarborCluster. */
  childrenOf(namespace: string, cluster: string): KubeObject[];
  /** Whether a kind installed by a CRD (cert-manager's Certificate) is served. */
  kindAvailable(apiVersion: string, kind: string): boolean;
}

/** What status reads besides the children: pods and FailedCreate events (cause-cache.ts). */
export interface StatusSources {
  /** The pods of a HarborCluster, cut down by kube/cached-pod.ts. */
  podsOf(namespace: string, cluster: string): KubeObject[];
  /** The FailedCreate events about a StatefulSet, cut down by kube/cached-event.ts. */
  failedCreatesOf(namespace: string, statefulSet: string): KubeObject[];
}

export interface ReconcileMetrics {
  applied(kind: string, verb: 'create' | 'update' | 'delete'): void;
  driftRepaired(kind: string): void;
  /** A reconcile found the children as last applied and rendered nothing. */
  skippedRender?(): void;
}

/**
 * The versions of the Secrets HarborClusters reference, as a watch sees
 * them (referenced-secrets.ts): what the secrets source compares with the
 * versions it read, to read a Secret again only when it changed.
 */
export interface ReferencedSecretVersions {
  /** The Secrets (names in the cluster's namespace) a cluster references now; call before reading them. */
  track(clusterKey: string, namespace: string, names: readonly string[]): void;
  /** The resourceVersion last seen of a referenced Secret; undefined when unknown or deleted. */
  versionOf(namespace: string, name: string): string | undefined;
  /** A referenced Secret as just read. */
  seen(secret: KubeObject): void;
  forget(clusterKey: string): void;
}
