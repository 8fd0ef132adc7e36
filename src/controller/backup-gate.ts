// The backup an upgrade waits for. The interface is the one the upgrade step
// (upgrade-step.ts) codes against; the implementation below is a minimal one
// that takes a real backup: a Job of its own, run once per upgrade, that
// pg_dump's the in-cluster database with the database image of the release
// that runs (`from`) into a claim that is kept. Backups in general (where,
// schedules, retention, external databases, status.backups) are a separate
// piece of work that replaces this implementation behind the same interface.
import type { HarborCluster } from '../api/types.generated.ts';
import { harborClusterDefaults as D } from '../api/types.generated.ts';
import type { CreateOnceClient } from '../kube/jobs.ts';
import type { KubeObject } from '../model/object.ts';
import { clusterLabel } from '../render/values.ts';

/** An entry of status.backups: when, how big, where, of which release. Opaque to the upgrade. */
export interface BackupRecord {
  time: string;
  size?: string;
  location: string;
  release: string;
}

export type BackupGateState =
  | { state: 'not-needed' } // no in-cluster database / spec.backup.beforeUpgrade false
  | { state: 'running'; job: string }
  | { state: 'succeeded'; backup: BackupRecord }
  | { state: 'failed'; message: string };

export interface BackupGate {
  /** Ensures one backup for this upgrade (from → to) exists — creates its Job once — and says how it stands. Idempotent; restart-safe. */
  forUpgrade(cr: KubeObject, from: string, to: string): Promise<BackupGateState>;
}

/** Name of the Job of the backup before the upgrade to `to` (one upgrade per target: versions only move forward). */
export function upgradeBackupJobName(cluster: string, to: string): string {
  return `${cluster}-backup-v${to.replace(/\./g, '-')}`;
}

/** The dump's file on the claim. */
function dumpFile(from: string, to: string): string {
  return `registry-${from}-to-${to}.dump`;
}

/** The claim the upgrade backups are written to (kept when the HarborCluster is deleted, like its data). */
export function upgradeBackupClaimName(cluster: string): string {
  return `${cluster}-upgrade-backups`;
}

interface JobShape {
  metadata: KubeObject['metadata'];
  status?: { completionTime?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * The claim and the Job of the backup before from → to. The Job runs
 * pg_dump of the release that runs (goharbor/harbor <from>
 * make/photon/db/Dockerfile.base installs postgresqlNN-server, whose client
 * tools docker-healthcheck.sh calls by name) against the in-cluster
 * database's Service with the chart's database Secret (POSTGRES_PASSWORD,
 * user postgres, database registry: charts/harbor/templates/_helpers.tpl
 * "harbor.database"), as uid 999 (the image's postgres user). The dump is
 * written under a temporary name and renamed when pg_dump succeeded, so a
 * file of that name is always a complete dump.
 */
export function upgradeBackupObjects(cr: KubeObject, from: string, to: string): { claim: KubeObject; job: KubeObject } {
  const spec = (cr as unknown as HarborCluster).spec;
  const name = cr.metadata.name;
  const namespace = cr.metadata.namespace ?? '';
  const labels = {
    'app.kubernetes.io/name': 'harbor',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': 'backup',
    'app.kubernetes.io/managed-by': 'harbor-operator',
    [clusterLabel]: name,
  };
  const claimName = upgradeBackupClaimName(name);
  const storageClass = spec.database?.inCluster?.storageClassName ?? spec.persistence?.storageClassName ?? '';
  const claim: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claimName, namespace, labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClass ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage: spec.database?.inCluster?.storageSize ?? D['spec.database.inCluster.storageSize'] } },
    },
  };
  const file = `/backup/${dumpFile(from, to)}`;
  const registry = spec.imageRegistry ?? D['spec.imageRegistry'];
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: upgradeBackupJobName(name, to),
      namespace,
      labels,
      annotations: { 'harbor-operator.dev/upgrade': `${from} to ${to}` },
      ownerReferences: [
        { apiVersion: cr.apiVersion, kind: cr.kind, name, uid: cr.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(spec.imagePullSecrets?.length ? { imagePullSecrets: spec.imagePullSecrets.map((s) => ({ name: s.name })) } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'pg-dump',
              image: `${registry}/goharbor/harbor-db:v${from}`,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '-c', 'set -e; pg_dump --format=custom --file="$DUMP.partial"; mv "$DUMP.partial" "$DUMP"'],
              env: [
                { name: 'PGHOST', value: `${name}-database` },
                { name: 'PGPORT', value: '5432' },
                { name: 'PGUSER', value: 'postgres' },
                { name: 'PGDATABASE', value: 'registry' },
                { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: `${name}-database`, key: 'POSTGRES_PASSWORD' } } },
                { name: 'DUMP', value: file },
              ],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'backup', mountPath: '/backup' }],
            },
          ],
          volumes: [{ name: 'backup', persistentVolumeClaim: { claimName } }],
        },
      },
    },
  };
  return { claim, job };
}

/** How a backup Job stands, from its conditions. Pure. */
export function jobState(job: KubeObject, cr: KubeObject, from: string, to: string): BackupGateState {
  const j = job as unknown as JobShape;
  const name = j.metadata.name;
  const owner = j.metadata.ownerReferences?.find((o) => o.controller);
  if (owner?.uid !== cr.metadata.uid) {
    return { state: 'failed', message: `a Job ${name} exists that this HarborCluster does not own; rename or delete it` };
  }
  const cond = (type: string): { status: string; reason?: string; message?: string } | undefined =>
    j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  if (cond('Complete')) {
    const location = `persistentvolumeclaim/${upgradeBackupClaimName(cr.metadata.name)}/${dumpFile(from, to)}`;
    return { state: 'succeeded', backup: { time: j.status?.completionTime ?? '', location, release: from } };
  }
  const failed = cond('Failed');
  if (failed) {
    const why = [failed.reason, failed.message].filter(Boolean).join(': ') || 'the Job failed';
    return {
      state: 'failed',
      message: `Job ${name} failed (${why}); its pod's log says why. To take the backup again, delete the Job (kubectl -n ${cr.metadata.namespace ?? ''} delete job ${name}): the operator creates it anew`,
    };
  }
  return { state: 'running', job: name };
}

/** The gate over the API server: the claim and the Job created once, the Job read on every call. */
export function createBackupGate(client: CreateOnceClient): BackupGate {
  return {
    async forUpgrade(cr, from, to): Promise<BackupGateState> {
      const spec = (cr as unknown as HarborCluster).spec;
      if ((spec.database?.type ?? D['spec.database.type']) !== 'InCluster') return { state: 'not-needed' };
      const { claim, job } = upgradeBackupObjects(cr, from, to);
      const existing = await client.read('Job', job.metadata.namespace ?? '', job.metadata.name);
      if (existing) return jobState(existing, cr, from, to);
      const c = await client.ensure(claim);
      if (c.object.metadata.labels?.[clusterLabel] !== cr.metadata.name) {
        return { state: 'failed', message: `a PersistentVolumeClaim ${claim.metadata.name} exists that is not this HarborCluster's; rename or delete it` };
      }
      const created = await client.ensure(job);
      return jobState(created.object, cr, from, to);
    },
  };
}
