// The backup and restore objects (src/backup/jobs.ts) and the records status
// keeps of them (src/backup/records.ts), from tables of cases.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { releaseOf, type Release } from '../../src/api/releases.ts';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import {
  backupBeforeUpgrade,
  backupClaim,
  backupCronJob,
  backupJob,
  databaseEnv,
  onDemandJobName,
  releaseOfDump,
  restoreJob,
  upgradeJobName,
} from '../../src/backup/jobs.ts';
import { holdForRestore, jobState, mergeRecords, parseTermination, recordIsOf, recordOf, restorePending, restoreRecordOf, type BackupRecord } from '../../src/backup/records.ts';
import { BACKUP_SCRIPT, RESTORE_SCRIPT } from '../../src/backup/scripts.ts';
import { provisionNames } from '../../src/provision/names.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { unsafeObjects } from '../../src/controller/render-guard.ts';

type Cr = HarborCluster & { metadata: KubeObject['metadata'] };
const scripts = { backup: BACKUP_SCRIPT, restore: RESTORE_SCRIPT };
const r2144 = releaseOf('2.14.4') as Release;
const r2152 = releaseOf('2.15.2') as Release;

function cr(spec: Partial<HarborCluster['spec']> = {}, name = 'h', uid = 'uid-1'): Cr {
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name, namespace: 'team-a', uid },
    spec: { externalURL: 'https://h.example.com', ...spec },
  };
}

interface PodSpecShape {
  automountServiceAccountToken: boolean;
  restartPolicy: string;
  securityContext: Record<string, unknown>;
  imagePullSecrets?: { name: string }[];
  containers: { image: string; command: string[]; env: { name: string; value?: string; valueFrom?: unknown }[]; securityContext: Record<string, unknown>; volumeMounts: { mountPath: string; readOnly?: boolean }[] }[];
  volumes: { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } }[];
}
const podOf = (job: KubeObject): PodSpecShape => (job['spec'] as { template: { spec: PodSpecShape } }).template.spec;
const envOf = (job: KubeObject): Record<string, string | undefined> => Object.fromEntries(podOf(job).containers[0]?.env.map((e) => [e.name, e.value ?? JSON.stringify(e.valueFrom)]) ?? []);

describe('backup objects', () => {
  test('a backup Job: the running release\'s harbor-db image, the script, the claim, restricted, owned', () => {
    const c = cr({ imageRegistry: 'mirror.example.com', imagePullSecrets: [{ name: 'pull' }] });
    const job = backupJob({ cr: c, release: r2144, reason: 'BeforeUpgrade', upgrade: { from: '2.14.4', to: '2.15.2' }, scripts });
    assert.equal(job.metadata.name, upgradeJobName(c, '2.14.4', '2.15.2'));
    assert.ok(job.metadata.name.length <= 63);
    assert.deepEqual(job.metadata.ownerReferences?.map((o) => [o.kind, o.uid, o.controller]), [['HarborCluster', 'uid-1', true]]);
    assert.equal(job.metadata.labels?.['harbor-operator.dev/cluster'], 'h');
    assert.equal(job.metadata.annotations?.['harbor-operator.dev/backup-upgrade'], '2.14.4->2.15.2');
    const spec = job['spec'] as Record<string, unknown>;
    assert.equal(spec['backoffLimit'], 0);
    assert.equal(spec['activeDeadlineSeconds'], 3600);
    assert.equal(spec['ttlSecondsAfterFinished'], 3600);
    const pod = podOf(job);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.restartPolicy, 'Never');
    assert.deepEqual(pod.securityContext['runAsUser'], 999);
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'pull' }]);
    const ctr = pod.containers[0];
    assert.ok(ctr);
    assert.equal(ctr.image, 'mirror.example.com/goharbor/harbor-db:v2.14.4');
    assert.deepEqual(ctr.command.slice(0, 2), ['/bin/bash', '-c']);
    assert.equal(ctr.command[2], BACKUP_SCRIPT);
    assert.deepEqual(ctr.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    assert.deepEqual(pod.volumes.find((v) => v.name === 'backups')?.persistentVolumeClaim, { claimName: 'h-backups' });
    const env = envOf(job);
    assert.equal(env['PG_MAJOR'], '15');
    assert.equal(env['BACKUP_PREFIX'], 'h');
    assert.equal(env['BACKUP_RELEASE'], '2.14.4');
    assert.equal(env['BACKUP_KEEP'], '7');
    assert.equal(env['PGPASSWORD'], JSON.stringify({ secretKeyRef: { name: 'h-database', key: 'POSTGRES_PASSWORD' } }));
    // Every object passes the render guard.
    assert.deepEqual(unsafeObjects([job], { name: 'h', namespace: 'team-a' }), []);
  });

  test('Job names: stable per upgrade and token, different otherwise, within 63 characters for the longest cluster name', () => {
    const long = cr({}, 'a'.repeat(40));
    const names = [
      upgradeJobName(long, '2.14.4', '2.15.2'),
      upgradeJobName(long, '2.14.4', '2.15.1'),
      upgradeJobName(cr({}, 'a'.repeat(40), 'uid-2'), '2.14.4', '2.15.2'),
      onDemandJobName(long, 'a'),
      onDemandJobName(long, 'b'),
    ];
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.ok(n.length <= 63, n);
    assert.equal(upgradeJobName(long, '2.14.4', '2.15.2'), names[0]);
    assert.throws(() => backupJob({ cr: long, release: r2144, reason: 'OnDemand', scripts }), /needs a token/);
  });

  test('the database each backup reaches', () => {
    const cases: { spec: Partial<HarborCluster['spec']>; want: Record<string, string> }[] = [
      { spec: {}, want: { PGHOST: 'h-database', PGPORT: '5432', PGDATABASE: 'registry', PGUSER: 'postgres', PGSSLMODE: 'disable' } },
      {
        spec: { database: { type: 'External', external: { host: 'pg.example.com', username: 'harbor', passwordSecretRef: { name: 'pg' }, port: 6543, sslMode: 'require', database: 'harbor' } } },
        want: { PGHOST: 'pg.example.com', PGPORT: '6543', PGDATABASE: 'harbor', PGUSER: 'harbor', PGSSLMODE: 'require' },
      },
    ];
    for (const c of cases) {
      const env = Object.fromEntries(databaseEnv(cr(c.spec)).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
      assert.deepEqual(env, c.want);
    }
    const ext = databaseEnv(cr(cases[1]?.spec)).find((e) => e.name === 'PGPASSWORD');
    assert.deepEqual(ext?.valueFrom, { secretKeyRef: { name: 'pg', key: 'password' } });
    // Provisioned by the operator: its role and database (as the chart gets them), the generated password.
    const external = { host: 'pg.example.com', provision: { adminSecretRef: { name: 'admin' } } };
    const prov = databaseEnv(cr({ database: { type: 'External', external } as never }));
    const names = provisionNames('team-a', 'h', {});
    const env = Object.fromEntries(prov.map((e) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(env['PGUSER'], names.role);
    assert.equal(env['PGDATABASE'], names.database);
    assert.deepEqual(env['PGPASSWORD'], { secretKeyRef: { name: 'h-generated-secrets', key: 'databasePassword' } });
  });

  test('beforeUpgrade: the field wins; unset, in-cluster only', () => {
    const external = { type: 'External' as const, external: { host: 'x', username: 'u', passwordSecretRef: { name: 's' } } };
    const cases: [Partial<HarborCluster['spec']>, boolean][] = [
      [{}, true],
      [{ database: external }, false],
      [{ backup: { beforeUpgrade: false } }, false],
      [{ database: external, backup: { beforeUpgrade: true } }, true],
    ];
    for (const [spec, want] of cases) assert.equal(backupBeforeUpgrade(cr(spec)), want, JSON.stringify(spec));
  });

  test('the CronJob: only with a schedule, Forbid, the job template labelled for the cluster', () => {
    assert.equal(backupCronJob(cr({ backup: {} }), r2152, scripts), undefined);
    const cron = backupCronJob(cr({ backup: { schedule: '0 3 * * *', timeZone: 'Europe/Berlin', keep: 3 } }), r2152, scripts);
    assert.ok(cron);
    assert.equal(cron.metadata.name, 'h-backup');
    const spec = cron['spec'] as { schedule: string; timeZone: string; concurrencyPolicy: string; jobTemplate: { metadata: KubeObject['metadata']; spec: Record<string, unknown> } };
    assert.equal(spec.schedule, '0 3 * * *');
    assert.equal(spec.timeZone, 'Europe/Berlin');
    assert.equal(spec.concurrencyPolicy, 'Forbid');
    assert.equal(spec.jobTemplate.metadata.labels?.['harbor-operator.dev/cluster'], 'h');
    assert.equal(spec.jobTemplate.metadata.annotations?.['harbor-operator.dev/backup-reason'], 'Scheduled');
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: spec.jobTemplate.spec };
    assert.equal(envOf(job)['PG_MAJOR'], '18');
    assert.equal(envOf(job)['BACKUP_KEEP'], '3');
    assert.deepEqual(unsafeObjects([cron], { name: 'h', namespace: 'team-a' }), []);
  });

  test('the claim: made unless the user names one; kept on deletion unless deleteClaimsWithCluster', () => {
    assert.equal(backupClaim(cr({ backup: { persistentVolumeClaim: { claimName: 'mine' } } })), undefined);
    const kept = backupClaim(cr({ backup: { persistentVolumeClaim: { size: '20Gi' } }, persistence: { storageClassName: 'fast' } }));
    assert.ok(kept);
    assert.equal(kept.metadata.name, 'h-backups');
    assert.equal(kept.metadata.ownerReferences, undefined);
    assert.deepEqual(kept['spec'], { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'fast' });
    const owned = backupClaim(cr({ persistence: { deleteClaimsWithCluster: true } }));
    assert.equal(owned?.metadata.ownerReferences?.[0]?.uid, 'uid-1');
  });

  test('the restore Job: the target release\'s image, the dump read-only', () => {
    assert.equal(restoreJob(cr(), r2152, scripts), undefined);
    const c = cr({ database: { restoreFrom: { persistentVolumeClaim: { claimName: 'old-backups', fileName: 'old-20261201T030000Z-2.14.4.dump' } } } });
    const job = restoreJob(c, r2152, scripts);
    assert.ok(job);
    assert.equal(job.metadata.name, 'h-restore');
    const pod = podOf(job);
    const ctr = pod.containers[0];
    assert.ok(ctr);
    assert.equal(ctr.image, 'docker.io/goharbor/harbor-db:v2.15.2');
    assert.equal(ctr.command[2], RESTORE_SCRIPT);
    assert.deepEqual(pod.volumes.find((v) => v.name === 'dump')?.persistentVolumeClaim, { claimName: 'old-backups', readOnly: true });
    assert.equal(envOf(job)['RESTORE_FILE'], '/restore/old-20261201T030000Z-2.14.4.dump');
    assert.equal(releaseOfDump('old-20261201T030000Z-2.14.4.dump'), '2.14.4');
    assert.equal(releaseOfDump('whatever.dump'), undefined);
  });
});

function job(status: Record<string, unknown> | undefined, annotations: Record<string, string> = {}, name = 'h-backup-n1'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      creationTimestamp: '2026-12-01T03:00:00Z',
      labels: { 'app.kubernetes.io/component': 'backup' },
      annotations: { 'harbor-operator.dev/backup-reason': 'OnDemand', 'harbor-operator.dev/backup-release': '2.14.4', 'harbor-operator.dev/backup-destination': 'pvc/h-backups', ...annotations },
    },
    ...(status ? { status } : {}),
  };
}
const cond = (type: string, reason?: string, message?: string): Record<string, unknown> => ({ type, status: 'True', reason, message, lastTransitionTime: '2026-12-01T03:01:00Z' });

describe('backup records', () => {
  test('a Job\'s state from the conditions the Job controller sets', () => {
    const cases: [Record<string, unknown> | undefined, string][] = [
      [undefined, 'running'],
      [{ active: 1 }, 'running'],
      [{ conditions: [cond('SuccessCriteriaMet')] }, 'succeeded'],
      [{ conditions: [cond('SuccessCriteriaMet'), cond('Complete')], completionTime: '2026-12-01T03:02:00Z' }, 'succeeded'],
      [{ conditions: [cond('FailureTarget', 'BackoffLimitExceeded')] }, 'failed'],
      [{ conditions: [cond('FailureTarget', 'DeadlineExceeded'), cond('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')] }, 'failed'],
      [{ conditions: [{ type: 'Complete', status: 'False' }] }, 'running'],
    ];
    for (const [status, want] of cases) assert.equal(jobState(job(status)).state, want, JSON.stringify(status));
  });

  test('termination messages', () => {
    assert.deepEqual(parseTermination('file=h-20261201T030000Z-2.14.4.dump size=1234 release=2.14.4 removed=0\n'), {
      file: 'h-20261201T030000Z-2.14.4.dump',
      size: '1234',
      release: '2.14.4',
      removed: '0',
    });
    assert.deepEqual(parseTermination('error=cannot connect to database registry at h-database:5432 as postgres'), {
      error: 'cannot connect to database registry at h-database:5432 as postgres',
    });
    assert.deepEqual(parseTermination(undefined), {});
  });

  test('records: running, succeeded with size and file, failed with the reason', () => {
    const running = recordOf(job({ startTime: '2026-12-01T03:00:01Z', active: 1 }));
    assert.deepEqual(running, { job: 'h-backup-n1', reason: 'OnDemand', result: 'Running', release: '2.14.4', destination: 'pvc/h-backups', startTime: '2026-12-01T03:00:01Z' });
    const ok = recordOf(job({ conditions: [cond('Complete')], completionTime: '2026-12-01T03:02:00Z' }), {
      exitCode: 0,
      message: 'file=h-20261201T030000Z-2.14.4.dump size=52311 release=2.14.4 removed=1',
    });
    assert.equal(ok.result, 'Succeeded');
    assert.equal(ok.sizeBytes, 52311);
    assert.equal(ok.file, 'h-20261201T030000Z-2.14.4.dump');
    assert.equal(ok.completionTime, '2026-12-01T03:02:00Z');
    assert.equal(ok.message, undefined);
    const noMessage = recordOf(job({ conditions: [cond('Complete')] }));
    assert.equal(noMessage.result, 'Succeeded');
    assert.match(noMessage.message ?? '', /did not name the dump/);
    const failed = recordOf(job({ conditions: [cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] }), {
      exitCode: 1,
      message: 'error=the server runs PostgreSQL 18, newer than this image\'s pg_dump (15)',
    });
    assert.equal(failed.result, 'Failed');
    assert.equal(failed.message, "the server runs PostgreSQL 18, newer than this image's pg_dump (15) (BackoffLimitExceeded: Job has reached the specified backoff limit)");
    const upgrade = recordOf(job(undefined, { 'harbor-operator.dev/backup-reason': 'BeforeUpgrade', 'harbor-operator.dev/backup-upgrade': '2.14.4->2.15.2' }));
    assert.equal(upgrade.reason, 'BeforeUpgrade');
    assert.equal(upgrade.upgrade, '2.14.4->2.15.2');
  });

  test('a record is of the Job of its name only while the uids agree (a Job made again is another backup)', () => {
    const withUid = (uid: string | undefined): KubeObject => {
      const j = job({ active: 1 });
      return { ...j, metadata: { ...j.metadata, ...(uid ? { uid } : {}) } };
    };
    const rec = recordOf(withUid('uid-a'));
    assert.equal(rec.jobUid, 'uid-a', 'the record keeps the uid');
    const { jobUid: _, ...legacy } = rec;
    const cases: [BackupRecord | undefined, KubeObject, boolean][] = [
      [rec, withUid('uid-a'), true],
      [rec, withUid('uid-b'), false],
      [legacy, withUid('uid-b'), true],
      [rec, withUid(undefined), true],
      [undefined, withUid('uid-a'), false],
    ];
    for (const [r, j, want] of cases) assert.equal(recordIsOf(r, j), want, `${r?.jobUid ?? 'none'} vs ${j.metadata.uid ?? 'none'}`);
  });

  test('status keeps the newest 10, a record replaced by its Job\'s name', () => {
    const rec = (i: number, result: BackupRecord['result'] = 'Succeeded'): BackupRecord => ({
      job: `j${String(i)}`,
      reason: 'Scheduled',
      result,
      startTime: `2026-12-01T03:${String(i).padStart(2, '0')}:00Z`,
    });
    const existing = Array.from({ length: 10 }, (_, i) => rec(i));
    const merged = mergeRecords(existing, [rec(10, 'Running'), rec(3, 'Failed')]);
    assert.equal(merged.length, 10);
    assert.deepEqual(merged.map((r) => r.job), ['j10', 'j9', 'j8', 'j7', 'j6', 'j5', 'j4', 'j3', 'j2', 'j1']);
    assert.equal(merged.find((r) => r.job === 'j3')?.result, 'Failed');
  });

  test('restore: pending until Succeeded; core, jobservice and the exporter held meanwhile', () => {
    assert.equal(restorePending(undefined, undefined), false);
    assert.equal(restorePending({}, undefined), true);
    assert.equal(restorePending({}, { phase: 'Running' }), true);
    assert.equal(restorePending({}, { phase: 'Failed' }), true);
    assert.equal(restorePending({}, { phase: 'Succeeded' }), false);
    const dep = (component: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `h-${component}`, labels: { 'app.kubernetes.io/component': component } },
      spec: { replicas: 2, template: {} },
    });
    const held = holdForRestore(['core', 'jobservice', 'exporter', 'portal', 'registry'].map(dep), 'app.kubernetes.io/component');
    assert.deepEqual(held.map((o) => [o.metadata.name, (o['spec'] as { replicas: number }).replicas]), [
      ['h-core', 0],
      ['h-jobservice', 0],
      ['h-exporter', 0],
      ['h-portal', 2],
      ['h-registry', 2],
    ]);
    const done = restoreRecordOf(job({ conditions: [cond('Complete')] }, {}, 'h-restore'), 'pvc/old/x.dump', { exitCode: 0, message: 'restored=x.dump size=10 tables=4' });
    assert.equal(done.phase, 'Succeeded');
    assert.equal(done.message, 'restored x.dump (10 bytes): 4 table(s)');
    const failed = restoreRecordOf(job({ conditions: [cond('Failed', 'BackoffLimitExceeded')] }, {}, 'h-restore'), 'pvc/old/x.dump', {
      exitCode: 1,
      message: 'error=database registry already holds data (3 table(s), 1 schema migration(s))',
    });
    assert.equal(failed.phase, 'Failed');
    assert.match(failed.message ?? '', /^database registry already holds data/);
  });
});
