// How soon a child's change is reconciled. A change that can only have
// touched the child's status (a Deployment's ready replicas, a StatefulSet's
// rollout) matters to the HarborCluster's status alone: it is queued after a
// short delay, so that the bursts of status updates kube-controller-manager
// makes while pods start give one reconcile, not one each, and do not hold
// the workers that apply other clusters. Anything else (spec, metadata, the
// fields the operator owns, a new or deleted child) is queued at once. Pure.
import type { KubeObject } from '../model/object.ts';
import { ownedFieldsDigest } from '../kube/managed-fields.ts';

/** The delay of status-only changes. */
export const STATUS_ONLY_DELAY_MS = 2_000;

/**
 * Whether `now` differs from `before` in its status at most. Only kinds whose
 * spec changes bump metadata.generation can tell; for the others (Secrets,
 * ConfigMaps, Services …) any update counts as more than status.
 */
export function statusOnlyChange(before: KubeObject, now: KubeObject, fieldManager: string): boolean {
  const a = before.metadata;
  const b = now.metadata;
  if (a.generation === undefined || a.generation !== b.generation) return false;
  if (a.deletionTimestamp !== b.deletionTimestamp) return false;
  if (!sameJson(a.labels, b.labels) || !sameJson(a.annotations, b.annotations)) return false;
  if (!sameJson(a.ownerReferences, b.ownerReferences) || !sameJson(a.finalizers, b.finalizers)) return false;
  return ownedFieldsDigest(before, fieldManager) === ownedFieldsDigest(now, fieldManager);
}

function sameJson(x: unknown, y: unknown): boolean {
  return x === y || JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
}
