// Reads what `adopt` decides from: the objects of one Helm release of
// upstream's Harbor chart in a namespace and what they point at. Reads only.
import { ApiError, isNotFound } from '../kube/api-error.ts';
import { adoptGet } from '../kube/adopt-requests.ts';
import type { KubeHttp } from '../kube/http.ts';
import { collectionPath, harborClusterType, objectPath, type ResourceType } from '../kube/resources.ts';
import type { KubeObject } from '../model/object.ts';
import { generatedSecretName } from '../controller/generated-secret.ts';
import { ADOPTED_FROM_ANNOTATION, adoptedFrom } from './adoption.ts';
import { podSpecOf } from './pod.ts';
import { podSelector } from './plan.ts';
import { isReleaseObject, type Snapshot } from './snapshot.ts';
import {
  COMPONENT_LABEL,
  HELM_HERITAGE,
  HERITAGE_LABEL,
  RECORD_HIDDEN_OWNER,
  RECORD_NAME_LABEL,
  RECORD_OWNER,
  RECORD_OWNER_LABEL,
  RELEASE_LABEL,
} from './upstream.ts';

const t = (apiVersion: string, kind: string, plural: string): ResourceType => ({ apiVersion, kind, plural, namespaced: true });
const secrets = t('v1', 'Secret', 'secrets');
const configMaps = t('v1', 'ConfigMap', 'configmaps');
const claims = t('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims');
const pods = t('v1', 'Pod', 'pods');
const deployments = t('apps/v1', 'Deployment', 'deployments');
/** The kinds of upstream's chart adopt reads (and deletes, but for the claims). */
const releaseKinds: ResourceType[] = [
  secrets,
  configMaps,
  t('v1', 'Service', 'services'),
  claims,
  deployments,
  t('apps/v1', 'StatefulSet', 'statefulsets'),
  t('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  t('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
];

async function list(http: KubeHttp, type: ResourceType, namespace: string, labelSelector?: string): Promise<KubeObject[]> {
  const res = await adoptGet<{ items: KubeObject[] }>(http, collectionPath(type, namespace), { labelSelector });
  return res.items.map((i) => ({ ...i, apiVersion: type.apiVersion, kind: type.kind }));
}

async function getOrUndefined(http: KubeHttp, path: string, apiVersion: string, kind: string): Promise<KubeObject | undefined> {
  try {
    return { ...(await adoptGet<KubeObject>(http, path)), apiVersion, kind };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The releases of upstream's chart in the namespace: the `release` labels of core Deployments made by Helm. */
export async function findReleases(http: KubeHttp, namespace: string): Promise<string[]> {
  const cores = await list(http, deployments, namespace, `${HERITAGE_LABEL}=${HELM_HERITAGE},${COMPONENT_LABEL}=core`);
  return [...new Set(cores.map((d) => d.metadata.labels?.[RELEASE_LABEL] ?? '').filter((r) => r !== ''))].sort();
}

/** Names of the Secrets and ConfigMaps the workloads' pods reference. */
function referencedNames(workloads: readonly KubeObject[]): { secrets: Set<string>; configMaps: Set<string> } {
  const out = { secrets: new Set<string>(), configMaps: new Set<string>() };
  for (const w of workloads) {
    const pod = podSpecOf(w);
    for (const c of pod.containers ?? []) {
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef?.name;
        const m = e.valueFrom?.configMapKeyRef?.name;
        if (s) out.secrets.add(s);
        if (m) out.configMaps.add(m);
      }
      for (const f of c.envFrom ?? []) {
        if (f.secretRef?.name) out.secrets.add(f.secretRef.name);
        if (f.configMapRef?.name) out.configMaps.add(f.configMapRef.name);
      }
    }
    for (const v of pod.volumes ?? []) {
      if (v.secret?.secretName) out.secrets.add(v.secret.secretName);
      if (v.configMap?.name) out.configMaps.add(v.configMap.name);
    }
    for (const s of pod.imagePullSecrets ?? []) if (s.name) out.secrets.add(s.name);
  }
  return out;
}

/** The HarborCluster adopt made from this release, if there is one. */
async function adoptedBy(http: KubeHttp, namespace: string, release: string): Promise<string | undefined> {
  try {
    const res = await adoptGet<{ items: KubeObject[] }>(http, collectionPath(harborClusterType, namespace));
    return res.items.find((c) => c.metadata.annotations?.[ADOPTED_FROM_ANNOTATION] === adoptedFrom(namespace, release))?.metadata.name;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export interface ReadOptions {
  namespace: string;
  release: string;
  /** The HarborCluster's name, decided from the release's objects when not given. */
  name: (objects: readonly KubeObject[]) => string | undefined;
}

export async function readSnapshot(http: KubeHttp, opts: ReadOptions): Promise<Snapshot> {
  const { namespace, release } = opts;
  const selector = `${HERITAGE_LABEL}=${HELM_HERITAGE},${RELEASE_LABEL}=${release}`;
  const objects: KubeObject[] = [];
  for (const type of releaseKinds) objects.push(...(await list(http, type, namespace, selector)));
  const mine = objects.filter((o) => isReleaseObject(o, release));
  const workloads = mine.filter((o) => o.apiVersion === 'apps/v1');

  const names = referencedNames(workloads);
  const have = (kind: string, n: string): boolean => mine.some((o) => o.kind === kind && o.metadata.name === n);
  const referenced: KubeObject[] = [];
  for (const n of [...names.secrets].sort()) {
    if (have('Secret', n)) continue;
    const s = await getOrUndefined(http, objectPath(secrets, namespace, n), 'v1', 'Secret');
    if (s) referenced.push(s);
  }
  for (const n of [...names.configMaps].sort()) {
    if (have('ConfigMap', n)) continue;
    const c = await getOrUndefined(http, objectPath(configMaps, namespace, n), 'v1', 'ConfigMap');
    if (c) referenced.push(c);
  }

  const allClaims = await list(http, claims, namespace);
  const volumes: KubeObject[] = [];
  for (const c of allClaims) {
    const v = (c['spec'] as { volumeName?: string } | undefined)?.volumeName;
    if (!v) continue;
    const pv = await getOrUndefined(http, `/api/v1/persistentvolumes/${encodeURIComponent(v)}`, 'v1', 'PersistentVolume').catch((err: unknown) => {
      // Without the right to read PersistentVolumes the plan shows the claims without their volumes.
      if (err instanceof ApiError && err.status === 403) return undefined;
      throw err;
    });
    if (pv) volumes.push(pv);
  }

  const recordSelector = `${RECORD_OWNER_LABEL} in (${RECORD_OWNER},${RECORD_HIDDEN_OWNER}),${RECORD_NAME_LABEL}=${release}`;
  const records = [...(await list(http, secrets, namespace, recordSelector)), ...(await list(http, configMaps, namespace, recordSelector))];
  const running = await list(http, pods, namespace, podSelector(release));

  // Resumed after the release's core Deployment went: the HarborCluster adopt made says which release it took over.
  const name = opts.name(objects) ?? (await adoptedBy(http, namespace, release));
  const cluster = name
    ? await getOrUndefined(http, objectPath(harborClusterType, namespace, name), harborClusterType.apiVersion, harborClusterType.kind)
    : undefined;
  const generated = name ? await getOrUndefined(http, objectPath(secrets, namespace, generatedSecretName(name)), 'v1', 'Secret') : undefined;
  return {
    namespace,
    release,
    objects,
    referenced,
    claims: allClaims,
    volumes,
    records,
    pods: running,
    ...(cluster ? { cluster } : {}),
    ...(generated ? { generated } : {}),
  };
}
