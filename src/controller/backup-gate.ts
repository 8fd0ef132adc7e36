// The backup gate of upgrades: before a change of spec.version rolls
// anything, the upgrade asks for one backup of the database as it is and
// waits for it. The reconciler owns one (Reconciler.backupGate, implemented
// by controller/backups.ts); the upgrade step calls forUpgrade on every
// reconcile until it says succeeded (go on), failed (stop, the cluster stays
// on its release, Degraded says why) or not-needed.
//
// A failed backup's Job is deleted an hour after it ended (its TTL); the
// next forUpgrade after that (or after `kubectl delete job <name>`) takes the
// backup again.
import type { KubeObject } from '../model/object.ts';
import type { BackupRecord } from '../backup/records.ts';

export type { BackupRecord } from '../backup/records.ts';

export type BackupGateState =
  /** No in-cluster database (and spec.backup.beforeUpgrade not set), or beforeUpgrade false. */
  | { state: 'not-needed' }
  | { state: 'running'; job: string }
  | { state: 'succeeded'; backup: BackupRecord }
  | { state: 'failed'; message: string };

export interface BackupGate {
  /**
   * Ensures one backup for this upgrade (from → to) exists — creates its Job
   * once, keyed by from/to and the HarborCluster's uid — and says how it
   * stands. Idempotent; restart-safe (state is found again from the Job and
   * status).
   */
  forUpgrade(cr: KubeObject, from: string, to: string): Promise<BackupGateState>;
}
