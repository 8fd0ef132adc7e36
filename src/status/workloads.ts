// Which version of a workload status counts the pods of: the one that knows
// most. The cache (the watch) is read at the time status is written; the
// apply's answer only wins when it is of a newer generation than the cache
// holds (the watch has not delivered this reconcile's change yet), so that
// readiness of the old spec is not reported as readiness of the new one. A
// workload that is rendered but in neither yet is the desired object itself:
// counted with no pods ready rather than left out, so the list of components
// status waits for does not grow as their creations arrive. Pure.
import type { KubeObject } from '../model/object.ts';

export function freshest(desired: KubeObject, cached: KubeObject | undefined, applied: KubeObject | undefined): KubeObject {
  if (cached && applied) return (applied.metadata.generation ?? 0) > (cached.metadata.generation ?? 0) ? applied : cached;
  return cached ?? applied ?? { ...desired, status: {} };
}
