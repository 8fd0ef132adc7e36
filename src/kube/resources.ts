// The kinds the operator reads and writes, and where they live in the API.
import type { KubeObject } from '../model/object.ts';

export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Present only when a CRD installs it (the operator copes with its absence). */
  optional?: boolean;
}

export const HARBOR_GROUP = 'harbor-operator.dev';
export const HARBOR_VERSION = 'v1alpha1';

export const harborClusterType: ResourceType = {
  apiVersion: `${HARBOR_GROUP}/${HARBOR_VERSION}`,
  kind: 'HarborCluster',
  plural: 'harborclusters',
  namespaced: true,
};

/** The operator's backup and restore Jobs, and the Jobs its CronJob makes (they carry the cluster label). */
export const jobType: ResourceType = { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true };

/** Kinds the chart renders and the operator's backup objects, watched by label so changes to them are seen. */
export const childTypes: ResourceType[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  // Backups and restores (src/backup/jobs.ts): the operator's Jobs, its
  // CronJob and the Jobs that CronJob makes.
  jobType,
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespaced: true, optional: true },
];

/**
 * Read for status only (list and watch, never written): the pods of the
 * HarborClusters, by the cluster label, and the FailedCreate events of
 * StatefulSets, by `eventFieldSelector` (a StatefulSet has no condition
 * that says why its pods cannot be created; a Deployment's ReplicaFailure
 * condition does, so ReplicaSets' events are not needed). reason and
 * involvedObject.kind are among the fields kube-apiserver selects Events by
 * (kubernetes v1.36.3 pkg/registry/core/event/strategy.go, ToSelectableFields).
 */
export const podType: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
export const eventType: ResourceType = { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true };
export const eventFieldSelector = 'reason=FailedCreate,involvedObject.kind=StatefulSet';
export const statusSourceTypes: ResourceType[] = [podType, eventType];

/**
 * The CRD of an optional kind is watched (by name, never written), so the
 * kind is picked up the moment its CRD is established (crd-watch.ts).
 */
export const crdType: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

const byKind = new Map(childTypes.map((t) => [`${t.apiVersion}/${t.kind}`, t]));
byKind.set(`${harborClusterType.apiVersion}/${harborClusterType.kind}`, harborClusterType);

export function typeOf(o: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceType {
  const t = byKind.get(`${o.apiVersion}/${o.kind}`);
  if (!t) throw new Error(`the operator does not manage ${o.kind} (${o.apiVersion})`);
  return t;
}

/** The collection path: /api/v1/namespaces/ns/configmaps, or all namespaces. */
export function collectionPath(t: ResourceType, namespace?: string): string {
  const prefix = t.apiVersion.includes('/') ? `/apis/${t.apiVersion}` : `/api/${t.apiVersion}`;
  return t.namespaced && namespace ? `${prefix}/namespaces/${namespace}/${t.plural}` : `${prefix}/${t.plural}`;
}

export function objectPath(t: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(t, namespace)}/${encodeURIComponent(name)}`;
}
