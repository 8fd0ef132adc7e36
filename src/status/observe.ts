// What a HarborCluster's status says, decided from plain data: the outcome
// of this reconcile and the live workloads. No I/O; the clock comes in.
import { canonicalJson } from '../model/canonical-json.ts';
import type { StatusBackup, StatusRestore } from '../api/types.generated.ts';
import type { KubeObject } from '../model/object.ts';
import { componentReport, waitingMessage, type ComponentReport } from './components.ts';
import { setCondition, type Condition } from './conditions.ts';
import { DATABASE_UPGRADE, withDatabaseUpgrade, type DatabaseUpgrade } from './database-upgrade.ts';
import type { Problem } from './pod-problem.ts';
import { upgradeConditions } from './upgrade-conditions.ts';
import type { UpgradeStatus } from './upgrade-plan.ts';

const ORDER = ['Ready', 'Progressing', 'Degraded', DATABASE_UPGRADE, 'DatabaseProvisioned'];

export const COMPONENT_LABEL = 'app.kubernetes.io/component';

export interface ComponentStatus {
  name: string;
  ready: number;
  desired: number;
}

export interface HarborClusterStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Pods of each component by component name, and why some are missing. */
  components?: Record<string, ComponentReport>;
  version?: string;
  url?: string;
  /** Harbor settings applied from spec.configuration: their item names, never their values. */
  configuration?: { managed: string[] };
  /** Digest of the last complete apply (see controller/applied-digest.ts). */
  appliedDigest?: string;
  /** The last change of spec.version and where it stands (upgrade-phase.ts). */
  upgrade?: UpgradeStatus;
  /** The last backups, newest first (controller/backups.ts writes them; every status keeps them). */
  backups?: StatusBackup[];
  /** The last value of the backup-now annotation served. */
  backupNowServed?: string;
  /** The restore of spec.database.restoreFrom. */
  restore?: StatusRestore;
}

/** What a status keeps of backups and restores, whoever writes it. */
function lifecycleOf(s: HarborClusterStatus): Pick<HarborClusterStatus, 'backups' | 'backupNowServed' | 'restore'> {
  return {
    ...(s.backups ? { backups: s.backups } : {}),
    ...(s.backupNowServed !== undefined ? { backupNowServed: s.backupNowServed } : {}),
    ...(s.restore ? { restore: s.restore } : {}),
  };
}

/** How this reconcile went, as far as status is concerned. */
export type Outcome =
  | {
      kind: 'applied';
      changed: number;
      /** Applied, except what this says (Degraded=True with its reason; Ready as the pods are). */
      degraded?: { reason: string; message: string };
    }
  | { kind: 'paused' }
  | { kind: 'failed'; reason: string; message: string };

export interface ObserveInput {
  generation: number;
  version: string;
  url: string;
  previous: HarborClusterStatus | undefined;
  outcome: Outcome;
  /** Live Deployments and StatefulSets of this cluster. */
  workloads: KubeObject[];
  /** Why components' pods are missing or not running, by component (component-causes.ts). */
  causes?: Record<string, Problem>;
  /** TLS from a cert-manager issuer: the live Certificate, or why there is none. */
  certificate?: { state: 'ready' } | { state: 'pending'; message: string } | { state: 'crd-missing' };
  /** Set when every child was applied as rendered (kept in status; dropped otherwise). */
  appliedDigest?: string;
  /** Whether the in-cluster database crosses a PostgreSQL major (database-upgrade.ts). */
  databaseUpgrade?: DatabaseUpgrade;
  /** Conditions other steps decided (DatabaseProvisioned), set as they are. */
  conditions?: readonly StepCondition[];
  /** Harbor items spec.configuration sets (render/configuration.ts managedItems); unset: no spec.configuration. */
  managedSettings?: readonly string[];
  now: string;
}

export type StepCondition = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

interface WorkloadShape {
  metadata: { generation?: number; labels?: Record<string, string> };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; readyReplicas?: number; updatedReplicas?: number; replicas?: number };
}

export function componentStatus(workloads: KubeObject[]): ComponentStatus[] {
  const out: ComponentStatus[] = [];
  for (const w of workloads as unknown as WorkloadShape[]) {
    const name = w.metadata.labels?.[COMPONENT_LABEL] ?? 'unknown';
    const desired = w.spec?.replicas ?? 1;
    const current = (w.status?.observedGeneration ?? 0) >= (w.metadata.generation ?? 0);
    const updated = w.status?.updatedReplicas ?? 0;
    const ready = current ? Math.min(w.status?.readyReplicas ?? 0, updated) : 0;
    out.push({ name, ready, desired });
  }
  // By code point: localeCompare would load ICU's collation data, 12 MiB of
  // resident memory in Node 24, to order a few ASCII names.
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function observe(input: ObserveInput): HarborClusterStatus {
  const prev = input.previous ?? {};
  let conditions = prev.conditions ?? [];
  const g = input.generation;
  const set = (type: string, status: Condition['status'], reason: string, message: string): void => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: g }, input.now);
  };
  const list = componentStatus(input.workloads);
  const causes = input.causes ?? {};
  const components = Object.fromEntries(list.map((c) => [c.name, componentReport(c, causes[c.name])]));
  const notReady = list.filter((c) => c.ready < c.desired);
  const o = input.outcome;
  for (const c of input.conditions ?? []) set(c.type, c.status, c.reason, c.message);

  if (o.kind === 'paused') {
    set('Progressing', 'False', 'Paused', 'reconciliation is paused by the annotation harbor-operator.dev/paused');
    conditions.sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
    return { ...prev, conditions, components, observedGeneration: prev.observedGeneration ?? 0 };
  }
  const restore = prev.restore;
  if (o.kind === 'failed') {
    set('Degraded', 'True', o.reason, o.message);
    set('Progressing', 'False', o.reason, 'the last change could not be applied; what runs was left as it was');
  } else if (restore?.phase === 'Failed') {
    set('Degraded', 'True', 'RestoreFailed', `the restore of ${restore.source ?? 'the backup'} failed, so core and jobservice stay stopped: ${restore.message ?? ''}`);
  } else if (o.degraded) {
    set('Degraded', 'True', o.degraded.reason, o.degraded.message);
  } else {
    set('Degraded', 'False', 'AsExpected', 'the last reconcile applied every object');
  }

  let ready: [Condition['status'], string, string];
  if (o.kind === 'failed') ready = ['False', o.reason, o.message];
  else if (restore !== undefined && restore.phase !== 'Succeeded')
    ready = [
      'False',
      restore.phase === 'Failed' ? 'RestoreFailed' : 'Restoring',
      restore.phase === 'Failed'
        ? `the restore of ${restore.source ?? 'the backup'} failed; core and jobservice stay stopped`
        : `restoring ${restore.source ?? 'the backup'} into the database (${restore.phase}); core and jobservice start after it`,
    ];
  else if (notReady.length > 0) ready = ['False', 'ComponentsNotReady', waitingMessage(notReady, causes)];
  else if (input.certificate?.state === 'crd-missing')
    ready = ['False', 'CertManagerMissing', "cert-manager's CRDs are not installed; the Certificate cannot be created"];
  else if (input.certificate?.state === 'pending') ready = ['False', 'CertificateNotReady', input.certificate.message];
  else ready = ['True', 'AllComponentsReady', `${list.length} components ready`];
  set('Ready', ...ready);

  if (o.kind === 'applied') {
    const rolling = notReady.length > 0;
    if (o.changed > 0 || rolling)
      set('Progressing', 'True', o.changed > 0 ? 'Applied' : 'RollingOut', o.changed > 0 ? `applied ${o.changed} object(s)` : 'waiting for components to become ready');
    else set('Progressing', 'False', 'ReconcileComplete', 'every object matches the spec');
  }
  if (input.databaseUpgrade) conditions = withDatabaseUpgrade(conditions, input.databaseUpgrade, g, input.now);
  // An upgrade under way, or stopped: Progressing says its phase, Degraded why it stopped.
  const upgrade = prev.upgrade;
  if (o.kind === 'applied' && upgrade) {
    for (const c of upgradeConditions(upgrade, o.degraded !== undefined)) set(c.type, c.status, c.reason, c.message);
  }

  conditions.sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
  // What was applied: the spec's items once applied, else what was applied before.
  const configuration = o.kind === 'applied' ? (input.managedSettings && { managed: [...input.managedSettings] }) : prev.configuration;
  return {
    observedGeneration: o.kind === 'failed' ? (prev.observedGeneration ?? 0) : g,
    conditions,
    components,
    // The release reached: only once an upgrade is Done does it move to spec.version.
    version: ready[0] === 'True' && (!upgrade || upgrade.phase === 'Done') ? input.version : (prev.version ?? ''),
    url: input.url,
    ...(configuration ? { configuration } : {}),
    ...(o.kind === 'applied' && input.appliedDigest ? { appliedDigest: input.appliedDigest } : {}),
    ...(upgrade ? { upgrade } : {}),
    ...lifecycleOf(prev),
  };
}

/** Equal statuses need no write. */
export function sameStatus(a: HarborClusterStatus | undefined, b: HarborClusterStatus): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b);
}
