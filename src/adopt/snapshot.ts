// What `adopt` reads of a namespace before it decides anything: the objects
// of one Helm release of upstream's Harbor chart and what they point at.
// Plain data; read by src/adopt/read.ts, decided on by src/adopt/map.ts and
// plan.ts.
import type { KubeObject } from '../model/object.ts';
import { HELM_HERITAGE, HERITAGE_LABEL, RELEASE_LABEL } from './upstream.ts';

export interface Snapshot {
  namespace: string;
  release: string;
  /** Objects labelled heritage=Helm, release=<release>: Secrets, ConfigMaps, Services, Deployments, StatefulSets, Ingresses, PodDisruptionBudgets, claims. */
  objects: KubeObject[];
  /** Secrets and ConfigMaps the release's workloads reference that are not the release's (existingSecret settings). */
  referenced: KubeObject[];
  /** The claims the release's workloads mount (also ones the release did not make: existingClaim). */
  claims: KubeObject[];
  /** The PersistentVolumes bound to those claims. */
  volumes: KubeObject[];
  /** Helm's records of the release: Secrets or ConfigMaps labelled owner=helm (or already hidden by adopt), name=<release>. */
  records: KubeObject[];
  /** The release's pods still there (labels release=<release>, app=<app>). */
  pods: KubeObject[];
  /** The HarborCluster of the chosen name, and its generated Secret, when they exist. */
  cluster?: KubeObject;
  generated?: KubeObject;
}

export function isReleaseObject(o: KubeObject, release: string): boolean {
  const l = o.metadata.labels ?? {};
  return l[HERITAGE_LABEL] === HELM_HERITAGE && l[RELEASE_LABEL] === release;
}
