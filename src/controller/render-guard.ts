// What a reconcile may write, checked before its first write: a rendered
// object of a kind the chart renders today, in the HarborCluster's
// namespace, named `<cluster>` or `<cluster>-…`, carrying the cluster's own
// label, and rendered once. Anything else means the chart was steered (a
// user string that reached YAML as code, a broken chart): the reconcile
// writes nothing and status names the objects. Pure.
import { objectKey, type KubeObject } from '../model/object.ts';
import { clusterLabel } from '../render/values.ts';

/**
 * The closed list of kinds a HarborCluster's chart may render. A feature that
 * renders a new kind adds it here (and to src/kube/resources.ts, which the
 * operator watches and writes).
 */
export const ALLOWED_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  // Not rendered by the chart: the backup CronJob and claim the operator adds
  // to the desired objects, and its backup and restore Jobs (src/backup/jobs.ts).
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
];

const allowed = new Set(ALLOWED_KINDS.map((k) => `${k.apiVersion}/${k.kind}`));

export interface UnsafeObject {
  /** "Kind name" of the object as rendered. */
  object: string;
  /** Every rule it breaks. */
  reasons: string[];
}

/** The objects that break a rule, in render order; empty when every object may be written. */
export function unsafeObjects(objects: readonly KubeObject[], cluster: { name: string; namespace: string }): UnsafeObject[] {
  const out: UnsafeObject[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    // Parsed YAML: nothing is sure to have the shape its type says.
    const raw = o as { apiVersion?: unknown; kind?: unknown; metadata?: Partial<KubeObject['metadata']> };
    const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
    const kind = typeof raw.kind === 'string' ? raw.kind : '';
    const meta = raw.metadata ?? {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const reasons: string[] = [];
    if (!allowed.has(`${apiVersion}/${kind}`)) {
      reasons.push(`kind ${kind || '(none)'} of ${apiVersion || '(no apiVersion)'} is not one the chart renders`);
    }
    if (meta.namespace !== cluster.namespace) {
      reasons.push(`namespace ${meta.namespace ?? '(none)'} is not the HarborCluster's (${cluster.namespace})`);
    }
    if (name !== cluster.name && !name.startsWith(`${cluster.name}-`)) {
      reasons.push(`the name does not start with "${cluster.name}-"`);
    }
    if (meta.labels?.[clusterLabel] !== cluster.name) {
      reasons.push(`label ${clusterLabel} is not "${cluster.name}"`);
    }
    const identity = objectKey({ apiVersion, kind, metadata: { ...meta, name } });
    if (seen.has(identity)) reasons.push('rendered more than once');
    seen.add(identity);
    if (reasons.length > 0) out.push({ object: `${kind || '(no kind)'} ${name || '(no name)'}`, reasons });
  }
  return out;
}

/** One message for status and the event: every offending object and why. */
export function describeUnsafe(unsafe: readonly UnsafeObject[]): string {
  const list = unsafe.slice(0, 10).map((u) => `${u.object} (${u.reasons.join('; ')})`);
  const more = unsafe.length > 10 ? ` and ${unsafe.length - 10} more` : '';
  return `the chart rendered objects the operator may not write, so nothing was written: ${list.join(', ')}${more}`;
}
