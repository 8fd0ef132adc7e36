// What `render` and `diff` print, with every secret value masked: the data
// of Secrets, and any value anywhere that equals or contains a known secret
// (a referenced or generated one, or a value of a Secret's data). Pure.
import type { Change } from './diff/changes.ts';
import type { Plan } from './diff/plan.ts';
import type { KubeObject } from './model/object.ts';

export const MASK = '<secret>';

/** Secret data and stringData values replaced by a mask: keys show, values do not. */
export function maskSecrets(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret') return o;
  const mask = (m: unknown): Record<string, string> | undefined =>
    m && typeof m === 'object' ? Object.fromEntries(Object.keys(m).map((k) => [k, MASK])) : undefined;
  const out: KubeObject = { ...o };
  const data = mask(o['data']);
  const stringData = mask(o['stringData']);
  if (data) out['data'] = data;
  if (stringData) out['stringData'] = stringData;
  return out;
}

/** The values to mask: the given ones, and each Secret's data (decoded and as written) and stringData. */
export function knownSecrets(objects: Iterable<KubeObject>, values: Iterable<string | undefined>): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v !== '') out.add(v);
  };
  for (const v of values) {
    add(v);
    if (v) add(Buffer.from(v, 'utf8').toString('base64'));
  }
  for (const o of objects) {
    if (o.kind !== 'Secret') continue;
    for (const v of Object.values((o['data'] ?? {}) as Record<string, unknown>)) {
      add(v);
      if (typeof v === 'string') add(Buffer.from(v, 'base64').toString('utf8'));
    }
    for (const v of Object.values((o['stringData'] ?? {}) as Record<string, unknown>)) {
      add(v);
      if (typeof v === 'string') add(Buffer.from(v, 'utf8').toString('base64'));
    }
  }
  return out;
}

/** Shorter secrets are masked only where a value equals them: inside text they would mask ordinary words. */
const MIN_INSIDE = 4;

/** The value with every string that equals a known secret masked, and every known secret inside a string. */
export function maskValue(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof value === 'string') {
    if (secrets.has(value)) return MASK;
    let out = value;
    const inside = [...secrets].filter((s) => s.length >= MIN_INSIDE).sort((a, b) => b.length - a.length);
    for (const s of inside) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(v, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, secrets)]));
  }
  return value;
}

const MAX_VALUE = 200;

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}… (${text.length} characters)` : text;
}

/** Lines only in a (-) and only in b (+), in order (longest common subsequence). */
export function lineDiff(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > 4_000_000) return [`- (${x.length} lines)`, `+ (${y.length} lines)`];
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] ?? [];
    const next = lcs[i + 1] ?? [];
    for (let j = m - 1; j >= 0; j--) row[j] = x[i] === y[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      i++;
      j++;
    } else if (i < n && (j >= m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      out.push(`- ${x[i] ?? ''}`);
      i++;
    } else {
      out.push(`+ ${y[j] ?? ''}`);
      j++;
    }
  }
  return out;
}

const isSecretData = (o: KubeObject, path: string): boolean => o.kind === 'Secret' && /^\/(data|stringData)(\/|$)/.test(path);

/** One change as lines: `replace /spec/replicas: 1 → 3`; text over several lines as the lines that differ. */
export function formatChange(object: KubeObject, c: Change, secrets: ReadonlySet<string>): string[] {
  if (isSecretData(object, c.path)) {
    const masked = (v: unknown): string =>
      v === undefined ? '(absent)' : v && typeof v === 'object' ? show(Object.fromEntries(Object.keys(v).map((k) => [k, MASK]))) : MASK;
    return [`${c.op} ${c.path}: ${masked(c.old)} → ${masked(c.new)}`];
  }
  const old = maskValue(c.old, secrets);
  const next = maskValue(c.new, secrets);
  if (typeof old === 'string' && typeof next === 'string' && (old.includes('\n') || next.includes('\n'))) {
    return [`${c.op} ${c.path}:`, ...lineDiff(old, next).map((l) => `  ${l}`)];
  }
  return [`${c.op} ${c.path}: ${show(old)} → ${show(next)}`];
}

const name = (o: KubeObject): string => `${o.kind}/${o.metadata.name}`;
const INDENT = ' '.repeat(11);

/** The plan as `kubectl diff` users expect it: each object, and for updates each change, old → new. */
export function formatPlan(p: Plan, changesOf: (desired: KubeObject, live: KubeObject) => Change[], secrets: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const o of p.create) out.push(`create   ${name(o)}`);
  for (const u of p.update) {
    out.push(`update   ${name(u.desired)}`);
    const list = changesOf(u.desired, u.live);
    // (diffObject and changes follow the same rules; the paths are the fallback.)
    if (list.length === 0) for (const path of u.paths) out.push(`${INDENT}~ ${path}`);
    for (const c of list) for (const line of formatChange(u.desired, c, secrets)) out.push(`${INDENT}${line}`);
  }
  for (const o of p.prune) out.push(`prune    ${name(o)}`);
  out.push(`plan: ${p.create.length} to create, ${p.update.length} to update, ${p.prune.length} to prune, ${p.unchanged.length} unchanged`);
  return out;
}
