// The objects of backups and restores, built from the HarborCluster: the
// backup Job (one-off: on demand, before an upgrade), the CronJob of
// scheduled backups, the claim the dumps go to, and the restore Job. Pure:
// plain data in, objects out (normalized like the chart's: namespace, the
// operator's labels, the owner reference; a kept claim has none).
//
// What harbor-db's image holds, which the Jobs rely on (goharbor/harbor at
// v2.13.0, v2.14.4, v2.15.1 and v2.15.2, make/photon/db/):
// - Dockerfile.base installs postgresql15-server (v2.13.0–v2.15.1; also
//   postgresql14-server) or postgresql18-server (v2.15.2, which copies
//   /usr/pgsql/15 from a build stage for pg_upgrade), and makes the user
//   postgres with uid and gid 999; Dockerfile ends with `USER postgres`.
// - The scripts are `#!/bin/bash` (docker-entrypoint.sh, initdb.sh,
//   upgrade.sh), so bash is there; upgrade.sh runs the new major's tools from
//   /usr/bin and docker-entrypoint.sh the old major's from
//   /usr/pgsql/<major>/bin.
// - vmware/photon SPECS/postgresql/postgresql15.spec and postgresql18.spec:
//   postgresqlNN-server requires postgresqlNN, which requires
//   postgresqlNN-client, whose files are /usr/pgsql/NN/bin/pg_dump,
//   pg_restore, psql, pg_isready (the package is configured with
//   --bindir=/usr/pgsql/NN/bin; /usr/bin/pg_dump is an alternatives link to
//   the highest-weighted major). So the scripts take /usr/pgsql/<major of the
//   release>/bin first, and PATH otherwise.
// - No S3 client is installed (the Dockerfiles install gzip, findutils, bc,
//   util-linux, net-tools, shadow, PostgreSQL): S3 destinations are not built.
import { createHash } from 'node:crypto';
import type { Release } from '../api/releases.ts';
import type { HarborCluster } from '../api/types.generated.ts';
import { harborClusterDefaults as D } from '../api/types.generated.ts';
import type { KubeObject } from '../model/object.ts';
import { provisionNames } from '../provision/names.ts';
import { normalize, type Owner } from '../render/normalize.ts';
import { clusterLabel } from '../render/values.ts';

export const BACKUP_COMPONENT = 'backup';
export const RESTORE_COMPONENT = 'restore';
/** On the HarborCluster: a new value takes one backup at once. */
export const BACKUP_NOW_ANNOTATION = 'harbor-operator.dev/backup-now';
/** On a backup Job (and the CronJob's job template): why it was taken. */
export const REASON_ANNOTATION = 'harbor-operator.dev/backup-reason';
export const RELEASE_ANNOTATION = 'harbor-operator.dev/backup-release';
export const DESTINATION_ANNOTATION = 'harbor-operator.dev/backup-destination';
export const UPGRADE_ANNOTATION = 'harbor-operator.dev/backup-upgrade';

/** harbor-db's user (make/photon/db/Dockerfile.base: useradd --uid=999, groupadd --gid=999). */
const DB_UID = 999;
const BACKUP_DIR = '/backups';
const RESTORE_DIR = '/restore';
/** A finished Job (and its pod) is deleted after an hour; status keeps the record. */
export const JOB_TTL_SECONDS = 3600;
/** A backup that has not ended after an hour is stopped (the Job fails: DeadlineExceeded). */
export const BACKUP_DEADLINE_SECONDS = 3600;
/** A restore may first wait for the database's first start (up to 10 minutes), then restore. */
export const RESTORE_DEADLINE_SECONDS = 7200;
export const DEFAULT_CLAIM_SIZE = '5Gi';

export type BackupReason = 'Scheduled' | 'OnDemand' | 'BeforeUpgrade';

type Cr = HarborCluster & { metadata: KubeObject['metadata'] };

export interface ScriptSet {
  backup: string;
  restore: string;
}

/** The claim the dumps go to: the user's, or <name>-backups made by the operator. */
export function backupClaimName(cr: Cr): string {
  return cr.spec.backup?.persistentVolumeClaim?.claimName ?? `${cr.metadata.name}-backups`;
}

/** Where a backup of this cluster goes, as status says it. */
export function destinationOf(cr: Cr): string {
  return `pvc/${backupClaimName(cr)}`;
}

/** Whether a change of spec.version first takes a backup: the field, else true for the in-cluster database. */
export function backupBeforeUpgrade(cr: Cr): boolean {
  const set = cr.spec.backup?.beforeUpgrade;
  if (set !== undefined) return set;
  return (cr.spec.database?.type ?? D['spec.database.type']) === 'InCluster';
}

/** Short, stable digest for Job names (hex). */
function tag(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 10);
}

// Job names: at most 63 characters (the job-name label on its pods); a
// HarborCluster's name has at most 40 (CRD rule), so `<name>-backup-` plus
// 11 fits. A CronJob's name at most 52 (its Jobs add 11).
export function upgradeJobName(cr: Cr, from: string, to: string): string {
  return `${cr.metadata.name}-backup-u${tag(cr.metadata.uid ?? '', from, to)}`;
}
export function onDemandJobName(cr: Cr, token: string): string {
  return `${cr.metadata.name}-backup-n${tag(cr.metadata.uid ?? '', token)}`;
}
export function cronJobName(cr: Cr): string {
  return `${cr.metadata.name}-backup`;
}
export function restoreJobName(cr: Cr): string {
  return `${cr.metadata.name}-restore`;
}

function ownerOf(cr: Cr): Owner {
  return {
    apiVersion: cr.apiVersion,
    kind: cr.kind,
    name: cr.metadata.name,
    namespace: cr.metadata.namespace ?? '',
    uid: cr.metadata.uid ?? '',
  };
}

function labels(cr: Cr, component: string, release: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'harbor',
    'app.kubernetes.io/instance': cr.metadata.name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/version': release,
    'app.kubernetes.io/managed-by': 'harbor-operator',
    [clusterLabel]: cr.metadata.name,
  };
}

function finish(cr: Cr, o: KubeObject): KubeObject {
  const [out] = normalize([o], ownerOf(cr), {
    labels: { [clusterLabel]: cr.metadata.name, 'app.kubernetes.io/managed-by': 'harbor-operator' },
    deleteClaimsWithOwner: cr.spec.persistence?.deleteClaimsWithCluster === true,
  });
  if (!out) throw new Error('normalize returned nothing');
  return out;
}

function dbImage(cr: Cr, release: Release): string {
  const registry = cr.spec.imageRegistry ?? D['spec.imageRegistry'];
  return `${registry}/goharbor/${release.images.database}:${release.tag}`;
}

/** libpq's environment for the cluster's database, the password from its Secret. */
export function databaseEnv(cr: Cr): { name: string; value?: string; valueFrom?: unknown }[] {
  const name = cr.metadata.name;
  const db = cr.spec.database ?? {};
  if ((db.type ?? D['spec.database.type']) === 'External' && db.external) {
    const e = db.external;
    // As render/values.ts: with provision, the role and database the
    // operator made, whose password is the generated Secret's databasePassword.
    const provisioned = e.provision ? provisionNames(cr.metadata.namespace ?? '', name, e) : undefined;
    const ref = e.passwordSecretRef;
    const password =
      provisioned || !ref
        ? { name: `${name}-generated-secrets`, key: 'databasePassword' } // controller/generated-secret.ts
        : { name: ref.name, key: ref.key ?? D['spec.database.external.passwordSecretRef.key'] };
    return [
      { name: 'PGHOST', value: e.host },
      { name: 'PGPORT', value: String(e.port ?? D['spec.database.external.port']) },
      { name: 'PGDATABASE', value: provisioned?.database ?? e.database ?? 'registry' },
      { name: 'PGUSER', value: provisioned?.role ?? e.username ?? 'postgres' },
      { name: 'PGSSLMODE', value: e.sslMode ?? D['spec.database.external.sslMode'] },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: password } },
    ];
  }
  // The chart's in-cluster database (charts/harbor/templates/_helpers.tpl
  // "harbor.database" and database/secret.yaml): Service <name>-database on
  // 5432, database registry, user postgres, password POSTGRES_PASSWORD of the
  // Secret <name>-database — as upstream's chart has them (goharbor/harbor-helm
  // v1.19.1 templates/_helpers.tpl "harbor.database.username",
  // "harbor.database.coreDatabase"; templates/database/database-secret.yaml).
  return [
    { name: 'PGHOST', value: `${name}-database` },
    { name: 'PGPORT', value: '5432' },
    { name: 'PGDATABASE', value: 'registry' },
    { name: 'PGUSER', value: 'postgres' },
    { name: 'PGSSLMODE', value: 'disable' },
    { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: `${name}-database`, key: 'POSTGRES_PASSWORD' } } },
  ];
}

function podSpec(cr: Cr, container: Record<string, unknown>, volumes: unknown[]): Record<string, unknown> {
  const pullSecrets = (cr.spec.imagePullSecrets ?? []).map((s) => ({ name: s.name }));
  // As the chart's pods (harbor.podSpec, harbor.containerSecurityContext):
  // no API token, no service links, restricted, non-root as harbor-db's user.
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: DB_UID,
      runAsGroup: DB_UID,
      fsGroup: DB_UID,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        ...container,
        imagePullPolicy: 'IfNotPresent',
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        },
        // A failure the script did not report (killed, out of memory) still says something.
        terminationMessagePolicy: 'FallbackToLogsOnError',
      },
    ],
    volumes: [...volumes, { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
  };
}

export interface BackupJobInput {
  cr: Cr;
  /** The release whose harbor-db image takes the dump: the one that runs. */
  release: Release;
  reason: BackupReason;
  scripts: ScriptSet;
  /** For BeforeUpgrade. */
  upgrade?: { from: string; to: string };
  /** For OnDemand: the annotation's value. */
  token?: string;
}

/** metadata and spec of a backup Job (also the CronJob's jobTemplate). */
function backupJobTemplate(i: BackupJobInput): { metadata: KubeObject['metadata']; spec: Record<string, unknown> } {
  const { cr, release } = i;
  const claim = backupClaimName(cr);
  const l = labels(cr, BACKUP_COMPONENT, release.version);
  const container = {
    name: 'backup',
    image: dbImage(cr, release),
    command: ['/bin/bash', '-c', i.scripts.backup, 'harbor-backup'],
    env: [
      ...databaseEnv(cr),
      { name: 'PG_MAJOR', value: String(release.database.postgresMajor) },
      { name: 'BACKUP_DIR', value: BACKUP_DIR },
      { name: 'BACKUP_PREFIX', value: cr.metadata.name },
      { name: 'BACKUP_RELEASE', value: release.version },
      { name: 'BACKUP_KEEP', value: String(cr.spec.backup?.keep ?? D['spec.backup.keep']) },
      { name: 'PGCONNECT_TIMEOUT', value: '10' },
      { name: 'HOME', value: '/tmp' },
    ],
    volumeMounts: [
      { name: 'backups', mountPath: BACKUP_DIR },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  return {
    metadata: {
      name: '',
      labels: l,
      annotations: {
        [REASON_ANNOTATION]: i.reason,
        [RELEASE_ANNOTATION]: release.version,
        [DESTINATION_ANNOTATION]: `pvc/${claim}`,
        ...(i.upgrade ? { [UPGRADE_ANNOTATION]: `${i.upgrade.from}->${i.upgrade.to}` } : {}),
      },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: { labels: l },
        spec: podSpec(cr, container, [{ name: 'backups', persistentVolumeClaim: { claimName: claim } }]),
      },
    },
  };
}

/** A one-off backup Job: on demand (needs token) or before an upgrade (needs upgrade). */
export function backupJob(i: BackupJobInput): KubeObject {
  let name: string;
  if (i.reason === 'BeforeUpgrade' && i.upgrade) name = upgradeJobName(i.cr, i.upgrade.from, i.upgrade.to);
  else if (i.reason === 'OnDemand' && i.token !== undefined) name = onDemandJobName(i.cr, i.token);
  else throw new Error(`a ${i.reason} backup Job needs ${i.reason === 'BeforeUpgrade' ? 'from and to' : 'a token'}`);
  const t = backupJobTemplate(i);
  return finish(i.cr, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...t.metadata, name, namespace: i.cr.metadata.namespace ?? '' },
    spec: t.spec,
  });
}

/** The CronJob of scheduled backups, when spec.backup.schedule is set. */
export function backupCronJob(cr: Cr, release: Release, scripts: ScriptSet): KubeObject | undefined {
  const schedule = cr.spec.backup?.schedule;
  if (!schedule) return undefined;
  const t = backupJobTemplate({ cr, release, reason: 'Scheduled', scripts });
  const { name: _unnamed, ...jobMeta } = t.metadata;
  return finish(cr, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: cronJobName(cr), namespace: cr.metadata.namespace ?? '', labels: labels(cr, BACKUP_COMPONENT, release.version) },
    spec: {
      schedule,
      ...(cr.spec.backup?.timeZone ? { timeZone: cr.spec.backup.timeZone } : {}),
      // One backup at a time; a run missed by more than 10 minutes is skipped.
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      // The Jobs' own TTL removes them; status keeps the records.
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: jobMeta, spec: t.spec },
    },
  });
}

/** The claim <name>-backups, unless the user names a claim of their own. */
/**
 * What spec.backup adds to the rendered objects: the claim the dumps go to
 * (unless the user names one) and, with a schedule, the CronJob, its Jobs
 * with the database image of `release` (when known).
 */
export function backupObjects(cr: Cr, release: Release | undefined, scripts: ScriptSet): KubeObject[] {
  if (!cr.spec.backup) return [];
  const claim = backupClaim(cr);
  const cron = release ? backupCronJob(cr, release, scripts) : undefined;
  return [...(claim ? [claim] : []), ...(cron ? [cron] : [])];
}

export function backupClaim(cr: Cr): KubeObject | undefined {
  const pvc = cr.spec.backup?.persistentVolumeClaim;
  if (pvc?.claimName) return undefined;
  const storageClass = pvc?.storageClassName ?? cr.spec.persistence?.storageClassName;
  return finish(cr, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: backupClaimName(cr),
      namespace: cr.metadata.namespace ?? '',
      labels: {
        'app.kubernetes.io/name': 'harbor',
        'app.kubernetes.io/instance': cr.metadata.name,
        'app.kubernetes.io/component': BACKUP_COMPONENT,
        [clusterLabel]: cr.metadata.name,
      },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: pvc?.size ?? DEFAULT_CLAIM_SIZE } },
      ...(storageClass ? { storageClassName: storageClass } : {}),
    },
  });
}

/** The restore Job of spec.database.restoreFrom, run with the target release's harbor-db image. */
export function restoreJob(cr: Cr, release: Release, scripts: ScriptSet): KubeObject | undefined {
  const from = cr.spec.database?.restoreFrom?.persistentVolumeClaim;
  if (!from) return undefined;
  const l = labels(cr, RESTORE_COMPONENT, release.version);
  const container = {
    name: 'restore',
    image: dbImage(cr, release),
    command: ['/bin/bash', '-c', scripts.restore, 'harbor-restore'],
    env: [
      ...databaseEnv(cr),
      { name: 'PG_MAJOR', value: String(release.database.postgresMajor) },
      { name: 'RESTORE_FILE', value: `${RESTORE_DIR}/${from.fileName}` },
      { name: 'WAIT_SECONDS', value: '900' },
      { name: 'PGCONNECT_TIMEOUT', value: '10' },
      { name: 'HOME', value: '/tmp' },
    ],
    volumeMounts: [
      { name: 'dump', mountPath: RESTORE_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  return finish(cr, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: restoreJobName(cr),
      namespace: cr.metadata.namespace ?? '',
      labels: l,
      annotations: { [DESTINATION_ANNOTATION]: restoreSource(cr) ?? '' },
    },
    spec: {
      // pg_restore runs in one transaction and restore.sh refuses a database
      // that holds data, so a retry after a failure is safe.
      backoffLimit: 2,
      activeDeadlineSeconds: RESTORE_DEADLINE_SECONDS,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: { labels: l },
        spec: podSpec(cr, container, [{ name: 'dump', persistentVolumeClaim: { claimName: from.claimName, readOnly: true } }]),
      },
    },
  });
}

/** "pvc/<claim>/<file>" of spec.database.restoreFrom. */
export function restoreSource(cr: Cr): string | undefined {
  const from = cr.spec.database?.restoreFrom?.persistentVolumeClaim;
  return from ? `pvc/${from.claimName}/${from.fileName}` : undefined;
}

/** The release a dump was taken with, from its file name (<cluster>-<time>-<release>.dump). */
export function releaseOfDump(fileName: string): string | undefined {
  return /-\d{8}T\d{6}Z-(\d+\.\d+\.\d+)\.dump$/.exec(fileName)?.[1];
}
