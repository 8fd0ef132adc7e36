// The upgrade's state machine: from what status recorded, what the workloads
// run and how the backup stands, the next state. Pure (cert-manager's
// "policy" shape: an input struct in, a decision out); the reconciler
// (controller/upgrade-step.ts) gathers the inputs and writes the result.
//
//   (none or Done) ─ spec.version moves on ─▶ BackingUp ─ backup failed ─▶ Failed
//        BackingUp ─ backup succeeded, or none needed ─▶ UpgradingDatabase (in-cluster database)
//                                                      ─▶ UpgradingCore (external database)
//   UpgradingDatabase ─ database at `to`, rolled out and ready ─▶ UpgradingCore
//   UpgradingCore ─ core at `to`, rolled out and ready ─▶ Rolling
//   Rolling ─ every workload at `to`, rolled out and ready ─▶ Done
//   Failed ─ the backup runs again or succeeded (a retry) ─▶ BackingUp / on
//
// A phase that takes longer than its bound stays where it is: `reason` says
// so (Degraded carries it) and nothing is rolled back, because a schema or a
// data directory Harbor has migrated cannot go back. A spec.version that moves
// on during BackingUp or Failed (nothing changed yet) restarts the upgrade
// towards it; later it waits until this upgrade is Done, then the next begins
// from its `to`, so no component ever runs an older release than it did.
import { upgradeComponents, type ComponentVersions, type UpgradeComponent } from '../api/component-versions.ts';
import { compareVersions } from '../api/versions.ts';
import type { KubeObject } from '../model/object.ts';
import { versionOfImage } from './database-upgrade.ts';
import type { PhaseTime, UpgradePhase, UpgradeStatus } from './upgrade-plan.ts';

/** How the backup before the upgrade stands (controller/backup-gate.ts's BackupGateState). */
export type GateResult =
  | { state: 'not-needed' }
  | { state: 'running'; job: string }
  | { state: 'succeeded'; backup: unknown }
  | { state: 'failed'; message: string };

/** One live Deployment or StatefulSet of the cluster, as far as the upgrade needs it. */
export interface WorkloadFact {
  /** Its component label: database, core, portal, jobservice, registry, trivy, exporter, proxy, redis. */
  component: string;
  kind: string;
  name: string;
  /** The release every container's image is tagged with (":v<release>"); undefined when they differ. */
  version: string | undefined;
  ready: number;
  desired: number;
  /** The controller has seen the current template, and every replica runs it and is ready. */
  rolledOut: boolean;
}

export interface UpgradeObservation {
  specVersion: string;
  /** The release that runs when no upgrade is recorded: status.version, else the live workloads' images. */
  runningVersion: string | undefined;
  inClusterDatabase: boolean;
  workloads: readonly WorkloadFact[];
  /** ISO time. */
  now: string;
  /** How long a phase may wait for its workloads before it is reported (ms). */
  bounds?: PhaseBounds;
}

export interface PhaseBounds {
  UpgradingDatabase: number;
  UpgradingCore: number;
  Rolling: number;
}

const MINUTE = 60_000;

/**
 * The chart's startup probes, plus five minutes for the pod to be replaced:
 * the database's allows 10 minutes (60 × 10 s, for pg_upgrade), core's 60
 * minutes (360 × 10 s, for the schema migration), jobservice's 10 minutes
 * (60 × 10 s; the other components of the last step have none).
 */
export const DEFAULT_BOUNDS: PhaseBounds = { UpgradingDatabase: 15 * MINUTE, UpgradingCore: 65 * MINUTE, Rolling: 15 * MINUTE };

/** How often a running backup is looked at (its Job is not watched). */
export const BACKUP_POLL_MS = 5_000;
/** How often a failed backup is looked at again (a retry is made outside the operator). */
export const FAILED_POLL_MS = 30_000;

export const UPGRADE_REASONS = {
  BackupFailed: 'UpgradeBackupFailed',
  UpgradingDatabase: 'UpgradeDatabaseNotReady',
  UpgradingCore: 'UpgradeCoreNotReady',
  Rolling: 'UpgradeComponentsNotReady',
} as const;

interface Shape {
  metadata: { generation?: number; labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** The facts of the cluster's Deployments and StatefulSets. */
export function workloadFacts(workloads: readonly KubeObject[], componentLabel: string): WorkloadFact[] {
  return workloads
    .filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet')
    .map((w) => {
      const s = w as unknown as Shape;
      const pod = s.spec?.template?.spec;
      const versions = new Set([...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((c) => versionOfImage(c.image ?? '')));
      const desired = s.spec?.replicas ?? 1;
      const st = s.status ?? {};
      const current = (st.observedGeneration ?? 0) >= (s.metadata.generation ?? 0);
      const rolledOut =
        current &&
        (st.replicas ?? 0) === desired &&
        (st.updatedReplicas ?? 0) === desired &&
        (st.readyReplicas ?? 0) >= desired &&
        (w.kind !== 'StatefulSet' || st.updateRevision === undefined || st.currentRevision === st.updateRevision);
      return {
        component: s.metadata.labels?.[componentLabel] ?? 'unknown',
        kind: w.kind,
        name: w.metadata.name,
        version: versions.size === 1 ? [...versions][0] : undefined,
        ready: current ? Math.min(st.readyReplicas ?? 0, st.updatedReplicas ?? 0) : 0,
        desired,
        rolledOut,
      };
    });
}

/** The oldest release a live workload runs (undefined: none runs a known one). */
export function liveVersion(facts: readonly WorkloadFact[]): string | undefined {
  const known = facts.map((f) => f.version).filter((v): v is string => v !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => (compareVersions(a, b) <= 0 ? a : b));
}

/** The chart's component label → the upgrade's component (the cache's workload is "redis"). */
function upgradeComponentOf(label: string): UpgradeComponent | undefined {
  const c = label === 'redis' ? 'cache' : label;
  return (upgradeComponents as readonly string[]).includes(c) ? (c as UpgradeComponent) : undefined;
}

/**
 * `versions` with no component older than what its live workload runs. The
 * phases never ask for that; this holds even when status and the workloads
 * disagree (a status.version that lags behind, workloads changed outside the
 * operator): a harbor-db of an older PostgreSQL major would not read the
 * data and start an empty database, and an older core a newer schema.
 */
export function neverOlderThanLive(versions: ComponentVersions, facts: readonly WorkloadFact[]): ComponentVersions {
  const out: Record<UpgradeComponent, string> = { ...versions };
  for (const f of facts) {
    const c = upgradeComponentOf(f.component);
    if (c && f.version !== undefined && compareVersions(f.version, out[c]) > 0) out[c] = f.version;
  }
  return out;
}

function describe(phase: UpgradePhase, from: string, to: string, job?: string): string {
  switch (phase) {
    case 'BackingUp':
      return `backing up the database before the upgrade from ${from} to ${to}${job ? ` (Job ${job})` : ''}; every component runs ${from} until the backup has succeeded`;
    case 'UpgradingDatabase':
      return `the in-cluster database runs harbor-db v${to} (at its first start it moves the data to its PostgreSQL major when that changes); the other components stay on ${from} until it is ready`;
    case 'UpgradingCore':
      return `core runs ${to} and migrates the database schema at its start; the other components stay on ${from} until it is ready`;
    case 'Rolling':
      return `the other components roll to ${to}`;
    case 'Done':
      return `upgraded from ${from} to ${to}`;
    case 'Failed':
      return `the upgrade from ${from} to ${to} stopped`;
  }
}

/** `phases` with `name` entered now: the open phase closed, a phase entered again restarted, later ones dropped. */
function enter(phases: readonly PhaseTime[], name: UpgradePhase, now: string): PhaseTime[] {
  const at = phases.findIndex((p) => p.name === name);
  const kept = (at >= 0 ? phases.slice(0, at) : [...phases]).map((p) => (p.finishedAt ? p : { ...p, finishedAt: now }));
  return [...kept, name === 'Done' ? { name, startedAt: now, finishedAt: now } : { name, startedAt: now }];
}

function moveTo(u: UpgradeStatus, phase: UpgradePhase, now: string, extra: Partial<UpgradeStatus> = {}): UpgradeStatus {
  const { reason: _reason, ...rest } = u;
  return { ...rest, phase, phases: enter(u.phases, phase, now), message: describe(phase, u.from, u.to), ...extra };
}

function begin(from: string, to: string, now: string): UpgradeStatus {
  return { from, to, phase: 'BackingUp', startedAt: now, phases: [{ name: 'BackingUp', startedAt: now }], message: describe('BackingUp', from, to) };
}

/** Whether the workloads of a phase run `to`, rolled out and ready; and which do not, for the message. */
function waitingFor(phase: 'UpgradingDatabase' | 'UpgradingCore' | 'Rolling', to: string, facts: readonly WorkloadFact[]): { done: boolean; pending: string[] } {
  const want = phase === 'UpgradingDatabase' ? ['database'] : phase === 'UpgradingCore' ? ['core'] : undefined;
  const relevant = want ? facts.filter((f) => want.includes(f.component)) : facts;
  const pending = relevant
    .filter((f) => f.version !== to || !f.rolledOut)
    .map((f) => `${f.component} ${f.ready}/${f.desired} ready${f.version === to ? '' : ` (runs ${f.version ?? 'mixed images'})`}`);
  const missing = want ? want.filter((c) => !relevant.some((f) => f.component === c)).map((c) => `${c} (no workload yet)`) : [];
  return { done: relevant.length > 0 && pending.length === 0 && missing.length === 0, pending: [...pending, ...missing] };
}

/** The next state of the upgrade; the same object when nothing changes. */
export function nextPhase(state: UpgradeStatus | undefined, observed: UpgradeObservation, gate: GateResult | undefined): UpgradeStatus | undefined {
  const { specVersion: spec, now } = observed;
  if (state === undefined || state.phase === 'Done') {
    const running = state ? state.to : observed.runningVersion;
    // A first install, or the version already runs: nothing to upgrade.
    if (running === undefined || running === spec) return state;
    return begin(running, spec, now);
  }
  // spec.version moved on before anything changed: the upgrade aims at it from the start.
  if (state.to !== spec && (state.phase === 'BackingUp' || state.phase === 'Failed')) return begin(state.from, spec, now);

  const bounds = observed.bounds ?? DEFAULT_BOUNDS;
  switch (state.phase) {
    case 'BackingUp':
    case 'Failed': {
      if (!gate) return state;
      if (gate.state === 'running') {
        const message = describe('BackingUp', state.from, state.to, gate.job);
        if (state.phase === 'Failed') return moveTo(state, 'BackingUp', now, { message });
        return state.message === message ? state : { ...state, message };
      }
      if (gate.state === 'failed') {
        const message = `the backup before the upgrade from ${state.from} to ${state.to} failed: ${gate.message}. Nothing was changed: every component still runs ${state.from}`;
        if (state.phase === 'Failed' && state.message === message) return state;
        return moveTo(state, 'Failed', now, { reason: UPGRADE_REASONS.BackupFailed, message });
      }
      const backup = gate.state === 'succeeded' && gate.backup && typeof gate.backup === 'object' ? { backup: gate.backup as Record<string, unknown> } : {};
      return moveTo(state, observed.inClusterDatabase ? 'UpgradingDatabase' : 'UpgradingCore', now, backup);
    }
    case 'UpgradingDatabase':
    case 'UpgradingCore':
    case 'Rolling': {
      const w = waitingFor(state.phase, state.to, observed.workloads);
      if (w.done) {
        const next = state.phase === 'UpgradingDatabase' ? 'UpgradingCore' : state.phase === 'UpgradingCore' ? 'Rolling' : 'Done';
        return moveTo(state, next, now);
      }
      const started = state.phases.findLast((p) => p.name === state.phase)?.startedAt ?? state.startedAt;
      const bound = bounds[state.phase];
      const base = describe(state.phase, state.from, state.to);
      if (Date.parse(now) - Date.parse(started) <= bound) return state;
      const message =
        `${base}. Not ready within ${Math.round(bound / MINUTE)} min of the phase's start: ${w.pending.join(', ')}. ` +
        'The upgrade stays in this phase and is not rolled back (Harbor cannot migrate its database back); it goes on once they are ready';
      const reason = UPGRADE_REASONS[state.phase];
      return state.reason === reason && state.message === message ? state : { ...state, reason, message };
    }
  }
}

/** When the reconcile should look again by itself (undefined: the watches of the workloads suffice). */
export function upgradeWakeMs(state: UpgradeStatus | undefined, now: string, bounds: PhaseBounds = DEFAULT_BOUNDS): number | undefined {
  if (!state) return undefined;
  switch (state.phase) {
    case 'BackingUp':
      return BACKUP_POLL_MS;
    case 'Failed':
      return FAILED_POLL_MS;
    case 'Done':
      return undefined;
    default: {
      if (state.reason) return undefined;
      const started = state.phases.findLast((p) => p.name === state.phase)?.startedAt ?? state.startedAt;
      const left = Date.parse(started) + bounds[state.phase] - Date.parse(now);
      return Math.max(1_000, left + 1_000);
    }
  }
}
