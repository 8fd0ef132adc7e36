// The requests of `harbor-operator diff`, sent with the user's own
// credentials (not the operator's, so they are not in permissions.ts): the
// live HarborCluster, a server-side dry run of the one in the user's file,
// and the children that run for it.
import type { KubeObject } from '../model/object.ts';
import { ApiError, isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import { childTypes, collectionPath, harborClusterType, objectPath, type ResourceType } from './resources.ts';

export async function readHarborCluster(http: KubeHttp, namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await http.request<KubeObject>('GET', objectPath(harborClusterType, namespace, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * What the API server would store for the HarborCluster of the file, without
 * storing it (dryRun=All): its schema, CEL rules (a lower version than
 * before, a changed database type …) and defaults applied. Replaces the live
 * one when there is one (spec as in the file; labels and annotations of the
 * file added to the live ones), else creates it. An ApiError when refused.
 */
export async function dryRunHarborCluster(http: KubeHttp, cr: KubeObject, live: KubeObject | undefined): Promise<KubeObject> {
  const ns = cr.metadata.namespace ?? 'default';
  const query = { dryRun: 'All', fieldManager: 'harbor-operator-diff' };
  if (!live) {
    return http.request<KubeObject>('POST', collectionPath(harborClusterType, ns), { body: cr, query });
  }
  const body: KubeObject = {
    ...cr,
    apiVersion: harborClusterType.apiVersion,
    kind: harborClusterType.kind,
    metadata: {
      ...cr.metadata,
      namespace: ns,
      ...(live.metadata.resourceVersion ? { resourceVersion: live.metadata.resourceVersion } : {}),
      labels: { ...live.metadata.labels, ...cr.metadata.labels },
      annotations: { ...live.metadata.annotations, ...cr.metadata.annotations },
    },
  };
  return http.request<KubeObject>('PUT', objectPath(harborClusterType, ns, cr.metadata.name), { body, query });
}

export interface LiveChildren {
  objects: KubeObject[];
  /** Optional kinds the API server does not serve (cert-manager's CRDs absent). */
  notServed: ResourceType[];
}

/** Every object of the kinds the operator makes that carries the cluster's label. */
export async function listChildren(http: KubeHttp, namespace: string, labelSelector: string): Promise<LiveChildren> {
  const out: LiveChildren = { objects: [], notServed: [] };
  for (const t of childTypes) {
    try {
      const res = await http.request<{ items: KubeObject[] }>('GET', collectionPath(t, namespace), { query: { labelSelector } });
      out.objects.push(...res.items.map((i) => ({ ...i, apiVersion: t.apiVersion, kind: t.kind })));
    } catch (err) {
      if (t.optional && isNotFound(err)) out.notServed.push(t);
      else throw err;
    }
  }
  return out;
}

/** A refusal of the object itself (schema, CEL rule, immutable field), not of the request or the user. */
export function isRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && (err.status === 422 || err.status === 400);
}
