// The steps of a take-over, in the order that cannot lose data, and their
// description for the user. Pure.
//
// 1. Every kept claim's PersistentVolume gets reclaim policy Retain (and is
//    read back): from then on not even a deleted claim takes the data along.
// 2. The generated Secret is created with the release's values (and read
//    back), and the Secrets for referenced credentials.
// 3. The HarborCluster is created paused: the operator leaves it alone, and a
//    run interrupted after this point resumes from it.
// 4. Helm's records of the release are hidden from Helm (their owner label
//    changes), so no later `helm uninstall` or `helm upgrade` deletes or
//    rewrites what the operator now runs. The records are kept.
// 5. The release's Deployments and StatefulSets are deleted (their selectors
//    cannot change, so they cannot be adopted), with their pods; the claims
//    have no owner and stay. Then adopt waits until those pods are gone, so
//    no pod of Helm's and one of the operator's ever mount a volume together.
// 6. The release's configuration (ConfigMaps, Secrets, Services, Ingress)
//    that the operator renders under the same name is handed over in place,
//    the same objects (hand-over.ts): Helm's labels, annotations and field
//    owners removed, what the operator does not set removed (data keys, a
//    Service's selector and ports, Ingress fields), annotated
//    harbor-operator.dev/adopt: <name>. What the operator does not render is
//    deleted (nothing reads it any more; its secret values are in the
//    generated Secret). Claims and Secrets the spec names are kept as they are.
// 7. The HarborCluster is un-paused: the operator renders and applies.
// Each step is skipped when what it does is done (a resumed run).
import { stringify } from 'yaml';
import type { HarborClusterSpec } from '../api/types.generated.ts';
import { PAUSED_ANNOTATION } from '../controller/reconciler.ts';
import { ADOPT_ANNOTATION } from '../diff/ownership.ts';
import type { KubeObject } from '../model/object.ts';
import { GENERATED_KEYS, type GeneratedKey } from '../secrets/generate.ts';
import { desiredObjects } from '../controller/desired.ts';
import { ADOPTED_FROM_ANNOTATION, type Adoption } from './map.ts';
import { handOverOf, type HandOver } from './hand-over.ts';
import type { Snapshot } from './snapshot.ts';
import { HELM_HERITAGE, HERITAGE_LABEL, RECORD_OWNER, RECORD_OWNER_LABEL, RELEASE_LABEL } from './upstream.ts';

export type Step =
  | { op: 'retain'; volume: string; claim: string; from: string }
  | { op: 'create-generated'; secret: KubeObject }
  | { op: 'create-credentials'; secret: KubeObject }
  | { op: 'create-cluster'; cluster: KubeObject }
  | { op: 'hide-record'; record: KubeObject }
  | { op: 'delete-workload'; object: KubeObject }
  | { op: 'wait-pods'; selector: string; pods: string[] }
  | { op: 'delete-config'; object: KubeObject }
  | { op: 'hand-over'; object: KubeObject; cluster: string; clean: HandOver }
  | { op: 'unpause'; cluster: string };

/** The pods of a release: upstream puts its labels on every pod template (templates/*, "harbor.labels"). */
export function podSelector(release: string): string {
  return `${HERITAGE_LABEL}=${HELM_HERITAGE},${RELEASE_LABEL}=${release}`;
}

/** The generated Secret exactly as the operator would apply it (labels, no owner reference: kept with the data). */
export function generatedSecret(a: Adoption, namespace: string): KubeObject | undefined {
  if (!a.generated) return undefined;
  const owner = { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name: a.name, namespace, uid: '' };
  return desiredObjects([], owner, a.generated, false)[0];
}

/**
 * The steps, given the operator's render of the HarborCluster (`rendered`): an
 * object of the release's configuration the operator renders too is handed over
 * in place (same uid), cleaned of what the operator does not set; the rest of it
 * is deleted once the pods are gone.
 */
export function planSteps(snapshot: Snapshot, a: Adoption, rendered: readonly KubeObject[]): Step[] {
  if (a.refusals.length > 0) return [];
  const steps: Step[] = [];
  for (const c of a.claims) {
    if (c.volume && c.reclaimPolicy !== 'Retain') steps.push({ op: 'retain', volume: c.volume, claim: c.claim, from: c.reclaimPolicy ?? 'unset' });
  }
  const secret = generatedSecret(a, snapshot.namespace);
  if (secret) steps.push({ op: 'create-generated', secret });
  for (const s of a.credentials) steps.push({ op: 'create-credentials', secret: s });
  if (a.cluster) steps.push({ op: 'create-cluster', cluster: a.cluster });
  for (const r of snapshot.records) {
    if (r.metadata.labels?.[RECORD_OWNER_LABEL] === RECORD_OWNER) steps.push({ op: 'hide-record', record: r });
  }
  for (const w of a.workloads) steps.push({ op: 'delete-workload', object: w });
  if (a.workloads.length > 0 || snapshot.pods.length > 0) {
    steps.push({ op: 'wait-pods', selector: podSelector(snapshot.release), pods: snapshot.pods.map((p) => p.metadata.name).sort() });
  }
  const handOver: Step[] = [];
  for (const o of a.config) {
    const clean = handOverOf(o, rendered);
    if (!clean) steps.push({ op: 'delete-config', object: o });
    else if (o.metadata.annotations?.[ADOPT_ANNOTATION] !== a.name) handOver.push({ op: 'hand-over', object: o, cluster: a.name, clean });
  }
  for (const o of a.handOver) {
    const clean = handOverOf(o, rendered) ?? { remove: (o['spec'] as { selector?: unknown } | undefined)?.selector !== undefined ? ['/spec/selector'] : [], replace: [] };
    if (o.metadata.annotations?.[ADOPT_ANNOTATION] !== a.name) handOver.push({ op: 'hand-over', object: o, cluster: a.name, clean });
  }
  steps.push(...handOver);
  const paused = a.cluster ? true : snapshot.cluster?.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
  const ours = a.cluster !== undefined || snapshot.cluster?.metadata.annotations?.[ADOPTED_FROM_ANNOTATION] !== undefined;
  if (paused && ours) steps.push({ op: 'unpause', cluster: a.name });
  return steps;
}

const ref = (o: KubeObject): string => `${o.kind} ${o.metadata.name}`;

/** What a hand-over removes besides Helm's metadata, as names (a Secret's key names are shown, never a value). */
function cleaned(c: HandOver): string {
  const parts = [...c.remove, ...c.replace.map((r) => `${r.path} (ports the operator has not)`)].map((p) =>
    p.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~')).join('.'),
  );
  return parts.length > 0 ? `, and ${parts.join(', ')}` : '';
}

export function describeStep(s: Step): string {
  switch (s.op) {
    case 'retain':
      return `retain   PersistentVolume ${s.volume} of claim ${s.claim}: reclaim policy ${s.from} → Retain`;
    case 'create-generated':
      return `create   Secret ${s.secret.metadata.name} with ${Object.keys(s.secret['data'] ?? {}).length} values of the release (the operator's generated secrets)`;
    case 'create-credentials':
      return `create   Secret ${s.secret.metadata.name} (${Object.keys(s.secret['data'] ?? {}).join(', ')}), which the HarborCluster references`;
    case 'create-cluster':
      return `create   HarborCluster ${s.cluster.metadata.name}, paused (${PAUSED_ANNOTATION}: "true") until the take-over is complete`;
    case 'hide-record':
      return `hide     Helm's record ${ref(s.record)} from Helm (label ${RECORD_OWNER_LABEL}: ${RECORD_OWNER} → changed; the record is kept)`;
    case 'delete-workload':
      return `delete   ${ref(s.object)} and its pods (Helm's; its selector cannot change to the operator's)`;
    case 'wait-pods':
      return `wait     until the release's pods are gone (${s.selector}${s.pods.length > 0 ? `: ${s.pods.join(', ')}` : ''})`;
    case 'delete-config':
      return `delete   ${ref(s.object)} (Helm's; the operator has no object of that name${s.object.kind === 'Secret' ? ' or another type, and keeps the values elsewhere' : ''})`;
    case 'hand-over':
      return `hand     ${ref(s.object)} to HarborCluster ${s.cluster} (the same object: Helm's labels, annotations and field owners removed${cleaned(s.clean)}; annotated ${ADOPT_ANNOTATION}=${s.cluster})`;
    case 'unpause':
      return `resume   HarborCluster ${s.cluster} (annotation ${PAUSED_ANNOTATION} removed): the operator takes over`;
  }
}

/** The plan as the user reads it: what is created, kept, copied (names only), deleted, and why not, if not. */
export function describePlan(snapshot: Snapshot, a: Adoption, steps: readonly Step[]): string[] {
  const lines: string[] = [];
  lines.push(`Helm release ${snapshot.namespace}/${snapshot.release} → HarborCluster ${snapshot.namespace}/${a.name}`);
  if (a.refusals.length > 0) {
    lines.push('', 'It cannot be taken over:');
    for (const r of a.refusals) lines.push(`  - ${r}`);
    if (a.warnings.length > 0) lines.push('', 'Also:', ...a.warnings.map((w) => `  - ${w}`));
    return lines;
  }
  if (a.cluster) {
    const spec = (a.cluster['spec'] ?? {}) as HarborClusterSpec;
    lines.push('', `The HarborCluster (${summary(spec)}):`);
    lines.push(...indent(stringify({ spec }).trimEnd()));
  } else if (snapshot.cluster) {
    lines.push('', `HarborCluster ${a.name} exists (made by adopt from this release): resuming.`);
  }
  if (a.copied.length > 0) {
    lines.push('', 'Secret values kept (names only; every value stays as the release had it):');
    const width = Math.max(...a.copied.map((c) => c.to.length));
    for (const c of a.copied) lines.push(`  ${c.to.padEnd(width)}  ← ${c.from}`);
  }
  const rest = generatedLater(a);
  if (rest.length > 0) lines.push(`  (the operator generates what the release had none of: ${rest.join(', ')})`);
  if (a.claims.length > 0) {
    lines.push('', 'Claims kept as they are (the same objects, mounted by the operator\'s workloads):');
    for (const c of a.claims) {
      const pv = c.volume ? `, PersistentVolume ${c.volume}, reclaim ${c.reclaimPolicy ?? 'unset'}` : '';
      lines.push(`  ${c.use.padEnd(10)} ${c.claim} (uid ${c.uid ?? '?'}${pv}) → ${c.field}`);
    }
  }
  if (a.unusedClaims.length > 0) lines.push('', `Claims of the release nothing mounts any more (kept, never deleted): ${a.unusedClaims.join(', ')}`);
  const keptOther = a.kept.filter((k) => k.object.kind !== 'PersistentVolumeClaim');
  if (keptOther.length > 0) {
    lines.push('', 'Also kept as they are:');
    for (const k of keptOther) lines.push(`  ${ref(k.object)}: ${k.why}`);
  }
  if (snapshot.records.length === 0) {
    lines.push(
      '',
      `Helm's record of release ${snapshot.release} is not in this namespace (no Secret or ConfigMap labelled ${RECORD_OWNER_LABEL}=${RECORD_OWNER}, name=${snapshot.release}). If Helm keeps it elsewhere (HELM_DRIVER=sql), delete it there without \`helm uninstall\`: that would delete what the operator runs.`,
    );
  }
  if (a.warnings.length > 0) {
    lines.push('', 'Not kept (read these):');
    for (const w of a.warnings) lines.push(`  - ${w}`);
  }
  lines.push('', steps.length > 0 ? 'Steps:' : 'Nothing left to do: the take-over is complete.');
  steps.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${describeStep(s)}`));
  return lines;
}

/** Keys of the generated Secret the operator still has to make (the release had none: the in-cluster cache's password). */
function generatedLater(a: Adoption): string[] {
  if (!a.generated) return [];
  const spec = (a.cluster?.['spec'] ?? {}) as HarborClusterSpec;
  const needed = (k: GeneratedKey): boolean =>
    !(k === 'adminPassword' && spec.adminPasswordSecretRef) &&
    !(k === 'databasePassword' && spec.database?.type === 'External') &&
    !(k === 'cachePassword' && spec.cache?.type === 'External');
  return GENERATED_KEYS.filter((k) => a.generated?.[k] === undefined && needed(k));
}

function summary(spec: HarborClusterSpec): string {
  return [
    `Harbor ${spec.version ?? ''}`,
    spec.externalURL,
    `expose ${spec.expose?.type ?? 'Ingress'}`,
    `database ${spec.database?.type ?? 'InCluster'}`,
    `cache ${spec.cache?.type ?? 'InCluster'}`,
    `storage ${spec.storage?.type ?? 'Filesystem'}`,
  ].join(', ');
}

function indent(text: string): string[] {
  return text.split('\n').map((l) => `  ${l}`);
}
