// Watches the Secrets HarborClusters reference (admin password, external
// database, cache and storage credentials, Harbor's settings, Trivy's token),
// so that a changed, created or deleted one reaches the children without a
// spec change.
//
// For scale, one metadata-only watch of Secrets per watched namespace (all
// namespaces by default; PartialObjectMetadata, so no Secret's data reaches
// the operator through it) that caches only the Secrets some HarborCluster
// references, cut to name, namespace, uid and resourceVersion. Every other
// Secret's event is dropped as it arrives. The secrets source registers what
// a cluster references before it reads those Secrets, and tells what it
// read: a Secret is read again (a GET) only when its resourceVersion moved.
import type { KubeHttp } from '../kube/http.ts';
import { Informer } from '../kube/informer.ts';
import type { ListGate } from '../kube/list-gate.ts';
import type { ResourceType } from '../kube/resources.ts';
import type { KubeObject } from '../model/object.ts';
import type { ReferencedSecretVersions } from './ports.ts';
import { SecretRefIndex } from './secret-ref-index.ts';

const secretType: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

/** What is kept of a referenced Secret: who it is and which version. */
function identity(o: KubeObject): KubeObject {
  const m = o.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: m.name,
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      ...(m.uid !== undefined ? { uid: m.uid } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    },
  };
}

export interface ReferencedSecretWatchOptions {
  /** Namespaces to watch; [undefined] for all. */
  namespaces: (string | undefined)[];
  listGate?: ListGate;
  onError?: (err: unknown) => void;
  /** A Secret this cluster references changed, appeared or went. */
  onChange: (clusterKey: string) => void;
}

export class ReferencedSecretWatch implements ReferencedSecretVersions {
  readonly informers: Informer[];
  private readonly byNamespace = new Map<string, Informer>();
  private readonly index = new SecretRefIndex();

  constructor(http: KubeHttp, opts: ReferencedSecretWatchOptions) {
    this.informers = opts.namespaces.map((ns) => {
      const i = new Informer(http, secretType, {
        ...(ns ? { namespace: ns } : {}),
        metadataOnly: true,
        // A page of metadata is small, unless Secrets carry big annotations
        // (kubectl's last-applied-configuration holds the whole object).
        pageSize: 250,
        keep: (o) => this.index.has(keyOf(o.metadata.namespace ?? '', o.metadata.name)),
        transform: identity,
        ...(opts.listGate ? { listGate: opts.listGate } : {}),
        ...(opts.onError ? { onError: opts.onError } : {}),
        onEvent: (event, obj, old) => {
          if (event === 'update' && old?.metadata.resourceVersion === obj.metadata.resourceVersion) return;
          for (const c of this.index.clustersOf(keyOf(obj.metadata.namespace ?? '', obj.metadata.name))) opts.onChange(c);
        },
      });
      this.byNamespace.set(ns ?? '', i);
      return i;
    });
  }

  private informerFor(namespace: string): Informer | undefined {
    return this.byNamespace.get(namespace) ?? this.byNamespace.get('');
  }

  track(clusterKey: string, namespace: string, names: readonly string[]): void {
    this.drop(this.index.set(clusterKey, names.map((n) => keyOf(namespace, n))));
  }

  versionOf(namespace: string, name: string): string | undefined {
    return this.informerFor(namespace)?.get(namespace, name)?.metadata.resourceVersion;
  }

  seen(secret: KubeObject): void {
    this.informerFor(secret.metadata.namespace ?? '')?.seed(secret);
  }

  forget(clusterKey: string): void {
    this.drop(this.index.forget(clusterKey));
  }

  /** Referenced Secrets and the entries cached of them (tests, memory checks). */
  stats(): { referenced: number; cached: number } {
    return { referenced: this.index.size, cached: this.informers.reduce((n, i) => n + i.size(), 0) };
  }

  private drop(secrets: string[]): void {
    for (const s of secrets) {
      const slash = s.indexOf('/');
      const ns = s.slice(0, slash);
      this.informerFor(ns)?.evict(ns, s.slice(slash + 1));
    }
  }
}
