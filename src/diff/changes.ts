// What an update would change on one object, as RFC 6902 operations with the
// value before and after (fast-json-patch computes them). Pure.
//
// Only what the desired object sets counts, by the rules of diffObject
// (compare.ts): the live object is first cut down to the fields the desired
// object mentions, and where the two are equal by those rules (a quantity
// written another way, an empty value against an absent field) the live side
// takes the desired value, so no operation shows for it. Arrays of named
// elements are matched by name, as the drift comparison does, and the live
// elements are put in the desired order first.
import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../model/object.ts';
import { elementNames, isEmpty, isQuantityPath, isRecord, sameQuantityValue, serverMetadata, type Path } from './compare.ts';

export interface Change {
  op: 'add' | 'remove' | 'replace';
  /** JSON pointer (RFC 6901): /spec/template/spec/containers/0/image. */
  path: string;
  /** The live value (absent for add). */
  old?: unknown;
  /** The desired value (absent for remove). */
  new?: unknown;
}

/** The operations that turn what the live object holds of the operator's fields into the desired object. */
export function changes(desired: KubeObject, live: KubeObject): Change[] {
  const want: Record<string, unknown> = {};
  const seen: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'status' || value === undefined || value === null) continue;
    if (key === 'metadata' && isRecord(value)) {
      const liveMeta: unknown = live.metadata;
      const l = isRecord(liveMeta) ? liveMeta : {};
      const wantMeta: Record<string, unknown> = {};
      const seenMeta: Record<string, unknown> = {};
      for (const [mkey, mvalue] of Object.entries(value)) {
        if (serverMetadata.has(mkey)) continue;
        const w = clean(mvalue);
        if (w === undefined) continue;
        wantMeta[mkey] = w;
        const s = project(mvalue, l[mkey], ['metadata', mkey]);
        if (s !== undefined) seenMeta[mkey] = s;
      }
      want['metadata'] = wantMeta;
      seen['metadata'] = seenMeta;
      continue;
    }
    const w = clean(value);
    if (w === undefined) continue;
    want[key] = w;
    const s = project(value, live[key], [key]);
    if (s !== undefined) seen[key] = s;
  }
  return jsonpatch.compare(seen, want).flatMap((op): Change[] => {
    if (op.op === 'add') return [{ op: 'add', path: op.path, new: op.value }];
    if (op.op === 'replace') return [{ op: 'replace', path: op.path, old: jsonpatch.getValueByPointer(seen, op.path), new: op.value }];
    if (op.op === 'remove') return [{ op: 'remove', path: op.path, old: jsonpatch.getValueByPointer(seen, op.path) }];
    return [];
  });
}

/** The desired value without the nulls and undefineds that mean "not set". */
function clean(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => clean(v) ?? null);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return value;
}

/**
 * The live value cut to the shape of the desired one; where they are equal by
 * the drift rules, the desired value itself. undefined: absent in live.
 */
function project(desired: unknown, live: unknown, path: Path): unknown {
  if (desired === undefined || desired === null) return undefined;
  if (live === undefined || live === null) return isEmpty(desired) ? clean(desired) : undefined;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return live;
    const liveArray: unknown[] = live;
    const names = elementNames(desired);
    if (names === undefined) {
      return liveArray.map((l, i) => (i < desired.length ? (project(desired[i], l, [...path, i]) ?? null) : l));
    }
    const byName = new Map<string, unknown>();
    for (const l of liveArray) if (isRecord(l) && typeof l['name'] === 'string' && !byName.has(l['name'])) byName.set(l['name'], l);
    const matched: unknown[] = [];
    const used = new Set<unknown>();
    desired.forEach((d, i) => {
      const l = byName.get(names[i] ?? '');
      if (l === undefined) return;
      used.add(l);
      matched.push(project(d, l, [...path, i]) ?? null);
    });
    return [...matched, ...liveArray.filter((l) => !used.has(l))];
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return live;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(desired)) {
      const p = project(v, live[k], [...path, k]);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  if (desired === live) return live;
  if (isQuantityPath(path) && sameQuantityValue(desired, live)) return desired;
  return live;
}
