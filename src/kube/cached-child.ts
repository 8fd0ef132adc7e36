// What the operator's caches keep of a child: metadata (managedFields
// compacted, see managed-fields.ts), status, and of everything else only the
// fields the operator owns by server-side apply. The diff reads only fields
// the operator sets, and after its apply it owns all of them; a field it set
// but no longer owns (someone took it over, or it is new in this version)
// is missing from the cached object, which the diff sees as drift and
// re-applies, as it must. What the server defaults and other controllers add
// (a Deployment's pod template defaults, a Service's cluster IPs) is dropped:
// at N = 1000 that is most of a workload's spec.
//
// Secrets and ConfigMaps are kept whole: a generated Secret's values are read
// back from the cache, whoever set them last.
import type { KubeObject } from '../model/object.ts';
import { project } from './field-set.ts';
import { compactManagedFields, ownApplyEntry } from './managed-fields.ts';

const keptWhole = new Set(['v1/Secret', 'v1/ConfigMap']);
const alwaysKept = new Set(['apiVersion', 'kind', 'metadata', 'status']);

export function cachedChild(obj: KubeObject, self: string): KubeObject {
  return compactManagedFields(projectOwned(obj, self), self);
}

/** The object with its other top-level fields cut to those `self` owns by apply (a new object). */
function projectOwned(obj: KubeObject, self: string): KubeObject {
  if (keptWhole.has(`${obj.apiVersion}/${obj.kind}`)) return obj;
  const own = ownApplyEntry(obj, self);
  if (!own || own.fieldsV1 === undefined) return obj; // not (or not yet) applied by us: kept whole
  const fields = own.fieldsV1 as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (alwaysKept.has(k)) out[k] = v;
    else if (Object.hasOwn(fields, `f:${k}`)) out[k] = project(v, fields[`f:${k}`]);
  }
  return out as KubeObject;
}
