// Server-side apply's field sets (managedFields[].fieldsV1) read as a
// projection: the parts of an object that a field set names. Pure.
//
//   f:<name>   a field of a map
//   k:<json>   an element of an associative list, by its key fields
//   v:<json>   an element of a set, by value
//   i:<n>      an element by index
//   .          the element itself (carries no fields)
//   {}         (an empty set) the whole value from here down
//
// Anything the projection does not understand keeps the whole value, so a
// surprise costs memory, never a field.

export type FieldSet = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parts of `value` that `set` names; `value` itself when the set is a leaf or not understood. */
export function project(value: unknown, set: unknown): unknown {
  if (!isRecord(set)) return value;
  const keys = Object.keys(set).filter((k) => k !== '.');
  if (keys.length === 0) return value;
  if (Array.isArray(value)) return projectList(value, set, keys);
  if (isRecord(value)) return projectMap(value, set, keys);
  return value;
}

function projectMap(value: Record<string, unknown>, set: FieldSet, keys: string[]): unknown {
  if (!keys.every((k) => k.startsWith('f:'))) return value;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const name = k.slice(2);
    if (Object.hasOwn(value, name)) out[name] = project(value[name], set[k]);
  }
  return out;
}

function projectList(value: unknown[], set: FieldSet, keys: string[]): unknown {
  const matchers: { match: (e: unknown, i: number) => boolean; set: unknown }[] = [];
  for (const k of keys) {
    const m = matcher(k);
    if (!m) return value;
    matchers.push({ match: m, set: set[k] });
  }
  const out: unknown[] = [];
  value.forEach((e, i) => {
    const m = matchers.find((x) => x.match(e, i));
    if (m) out.push(project(e, m.set));
  });
  return out;
}

function matcher(key: string): ((e: unknown, i: number) => boolean) | undefined {
  const body = key.slice(2);
  if (key.startsWith('i:')) {
    const n = Number(body);
    return Number.isInteger(n) ? (_e, i) => i === n : undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (key.startsWith('v:')) return (e) => deepEqual(e, parsed);
  if (key.startsWith('k:') && isRecord(parsed)) {
    const fields = Object.entries(parsed);
    return (e) => isRecord(e) && fields.every(([f, v]) => deepEqual(e[f], v));
  }
  return undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
