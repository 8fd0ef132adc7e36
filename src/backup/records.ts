// What status says of backups and restores, decided from plain data: a
// Job's state from its conditions, the record of a backup from the Job and
// its pod's termination message, the list status keeps, and what a restore
// holds back. Pure.
import type { StatusBackup, StatusRestore } from '../api/types.generated.ts';
import type { KubeObject } from '../model/object.ts';
import {
  BACKUP_COMPONENT,
  DESTINATION_ANNOTATION,
  REASON_ANNOTATION,
  RELEASE_ANNOTATION,
  UPGRADE_ANNOTATION,
  type BackupReason,
} from './jobs.ts';

/** An entry of status.backups. */
export type BackupRecord = StatusBackup;
export type RestoreRecord = StatusRestore;

/** How many backups status lists. */
export const RECORDS_KEPT = 10;
const MESSAGE_MAX = 2048;

export type JobState = { state: 'running' } | { state: 'succeeded'; at?: string } | { state: 'failed'; reason: string; message: string; at?: string };

interface JobShape {
  metadata: KubeObject['metadata'];
  status?: {
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
  };
}

/**
 * From the Job's conditions, as kube-controller-manager's Job controller
 * sets them: Complete (after SuccessCriteriaMet) or Failed (after
 * FailureTarget, reasons BackoffLimitExceeded, DeadlineExceeded, …). The
 * early conditions count already: the pods are done then.
 */
export function jobState(job: KubeObject): JobState {
  const conds = (job as unknown as JobShape).status?.conditions ?? [];
  const on = (type: string): (typeof conds)[number] | undefined => conds.find((c) => c.type === type && c.status === 'True');
  const failed = on('Failed') ?? on('FailureTarget');
  if (failed) {
    return {
      state: 'failed',
      reason: failed.reason ?? 'Failed',
      message: failed.message ?? '',
      ...(failed.lastTransitionTime ? { at: failed.lastTransitionTime } : {}),
    };
  }
  const done = on('Complete') ?? on('SuccessCriteriaMet');
  if (done) {
    const at = (job as unknown as JobShape).status?.completionTime ?? done.lastTransitionTime;
    return { state: 'succeeded', ...(at ? { at } : {}) };
  }
  return { state: 'running' };
}

/** The terminated state of the Job's container, as the kubelet reports it. */
export interface Termination {
  exitCode: number;
  reason?: string;
  message?: string;
  finishedAt?: string;
}

/** key=value pairs of a script's termination message (backup.sh, restore.sh). */
export function parseTermination(message: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const line = (message ?? '').trim();
  const err = /^error=([\s\S]*)$/.exec(line);
  if (err) return { error: (err[1] ?? '').trim() };
  for (const kv of line.split(/\s+/)) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

const reasons: readonly BackupReason[] = ['Scheduled', 'OnDemand', 'BeforeUpgrade'];

/** Whether a child is a backup Job (made by the operator or its CronJob). */
export function isBackupJob(o: KubeObject): boolean {
  return o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === BACKUP_COMPONENT;
}

const cut = (s: string): string => (s.length > MESSAGE_MAX ? `${s.slice(0, MESSAGE_MAX - 1)}…` : s);

/**
 * The record of a backup Job: running, or ended with what its pod reported
 * (`termination`: the container's terminated state, when it could be read).
 */
export function recordOf(job: KubeObject, termination?: Termination): BackupRecord {
  const a = job.metadata.annotations ?? {};
  const reasonAnn = a[REASON_ANNOTATION] as BackupReason | undefined;
  const reason: BackupReason = reasonAnn && reasons.includes(reasonAnn) ? reasonAnn : 'Scheduled';
  const st = (job as unknown as JobShape).status;
  const base: BackupRecord = {
    job: job.metadata.name,
    ...(job.metadata.uid ? { jobUid: job.metadata.uid } : {}),
    reason,
    result: 'Running',
    ...(a[RELEASE_ANNOTATION] ? { release: a[RELEASE_ANNOTATION] } : {}),
    ...(a[UPGRADE_ANNOTATION] ? { upgrade: a[UPGRADE_ANNOTATION] } : {}),
    ...(a[DESTINATION_ANNOTATION] ? { destination: a[DESTINATION_ANNOTATION] } : {}),
    ...(st?.startTime ?? job.metadata.creationTimestamp ? { startTime: st?.startTime ?? job.metadata.creationTimestamp } : {}),
  };
  const s = jobState(job);
  if (s.state === 'running') return base;
  const t = parseTermination(termination?.message);
  const at = s.at ?? termination?.finishedAt;
  const ended = { ...base, ...(at ? { completionTime: at } : {}) };
  if (s.state === 'succeeded') {
    const size = t['size'] !== undefined && /^\d+$/.test(t['size']) ? Number(t['size']) : undefined;
    return {
      ...ended,
      result: 'Succeeded',
      ...(t['file'] ? { file: t['file'] } : {}),
      ...(size !== undefined ? { sizeBytes: size } : {}),
      ...(t['file'] ? {} : { message: "the pod's termination message did not name the dump" }),
    };
  }
  const why = t['error'] ?? (termination?.message?.trim() || undefined);
  const jobWhy = `${s.reason}${s.message ? `: ${s.message}` : ''}`;
  return { ...ended, result: 'Failed', message: cut(why ? `${why} (${jobWhy})` : jobWhy) };
}

/** status.backups with these records put in (by Job name), newest first, at most RECORDS_KEPT. */
export function mergeRecords(existing: readonly BackupRecord[] | undefined, updates: readonly BackupRecord[]): BackupRecord[] {
  const byJob = new Map((existing ?? []).map((r) => [r.job, r]));
  for (const u of updates) byJob.set(u.job, u);
  return [...byJob.values()]
    .sort((a, b) => {
      const x = a.startTime ?? '';
      const y = b.startTime ?? '';
      return x < y ? 1 : x > y ? -1 : a.job < b.job ? -1 : a.job > b.job ? 1 : 0;
    })
    .slice(0, RECORDS_KEPT);
}

/** Whether a record is the final word on its Job. */
/**
 * Whether a record is of this Job: a Job deleted and made again under its
 * name (a retried backup) is another Job, whatever its record says. A record
 * without the uid is taken for the Job of its name.
 */
export function recordIsOf(r: BackupRecord | undefined, job: KubeObject): boolean {
  return r !== undefined && (r.jobUid === undefined || job.metadata.uid === undefined || r.jobUid === job.metadata.uid);
}

export function ended(r: BackupRecord | undefined): boolean {
  return r?.result === 'Succeeded' || r?.result === 'Failed';
}

/** The records that differ from what status holds (new ones, or a new result). */
export function changedRecords(existing: readonly BackupRecord[] | undefined, next: readonly BackupRecord[]): BackupRecord[] {
  const byJob = new Map((existing ?? []).map((r) => [r.job, r]));
  return next.filter((r) => JSON.stringify(byJob.get(r.job)) !== JSON.stringify(r));
}

/** The restore's record from its Job (undefined: no Job yet). */
export function restoreRecordOf(job: KubeObject, source: string, termination?: Termination): RestoreRecord {
  const st = (job as unknown as JobShape).status;
  const startTime = st?.startTime ?? job.metadata.creationTimestamp;
  const base: RestoreRecord = { phase: 'Running', source, job: job.metadata.name, ...(startTime ? { startTime } : {}) };
  const s = jobState(job);
  if (s.state === 'running') return base;
  const t = parseTermination(termination?.message);
  const at = s.at ?? termination?.finishedAt;
  const ended = { ...base, ...(at ? { completionTime: at } : {}) };
  if (s.state === 'succeeded') {
    return {
      ...ended,
      phase: 'Succeeded',
      message: t['restored'] ? `restored ${t['restored']} (${t['size'] ?? '?'} bytes): ${t['tables'] ?? '?'} table(s)` : 'the restore Job completed',
    };
  }
  const why = t['error'] ?? (termination?.message?.trim() || undefined);
  const jobWhy = `${s.reason}${s.message ? `: ${s.message}` : ''}`;
  return { ...ended, phase: 'Failed', message: cut(why ? `${why} (${jobWhy})` : jobWhy) };
}

/** Components that read or write the database and wait for a restore (replicas 0 until it succeeded). */
export const HELD_FOR_RESTORE = ['core', 'jobservice', 'exporter'];

/** Whether this cluster's restore is still ahead: restoreFrom set and status not Succeeded. */
export function restorePending(restoreFrom: unknown, restore: RestoreRecord | undefined): boolean {
  return restoreFrom !== undefined && restore?.phase !== 'Succeeded';
}

/** The desired objects with core, jobservice and the exporter scaled to 0 (a restore is ahead). */
export function holdForRestore(objects: readonly KubeObject[], componentLabel: string): KubeObject[] {
  return objects.map((o) => {
    if (o.apiVersion !== 'apps/v1' || o.kind !== 'Deployment') return o;
    if (!HELD_FOR_RESTORE.includes(o.metadata.labels?.[componentLabel] ?? '')) return o;
    return { ...o, spec: { ...(o['spec'] as Record<string, unknown>), replicas: 0 } };
  });
}
