// Whose an existing object is, as far as one HarborCluster is concerned: the
// operator creates and updates only objects it owns. Pure.
//
// - No object of that name: it may be created.
// - Its controller owner reference is this HarborCluster (by uid): its own.
//   A controller owner that is an earlier HarborCluster of the same name (a
//   different uid: deleted and re-created while the garbage collector had not
//   reached the object yet) counts as its own too, when the object carries
//   this cluster's label: it is what the operator made for that name, and the
//   garbage collector is about to delete it (it checks the owner references
//   again before it deletes, so taking it over keeps it).
// - No controller owner: its own only when it carries this cluster's label
//   AND the operator's field manager applied it (what the volumes and the
//   generated Secret look like when they are kept with the data, or any child
//   whose owner reference someone removed).
// - Anything else is someone else's: a hand-made object, a Helm release's
//   (upstream's chart uses the same names), another HarborCluster's child or
//   kept data, anything with another controller. It is left alone, unless it
//   is adopted explicitly: the annotation harbor-operator.dev/adopt naming
//   this HarborCluster on the object, or harbor-operator.dev/adopt-existing:
//   "true" on the HarborCluster (objects without a controller owner that are
//   not another HarborCluster's). An object with another controller owner is
//   never adopted.
import { groupOf, type KubeObject, type OwnerReference } from '../model/object.ts';

/** On an object: the name of the HarborCluster that may take it over. */
export const ADOPT_ANNOTATION = 'harbor-operator.dev/adopt';
/** On a HarborCluster, "true": take over existing objects of its names that have no controller owner. */
export const ADOPT_EXISTING_ANNOTATION = 'harbor-operator.dev/adopt-existing';

export interface ClusterIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** The HarborCluster carries harbor-operator.dev/adopt-existing: "true". */
  adoptExisting: boolean;
}

export interface OwnershipRules {
  /** The operator's field manager. */
  fieldManager: string;
  /** The label naming the HarborCluster an object belongs to. */
  clusterLabel: string;
}

export type Ownership =
  | { verdict: 'absent' }
  | { verdict: 'own' }
  | { verdict: 'adopt'; how: string }
  | { verdict: 'foreign'; why: string; adoptable: boolean };

export function clusterIdentity(cr: KubeObject): ClusterIdentity {
  return {
    apiVersion: cr.apiVersion,
    kind: cr.kind,
    name: cr.metadata.name,
    uid: cr.metadata.uid ?? '',
    adoptExisting: cr.metadata.annotations?.[ADOPT_EXISTING_ANNOTATION] === 'true',
  };
}

interface ManagedEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
}

function entries(o: KubeObject): ManagedEntry[] {
  const mf = o.metadata.managedFields;
  return Array.isArray(mf) ? (mf as ManagedEntry[]) : [];
}

export function ownership(live: KubeObject | undefined, cluster: ClusterIdentity, rules: OwnershipRules): Ownership {
  if (!live) return { verdict: 'absent' };
  const labelled = live.metadata.labels?.[rules.clusterLabel];
  const controller = (live.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (controller) {
    if (controller.uid === cluster.uid) return { verdict: 'own' };
    if (isEarlierSelf(controller, cluster) && labelled === cluster.name) return { verdict: 'own' };
    return { verdict: 'foreign', why: `its controller is ${describeRef(controller, cluster)}`, adoptable: false };
  }
  const appliedByUs = entries(live).some((e) => e.manager === rules.fieldManager && e.operation === 'Apply' && !e.subresource);
  if (labelled === cluster.name && appliedByUs) return { verdict: 'own' };
  const adoptFor = live.metadata.annotations?.[ADOPT_ANNOTATION];
  if (adoptFor === cluster.name) return { verdict: 'adopt', how: `its annotation ${ADOPT_ANNOTATION}=${cluster.name}` };
  if (labelled !== undefined && labelled !== cluster.name) {
    return { verdict: 'foreign', why: `it is kept for HarborCluster ${labelled} (label ${rules.clusterLabel})`, adoptable: true };
  }
  if (cluster.adoptExisting) return { verdict: 'adopt', how: `the HarborCluster's annotation ${ADOPT_EXISTING_ANNOTATION}=true` };
  return { verdict: 'foreign', why: describeMaker(live, cluster, rules, labelled, adoptFor), adoptable: true };
}

function isEarlierSelf(r: OwnerReference, cluster: ClusterIdentity): boolean {
  return r.kind === cluster.kind && groupOf(r.apiVersion) === groupOf(cluster.apiVersion) && r.name === cluster.name;
}

function describeRef(r: OwnerReference, cluster: ClusterIdentity): string {
  if (r.kind === cluster.kind && groupOf(r.apiVersion) === groupOf(cluster.apiVersion)) return `HarborCluster ${r.name}`;
  return `${r.kind} ${r.name} (${r.apiVersion})`;
}

/** Who made an object that has no controller owner, from its labels, annotations and managedFields. */
function describeMaker(
  live: KubeObject,
  cluster: ClusterIdentity,
  rules: OwnershipRules,
  labelled: string | undefined,
  adoptFor: string | undefined,
): string {
  const parts: string[] = ['it has no controller owner'];
  const a = live.metadata.annotations ?? {};
  const l = live.metadata.labels ?? {};
  const release = a['meta.helm.sh/release-name'];
  if (release !== undefined) {
    const ns = a['meta.helm.sh/release-namespace'];
    parts.push(`it belongs to Helm release ${ns ? `${ns}/` : ''}${release}`);
  } else if (l['app.kubernetes.io/managed-by'] === 'Helm' || l['heritage'] === 'Helm') {
    parts.push('Helm made it');
  }
  const managers = [...new Set(entries(live).map((e) => e.manager).filter((m): m is string => m !== undefined && m !== rules.fieldManager))];
  if (managers.length > 0) parts.push(`written by ${managers.slice(0, 4).join(', ')}`);
  if (labelled === cluster.name) parts.push(`it carries the label ${rules.clusterLabel}=${cluster.name} but ${rules.fieldManager} never applied it`);
  if (adoptFor !== undefined) parts.push(`its annotation ${ADOPT_ANNOTATION} names ${adoptFor || '(nothing)'}`);
  return parts.join('; ');
}
