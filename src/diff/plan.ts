// Desired objects + live objects → what to create, update and prune. Pure.
// Every list is sorted by objectKey, so the same inputs give the same plan
// whatever order the renderer and the cache returned them in.
import { groupOf, objectKey, type KubeObject } from '../model/object.ts';
import { diffObject } from './compare.ts';

export interface Update {
  desired: KubeObject;
  live: KubeObject;
  /** Where live differs from desired (see diffObject). */
  paths: string[];
}

export interface Plan {
  create: KubeObject[];
  update: Update[];
  unchanged: KubeObject[];
  prune: KubeObject[];
}

export interface PlanSummary {
  create: number;
  update: number;
  unchanged: number;
  prune: number;
}

/**
 * `live` holds the objects found by the owner's label plus the live
 * counterparts of desired objects (duplicates are fine). Pruned are live
 * objects the owner controls that are no longer desired — except
 * PersistentVolumeClaims (their data goes only with the owner, through the
 * garbage collector), Jobs (backups and restores are never rendered: they
 * go by their TTL, src/backup/jobs.ts) and objects already being deleted.
 */
export function plan(desired: readonly KubeObject[], live: readonly KubeObject[], owner: { uid: string }): Plan {
  const liveByKey = new Map<string, KubeObject>();
  for (const l of live) {
    const key = objectKey(l);
    if (!liveByKey.has(key)) liveByKey.set(key, l);
  }
  const desiredKeys = new Set<string>();
  const result: Plan = { create: [], update: [], unchanged: [], prune: [] };
  for (const d of sortByKey(desired)) {
    const key = objectKey(d);
    if (desiredKeys.has(key)) throw new Error(`the desired objects hold ${key} twice`);
    desiredKeys.add(key);
    const l = liveByKey.get(key);
    if (l === undefined) {
      result.create.push(d);
      continue;
    }
    const paths = diffObject(d, l);
    if (paths.length > 0) result.update.push({ desired: d, live: l, paths });
    else result.unchanged.push(d);
  }
  const orphans = [...liveByKey.entries()].filter(([key]) => !desiredKeys.has(key)).map(([, l]) => l);
  result.prune = sortByKey(orphans.filter((l) => prunable(l, owner.uid)));
  return result;
}

export function summarize(p: Plan): PlanSummary {
  return { create: p.create.length, update: p.update.length, unchanged: p.unchanged.length, prune: p.prune.length };
}

function prunable(o: KubeObject, ownerUid: string): boolean {
  if (groupOf(o.apiVersion) === '' && o.kind === 'PersistentVolumeClaim') return false;
  if (groupOf(o.apiVersion) === 'batch' && o.kind === 'Job') return false;
  if (o.metadata.deletionTimestamp) return false;
  return (o.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === ownerUid);
}

function sortByKey(objects: readonly KubeObject[]): KubeObject[] {
  return objects
    .map((o) => ({ key: objectKey(o), o }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ o }) => o);
}
