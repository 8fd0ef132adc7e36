// Backups and restores on the local control plane: the operator's Jobs are
// real Jobs run by kube-controller-manager's Job controller; kwok keeps
// their pods Running (test/cluster/kwok-stages.yaml, operator-job-pod-held)
// until the test ends them as the kubelet would, with a termination message
// (test/harness/job-pods.ts). Cases: an on-demand backup recorded with its size,
// a failed one reported, a scheduled one (the CronJob and a Job made from
// it), the backup gate of upgrades and its states (across an operator
// restart), and a restore that holds core and jobservice until its Job
// succeeded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onDemandJobName, upgradeJobName } from '../../src/backup/jobs.ts';
import type { BackupGateState } from '../../src/controller/backup-gate.ts';
import { collectionPath } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/model/object.ts';
import type { HarborClusterStatus } from '../../src/status/observe.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, get, getCluster, harborCluster, list, patchCluster, raw, waitForCondition } from '../harness/harbor.ts';
import { finishPod, runningPodOf } from '../harness/job-pods.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

type Cr = KubeObject & { status?: HarborClusterStatus };

async function eventsOf(ns: string, name: string): Promise<{ reason: string; message: string; type: string }[]> {
  const res = await raw().request<{ items: { reason: string; message: string; type: string; involvedObject: { name: string; kind: string } }[] }>(
    'GET',
    `/api/v1/namespaces/${ns}/events`,
  );
  return res.items.filter((e) => e.involvedObject.kind === 'HarborCluster' && e.involvedObject.name === name);
}

async function waitForBackup(ns: string, name: string, job: string, result: string): Promise<NonNullable<HarborClusterStatus['backups']>[number]> {
  return waitUntil(`${ns}/${name} status.backups ${job} ${result}`, async () => {
    const o = await getCluster(ns, name);
    return o.status?.backups?.find((b) => b.job === job && b.result === result);
  });
}

/** Ends the Job's running pod (waits for it) with this exit code and termination message. */
const finishJobPod = async (ns: string, job: string, exitCode: number, message: string): Promise<void> =>
  finishPod(ns, await runningPodOf(ns, job), exitCode, message);

const replicasOf = async (ns: string, name: string): Promise<number | undefined> =>
  ((await get(ns, 'Deployment', name))?.['spec'] as { replicas?: number } | undefined)?.replicas;

describe('backups', () => {
  test('on demand: a Job from the running release, recorded with its size; a failed one reported; a schedule makes a CronJob', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const name = 'bk';
    await createCluster(ns, harborCluster(name, { version: '2.14.4', backup: { keep: 3 } }));
    await waitForCondition(ns, name, 'Ready', 'True');
    const cr = await getCluster(ns, name);

    await patchCluster(ns, name, { metadata: { annotations: { 'harbor-operator.dev/backup-now': 'first' } } });
    const jobName = onDemandJobName(cr as never, 'first');
    const running = await waitForBackup(ns, name, jobName, 'Running');
    assert.equal(running.reason, 'OnDemand');
    assert.equal(running.release, '2.14.4');
    assert.equal(running.destination, `pvc/${name}-backups`);
    const job = await waitUntil('the Job', () => get(ns, 'Job', jobName));
    const pod = (job['spec'] as { template: { spec: { containers: { image: string; env: { name: string; value?: string }[] }[] } } }).template.spec;
    const ctr = pod.containers[0];
    assert.ok(ctr);
    assert.equal(ctr.image, 'docker.io/goharbor/harbor-db:v2.14.4');
    assert.equal(ctr.env.find((e) => e.name === 'BACKUP_KEEP')?.value, '3');
    assert.ok(await get(ns, 'PersistentVolumeClaim', `${name}-backups`), 'the claim the dumps go to');
    assert.equal((await getCluster(ns, name)).status?.backupNowServed, 'first');

    const file = `${name}-20261201T030000Z-2.14.4.dump`;
    await finishJobPod(ns, jobName, 0, `file=${file} size=48213 release=2.14.4 removed=0`);
    const done = await waitForBackup(ns, name, jobName, 'Succeeded');
    assert.equal(done.sizeBytes, 48213);
    assert.equal(done.file, file);
    assert.ok(done.completionTime);
    const events = await eventsOf(ns, name);
    assert.ok(events.some((e) => e.reason === 'BackupStarted' && e.message.includes(jobName)));
    assert.ok(events.some((e) => e.reason === 'BackupSucceeded' && e.message.includes(file) && e.message.includes('48213 bytes')));

    // A failure: the script's message and the Job controller's reason.
    await patchCluster(ns, name, { metadata: { annotations: { 'harbor-operator.dev/backup-now': 'second' } } });
    const second = onDemandJobName(cr as never, 'second');
    await waitForBackup(ns, name, second, 'Running');
    await finishJobPod(ns, second, 1, 'error=cannot connect to database registry at bk-database:5432 as postgres');
    const failed = await waitForBackup(ns, name, second, 'Failed');
    assert.match(failed.message ?? '', /^cannot connect to database registry at bk-database:5432 as postgres \(BackoffLimitExceeded/);
    await waitUntil('a BackupFailed warning', async () =>
      (await eventsOf(ns, name)).find((e) => e.reason === 'BackupFailed' && e.type === 'Warning' && e.message.includes('cannot connect')),
    );
    const status = (await getCluster(ns, name)).status;
    assert.deepEqual(status?.backups?.map((b) => [b.job, b.result]), [
      [second, 'Failed'],
      [jobName, 'Succeeded'],
    ]);
    // Harbor itself is not degraded by a failed backup.
    assert.equal(status.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');

    // A schedule: the CronJob; a Job made from it (as `kubectl create job --from=cronjob/…` does) is recorded as Scheduled.
    await patchCluster(ns, name, { spec: { backup: { keep: 3, schedule: '0 3 * * *' } } });
    const cron = await waitUntil('the CronJob', () => get(ns, 'CronJob', `${name}-backup`));
    const cspec = cron['spec'] as { schedule: string; concurrencyPolicy: string; jobTemplate: { metadata: KubeObject['metadata']; spec: unknown } };
    assert.equal(cspec.schedule, '0 3 * * *');
    assert.equal(cspec.concurrencyPolicy, 'Forbid');
    assert.equal(cspec.jobTemplate.metadata.labels?.['harbor-operator.dev/cluster'], name);
    // The reconciles since (the schedule's among them) saw the served token again and started nothing.
    assert.equal((await list(ns, 'Job')).length, 2);
    const scheduled = `${name}-backup-manual`;
    await raw().request('POST', collectionPath({ apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true }, ns), {
      body: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: scheduled,
          labels: cspec.jobTemplate.metadata.labels,
          annotations: { ...cspec.jobTemplate.metadata.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: `${name}-backup`, uid: cron.metadata.uid, controller: true }],
        },
        spec: cspec.jobTemplate.spec,
      },
    });
    const rec = await waitForBackup(ns, name, scheduled, 'Running');
    assert.equal(rec.reason, 'Scheduled');
    await finishJobPod(ns, scheduled, 0, `file=${name}-20261201T040000Z-2.14.4.dump size=50001 release=2.14.4 removed=0`);
    assert.equal((await waitForBackup(ns, name, scheduled, 'Succeeded')).sizeBytes, 50001);
    // Removing the schedule removes the CronJob.
    await patchCluster(ns, name, { spec: { backup: { keep: 3, schedule: null } } });
    await waitUntil('the CronJob gone', async () => !(await get(ns, 'CronJob', `${name}-backup`)));
  });

  test('the backup gate of upgrades: running, succeeded, failed, not-needed, and the same answer after a restart', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    let op = await startOperator(t, ns);
    const name = 'gate';
    await createCluster(ns, harborCluster(name, { version: '2.14.4' }));
    await waitForCondition(ns, name, 'Ready', 'True');
    const live = async (): Promise<Cr> => {
      return waitUntil('the cached HarborCluster', () => Promise.resolve(op.manager.cache.getCluster(ns, name)));
    };
    const gate = (from: string, to: string): Promise<BackupGateState> => live().then((cr) => op.manager.reconciler.backupGate.forUpgrade(cr, from, to));

    const first = await gate('2.14.4', '2.15.2');
    const jobName = upgradeJobName((await live()) as never, '2.14.4', '2.15.2');
    assert.deepEqual(first, { state: 'running', job: jobName });
    // Idempotent: asked again (before and after the cache has the Job), still the one Job.
    assert.deepEqual(await gate('2.14.4', '2.15.2'), { state: 'running', job: jobName });
    await waitUntil('the Job in the cache', () => Promise.resolve(op.manager.cache.getChild('batch/v1', 'Job', ns, jobName)));
    assert.deepEqual(await gate('2.14.4', '2.15.2'), { state: 'running', job: jobName });
    assert.equal((await list(ns, 'Job')).length, 1);
    const job = await get(ns, 'Job', jobName);
    assert.ok(job);
    assert.equal(job.metadata.annotations?.['harbor-operator.dev/backup-upgrade'], '2.14.4->2.15.2');
    assert.match(JSON.stringify(job['spec']), /harbor-db:v2\.14\.4/, 'the dump is taken with the release that runs (from)');

    await finishJobPod(ns, jobName, 0, `file=${name}-20261201T030000Z-2.14.4.dump size=777 release=2.14.4 removed=0`);
    const ok = await waitUntil('the gate succeeded', async () => {
      const s = await gate('2.14.4', '2.15.2');
      return s.state === 'succeeded' ? s : undefined;
    });
    assert.equal(ok.backup.sizeBytes, 777);
    assert.equal(ok.backup.reason, 'BeforeUpgrade');
    assert.equal(ok.backup.upgrade, '2.14.4->2.15.2');

    // Another upgrade whose backup fails.
    const other = upgradeJobName((await live()) as never, '2.14.4', '2.15.1');
    assert.deepEqual(await gate('2.14.4', '2.15.1'), { state: 'running', job: other });
    await finishJobPod(ns, other, 1, 'error=pg_dump of registry failed (exit 1)');
    const bad = await waitUntil('the gate failed', async () => {
      const s = await gate('2.14.4', '2.15.1');
      return s.state === 'failed' ? s : undefined;
    });
    assert.match(bad.message, new RegExp(`^Job ${other} failed \\(pg_dump of registry failed \\(exit 1\\) \\(BackoffLimitExceeded.*delete job ${other}\\)`));

    // A new operator process finds both answers again (status and the Jobs), creating nothing.
    await op.stop();
    op = await startOperator(t, ns);
    assert.equal((await gate('2.14.4', '2.15.2')).state, 'succeeded');
    assert.equal((await gate('2.14.4', '2.15.1')).state, 'failed');
    assert.equal((await list(ns, 'Job')).length, 2);
    // Once the failed Job is gone (its TTL, or deleted by hand), the backup is taken again.
    await raw().request('DELETE', `${collectionPath({ apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true }, ns)}/${other}`, {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
    });
    await waitUntil('the failed Job gone from the cache', () => Promise.resolve(!op.manager.cache.getChild('batch/v1', 'Job', ns, other)));
    assert.deepEqual(await gate('2.14.4', '2.15.1'), { state: 'running', job: other });
    await waitForBackup(ns, name, other, 'Running');

    // beforeUpgrade false: nothing to wait for.
    await patchCluster(ns, name, { spec: { backup: { beforeUpgrade: false } } });
    await waitUntil('spec in the cache', async () => ((await live())['spec'] as { backup?: unknown }).backup !== undefined);
    assert.deepEqual(await gate('2.14.4', '2.15.2'), { state: 'not-needed' });
  });
});

describe('restore', () => {
  test('a new HarborCluster restores the dump before core and jobservice start', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    // The claim of the dump (here: made by hand; kwok binds it).
    await raw().request('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
      body: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'old-backups' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    });
    const name = 'rs';
    const fileName = 'old-20261201T030000Z-2.14.4.dump';
    await createCluster(ns, harborCluster(name, { version: '2.15.2', database: { restoreFrom: { persistentVolumeClaim: { claimName: 'old-backups', fileName } } } }));

    // Core, jobservice and the exporter are created at 0 replicas; the restore Job runs.
    const job = await waitUntil('the restore Job', () => get(ns, 'Job', `${name}-restore`));
    assert.match(JSON.stringify(job['spec']), /harbor-db:v2\.15\.2/);
    for (const c of ['core', 'jobservice', 'exporter']) assert.equal(await replicasOf(ns, `${name}-${c}`), 0, c);
    assert.equal(await replicasOf(ns, `${name}-portal`), 1);
    const restoring = await waitForCondition(ns, name, 'Ready', 'False', 'Restoring');
    const restore = restoring.status?.restore;
    assert.equal(restore?.phase, 'Running');
    assert.equal(restore.source, `pvc/old-backups/${fileName}`);

    await finishJobPod(ns, `${name}-restore`, 0, `restored=${fileName} size=48213 tables=137`);
    const done = await waitUntil('restore Succeeded', async () => {
      const o = await getCluster(ns, name);
      return o.status?.restore?.phase === 'Succeeded' ? o : undefined;
    });
    assert.equal(done.status?.restore?.message, `restored ${fileName} (48213 bytes): 137 table(s)`);
    await waitUntil('core back to its replicas', async () => (await replicasOf(ns, `${name}-core`)) === 1);
    assert.equal(await replicasOf(ns, `${name}-jobservice`), 1);
    await waitForCondition(ns, name, 'Ready', 'True');
    const events = await eventsOf(ns, name);
    assert.ok(events.some((e) => e.reason === 'RestoreStarted'));
    assert.ok(events.some((e) => e.reason === 'RestoreSucceeded'));

    // restoreFrom cannot change, be removed or be added later.
    await assert.rejects(
      patchCluster(ns, name, { spec: { database: { restoreFrom: { persistentVolumeClaim: { claimName: 'old-backups', fileName: 'other-20261201T030000Z-2.14.4.dump' } } } } }),
      /spec\.database\.restoreFrom can only be set when the HarborCluster is created/,
    );
    await assert.rejects(patchCluster(ns, name, { spec: { database: { restoreFrom: null } } }), /spec\.database\.restoreFrom can only be set/);
  });

  test('a dump newer than spec.version is refused: Degraded, core stays off; restoreFrom cannot be added later', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const name = 'rn';
    await createCluster(
      ns,
      harborCluster(name, { version: '2.14.4', database: { restoreFrom: { persistentVolumeClaim: { claimName: 'x', fileName: 'old-20261201T030000Z-2.15.2.dump' } } } }),
    );
    const o = await waitForCondition(ns, name, 'Degraded', 'True', 'RestoreFailed');
    assert.match(o.status?.restore?.message ?? '', /taken with Harbor 2\.15\.2, newer than spec\.version 2\.14\.4/);
    assert.equal(o.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'RestoreFailed');
    await waitUntil('core created', () => get(ns, 'Deployment', `${name}-core`));
    assert.equal(await replicasOf(ns, `${name}-core`), 0);
    assert.equal(await get(ns, 'Job', `${name}-restore`), undefined);

    await createCluster(ns, harborCluster('plain', { version: '2.14.4' }));
    await assert.rejects(
      patchCluster(ns, 'plain', { spec: { database: { restoreFrom: { persistentVolumeClaim: { claimName: 'x', fileName: 'a.dump' } } } } }),
      /spec\.database\.restoreFrom can only be set when the HarborCluster is created/,
    );
  });
});
