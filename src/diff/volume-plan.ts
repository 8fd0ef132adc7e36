// Volumes that must change, decided from plain data. A StatefulSet's
// volumeClaimTemplates cannot be updated (the API server refuses), and the
// claims it made from them are not the operator's to apply. So a bigger size
// for a StatefulSet's volume is carried out as: grow each existing claim in
// place (spec.resources.requests.storage), where its StorageClass allows
// expansion, then re-create the StatefulSet with its pods and claims orphaned
// so that its templates match (the new one adopts them; no pod restarts). A
// plain claim (registry, job logs) grows by the ordinary apply, under the
// same rule about its class. What cannot be done — a class without
// expansion, a smaller size, another class — is refused as a whole: no
// volume is changed, and the rest of the plan is applied with the volumes
// as they are (withLiveVolumes). Pure.
import type { KubeObject } from '../model/object.ts';
import { diffObject } from './compare.ts';
import type { Plan, Update } from './plan.ts';
import { compareQuantity, parseQuantity } from './quantity.ts';

export interface StorageClassInfo {
  allowVolumeExpansion: boolean;
}

export interface VolumeInputs {
  /** The plan's updates; only StatefulSets and PersistentVolumeClaims are looked at. */
  updates: readonly Update[];
  /** The namespace's claims as the server has them (class, size, phase). */
  claims: readonly KubeObject[];
  /** StorageClasses by name; a missing name does not exist. */
  classes: ReadonlyMap<string, StorageClassInfo>;
}

export type RefusalReason = 'VolumeExpansionNotAllowed' | 'VolumeCannotShrink' | 'StorageClassCannotChange';

export interface Refusal {
  reason: RefusalReason;
  /** Kind/name of the object the refusal is about. */
  object: string;
  message: string;
}

export interface ClaimGrowth {
  claim: string;
  from: string;
  to: string;
}

export interface VolumeDecision {
  /** Claims made from a StatefulSet's templates, grown in place before it is re-created. */
  grow: ClaimGrowth[];
  /** Claims the apply grows (plain claims of the chart); listed for the record. */
  growByApply: ClaimGrowth[];
  /** Live StatefulSets to delete with their pods and claims orphaned, then apply again. */
  recreate: KubeObject[];
  /** What cannot be done; when any, nothing at all is done. */
  refused: Refusal[];
  /** What must wait (a claim not bound yet, a StatefulSet still being deleted). */
  waiting: string[];
}

const isClaim = (o: KubeObject): boolean => o.apiVersion === 'v1' && o.kind === 'PersistentVolumeClaim';
const isStatefulSet = (o: KubeObject): boolean => o.apiVersion === 'apps/v1' && o.kind === 'StatefulSet';
const touchesTemplates = (paths: readonly string[]): boolean => paths.some((p) => p.startsWith('spec.volumeClaimTemplates'));
const touchesClaimSpec = (paths: readonly string[]): boolean =>
  paths.some((p) => p.startsWith('spec.resources') || p === 'spec.storageClassName');

/** The updates that concern volumes; none means nothing to read or decide. */
export function volumeUpdates(updates: readonly Update[]): Update[] {
  return updates.filter(
    (u) => (isStatefulSet(u.desired) && touchesTemplates(u.paths)) || (isClaim(u.desired) && touchesClaimSpec(u.paths)),
  );
}

/** The claims a StatefulSet made from its template (<template>-<statefulset>-<ordinal>), by name. */
export function templateClaims(template: string, statefulSet: string, claims: readonly KubeObject[]): KubeObject[] {
  const prefix = `${template}-${statefulSet}-`;
  return claims
    .filter((c) => c.metadata.name.startsWith(prefix) && /^(0|[1-9][0-9]*)$/.test(c.metadata.name.slice(prefix.length)))
    .sort((a, b) => ordinal(a.metadata.name) - ordinal(b.metadata.name));
}

/** The StorageClasses whose allowVolumeExpansion the decision needs. */
export function classesToRead(updates: readonly Update[], claims: readonly KubeObject[]): string[] {
  const names = new Set<string>();
  for (const u of volumeUpdates(updates)) {
    const affected = isClaim(u.desired)
      ? claims.filter((c) => c.metadata.name === u.desired.metadata.name)
      : templatesOf(u.desired).flatMap((t) => templateClaims(t.name, u.desired.metadata.name, claims));
    for (const c of affected) {
      const cls = claimSpec(c).storageClassName;
      if (cls) names.add(cls);
    }
  }
  return [...names].sort();
}

export function decideVolumes(input: VolumeInputs): VolumeDecision {
  const out: VolumeDecision = { grow: [], growByApply: [], recreate: [], refused: [], waiting: [] };
  for (const u of volumeUpdates(input.updates)) {
    if (isClaim(u.desired)) decideClaim(u, input, out);
    else decideStatefulSet(u, input, out);
  }
  return out;
}

function decideStatefulSet(u: Update, input: VolumeInputs, out: VolumeDecision): void {
  const sts = u.desired.metadata.name;
  if (u.live.metadata.deletionTimestamp) {
    out.waiting.push(`StatefulSet/${sts} is being deleted; it is applied again once it is gone`);
    return;
  }
  const live = new Map(templatesOf(u.live).map((t) => [t.name, t]));
  // Refused or waiting: the StatefulSet is left as it is.
  let blocked = false;
  for (const t of templatesOf(u.desired)) {
    const before = live.get(t.name);
    if (before && t.size && before.size && cmp(t.size, before.size) < 0) {
      blocked = true;
      out.refused.push({
        reason: 'VolumeCannotShrink',
        object: `StatefulSet/${sts}`,
        message: `StatefulSet/${sts}: volume ${t.name} cannot shrink from ${before.size} to ${t.size}`,
      });
      continue;
    }
    for (const c of templateClaims(t.name, sts, input.claims)) {
      const spec = claimSpec(c);
      if (t.storageClassName && spec.storageClassName !== t.storageClassName) {
        blocked = true;
        out.refused.push(classChange(c.metadata.name, spec.storageClassName, t.storageClassName));
        continue;
      }
      // A claim grown by hand beyond the template stays as it is.
      if (!t.size || !spec.size || cmp(t.size, spec.size) <= 0) continue;
      const growth = { claim: c.metadata.name, from: spec.size, to: t.size };
      if (checkGrowth(c, growth, input, out)) out.grow.push(growth);
      else blocked = true;
    }
  }
  if (!blocked) out.recreate.push(u.live);
}

function decideClaim(u: Update, input: VolumeInputs, out: VolumeDecision): void {
  const name = u.desired.metadata.name;
  const live = input.claims.find((c) => c.metadata.name === name);
  if (!live) return; // gone meanwhile: the apply creates it at the new size
  const want = claimSpec(u.desired);
  const have = claimSpec(live);
  if (want.storageClassName && want.storageClassName !== have.storageClassName) {
    out.refused.push(classChange(name, have.storageClassName, want.storageClassName));
    return;
  }
  if (!want.size || !have.size) return;
  const order = cmp(want.size, have.size);
  if (order < 0) {
    out.refused.push({
      reason: 'VolumeCannotShrink',
      object: `PersistentVolumeClaim/${name}`,
      message: `PersistentVolumeClaim/${name} requests ${have.size}; the spec asks for ${want.size}, and a volume cannot shrink`,
    });
    return;
  }
  if (order === 0) return;
  const growth = { claim: name, from: have.size, to: want.size };
  if (checkGrowth(live, growth, input, out)) out.growByApply.push(growth);
}

/** Whether the claim may grow now; records why not. */
function checkGrowth(claim: KubeObject, g: ClaimGrowth, input: VolumeInputs, out: VolumeDecision): boolean {
  const spec = claimSpec(claim);
  const what = `PersistentVolumeClaim/${g.claim} cannot grow from ${g.from} to ${g.to}`;
  const refuse = (why: string): false => {
    out.refused.push({ reason: 'VolumeExpansionNotAllowed', object: `PersistentVolumeClaim/${g.claim}`, message: `${what}: ${why}` });
    return false;
  };
  const cls = spec.storageClassName;
  if (!cls) return refuse('it has no StorageClass, and only a claim whose StorageClass allows volume expansion can grow');
  const info = input.classes.get(cls);
  if (!info) return refuse(`its StorageClass ${cls} does not exist`);
  if (!info.allowVolumeExpansion) return refuse(`its StorageClass ${cls} does not allow volume expansion (allowVolumeExpansion is not true)`);
  const phase = (claim['status'] as { phase?: string } | undefined)?.phase ?? 'Pending';
  if (phase !== 'Bound') {
    out.waiting.push(`PersistentVolumeClaim/${g.claim} is ${phase}, not Bound: only a bound claim can grow`);
    return false;
  }
  return true;
}

function classChange(claim: string, have: string | undefined, want: string): Refusal {
  return {
    reason: 'StorageClassCannotChange',
    object: `PersistentVolumeClaim/${claim}`,
    message: `PersistentVolumeClaim/${claim} has StorageClass ${have ?? '(none)'}; the spec asks for ${want}, and a claim's StorageClass cannot change`,
  };
}

interface Template {
  name: string;
  size: string | undefined;
  storageClassName: string | undefined;
}

function templatesOf(sts: KubeObject): Template[] {
  const spec = sts['spec'] as { volumeClaimTemplates?: unknown } | undefined;
  const list = Array.isArray(spec?.volumeClaimTemplates) ? (spec.volumeClaimTemplates as unknown[]) : [];
  return list.flatMap((t) => {
    const meta = (t as { metadata?: { name?: unknown } } | null)?.metadata;
    if (typeof meta?.name !== 'string') return [];
    return [{ name: meta.name, ...claimSpec(t) }];
  });
}

function claimSpec(claim: unknown): { size: string | undefined; storageClassName: string | undefined } {
  const spec = (claim as { spec?: { storageClassName?: unknown; resources?: { requests?: { storage?: unknown } } } } | null)?.spec;
  const size = spec?.resources?.requests?.storage;
  const cls = spec?.storageClassName;
  return {
    size: typeof size === 'string' || typeof size === 'number' ? String(size) : undefined,
    storageClassName: typeof cls === 'string' && cls !== '' ? cls : undefined,
  };
}

/** Compares two sizes; an unreadable one counts as equal (nothing to do). */
function cmp(a: string, b: string): number {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  return qa && qb ? compareQuantity(qa, qb) : 0;
}

function ordinal(name: string): number {
  return Number(name.slice(name.lastIndexOf('-') + 1));
}

/**
 * The plan with every volume change taken out: StatefulSets keep the size and
 * class of their live volumeClaimTemplates, claims those of the live claim
 * (from `claims`, the server's). An update left with no difference becomes
 * unchanged. Used when a volume change is refused, so that everything else
 * the spec says is still applied.
 */
export function withLiveVolumes(p: Plan, claims: readonly KubeObject[]): Plan {
  const volume = new Set(volumeUpdates(p.update));
  const update: Update[] = [];
  const unchanged = [...p.unchanged];
  for (const u of p.update) {
    if (!volume.has(u)) {
      update.push(u);
      continue;
    }
    const desired = isClaim(u.desired)
      ? claimWithLiveVolume(u.desired, claims.find((c) => c.metadata.name === u.desired.metadata.name) ?? u.live)
      : statefulSetWithLiveTemplates(u.desired, u.live);
    const paths = diffObject(desired, u.live);
    if (paths.length > 0) update.push({ desired, live: u.live, paths });
    else unchanged.push(desired);
  }
  return { ...p, update, unchanged };
}

function claimWithLiveVolume(desired: KubeObject, live: KubeObject): KubeObject {
  return withVolume(desired, claimSpec(live));
}

function statefulSetWithLiveTemplates(desired: KubeObject, live: KubeObject): KubeObject {
  const liveTemplates = new Map(templatesOf(live).map((t) => [t.name, t]));
  const spec = desired['spec'] as { volumeClaimTemplates?: unknown } | undefined;
  if (!spec || !Array.isArray(spec.volumeClaimTemplates)) return desired;
  const templates = (spec.volumeClaimTemplates as KubeObject[]).map((t) => {
    const before = liveTemplates.get(t.metadata.name);
    return before ? withVolume(t, before) : t;
  });
  return { ...desired, spec: { ...spec, volumeClaimTemplates: templates } };
}

/** A claim (or claim template) with the given size and class; absent ones are left as they are. */
function withVolume(claim: KubeObject, v: { size: string | undefined; storageClassName: string | undefined }): KubeObject {
  const spec = { ...((claim['spec'] as Record<string, unknown> | undefined) ?? {}) };
  if (v.size !== undefined) {
    const resources = (spec['resources'] as { requests?: Record<string, unknown> } | undefined) ?? {};
    spec['resources'] = { ...resources, requests: { ...(resources.requests ?? {}), storage: v.size } };
  }
  if (v.storageClassName !== undefined) spec['storageClassName'] = v.storageClassName;
  return { ...claim, spec };
}
