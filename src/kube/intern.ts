// One copy of each repeated string in the caches. JSON.parse gives every
// string value its own copy, and across a thousand HarborClusters the same
// values repeat tens of thousands of times: the field manager's name, owner
// references' apiVersion and kind, image names, whole nginx configurations.
// At N = 300, copies of equal strings were 11.7 of the heap's 20.6 MiB of
// strings (a heap snapshot; after 0.9 MiB of Node's own module sources, the
// largest were such values).
//
// Values that are unique by nature (uids, resource versions, timestamps,
// digests) are left alone, so they do not fill the table; neither are a
// Secret's data, so no secret outlives its object in the table. The table
// is emptied when it reaches its limit: objects keep the copies they have,
// and later ones start sharing anew.
import type { KubeObject } from '../model/object.ts';

const unique = new Set([
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'time',
  'lastTransitionTime',
  'lastUpdateTime',
  'lastProbeTime',
  'lastHeartbeatTime',
  'fieldsDigest',
]);

export class StringTable {
  private readonly table = new Map<string, string>();
  private readonly limit: number;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  get size(): number {
    return this.table.size;
  }

  intern(s: string): string {
    const hit = this.table.get(s);
    if (hit !== undefined) return hit;
    if (this.table.size >= this.limit) this.table.clear();
    this.table.set(s, s);
    return s;
  }

  /**
   * Replaces, in place, the string values of a freshly parsed object by the
   * table's copies (equal strings, so nothing a reader sees changes), and
   * returns it.
   */
  internObject(obj: KubeObject): KubeObject {
    const secret = obj.kind === 'Secret' && obj.apiVersion === 'v1';
    for (const key of Object.keys(obj)) {
      if (secret && (key === 'data' || key === 'stringData')) continue;
      this.walk(obj, key);
    }
    return obj;
  }

  private walk(parent: Record<string, unknown> | unknown[], key: string | number): void {
    const v = (parent as Record<string | number, unknown>)[key];
    if (typeof v === 'string') {
      (parent as Record<string | number, unknown>)[key] = this.intern(v);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) this.walk(v, i);
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!unique.has(k)) this.walk(o, k);
    }
  }
}
