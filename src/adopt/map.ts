// A Helm release of upstream's Harbor chart → the HarborCluster and the
// generated secret values that run the same Harbor on the same data. Pure:
// the snapshot in, decisions out; nothing is read or written here.
//
// - Every secret value is read back through the pods' own references (see
//   pod.ts), so the values the running Harbor uses are the ones kept, whatever
//   values.yaml said.
// - Every data volume is kept as the claim it is: the HarborCluster names it
//   as an existingClaim (database, cache, registry, job logs, Trivy), so no
//   claim is renamed, re-bound or re-created and no data moves.
// - What the operator cannot reproduce is either refused (the data or the
//   way in would not survive) or warned about (a setting that is not kept).
import type { HarborClusterSpec } from '../api/types.generated.ts';
import { PAUSED_ANNOTATION } from '../controller/reconciler.ts';
import { readGenerated } from '../controller/generated-secret.ts';
import type { KubeObject } from '../model/object.ts';
import { GENERATED_KEYS, type GeneratedSecrets } from '../secrets/generate.ts';
import { ADOPTED_FROM_ANNOTATION, adoptedFrom, foreignAnnotations, workloadOf, type Adoption } from './adoption.ts';
import { keptClaims } from './map-claims.ts';
import { mapSpec } from './map-settings.ts';
import { objectsOf } from './pod.ts';
import { isReleaseObject, type Snapshot } from './snapshot.ts';
import { COMPONENT_LABEL, HELM_LABELS } from './upstream.ts';

export { ADOPTED_FROM_ANNOTATION, adoptedFrom, describeSource, type Adoption, type Copied, type KeptClaim } from './adoption.ts';
export { parseRedisURL } from './map-settings.ts';

export interface MapOptions {
  /** Name of the HarborCluster; default: the release's own prefix (what upstream's chart calls the fullname). */
  name?: string;
}

const NAME_RULE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The release's prefix: upstream names core's Deployment <fullname>-core (templates/_helpers.tpl, "harbor.core"). */
export function fullnameOf(snapshot: Snapshot): string | undefined {
  const core = workloadOf(snapshot, 'core');
  return core?.metadata.name.endsWith('-core') ? core.metadata.name.slice(0, -'-core'.length) : undefined;
}

export function mapRelease(snapshot: Snapshot, opts: MapOptions = {}): Adoption {
  const name = opts.name ?? fullnameOf(snapshot) ?? snapshot.cluster?.metadata.name ?? '';
  const out: Adoption = {
    name,
    copied: [],
    credentials: [],
    claims: [],
    unusedClaims: [],
    workloads: [],
    config: [],
    handOver: [],
    kept: [],
    warnings: [],
    refusals: [],
  };
  if (!name) {
    out.refusals.push(`release ${snapshot.release} has no core Deployment (component=core) to name the HarborCluster after: give --name`);
    return out;
  }
  if (name.length > 40 || !NAME_RULE.test(name)) {
    out.refusals.push(`${name} cannot name a HarborCluster (a DNS label of at most 40 characters starting with a letter): give --name`);
    return out;
  }
  const mine = snapshot.objects.filter((o) => isReleaseObject(o, snapshot.release));
  const objects = objectsOf([...mine, ...snapshot.referenced]);
  const marker = adoptedFrom(snapshot.namespace, snapshot.release);
  const existing = snapshot.cluster;
  const resuming = existing !== undefined && existing.metadata.annotations?.[ADOPTED_FROM_ANNOTATION] === marker;
  if (existing && !resuming) {
    out.refusals.push(`HarborCluster ${snapshot.namespace}/${name} exists already and was not made by adopt from ${marker}: choose another --name`);
    return out;
  }

  const core = workloadOf(snapshot, 'core');
  let spec: HarborClusterSpec | undefined;
  let generated: GeneratedSecrets | undefined;
  if (core) {
    const mapped = mapSpec(snapshot, objects, name, out);
    spec = mapped.spec;
    generated = mapped.generated;
  } else if (!resuming) {
    out.refusals.push(`release ${snapshot.namespace}/${snapshot.release} has no core Deployment (label component=core): nothing to take over`);
    return out;
  }
  const clusterSpec = resuming ? ((existing['spec'] ?? {}) as HarborClusterSpec) : spec;
  if (clusterSpec) keptClaims(snapshot, clusterSpec, out);

  // The generated Secret: written once, never overwritten with other values.
  const stored = snapshot.generated ? readGenerated(snapshot.generated) : undefined;
  if (generated && stored && Object.keys(stored).length > 0) {
    const differ = GENERATED_KEYS.filter((k) => generated[k] !== undefined && stored[k] !== undefined && generated[k] !== stored[k]);
    if (differ.length > 0) {
      out.refusals.push(`Secret ${snapshot.generated?.metadata.name ?? ''} exists with other values for ${differ.join(', ')} than the release's: it is not this release's; remove it or choose another --name`);
    }
  } else if (generated) {
    out.generated = generated;
  } else if (!stored || Object.keys(stored).length === 0) {
    out.refusals.push(`the release's Secrets are gone and Secret ${name}-generated-secrets does not exist: the secret values cannot be recovered by adopt`);
  }
  if (!resuming && spec) {
    out.cluster = {
      apiVersion: 'harbor-operator.dev/v1alpha1',
      kind: 'HarborCluster',
      metadata: {
        name,
        namespace: snapshot.namespace,
        annotations: { [ADOPTED_FROM_ANNOTATION]: marker, [PAUSED_ANNOTATION]: 'true' },
      },
      spec,
    };
  }
  sortObjects(mine, out);
  return out;
}

/** Which of the release's objects go (workloads, then configuration) and which stay. */
function sortObjects(mine: readonly KubeObject[], out: Adoption): void {
  const kept = new Set([...out.kept.map((k) => k.object), ...out.handOver]);
  const keptNames = new Set([...kept].map((o) => `${o.kind}/${o.metadata.name}`));
  for (const o of mine) {
    if (keptNames.has(`${o.kind}/${o.metadata.name}`) || o.kind === 'PersistentVolumeClaim') continue;
    if (o.apiVersion === 'apps/v1') out.workloads.push(o);
    else out.config.push(o);
  }
  // Workloads go in the order Harbor's users would stop them: the way in first, the database last.
  const rank = (o: KubeObject): number => {
    const order = ['nginx', 'portal', 'core', 'jobservice', 'registry', 'exporter', 'trivy', 'redis', 'database'];
    const i = order.indexOf(o.metadata.labels?.[COMPONENT_LABEL] ?? '');
    return i < 0 ? order.length : i;
  };
  out.workloads.sort((a, b) => rank(a) - rank(b) || a.metadata.name.localeCompare(b.metadata.name));
  out.config.sort((a, b) => a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
}

/** Labels and annotations of a kept object without Helm's and upstream's chart's (for objects handed over to the operator). */
export function withoutHelmMetadata(o: KubeObject): { labels: Record<string, string>; annotations: Record<string, string> } {
  const helm = new Set<string>(HELM_LABELS);
  return {
    labels: Object.fromEntries(Object.entries(o.metadata.labels ?? {}).filter(([k]) => !helm.has(k))),
    annotations: foreignAnnotations(o),
  };
}
