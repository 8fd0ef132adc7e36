// The decisions of a take-over as data (what map.ts decides, plan.ts orders
// and apply.ts carries out), and small helpers the mapping shares. Pure.
import type { KubeObject } from '../model/object.ts';
import type { GeneratedSecrets } from '../secrets/generate.ts';
import type { Source } from './pod.ts';
import { isReleaseObject, type Snapshot } from './snapshot.ts';
import { COMPONENT_LABEL, HELM_ANNOTATION_PREFIX, WORKLOADS, type Component, type DataComponent } from './upstream.ts';

/** On the HarborCluster adopt creates: where it came from ("helm:<namespace>/<release>"); a later run resumes by it. */
export const ADOPTED_FROM_ANNOTATION = 'harbor-operator.dev/adopted-from';

export function adoptedFrom(namespace: string, release: string): string {
  return `helm:${namespace}/${release}`;
}

/** A secret value adopt keeps: where it goes and where it was read (names only). */
export interface Copied {
  /** A key of the generated Secret, or `Secret <name> key <key>` of a credentials Secret adopt creates. */
  to: string;
  from: string;
}

/** A data volume kept as the claim it is. */
export interface KeptClaim {
  use: DataComponent;
  claim: string;
  /** The field of the HarborCluster that names it. */
  field: string;
  uid?: string;
  volume?: string;
  reclaimPolicy?: string;
}

export interface Adoption {
  /** Name of the HarborCluster. */
  name: string;
  /** The HarborCluster to create (paused until the take-over is complete); absent when it exists already (a resumed run). */
  cluster?: KubeObject;
  /** The values of <name>-generated-secrets; absent when the Secret exists already with the same values. */
  generated?: GeneratedSecrets;
  copied: Copied[];
  /** Secrets adopt creates for values the spec references by Secret (external database, cache, S3). */
  credentials: KubeObject[];
  claims: KeptClaim[];
  /** Claims of the release nothing will mount any more: kept, never deleted. */
  unusedClaims: string[];
  /** The release's Deployments and StatefulSets: deleted, their pods with them (their selectors cannot change). */
  workloads: KubeObject[];
  /** The release's configuration (ConfigMaps, Secrets, Services, Ingress, PodDisruptionBudgets), touched once the pods are gone: what the operator renders under the same name is handed over in place (hand-over.ts), the rest deleted. */
  config: KubeObject[];
  /** Objects kept in place and handed to the operator (the proxy Service of a LoadBalancer or NodePort, whose address must not change). */
  handOver: KubeObject[];
  /** Objects of the release left as they are, with why (claims, a TLS Secret the spec names). */
  kept: { object: KubeObject; why: string }[];
  warnings: string[];
  /** Why the release cannot be taken over; when any, nothing is done. */
  refusals: string[];
}

export function workloadOf(snapshot: Snapshot, component: Component): KubeObject | undefined {
  const kind = WORKLOADS[component].kind;
  return snapshot.objects.find((o) => o.apiVersion === 'apps/v1' && o.kind === kind && o.metadata.labels?.[COMPONENT_LABEL] === component);
}

export function describeSource(s: Source): string {
  return s.kind === 'literal' ? `a literal value in container ${s.container}` : `${s.kind} ${s.name} key ${s.key}`;
}

export function replicasOf(o: KubeObject | undefined): number {
  const r = (o?.['spec'] as { replicas?: number } | undefined)?.replicas;
  return r ?? 1;
}

/** Whether the release made the Secret or ConfigMap of that name. */
export function mine(snapshot: Snapshot, kind: 'Secret' | 'ConfigMap', name: string): boolean {
  return snapshot.objects.some((o) => o.kind === kind && o.metadata.name === name && isReleaseObject(o, snapshot.release));
}

/** Annotations of an object without Helm's (and kubectl's last-applied copy). */
export function foreignAnnotations(o: KubeObject): Record<string, string> {
  return Object.fromEntries(
    Object.entries(o.metadata.annotations ?? {}).filter(([k]) => !k.startsWith(HELM_ANNOTATION_PREFIX) && k !== 'kubectl.kubernetes.io/last-applied-configuration'),
  );
}
