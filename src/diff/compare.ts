// Desired vs live: where does the live object not carry what the desired
// object sets? Only fields the desired object mentions count; whatever the
// server or other controllers add (defaults, status, managedFields, extra
// labels) is never drift. Pure.
//
//   maps     every desired key matches in live, recursively; extra live keys are fine
//   arrays   same length, elements matched by index — or by `name` when every
//            desired element is a map with a unique string `name` (containers, env,
//            ports, volumes …); paths then use the element's index in desired
//   empty    a desired {}, [], "", false, 0 or null matches an absent live field
//            (the API server drops empty and zero omitempty fields)
//   scalars  strict equality (8080 is not "8080"), except resource quantities,
//            which compare by value ("1Gi" = "1073741824", "500m" = "0.5")
//   metadata.finalizers  a set: every desired entry is in live; others' are fine
import type { KubeObject } from '../model/object.ts';
import { parseQuantity, sameQuantity } from './quantity.ts';

/** Set by the server; never drift even when the desired object carries them. */
export const serverMetadata: ReadonlySet<string> = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Keys under which strings are resource quantities. */
const quantityParents = new Set(['resources', 'requests', 'limits', 'capacity', 'storage']);
/** Quantity fields outside those maps. */
const quantityLeaves = new Set(['storage', 'sizeLimit']);
/** Top-level maps of user data (Secret, ConfigMap): values there are never quantities. */
const dataFields = new Set(['data', 'stringData', 'binaryData', 'metadata']);

export type Path = readonly (string | number)[];

/** JSON paths (`spec.template.spec.containers[0].image`) where live differs from desired; [] = no drift. */
export function diffObject(desired: KubeObject, live: KubeObject): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'status') continue;
    if (key === 'metadata' && isRecord(value)) {
      const liveMeta = live.metadata as unknown;
      const liveRecord = isRecord(liveMeta) ? liveMeta : {};
      for (const [mkey, mvalue] of Object.entries(value)) {
        if (mkey === 'finalizers') compareSet(mvalue, liveRecord[mkey], ['metadata', mkey], out);
        else if (!serverMetadata.has(mkey)) compare(mvalue, liveRecord[mkey], ['metadata', mkey], out);
      }
      continue;
    }
    compare(value, live[key], [key], out);
  }
  return out;
}

/** Finalizers are a set others add to as well: each desired entry must be in live. */
function compareSet(desired: unknown, live: unknown, path: Path, out: string[]): void {
  if (!Array.isArray(desired)) return;
  const have = Array.isArray(live) ? live : [];
  if (desired.some((d) => !have.includes(d))) out.push(format(path));
}

function compare(desired: unknown, live: unknown, path: Path, out: string[]): void {
  if (desired === undefined || desired === null) return;
  if (live === undefined || live === null) {
    if (!isEmpty(desired)) out.push(format(path));
    return;
  }
  if (Array.isArray(desired)) {
    compareArrays(desired, live, path, out);
    return;
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) {
      out.push(format(path));
      return;
    }
    for (const [key, value] of Object.entries(desired)) compare(value, live[key], [...path, key], out);
    return;
  }
  if (desired === live) return;
  if (isQuantityPath(path) && sameQuantityValue(desired, live)) return;
  out.push(format(path));
}

function compareArrays(desired: readonly unknown[], live: unknown, path: Path, out: string[]): void {
  if (!Array.isArray(live) || live.length !== desired.length) {
    out.push(format(path));
    return;
  }
  const names = elementNames(desired);
  if (names === undefined) {
    desired.forEach((d, i) => {
      compare(d, live[i], [...path, i], out);
    });
    return;
  }
  const liveByName = new Map<string, unknown>();
  for (const l of live) {
    if (isRecord(l) && typeof l.name === 'string' && !liveByName.has(l.name)) liveByName.set(l.name, l);
  }
  desired.forEach((d, i) => {
    const l = liveByName.get(names[i] ?? '');
    if (l === undefined) out.push(format([...path, i]));
    else compare(d, l, [...path, i], out);
  });
}

/** The names of the elements when every one is a map with a unique string `name`. */
export function elementNames(array: readonly unknown[]): string[] | undefined {
  if (array.length === 0) return undefined;
  const names: string[] = [];
  for (const e of array) {
    if (!isRecord(e) || typeof e.name !== 'string') return undefined;
    names.push(e.name);
  }
  return new Set(names).size === names.length ? names : undefined;
}

export function isEmpty(value: unknown): boolean {
  if (value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

export function isQuantityPath(path: Path): boolean {
  const [top] = path;
  if (typeof top === 'string' && dataFields.has(top)) return false;
  const last = path.at(-1);
  if (typeof last === 'string' && quantityLeaves.has(last)) return true;
  return path.slice(0, -1).some((key) => typeof key === 'string' && quantityParents.has(key));
}

export function sameQuantityValue(a: unknown, b: unknown): boolean {
  if ((typeof a !== 'string' && typeof a !== 'number') || (typeof b !== 'string' && typeof b !== 'number')) return false;
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  return qa !== undefined && qb !== undefined && sameQuantity(qa, qb);
}

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `spec.containers[0].image`; keys that are not identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`. */
function format(path: Path): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (plainKey.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
