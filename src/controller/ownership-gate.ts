// A plan cut to what the operator may write (diff/ownership.ts), before the
// first write. Pure.
//
// Objects the plan would update or leave as they are are judged from the
// cache; one that is not this HarborCluster's is taken out of the plan (never
// applied, never pruned) and reported. What depends on it is held back too:
// a foreign object among what pods read or talk to (the first apply phase:
// Secrets, ConfigMaps, claims, Services, the Certificate) holds back every
// workload and the Ingress, so no pod ever starts with someone else's
// configuration or sends its passwords to someone else's Service; the rest
// of the first phase is applied. A foreign workload or Ingress holds back
// nothing else. Objects the plan creates are not in the cache: whether one
// exists after all is learnt when it is written (owned-writer.ts), and a
// failed write ends its phase the same way.
import type { Plan, Update } from '../diff/plan.ts';
import { ADOPT_ANNOTATION, ownership, type ClusterIdentity, type OwnershipRules } from '../diff/ownership.ts';
import { objectKey, type KubeObject } from '../model/object.ts';
import { applyPhase } from './apply-order.ts';

export interface NotOwned {
  /** "Kind name". */
  object: string;
  why: string;
  /** Whether an adoption annotation could hand it over (it has no other controller). */
  adoptable: boolean;
}

export interface GatedPlan {
  plan: Plan;
  notOwned: NotOwned[];
  /** Writes left out because they depend on an object that is not the cluster's. */
  held: KubeObject[];
}

export function gatePlan(p: Plan, live: readonly KubeObject[], cluster: ClusterIdentity, rules: OwnershipRules): GatedPlan {
  const liveByKey = new Map<string, KubeObject>();
  for (const l of live) if (!liveByKey.has(objectKey(l))) liveByKey.set(objectKey(l), l);
  const notOwned: { desired: KubeObject; n: NotOwned }[] = [];
  const judge = (desired: KubeObject, l: KubeObject | undefined): 'keep' | 'adopt' | 'drop' => {
    const v = ownership(l, cluster, rules);
    if (v.verdict === 'foreign') {
      notOwned.push({ desired, n: { object: `${desired.kind} ${desired.metadata.name}`, why: v.why, adoptable: v.adoptable } });
      return 'drop';
    }
    return v.verdict === 'adopt' ? 'adopt' : 'keep';
  };
  const update: Update[] = [];
  for (const u of p.update) if (judge(u.desired, u.live) !== 'drop') update.push(u);
  const unchanged: KubeObject[] = [];
  for (const d of p.unchanged) {
    const l = liveByKey.get(objectKey(d));
    const j = judge(d, l);
    // Nothing differs, but adopting is a write: the operator's field manager
    // takes the object (and its owner reference, where it gets one).
    if (j === 'adopt' && l) update.push({ desired: d, live: l, paths: ['(adopted)'] });
    else if (j === 'keep') unchanged.push(d);
  }
  let create = p.create;
  const held: KubeObject[] = [];
  if (notOwned.some((x) => applyPhase(x.desired) === 0)) {
    const dependent = (o: KubeObject): boolean => applyPhase(o) > 0;
    held.push(...create.filter(dependent), ...update.filter((u) => dependent(u.desired)).map((u) => u.desired));
    create = create.filter((o) => !dependent(o));
    const kept = update.filter((u) => !dependent(u.desired));
    update.length = 0;
    update.push(...kept);
  }
  update.sort((a, b) => (objectKey(a.desired) < objectKey(b.desired) ? -1 : 1));
  return { plan: { create, update, unchanged, prune: p.prune }, notOwned: notOwned.map((x) => x.n), held };
}

/** The message of Degraded=True ObjectNotOwned (and its event). */
export function describeNotOwned(notOwned: readonly NotOwned[], held: readonly KubeObject[], clusterName: string): string {
  const list = notOwned.slice(0, 6).map((n) => `${n.object} exists and is not this HarborCluster's (${n.why})`);
  const more = notOwned.length > 6 ? `; and ${notOwned.length - 6} more` : '';
  let msg = `${list.join('; ')}${more}: left alone, not applied and never pruned`;
  if (notOwned.some((n) => n.adoptable)) {
    msg += `. To hand such an object over, annotate it ${ADOPT_ANNOTATION}=${clusterName}; or delete or rename it`;
  }
  if (held.length > 0) {
    const names = held.slice(0, 6).map((o) => `${o.kind} ${o.metadata.name}`);
    msg += `. Held back until then, as they depend on it: ${names.join(', ')}${held.length > 6 ? ` and ${held.length - 6} more` : ''}`;
  }
  return msg;
}
