// HarborClusters and their children in the test cluster, read as plain JSON.
import { GENERATED_SECRET_FINALIZER } from '../../src/controller/generated-secret.ts';
import { createKubeHttp, type KubeHttp } from '../../src/kube/http.ts';
import { childTypes, collectionPath, harborClusterType, objectPath } from '../../src/kube/resources.ts';
import { FIELD_MANAGER } from '../../src/kube/writer.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { clusterLabel } from '../../src/render/values.ts';
import type { Condition } from '../../src/status/conditions.ts';
import type { HarborClusterStatus } from '../../src/status/observe.ts';
import { kubeConfig, waitUntil } from './kube.ts';

let shared: KubeHttp | undefined;
export function raw(): KubeHttp {
  shared ??= createKubeHttp(kubeConfig());
  return shared;
}

export function harborCluster(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name },
    spec: {
      externalURL: `https://${name}.example.test`,
      expose: { type: 'Ingress', ingress: { host: `${name}.example.test` } },
      ...spec,
    },
  };
}

export async function createCluster(namespace: string, obj: KubeObject): Promise<KubeObject> {
  return raw().request<KubeObject>('POST', collectionPath(harborClusterType, namespace), { body: obj });
}

export async function getCluster(namespace: string, name: string): Promise<KubeObject & { status?: HarborClusterStatus }> {
  return raw().request('GET', objectPath(harborClusterType, namespace, name));
}

export async function patchCluster(namespace: string, name: string, patch: unknown): Promise<KubeObject> {
  return raw().request('PATCH', objectPath(harborClusterType, namespace, name), {
    body: patch,
    contentType: 'application/merge-patch+json',
  });
}

export function condition(o: { status?: HarborClusterStatus }, type: string): Condition | undefined {
  return o.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the HarborCluster's condition has the status (and reason, if given). */
export async function waitForCondition(
  namespace: string,
  name: string,
  type: string,
  status: 'True' | 'False',
  reason?: string,
  timeoutMs = 90_000,
): Promise<KubeObject & { status?: HarborClusterStatus }> {
  let last: HarborClusterStatus | undefined;
  try {
    return await waitUntil(
      `${namespace}/${name} ${type}=${status}${reason ? ` (${reason})` : ''}`,
      async () => {
        const o = await getCluster(namespace, name);
        last = o.status;
        const c = condition(o, type);
        return c?.status === status && (!reason || c.reason === reason) ? o : undefined;
      },
      { timeoutMs },
    );
  } catch (err) {
    const seen = (last?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('; ');
    throw new Error(`${(err as Error).message}; last status: ${seen || 'none'}`, { cause: err });
  }
}

export async function list(namespace: string, kind: string): Promise<KubeObject[]> {
  const t = childTypes.find((c) => c.kind === kind);
  if (!t) throw new Error(`unknown kind ${kind}`);
  const res = await raw().request<{ items: KubeObject[] }>('GET', collectionPath(t, namespace));
  return res.items.map((i) => ({ ...i, apiVersion: t.apiVersion, kind: t.kind }));
}

export async function get(namespace: string, kind: string, name: string): Promise<KubeObject | undefined> {
  const t = childTypes.find((c) => c.kind === kind);
  if (!t) throw new Error(`unknown kind ${kind}`);
  try {
    return await raw().request<KubeObject>('GET', objectPath(t, namespace, name));
  } catch {
    return undefined;
  }
}

export async function patch(namespace: string, kind: string, name: string, body: unknown): Promise<KubeObject> {
  const t = childTypes.find((c) => c.kind === kind);
  if (!t) throw new Error(`unknown kind ${kind}`);
  return raw().request<KubeObject>('PATCH', objectPath(t, namespace, name), {
    body,
    contentType: 'application/merge-patch+json',
  });
}

export async function remove(namespace: string, kind: string, name: string): Promise<void> {
  const t = kind === 'HarborCluster' ? harborClusterType : childTypes.find((c) => c.kind === kind);
  if (!t) throw new Error(`unknown kind ${kind}`);
  await raw().request('DELETE', objectPath(t, namespace, name));
}

/** The pod of this name, or undefined when there is none. */
export async function podNamed(namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await raw().request<KubeObject>('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
  } catch {
    return undefined;
  }
}

/** The controller owner reference of an object as `Kind/name/uid`, or undefined. */
export function controllerOf(o: KubeObject | undefined): string | undefined {
  const r = o?.metadata.ownerReferences?.find((x) => x.controller === true);
  return r ? `${r.kind}/${r.name}/${r.uid}` : undefined;
}

/** The objects of a kind that carry the cluster label of this HarborCluster. */
export async function childrenOf(namespace: string, cluster: string, kind: string): Promise<KubeObject[]> {
  return (await list(namespace, kind)).filter((o) => o.metadata.labels?.[clusterLabel] === cluster);
}

export interface ClusterEvent {
  reason: string;
  type: string;
  message: string;
  count?: number;
  involvedObject: { kind?: string; name: string };
}

/** The events of the namespace about the object of this name. */
export async function eventsOf(namespace: string, name: string): Promise<ClusterEvent[]> {
  const res = await raw().request<{ items: ClusterEvent[] }>('GET', `/api/v1/namespaces/${namespace}/events`);
  return res.items.filter((e) => e.involvedObject.name === name);
}

/**
 * A version of every object of these kinds in the namespace that moves when
 * the operator changes, re-creates or deletes it, and not when someone else
 * writes it: the uid and the operator's managedFields entries (an apply that
 * changes anything updates its entry's time or fields). Of objects the
 * operator never wrote (a StatefulSet's claims, kube-root-ca.crt) only the
 * uid: controllers and kwok update those on their own.
 */
export async function versions(namespace: string, kinds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of kinds) {
    for (const o of await list(namespace, k)) {
      const own = ((o.metadata.managedFields ?? []) as { manager?: string }[]).filter((e) => e.manager === FIELD_MANAGER);
      out.set(`${k}/${o.metadata.name}`, own.length > 0 ? `${o.metadata.uid ?? ''} ${JSON.stringify(own)}` : (o.metadata.uid ?? ''));
    }
  }
  return out;
}

/**
 * The generated Secrets' finalizer holds them, and so a test namespace being
 * deleted, until an operator lets them go; after a test's operator stopped
 * there is none left, so the finalizer is removed from the Secrets of every
 * test namespace that is being deleted (namespaces of tests still running
 * are left alone).
 */
export async function releaseHeldSecrets(): Promise<void> {
  const namespaces = await raw()
    .request<{ items: KubeObject[] }>('GET', '/api/v1/namespaces', { query: { labelSelector: 'harbor-operator.test/ns=true' } })
    .catch(() => ({ items: [] as KubeObject[] }));
  for (const ns of namespaces.items.filter((n) => n.metadata.deletionTimestamp)) {
    const secrets = await raw()
      .request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${ns.metadata.name}/secrets`)
      .catch(() => ({ items: [] as KubeObject[] }));
    for (const s of secrets.items) {
      const finalizers = s.metadata.finalizers ?? [];
      if (!finalizers.includes(GENERATED_SECRET_FINALIZER)) continue;
      await raw()
        .request('PATCH', `/api/v1/namespaces/${ns.metadata.name}/secrets/${encodeURIComponent(s.metadata.name)}`, {
          body: [{ op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== GENERATED_SECRET_FINALIZER) }],
          contentType: 'application/json-patch+json',
        })
        .catch(() => undefined);
    }
  }
}
