// Writes what a reconcile found into the HarborCluster's status (decided by
// the pure status/observe.ts), only when it changed, with every secret value
// redacted; reports failures as a condition, an event and a log line.
//
// Status is computed from what the caches hold when it is written: the
// workloads (or, for one this reconcile just changed and whose change the
// watch has not delivered yet, the apply's answer: status/workloads.ts), their
// pods and FailedCreate events (the causes of missing pods), and, as the
// status to compare with, the one last written until the watch brings it
// back (written-status.ts).
import type { HarborCluster } from '../api/types.generated.ts';
import type { CachedEvent } from '../kube/cached-event.ts';
import { problemOf } from '../kube/cached-pod.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { StatusWriter } from '../kube/writer.ts';
import { namespacedName, objectKey, type KubeObject } from '../model/object.ts';
import { componentCauses, type FailedCreateReport, type PodReport } from '../status/component-causes.ts';
import { findCondition } from '../status/conditions.ts';
import { DATABASE_UPGRADE, databaseUpgradeOf, withDatabaseUpgrade, type DatabaseUpgrade } from '../status/database-upgrade.ts';
import { COMPONENT_LABEL, observe, sameStatus, type HarborClusterStatus, type ObserveInput, type Outcome, type StepCondition } from '../status/observe.ts';
import type { Problem } from '../status/pod-problem.ts';
import { managedItems } from '../render/configuration.ts';
import { neverOlderThanLive, workloadFacts } from '../status/upgrade-phase.ts';
import { plannedVersions, type UpgradeStatus } from '../status/upgrade-plan.ts';
import { freshest } from '../status/workloads.ts';
import type { ClusterCache, Logger, StatusSources } from './ports.ts';
import { redact } from './redact.ts';
import { WrittenStatus } from './written-status.ts';

export const CERT_KIND = 'cert-manager.io/v1/Certificate';

export type CertificateState = NonNullable<ObserveInput['certificate']>;

export interface StatusReporterDeps {
  cache: ClusterCache;
  writer: StatusWriter;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
  /** Pods and events, for the causes of missing pods (none: counts only). */
  sources?: StatusSources;
  /** Conditions of other steps to write with every status (DatabaseProvisioned). */
  conditions?: (cr: KubeObject) => readonly StepCondition[];
}

export class StatusReporter {
  private readonly d: StatusReporterDeps;
  private readonly written = new WrittenStatus();

  constructor(deps: StatusReporterDeps) {
    this.d = deps;
  }

  /**
   * Writes the status of this outcome if it differs from what the server
   * holds. `workloads`: the Deployments and StatefulSets to count (as
   * rendered, or as cached); `applied`: this reconcile's answers from the
   * server, by object key.
   */
  async write(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    outcome: Outcome,
    secretValues: string[],
    workloads: KubeObject[] = [],
    certificate?: CertificateState,
    digest?: string,
    applied?: ReadonlyMap<string, KubeObject>,
  ): Promise<void> {
    const spec = (cr as unknown as HarborCluster).spec;
    const namespace = cr.metadata.namespace ?? '';
    const key = namespacedName(cr);
    const { cachedVersion, status: before } = this.known(cr, previous);
    const live = workloads.map((w) =>
      freshest(w, this.d.cache.getChild(w.apiVersion, w.kind, namespace, w.metadata.name), applied?.get(objectKey(w))),
    );
    const next = observe({
      generation: cr.metadata.generation ?? 0,
      version: spec.version ?? '',
      url: spec.externalURL,
      previous: before,
      outcome,
      workloads: live,
      causes: this.causesOf(namespace, cr.metadata.name, live),
      ...(certificate ? { certificate } : {}),
      ...(digest ? { appliedDigest: digest } : {}),
      // The database's release is its step's while an upgrade is under way (as upgrade-step.ts gives it).
      databaseUpgrade: databaseUpgradeOf(
        cr as unknown as HarborCluster,
        before,
        live,
        COMPONENT_LABEL,
        neverOlderThanLive(plannedVersions(spec.version ?? '', before?.upgrade), workloadFacts(live, COMPONENT_LABEL)).database,
      ),
      conditions: this.d.conditions?.(cr) ?? [],
      ...(outcome.kind === 'applied' && spec.configuration ? { managedSettings: managedItems(spec.configuration) } : {}),
      now: this.stamp(),
    });
    for (const c of next.conditions ?? []) c.message = redact(c.message, secretValues);
    for (const c of Object.values(next.components ?? {})) if (c.message !== undefined) c.message = redact(c.message, secretValues);
    if (sameStatus(before, next)) return;
    const res = await this.d.writer.patchStatus(namespace, cr.metadata.name, next);
    this.written.wrote(key, cachedVersion, res.metadata.resourceVersion, next);
    this.databaseUpgradeEvent(cr, before, next);
  }

  /** Writes the DatabaseUpgrade condition of a pending upgrade (once) and says so in an event. */
  async announceDatabaseUpgrade(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    d: DatabaseUpgrade,
  ): Promise<HarborClusterStatus | undefined> {
    const { cachedVersion, status } = this.known(cr, previous);
    const next = { ...status, conditions: withDatabaseUpgrade(status?.conditions ?? [], d, cr.metadata.generation ?? 0, this.stamp()) };
    if (sameStatus(status, next)) return status;
    const res = await this.d.writer.patchStatus(cr.metadata.namespace ?? '', cr.metadata.name, next);
    this.written.wrote(namespacedName(cr), cachedVersion, res.metadata.resourceVersion, next);
    this.databaseUpgradeEvent(cr, status, next);
    return next;
  }

  /**
   * Writes what backups and restores changed (status.backups,
   * backupNowServed, restore: controller/backups.ts) over the status the
   * server holds as far as is known; returns the status written.
   */
  async writeLifecycle(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    change: Pick<HarborClusterStatus, 'backups' | 'backupNowServed' | 'restore'>,
  ): Promise<HarborClusterStatus> {
    const { cachedVersion, status } = this.known(cr, previous);
    const next: HarborClusterStatus = { ...status, ...change };
    if (sameStatus(status, next)) return next;
    const res = await this.d.writer.patchStatus(cr.metadata.namespace ?? '', cr.metadata.name, next);
    this.written.wrote(namespacedName(cr), cachedVersion, res.metadata.resourceVersion, next);
    return next;
  }

  /** Writes status.upgrade (the upgrade's state machine, upgrade-step.ts); returns the status as written. */
  async writeUpgrade(cr: KubeObject, previous: HarborClusterStatus | undefined, upgrade: UpgradeStatus): Promise<HarborClusterStatus> {
    const { cachedVersion, status } = this.known(cr, previous);
    const next: HarborClusterStatus = { ...status, upgrade };
    if (status && sameStatus(status, next)) return status;
    const res = await this.d.writer.patchStatus(cr.metadata.namespace ?? '', cr.metadata.name, next);
    this.written.wrote(namespacedName(cr), cachedVersion, res.metadata.resourceVersion, next);
    return next;
  }

  /** The status the server holds as far as is known now (see known()). */
  current(cr: KubeObject, previous: HarborClusterStatus | undefined): HarborClusterStatus | undefined {
    return this.known(cr, previous).status;
  }

  /** An event when the DatabaseUpgrade condition changes status or reason. */
  private databaseUpgradeEvent(cr: KubeObject, before: HarborClusterStatus | undefined, after: HarborClusterStatus): void {
    const was = findCondition(before?.conditions, DATABASE_UPGRADE);
    const is = findCondition(after.conditions, DATABASE_UPGRADE);
    if (!is || (was?.status === is.status && was.reason === is.reason)) return;
    this.d.events.event(cr, 'Normal', is.status === 'True' ? 'DatabaseUpgrade' : 'DatabaseUpgraded', is.message);
  }

  /** Condition timestamps: seconds, as the API server stores them. */
  private stamp(): string {
    return this.d.now().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  /**
   * Removes the applied digest from status before children change (see
   * reconciler.ts); returns the status without it.
   */
  async dropDigest(cr: KubeObject, previous: HarborClusterStatus): Promise<HarborClusterStatus> {
    const { cachedVersion, status } = this.known(cr, previous);
    const { appliedDigest: _gone, ...rest } = status ?? previous;
    const res = await this.d.writer.patchStatus(cr.metadata.namespace ?? '', cr.metadata.name, rest);
    this.written.wrote(namespacedName(cr), cachedVersion, res.metadata.resourceVersion, rest);
    return rest;
  }

  /**
   * The status the server holds as far as is known now (the cache read at
   * this moment, not when the reconcile started, or the status last written
   * while the cache has not brought it back), and the cache's version.
   */
  private known(cr: KubeObject, previous: HarborClusterStatus | undefined): { cachedVersion: string | undefined; status: HarborClusterStatus | undefined } {
    const cached = this.d.cache.getCluster(cr.metadata.namespace ?? '', cr.metadata.name);
    const cachedVersion = cached?.metadata.resourceVersion ?? cr.metadata.resourceVersion;
    const status = this.written.current(namespacedName(cr), cachedVersion, cached ? (cached['status'] as HarborClusterStatus | undefined) : previous);
    return { cachedVersion, status };
  }

  /** The cluster is gone: forget what was written for it. */
  forget(key: string): void {
    this.written.forget(key);
  }

  /** Why components' pods are missing, from the cached pods and FailedCreate events. */
  private causesOf(namespace: string, cluster: string, workloads: KubeObject[]): Record<string, Problem> {
    const sources = this.d.sources;
    if (!sources) return {};
    const pods: PodReport[] = sources.podsOf(namespace, cluster).map((p) => {
      const problem = problemOf(p);
      return { name: p.metadata.name, component: p.metadata.labels?.[COMPONENT_LABEL] ?? 'unknown', ...(problem ? { problem } : {}) };
    });
    const failedCreates: FailedCreateReport[] = workloads
      .filter((w) => w.kind === 'StatefulSet')
      .flatMap((w) => sources.failedCreatesOf(namespace, w.metadata.name) as CachedEvent[])
      .map((e) => ({ name: e.involvedObject.name, uid: e.involvedObject.uid, message: e.message, lastSeen: e.lastSeen }));
    return componentCauses(workloads, pods, failedCreates);
  }

  /** A failed step: a warning event and log line, and Degraded in status. */
  async fail(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    reason: string,
    message: string,
    secretValues: string[],
  ): Promise<void> {
    this.d.log.warn({ key: namespacedName(cr), reason, err: message }, 'reconcile failed');
    this.d.events.event(cr, 'Warning', reason, message);
    const workloads = workloadsOf(this.d.cache.childrenOf(cr.metadata.namespace ?? '', cr.metadata.name));
    await this.write(cr, previous, { kind: 'failed', reason, message }, secretValues, workloads);
  }

  /** The Certificate the chart rendered (among `objects`), as cert-manager reports it. */
  certificateState(namespace: string, objects: KubeObject[]): CertificateState {
    if (!this.d.cache.kindAvailable('cert-manager.io/v1', 'Certificate')) return { state: 'crd-missing' };
    const want = objects.find((o) => `${o.apiVersion}/${o.kind}` === CERT_KIND);
    if (!want) return { state: 'ready' };
    const liveCert = this.d.cache.getChild('cert-manager.io/v1', 'Certificate', namespace, want.metadata.name);
    const conds = (liveCert?.['status'] as { conditions?: { type: string; status: string; message?: string }[] } | undefined)
      ?.conditions ?? [];
    const ready = conds.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return { state: 'ready' };
    return {
      state: 'pending',
      message: `Certificate ${want.metadata.name} is not issued yet${ready?.message ? `: ${ready.message}` : ''}`,
    };
  }
}

/** The Deployments and StatefulSets among a cluster's children (what status counts pods of). */
export function workloadsOf(children: KubeObject[]): KubeObject[] {
  return children.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
}
