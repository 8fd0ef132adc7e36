// Gated upgrades on the local control plane: a change of spec.version runs
// backup → database → core → rest, each step visible in status.upgrade; a
// failed backup changes nothing; an operator restarted mid-upgrade resumes at
// the recorded phase. The HarborCluster, its workloads and its Jobs are
// watched from before the change, and the order in which their changes
// arrived is compared. kwok holds the backup Job's pod Running until the test
// finishes it the way a kubelet would (test/harness/job-pods.ts).
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { collectionPath, harborClusterType } from '../../src/kube/resources.ts';
import type { HarborClusterStatus } from '../../src/status/observe.ts';
import type { UpgradeStatus } from '../../src/status/upgrade-plan.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, getCluster, harborCluster, list, patchCluster, raw, waitForCondition } from '../harness/harbor.ts';
import { finishPod, getJob, listJobs, runningPodOf, upgradeBackupJob, waitForJobCondition } from '../harness/job-pods.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';
import { record, type Recording } from '../harness/watch.ts';

/** The backup Job of the upgrade 2.14.4 → 2.15.2 (its name comes from the HarborCluster's uid). */
const backupJobOf = (ns: string): Promise<string> => upgradeBackupJob(ns, 'up', '2.14.4', '2.15.2');
/** What backup.sh writes as its termination message for a dump. */
const DUMP = 'up-20261201T030000Z-2.14.4.dump';
const DUMPED = `file=${DUMP} size=4096 release=2.14.4 removed=0`;

interface Template {
  spec: { template: { spec: { containers: { image: string }[]; initContainers?: { image: string }[] } } };
}

/** The release every container of a workload's pod template runs ("2.14.4"), or "mixed". */
function releaseOf(o: KubeObject): string {
  const pod = (o as unknown as Template).spec.template.spec;
  const tags = new Set([...pod.containers, ...(pod.initContainers ?? [])].map((c) => /:v(\d+\.\d+\.\d+)$/.exec(c.image)?.[1] ?? '?'));
  return tags.size === 1 ? [...tags][0] ?? '?' : 'mixed';
}

async function workloads(ns: string): Promise<KubeObject[]> {
  return [...(await list(ns, 'Deployment')), ...(await list(ns, 'StatefulSet'))];
}

interface Watches {
  cluster: Recording;
  deployments: Recording;
  statefulSets: Recording;
  jobs: Recording;
}

async function watchAll(t: TestContext, ns: string): Promise<Watches> {
  return {
    cluster: await record(t, collectionPath(harborClusterType, ns)),
    deployments: await record(t, `/apis/apps/v1/namespaces/${ns}/deployments`),
    statefulSets: await record(t, `/apis/apps/v1/namespaces/${ns}/statefulsets`),
    jobs: await record(t, `/apis/batch/v1/namespaces/${ns}/jobs`),
  };
}

/** When each workload's pod template first ran `release`, by workload name (arrival time of that watch event). */
function firstAt(w: Watches, release: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of [...w.deployments.seen, ...w.statefulSets.seen].sort((a, b) => a.at - b.at)) {
    if (s.type === 'DELETED' || out.has(s.object.metadata.name)) continue;
    if (releaseOf(s.object) === release) out.set(s.object.metadata.name, s.at);
  }
  return out;
}

/** The phases status.upgrade went through as watched, each once, in order, with the arrival time of the first. */
function phasesSeen(w: Watches): { phase: string; at: number; upgrade: UpgradeStatus }[] {
  const out: { phase: string; at: number; upgrade: UpgradeStatus }[] = [];
  for (const s of w.cluster.seen) {
    const u = (s.object['status'] as HarborClusterStatus | undefined)?.upgrade;
    if (u && out.at(-1)?.phase !== u.phase) out.push({ phase: u.phase, at: s.at, upgrade: u });
  }
  return out;
}

async function eventReasons(ns: string, name: string): Promise<string[]> {
  const res = await raw().request<{ items: { reason: string; involvedObject: { name: string; kind: string } }[] }>('GET', `/api/v1/namespaces/${ns}/events`);
  return res.items.filter((e) => e.involvedObject.kind === 'HarborCluster' && e.involvedObject.name === name).map((e) => e.reason);
}

async function installed(t: TestContext): Promise<{ ns: string; before: KubeObject[] }> {
  await ensureCrd();
  const ns = await testNamespace(t);
  await startOperator(t, ns);
  await createCluster(ns, harborCluster('up', { version: '2.14.4' }));
  const ready = await waitForCondition(ns, 'up', 'Ready', 'True');
  assert.equal(ready.status?.version, '2.14.4');
  assert.equal(ready.status.upgrade, undefined, 'a first install is no upgrade');
  const before = await workloads(ns);
  assert.ok(before.length >= 8, `${before.length} workloads`);
  for (const o of before) assert.equal(releaseOf(o), '2.14.4', o.metadata.name);
  return { ns, before };
}

async function upgradeOf(ns: string): Promise<UpgradeStatus | undefined> {
  return (await getCluster(ns, 'up')).status?.upgrade;
}

describe('gated upgrades', () => {
  test('a 2.14.4 → 2.15.2 upgrade runs backup → database → core → rest, visible step by step in status', async (t) => {
    const { ns } = await installed(t);
    const w = await watchAll(t, ns);
    const t0 = Date.now();
    await patchCluster(ns, 'up', { spec: { version: '2.15.2' } });
    const JOB = await backupJobOf(ns);

    // The backup runs; nothing else has changed, and status says so.
    const pod = await runningPodOf(ns, JOB);
    const backingUp = await waitUntil('status.upgrade BackingUp naming the Job', async () => {
      const u = await upgradeOf(ns);
      return u?.phase === 'BackingUp' && u.message.includes(JOB) ? u : undefined;
    });
    assert.deepEqual([backingUp.from, backingUp.to], ['2.14.4', '2.15.2']);
    const progressing = (await getCluster(ns, 'up')).status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.reason, 'Upgrading');
    assert.match(progressing.message, /phase BackingUp/);
    for (const o of await workloads(ns)) assert.equal(releaseOf(o), '2.14.4', `${o.metadata.name} while the backup runs`);
    const job = await getJob(ns, JOB);
    assert.match(job?.spec.template.spec.containers[0]?.image ?? '', /\/harbor-db:v2\.14\.4$/, 'pg_dump of the release that runs');
    const backupStartedAt = Date.now();
    await finishPod(ns, pod, 0, DUMPED);
    await waitForJobCondition(ns, JOB, 'Complete');

    const done = await waitUntil(
      'status.upgrade Done and status.version 2.15.2',
      async () => {
        const o = await getCluster(ns, 'up');
        return o.status?.upgrade?.phase === 'Done' && o.status.version === '2.15.2' ? o : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const tDone = Date.now();
    for (const o of await workloads(ns)) assert.equal(releaseOf(o), '2.15.2', `${o.metadata.name} after the upgrade`);

    // The order, as the watches delivered it.
    const complete = w.jobs.seen.find((s) => (s.object['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'));
    assert.ok(complete, 'the Job seen Complete');
    const changed = firstAt(w, '2.15.2');
    const db = changed.get('up-database');
    const core = changed.get('up-core');
    assert.ok(db !== undefined && core !== undefined, `changed: ${[...changed.keys()].join(', ')}`);
    const rest = [...changed.entries()].filter(([n]) => n !== 'up-database' && n !== 'up-core');
    assert.ok(rest.length >= 6, `the rest changed: ${rest.map(([n]) => n).join(', ')}`);
    assert.ok(complete.at < db, `the backup succeeded (${complete.at - t0} ms) before the database's template changed (${db - t0} ms)`);
    assert.ok(db < core, `the database (${db - t0} ms) before core (${core - t0} ms)`);
    for (const [n, at] of rest) assert.ok(core < at, `core (${core - t0} ms) before ${n} (${at - t0} ms)`);
    // No template changed before the backup had succeeded: every workload event before it still ran 2.14.4.
    for (const s of [...w.deployments.seen, ...w.statefulSets.seen].filter((x) => x.at < complete.at)) {
      assert.equal(releaseOf(s.object), '2.14.4', `${s.object.metadata.name} before the backup succeeded`);
    }

    const phases = phasesSeen(w);
    assert.deepEqual(phases.map((p) => p.phase), ['BackingUp', 'UpgradingDatabase', 'UpgradingCore', 'Rolling', 'Done']);
    const at = (phase: string): number => phases.find((p) => p.phase === phase)?.at ?? NaN;
    assert.ok(at('UpgradingDatabase') <= db && at('UpgradingCore') <= core, 'each phase is in status before its templates change');
    // While core is upgraded, status.version still says what the cluster as a whole ran.
    const coreSeen = w.cluster.seen.find((s) => (s.object['status'] as HarborClusterStatus | undefined)?.upgrade?.phase === 'UpgradingCore');
    assert.equal((coreSeen?.object['status'] as HarborClusterStatus | undefined)?.version, '2.14.4');

    const u = done.status?.upgrade;
    assert.ok(u);
    assert.deepEqual(u.phases.map((p) => p.name), ['BackingUp', 'UpgradingDatabase', 'UpgradingCore', 'Rolling', 'Done']);
    for (const p of u.phases) assert.ok(p.startedAt && p.finishedAt, `${p.name} has its times`);
    // The backup's record in status.backups, copied: where the dump is.
    assert.equal(u.backup?.['release'], '2.14.4');
    assert.equal(u.backup['reason'], 'BeforeUpgrade');
    assert.equal(u.backup['destination'], 'pvc/up-backups');
    assert.equal(u.backup['file'], DUMP);
    assert.equal(u.backup['sizeBytes'], 4096);
    assert.deepEqual(
      done.status?.backups?.map((b) => [b.job, b.reason, b.result, b.upgrade]),
      [[JOB, 'BeforeUpgrade', 'Succeeded', '2.14.4->2.15.2']],
    );
    await waitForCondition(ns, 'up', 'DatabaseUpgrade', 'False', 'UpgradedToPostgreSQL18');
    const reasons = await waitUntil('an event per phase', async () => {
      const r = await eventReasons(ns, 'up');
      return ['UpgradeBackingUp', 'UpgradingDatabase', 'UpgradingCore', 'UpgradeRolling', 'Upgraded'].every((x) => r.includes(x)) ? r : undefined;
    });
    assert.ok(!reasons.includes('UpgradeBackupFailed'));
    t.diagnostic(
      `2.14.4 → 2.15.2: backup Job pod held ${backupStartedAt - t0} ms after the change; after the backup: ` +
        `database template +${db - complete.at} ms, core +${core - complete.at} ms, the last of the rest +${Math.max(...rest.map(([, a]) => a)) - complete.at} ms, ` +
        `Done +${tDone - complete.at} ms; phases seen: ${phases.map((p) => `${p.phase}@${p.at - t0}ms`).join(' ')}`,
    );
  });

  test('a failing backup leaves the cluster on 2.14.4 with Degraded saying why; a new backup Job retries it', async (t) => {
    const { ns, before } = await installed(t);
    await patchCluster(ns, 'up', { spec: { version: '2.15.2' } });
    const JOB = await backupJobOf(ns);
    await finishPod(ns, await runningPodOf(ns, JOB), 1, 'error=pg_dump of registry failed (exit 1)');
    await waitForJobCondition(ns, JOB, 'Failed');
    const failed = await waitForCondition(ns, 'up', 'Degraded', 'True', 'UpgradeBackupFailed');
    const u = failed.status?.upgrade;
    assert.equal(u?.phase, 'Failed');
    assert.equal(u.reason, 'UpgradeBackupFailed');
    assert.match(u.message, new RegExp(`Job ${JOB} failed .*delete job ${JOB}.* every component still runs 2\\.14\\.4`));
    assert.match(u.message, /pg_dump of registry failed \(exit 1\)/, "the script's own error");
    const degraded = failed.status?.conditions?.find((c) => c.type === 'Degraded');
    assert.match(degraded?.message ?? '', /phase Failed: the backup before the upgrade from 2\.14\.4 to 2\.15\.2 failed/);
    assert.equal(failed.status?.conditions?.find((c) => c.type === 'Progressing')?.status, 'False');
    assert.equal(failed.status.version, '2.14.4');
    assert.equal(failed.status.conditions.find((c) => c.type === 'DatabaseUpgrade'), undefined, 'no database upgrade announced');
    // Nothing was changed: same workloads, same generations, every image v2.14.4.
    const after = await workloads(ns);
    assert.deepEqual(
      after.map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.generation ?? 0}`).sort(),
      before.map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.generation ?? 0}`).sort(),
    );
    for (const o of after) assert.equal(releaseOf(o), '2.14.4', o.metadata.name);
    assert.ok((await eventReasons(ns, 'up')).includes('UpgradeBackupFailed'));
    t.diagnostic(`after the failed backup: ${after.length} workloads, every one at v2.14.4 and its generation before the change`);

    // The retry the message tells: delete the failed Job; the operator takes the backup again.
    const failedUid = (await getJob(ns, JOB))?.metadata.uid;
    await raw().request('DELETE', `/apis/batch/v1/namespaces/${ns}/jobs/${JOB}`, { body: { propagationPolicy: 'Background' } });
    // Any change of the HarborCluster makes the operator look at once (it looks again every 30 s anyway).
    await patchCluster(ns, 'up', { metadata: { annotations: { 'example.com/retry': '1' } } });
    const again = await waitUntil('a new backup Job', async () => {
      const j = await getJob(ns, JOB);
      return j && j.metadata.uid !== failedUid ? j : undefined;
    });
    await waitUntil('BackingUp again', async () => ((await upgradeOf(ns))?.phase === 'BackingUp' ? true : undefined));
    await finishPod(ns, await runningPodOf(ns, JOB), 0, DUMPED);
    await waitUntil('Done', async () => ((await upgradeOf(ns))?.phase === 'Done' ? true : undefined), { timeoutMs: 120_000 });
    await waitForCondition(ns, 'up', 'Degraded', 'False');
    assert.ok(again.metadata.uid);
  });

  test('an operator restarted mid-upgrade resumes at the recorded phase', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const first = await startOperator(t, ns);
    await createCluster(ns, harborCluster('up', { version: '2.14.4' }));
    await waitForCondition(ns, 'up', 'Ready', 'True');
    await patchCluster(ns, 'up', { spec: { version: '2.15.2' } });
    const JOB = await backupJobOf(ns);
    const pod = await runningPodOf(ns, JOB);
    const recorded = await waitUntil('BackingUp recorded', async () => {
      const u = await upgradeOf(ns);
      return u?.phase === 'BackingUp' ? u : undefined;
    });
    const jobUid = (await getJob(ns, JOB))?.metadata.uid;
    await first.stop();
    // While no operator runs, the backup finishes.
    await finishPod(ns, pod, 0, DUMPED);
    await waitForJobCondition(ns, JOB, 'Complete');
    for (const o of await workloads(ns)) assert.equal(releaseOf(o), '2.14.4', `${o.metadata.name} while no operator runs`);

    const w = await watchAll(t, ns);
    await startOperator(t, ns);
    await waitUntil('Done', async () => ((await upgradeOf(ns))?.phase === 'Done' ? true : undefined), { timeoutMs: 120_000 });
    // The watch starts after BackingUp was recorded: what the new operator
    // wrote goes on from there, without beginning the upgrade again. Its
    // first write is the backup's end in status.backups, with the phase still
    // the recorded BackingUp (the same upgrade: its start unchanged).
    const phases = phasesSeen(w);
    assert.deepEqual(phases.map((p) => p.phase), ['BackingUp', 'UpgradingDatabase', 'UpgradingCore', 'Rolling', 'Done'], 'resumed where it was, nothing skipped');
    assert.deepEqual(phases[0]?.upgrade, recorded, 'the BackingUp seen first is the one recorded before the restart, unchanged');
    const lastBackingUp = w.cluster.seen.findLast((s) => (s.object['status'] as HarborClusterStatus | undefined)?.upgrade?.phase === 'BackingUp');
    assert.deepEqual(
      (lastBackingUp?.object['status'] as HarborClusterStatus | undefined)?.backups?.map((b) => [b.job, b.result]),
      [[JOB, 'Succeeded']],
      'recorded as succeeded by the new operator before the phase moved on',
    );
    const u = await upgradeOf(ns);
    assert.equal(u?.startedAt, recorded.startedAt, 'the same upgrade, not a new one');
    assert.equal(u.phases[0]?.startedAt, recorded.phases[0]?.startedAt, 'BackingUp kept its start');
    const jobs = await listJobs(ns);
    assert.deepEqual(jobs.map((j) => [j.metadata.name, j.metadata.uid]), [[JOB, jobUid]], 'the backup Job of before the restart, not a second one');
    const db = firstAt(w, '2.15.2').get('up-database');
    const core = firstAt(w, '2.15.2').get('up-core');
    assert.ok(db !== undefined && core !== undefined && db < core, 'database before core after the restart too');
    t.diagnostic(`recorded ${recorded.phase} before the restart; the new operator wrote ${phases.map((p) => p.phase).join(' → ')}`);
  });
});
