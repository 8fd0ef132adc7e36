// What the operator's informers hold, measured from the API server: every
// object of the kinds it watches that carries the cluster label, as JSON
// bytes, and how much of that is metadata.managedFields. (The operator keeps
// these objects as parsed JSON; in memory they take several times their text.)
import type { KubeHttp } from '../src/kube/http.ts';
import { childTypes, collectionPath, harborClusterType } from '../src/kube/resources.ts';
import type { KubeObject } from '../src/model/object.ts';
import { clusterLabel } from '../src/render/values.ts';
import { round } from './env.ts';

export interface CacheSize {
  objects: number;
  jsonMiB: number;
  managedFieldsMiB: number;
  byKind: Record<string, { objects: number; jsonMiB: number }>;
}

export async function cacheSize(http: KubeHttp): Promise<CacheSize> {
  const out: CacheSize = { objects: 0, jsonMiB: 0, managedFieldsMiB: 0, byKind: {} };
  const types = [{ t: harborClusterType, selector: undefined }, ...childTypes.map((t) => ({ t, selector: clusterLabel }))];
  for (const { t, selector } of types) {
    let items: KubeObject[];
    try {
      items = (await http.request<{ items: KubeObject[] }>('GET', collectionPath(t), { query: { labelSelector: selector } })).items;
    } catch {
      continue; // not served (cert-manager absent)
    }
    let bytes = 0;
    for (const o of items) {
      bytes += Buffer.byteLength(JSON.stringify(o));
      out.managedFieldsMiB += Buffer.byteLength(JSON.stringify(o.metadata.managedFields ?? [])) / 2 ** 20;
    }
    out.objects += items.length;
    out.jsonMiB += bytes / 2 ** 20;
    out.byKind[t.kind] = { objects: items.length, jsonMiB: round(bytes / 2 ** 20, 2) };
  }
  out.jsonMiB = round(out.jsonMiB, 1);
  out.managedFieldsMiB = round(out.managedFieldsMiB, 1);
  return out;
}
