// Backups and restores of a HarborCluster's database, as a reconcile step:
// - sync() (every reconcile, before anything is rendered): the record of
//   every backup Job in status (started, then how it ended, with the dump's
//   file and size read once from its pod's termination message) and an event
//   for each; the on-demand backup of a new backup-now annotation value; the
//   restore of spec.database.restoreFrom (its Job once the database exists,
//   then its outcome).
// - desired(): what the reconcile adds to the rendered objects (the CronJob
//   of scheduled backups, the claim <name>-backups) and whether core,
//   jobservice and the exporter are held at 0 replicas (a restore is ahead),
//   with a digest of both for the applied digest.
// - forUpgrade(): the backup gate of upgrades (backup-gate.ts).
// The objects are built by src/backup/jobs.ts, the records decided by
// src/backup/records.ts; this file does the I/O through the narrow ports.
import { createHash } from 'node:crypto';
import { releaseOf, type Release } from '../api/releases.ts';
import type { HarborCluster } from '../api/types.generated.ts';
import { harborClusterDefaults as D } from '../api/types.generated.ts';
import { compareVersions } from '../api/versions.ts';
import {
  BACKUP_NOW_ANNOTATION,
  backupBeforeUpgrade,
  backupClaim,
  backupJob,
  backupObjects,
  releaseOfDump,
  restoreJob,
  restoreJobName,
  restoreSource,
  upgradeJobName,
  type ScriptSet,
} from '../backup/jobs.ts';
import {
  ended,
  isBackupJob,
  jobState,
  mergeRecords,
  RECORDS_KEPT,
  recordIsOf,
  recordOf,
  restorePending,
  restoreRecordOf,
  type BackupRecord,
  type RestoreRecord,
} from '../backup/records.ts';
import { BACKUP_SCRIPT, RESTORE_SCRIPT } from '../backup/scripts.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { JobClient } from '../kube/jobs.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import type { KubeObject } from '../model/object.ts';
import { clusterLabel } from '../render/values.ts';
import { versionOfImage } from '../status/database-upgrade.ts';
import type { HarborClusterStatus } from '../status/observe.ts';
import type { BackupGate, BackupGateState } from './backup-gate.ts';
import type { ClusterCache, Logger } from './ports.ts';
import type { StatusReporter } from './status-reporter.ts';

type Cr = HarborCluster & { metadata: KubeObject['metadata'] };

export interface BackupsDeps {
  cache: ClusterCache;
  /** Creates the Jobs and the claim once; reads a finished Job's pod (the dump's size and file). */
  jobs: JobClient;
  status: StatusReporter;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
  scripts?: ScriptSet;
}

export interface LifecycleObjects {
  /** Added to the rendered objects before normalization and the render guard. */
  objects: KubeObject[];
  /** A restore is ahead: core, jobservice and the exporter at 0 replicas (records.ts holdForRestore). */
  hold: boolean;
  /** Digest of both, among the applied digest's inputs. */
  digest: string;
}

const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;

export class Backups implements BackupGate {
  private readonly d: BackupsDeps;
  private readonly scripts: ScriptSet;

  constructor(deps: BackupsDeps) {
    this.d = deps;
    this.scripts = deps.scripts ?? { backup: BACKUP_SCRIPT, restore: RESTORE_SCRIPT };
  }

  /** The release whose database runs: the live database StatefulSet's image, else status.version, else spec.version. */
  runningRelease(cr: Cr, status: HarborClusterStatus | undefined): Release | undefined {
    const ns = cr.metadata.namespace ?? '';
    const sts = this.d.cache.getChild('apps/v1', 'StatefulSet', ns, `${cr.metadata.name}-database`);
    const containers = (sts?.['spec'] as { template?: { spec?: { containers?: { name: string; image?: string }[] } } } | undefined)?.template?.spec
      ?.containers;
    const image = containers?.find((c) => c.name === 'database')?.image;
    const live = image ? versionOfImage(image) : undefined;
    return (
      (live ? releaseOf(live) : undefined) ??
      (status?.version ? releaseOf(status.version) : undefined) ??
      releaseOf(cr.spec.version ?? D['spec.version'])
    );
  }

  desired(cr: Cr, status: HarborClusterStatus | undefined): LifecycleObjects {
    const objects = backupObjects(cr, cr.spec.backup ? this.runningRelease(cr, status) : undefined, this.scripts);
    const hold = restorePending(cr.spec.database?.restoreFrom, status?.restore);
    const digest = createHash('sha256').update(canonicalJson({ objects, hold })).digest('hex');
    return { objects, hold, digest };
  }

  /** Records, the on-demand backup and the restore; returns the status after its writes. */
  async sync(live: KubeObject, before: HarborClusterStatus | undefined): Promise<HarborClusterStatus | undefined> {
    const cr = live as unknown as Cr;
    const status = this.d.status.current(live, before);
    const updates: BackupRecord[] = [];
    const change: Pick<HarborClusterStatus, 'backups' | 'backupNowServed' | 'restore'> = {};

    // Every backup Job of this cluster (the operator's and its CronJob's).
    const ns = cr.metadata.namespace ?? '';
    // With the list full, a Job older than its oldest record would fall off again at once.
    const list = status?.backups ?? [];
    const oldest = list.length >= RECORDS_KEPT ? list[list.length - 1]?.startTime : undefined;
    for (const job of this.d.cache.childrenOf(ns, cr.metadata.name).filter(isBackupJob)) {
      const found = list.find((r) => r.job === job.metadata.name);
      // A record of an earlier Job of this name (a retry) is replaced.
      const known = recordIsOf(found, job) ? found : undefined;
      if (ended(known)) continue;
      if (!known && oldest !== undefined && (recordOf(job).startTime ?? '') < oldest) continue;
      const rec = await this.recordJob(job);
      if (JSON.stringify(rec) === JSON.stringify(known)) continue;
      updates.push(rec);
      this.announce(live, known, rec);
    }

    // A new value of the backup-now annotation: one backup, now.
    const token = cr.metadata.annotations?.[BACKUP_NOW_ANNOTATION];
    if (token !== undefined && token !== '' && token !== status?.backupNowServed) {
      const release = this.runningRelease(cr, status);
      if (release) {
        const job = backupJob({ cr, release, reason: 'OnDemand', token, scripts: this.scripts });
        await this.ensureClaim(cr);
        const rec = recordOf((await this.create(job)).object);
        if (!updates.some((u) => u.job === rec.job) && !status?.backups?.some((r) => r.job === rec.job)) {
          updates.push(rec);
          this.announce(live, undefined, rec);
        }
      }
      change.backupNowServed = token;
    }

    const restore = await this.syncRestore(cr, status);
    if (restore) change.restore = restore;

    if (updates.length > 0) change.backups = mergeRecords(status?.backups, updates);
    if (Object.keys(change).length === 0) return status;
    return this.d.status.writeLifecycle(live, before, change);
  }

  async forUpgrade(live: KubeObject, from: string, to: string): Promise<BackupGateState> {
    const cr = live as unknown as Cr;
    if (!backupBeforeUpgrade(cr)) return { state: 'not-needed' };
    const name = upgradeJobName(cr, from, to);
    const status = this.d.status.current(live, live['status'] as HarborClusterStatus | undefined);
    const recorded = status?.backups?.find((r) => r.job === name);
    const job = this.d.cache.getChild(JOB.apiVersion, JOB.kind, cr.metadata.namespace ?? '', name);
    if (job) {
      // The Job is the truth while it exists; a record of an earlier Job of its name (a retry) is not.
      const known = recordIsOf(recorded, job) ? recorded : undefined;
      if (known && ended(known)) return gateOf(known, cr.metadata.namespace ?? '');
      const rec = await this.recordJob(job);
      if (JSON.stringify(rec) !== JSON.stringify(known)) {
        await this.d.status.writeLifecycle(live, status, { backups: mergeRecords(status?.backups, [rec]) });
        this.announce(live, known, rec);
      }
      return ended(rec) ? gateOf(rec, cr.metadata.namespace ?? '') : { state: 'running', job: name };
    }
    // No Job (yet, or any more): a success stands; a failure whose Job is
    // gone (its TTL, or deleted by hand) is tried again.
    const known = recorded;
    if (known?.result === 'Succeeded') return gateOf(known, cr.metadata.namespace ?? '');
    const release = releaseOf(from);
    if (!release) return { state: 'failed', message: `no database image is known for Harbor ${from}, so no backup can be taken before the upgrade to ${to}` };
    const created = backupJob({ cr, release, reason: 'BeforeUpgrade', upgrade: { from, to }, scripts: this.scripts });
    let made: { created: boolean; object: KubeObject };
    try {
      await this.ensureClaim(cr);
      made = await this.create(created);
    } catch (err) {
      // Not retried by itself: the upgrade stops (Failed) and says why.
      if (err instanceof NotThisClusters) return { state: 'failed', message: err.message };
      throw err;
    }
    if (made.created || known?.result !== 'Running') {
      const rec = recordOf(made.object);
      await this.d.status.writeLifecycle(live, status, { backups: mergeRecords(status?.backups, [rec]) });
      this.announce(live, undefined, rec);
    }
    return { state: 'running', job: name };
  }

  /** The restore's record after this reconcile; undefined when status needs no change. */
  private async syncRestore(cr: Cr, status: HarborClusterStatus | undefined): Promise<RestoreRecord | undefined> {
    const source = restoreSource(cr);
    const from = cr.spec.database?.restoreFrom?.persistentVolumeClaim;
    if (!source || !from) return undefined;
    const was = status?.restore;
    if (was?.phase === 'Succeeded') return undefined; // once, never again
    const ns = cr.metadata.namespace ?? '';
    const name = restoreJobName(cr);
    const version = cr.spec.version ?? D['spec.version'];
    const dumped = releaseOfDump(from.fileName);
    const set = (next: RestoreRecord): RestoreRecord | undefined => {
      if (JSON.stringify(next) === JSON.stringify(was)) return undefined;
      this.restoreEvent(cr, was, next);
      return next;
    };
    // Harbor migrates its schema forward only, and pg_restore reads dumps of its own major and older.
    if (dumped !== undefined && compareVersions(dumped, version) > 0) {
      return set({
        phase: 'Failed',
        source,
        message: `${from.fileName} was taken with Harbor ${dumped}, newer than spec.version ${version}: a database can only be restored into the same or a later release`,
      });
    }
    const job = this.d.cache.getChild(JOB.apiVersion, JOB.kind, ns, name);
    if (job) {
      const state = jobState(job);
      const termination = state.state === 'running' ? undefined : await this.d.jobs.terminationOf(ns, { name, uid: job.metadata.uid }, 'restore');
      return set(restoreRecordOf(job, source, termination));
    }
    // The database must exist first (its Secret, Service and StatefulSet are applied by this reconcile's render).
    const db = this.d.cache.getChild('apps/v1', 'StatefulSet', ns, `${cr.metadata.name}-database`);
    const release = releaseOf(version);
    if (!db || !release) return set({ phase: 'Pending', source, message: 'waiting for the in-cluster database to be created' });
    // (One made by an earlier reconcile but not in the cache yet is found by the create.)
    const obj = restoreJob(cr, release, this.scripts);
    if (!obj) return undefined;
    await this.create(obj);
    return set({ phase: 'Running', source, job: name, startTime: this.stamp() });
  }

  /** The record of a backup Job; an ended one with what its pod reported (one list of its pods). */
  private async recordJob(job: KubeObject): Promise<BackupRecord> {
    if (jobState(job).state === 'running') return recordOf(job);
    const termination = await this.d.jobs.terminationOf(job.metadata.namespace ?? '', { name: job.metadata.name, uid: job.metadata.uid }, 'backup');
    return recordOf(job, termination);
  }

  /** Creates the object unless it exists; returns the object as the server has it. An existing one is used only when it is this cluster's. */
  private async create(obj: KubeObject): Promise<{ created: boolean; object: KubeObject }> {
    const made = await this.d.jobs.ensure(obj);
    const { created, object } = made;
    if (created) {
      this.d.log.info({ kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace }, 'created');
      return made;
    }
    const cluster = obj.metadata.labels?.[clusterLabel];
    if (object.metadata.labels?.[clusterLabel] !== cluster) {
      throw new NotThisClusters(`${obj.kind} ${obj.metadata.name} exists and is not HarborCluster ${cluster ?? ''}'s (no label ${clusterLabel}: ${cluster ?? ''}); rename or delete it`);
    }
    return made;
  }

  /** The claim <name>-backups, when the operator makes it and it is not there. */
  private async ensureClaim(cr: Cr): Promise<void> {
    const claim = backupClaim(cr);
    if (!claim) return;
    if (this.d.cache.getChild('v1', 'PersistentVolumeClaim', cr.metadata.namespace ?? '', claim.metadata.name)) return;
    await this.create(claim);
  }

  private announce(live: KubeObject, before: BackupRecord | undefined, rec: BackupRecord): void {
    const what = `${rec.reason} backup ${rec.job} of the database${rec.release ? ` (Harbor ${rec.release})` : ''}${rec.upgrade ? ` before the upgrade ${rec.upgrade}` : ''}`;
    if (!before) this.d.events.event(live, 'Normal', 'BackupStarted', `${what} started, into ${rec.destination ?? 'its claim'}`);
    if (rec.result === 'Succeeded') {
      const size = rec.sizeBytes !== undefined ? `, ${String(rec.sizeBytes)} bytes` : '';
      this.d.events.event(live, 'Normal', 'BackupSucceeded', `${what} wrote ${rec.file ?? 'a dump'} to ${rec.destination ?? 'its claim'}${size}`);
    } else if (rec.result === 'Failed') {
      this.d.events.event(live, 'Warning', 'BackupFailed', `${what} failed: ${rec.message ?? ''}`);
    }
  }

  private restoreEvent(cr: Cr, was: RestoreRecord | undefined, next: RestoreRecord): void {
    if (was?.phase === next.phase) return;
    const live = cr as unknown as KubeObject;
    if (next.phase === 'Running') this.d.events.event(live, 'Normal', 'RestoreStarted', `restoring ${next.source ?? ''} into the database; core and jobservice wait for it`);
    else if (next.phase === 'Succeeded') this.d.events.event(live, 'Normal', 'RestoreSucceeded', `${next.message ?? ''}; core and jobservice start now`);
    else if (next.phase === 'Failed') this.d.events.event(live, 'Warning', 'RestoreFailed', `the restore of ${next.source ?? ''} failed: ${next.message ?? ''}`);
  }

  /** Seconds, as the API server keeps times. */
  private stamp(): string {
    return this.d.now().toISOString().replace(/\.\d+Z$/, 'Z');
  }
}

/** An object of the name the operator would create exists and is someone else's. */
class NotThisClusters extends Error {}

/** The gate's answer from an ended record; a failure says how to take the backup again. */
function gateOf(r: BackupRecord, namespace: string): BackupGateState {
  if (r.result === 'Succeeded') return { state: 'succeeded', backup: r };
  return {
    state: 'failed',
    message: `Job ${r.job} failed (${r.message ?? 'no reason given'}); its pod's log says why. To take the backup again, delete the Job (kubectl -n ${namespace} delete job ${r.job}): the operator creates it anew`,
  };
}
