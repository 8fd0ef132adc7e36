// The upgrade step of a reconcile: gathers what the state machine
// (status/upgrade-phase.ts) decides from — status.upgrade, the cached
// workloads, the backup gate — writes the state it decides into
// status.upgrade before anything is rendered from it, says each phase change
// in an event, and tells the reconcile which release each component runs now.
// status.upgrade is the whole state: a restarted operator resumes at the
// recorded phase (the gate finds the backup Job it created before).
import type { ComponentVersions } from '../api/component-versions.ts';
import type { HarborCluster } from '../api/types.generated.ts';
import { harborClusterDefaults as D } from '../api/types.generated.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { KubeObject } from '../model/object.ts';
import { COMPONENT_LABEL, type HarborClusterStatus } from '../status/observe.ts';
import {
  liveVersion,
  neverOlderThanLive,
  nextPhase,
  upgradeWakeMs,
  workloadFacts,
  type GateResult,
  type PhaseBounds,
  type UpgradeObservation,
} from '../status/upgrade-phase.ts';
import { plannedVersions, type UpgradePhase, type UpgradeStatus } from '../status/upgrade-plan.ts';
import type { BackupGate } from './backup-gate.ts';
import type { Logger } from './ports.ts';
import type { StatusReporter } from './status-reporter.ts';
import { workloadsOf } from './status-reporter.ts';

export interface UpgradeStepDeps {
  gate: BackupGate;
  status: StatusReporter;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
  bounds?: PhaseBounds;
}

export interface UpgradeOutcome {
  /** Status as written (with status.upgrade). */
  status: HarborClusterStatus | undefined;
  /** The release of each component for this reconcile's render. */
  versions: ComponentVersions;
  /** When to look again by itself (a running backup is polled; an overdue phase is reported). */
  wakeMs: number | undefined;
}

/** Event reason of entering a phase. */
const PHASE_EVENT: Record<UpgradePhase, string> = {
  BackingUp: 'UpgradeBackingUp',
  UpgradingDatabase: 'UpgradingDatabase',
  UpgradingCore: 'UpgradingCore',
  Rolling: 'UpgradeRolling',
  Done: 'Upgraded',
  Failed: 'UpgradeBackupFailed',
};

export class UpgradeStep {
  private readonly d: UpgradeStepDeps;

  constructor(deps: UpgradeStepDeps) {
    this.d = deps;
  }

  async advance(live: KubeObject, children: readonly KubeObject[], before: HarborClusterStatus | undefined): Promise<UpgradeOutcome> {
    const spec = (live as unknown as HarborCluster).spec;
    const specVersion = spec.version ?? D['spec.version'];
    const now = this.d.now().toISOString().replace(/\.\d+Z$/, 'Z');
    const facts = workloadFacts(workloadsOf([...children]), COMPONENT_LABEL);
    const observed: UpgradeObservation = {
      specVersion,
      // What the workloads run, when there are any: status.version may lag behind them.
      runningVersion: liveVersion(facts) ?? (before?.version || undefined),
      inClusterDatabase: (spec.database?.type ?? D['spec.database.type']) === 'InCluster',
      workloads: facts,
      now,
      ...(this.d.bounds ? { bounds: this.d.bounds } : {}),
    };
    const start = before?.upgrade;
    let state = start;
    let gate: { for: string; result: GateResult } | undefined;
    const entered: UpgradeStatus[] = [];
    // A few steps at most: a backup that is not needed and a phase whose
    // workloads are already as wanted are passed in one reconcile.
    for (let i = 0; i < 8; i++) {
      const key = state ? `${state.from}>${state.to}` : '';
      if (state && (state.phase === 'BackingUp' || state.phase === 'Failed') && gate?.for !== key) {
        gate = { for: key, result: await this.d.gate.forUpgrade(live, state.from, state.to) };
      }
      const next = nextPhase(state, observed, gate?.for === key ? gate.result : undefined);
      if (next === state || !next) break;
      if (!state || next.phase !== state.phase || next.to !== state.to) entered.push(next);
      state = next;
    }
    let status = before;
    if (state && state !== start) {
      status = await this.d.status.writeUpgrade(live, before, state);
      this.tell(live, start, entered, state);
    }
    return {
      status,
      versions: neverOlderThanLive(plannedVersions(specVersion, state), facts),
      wakeMs: upgradeWakeMs(state, now, this.d.bounds),
    };
  }

  /** One event per phase entered; a warning when a phase becomes overdue. */
  private tell(live: KubeObject, start: UpgradeStatus | undefined, entered: readonly UpgradeStatus[], last: UpgradeStatus): void {
    for (const s of entered) {
      this.d.events.event(live, s.phase === 'Failed' ? 'Warning' : 'Normal', PHASE_EVENT[s.phase], `${s.from} → ${s.to}: ${s.message}`);
      this.d.log.info({ key: `${live.metadata.namespace ?? ''}/${live.metadata.name}`, from: s.from, to: s.to, phase: s.phase }, 'upgrade phase');
    }
    if (last.reason && last.phase !== 'Failed' && (start?.reason !== last.reason || start.phase !== last.phase)) {
      this.d.events.event(live, 'Warning', last.reason, `${last.from} → ${last.to}: ${last.message}`);
    }
  }
}
