// A version change that moves the in-cluster database to another PostgreSQL
// major (2.15.1 → 2.15.2: 15 → 18) is in status before the database
// StatefulSet's pod template changes; one that does not (2.15.0 → 2.15.1)
// shows nothing. Both are watched at once, and the order the events arrived
// in is compared. A version change is a gated upgrade (upgrade.test.ts): the
// backup Job's pod, which kwok holds Running, is finished by the test first.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { collectionPath, harborClusterType, type ResourceType } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/model/object.ts';
import type { Condition } from '../../src/status/conditions.ts';
import type { HarborClusterStatus } from '../../src/status/observe.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, getCluster, harborCluster, patchCluster, raw, waitForCondition } from '../harness/harbor.ts';
import { finishPod, runningPodOf, upgradeBackupJob } from '../harness/job-pods.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

const statefulSets: ResourceType = { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true };

interface Seen {
  /** What arrived, in arrival order over both watches. */
  kind: 'cluster' | 'database';
  condition?: Condition;
  image?: string;
}

/** Watches the HarborCluster and its database StatefulSet from now on; every event is appended to `seen`. */
async function watchBoth(t: TestContext, ns: string, name: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const abort = new AbortController();
  t.after(() => {
    abort.abort();
  });
  // Each watch starts at the resourceVersion of a list made just before, so no change after it is missed.
  const start = async (type: ResourceType, objectName: string, kind: Seen['kind']): Promise<void> => {
    const path = collectionPath(type, ns);
    const listed = await raw().request<{ metadata: { resourceVersion: string } }>('GET', path, {
      query: { fieldSelector: `metadata.name=${objectName}` },
    });
    void raw()
      .stream(
        path,
        { fieldSelector: `metadata.name=${objectName}`, resourceVersion: listed.metadata.resourceVersion, allowWatchBookmarks: false },
        (line) => {
          const ev = JSON.parse(line) as { type: string; object: KubeObject & { status?: HarborClusterStatus } };
          if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
          if (kind === 'cluster') {
            const condition = ev.object.status?.conditions?.find((c) => c.type === 'DatabaseUpgrade');
            seen.push({ kind, ...(condition ? { condition } : {}) });
          } else {
            const spec = ev.object['spec'] as { template: { spec: { containers: { name: string; image: string }[] } } };
            seen.push({ kind, image: spec.template.spec.containers.find((c) => c.name === 'database')?.image ?? '' });
          }
        },
        abort.signal,
      )
      .catch(() => undefined);
  };
  await start(harborClusterType, name, 'cluster');
  await start(statefulSets, `${name}-database`, 'database');
  return seen;
}

async function databaseImage(ns: string, name: string): Promise<string> {
  const sts = await raw().request<KubeObject>('GET', `${collectionPath(statefulSets, ns)}/${name}-database`);
  return (sts['spec'] as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers.find(
    (c) => c.name === 'database',
  )?.image ?? '';
}

async function eventsOf(ns: string, name: string): Promise<{ reason: string; message: string }[]> {
  const res = await raw().request<{ items: { reason: string; message: string; involvedObject: { name: string; kind: string } }[] }>(
    'GET',
    `/api/v1/namespaces/${ns}/events`,
  );
  return res.items.filter((e) => e.involvedObject.kind === 'HarborCluster' && e.involvedObject.name === name);
}

describe('database major upgrade', () => {
  test('2.15.1 → 2.15.2: DatabaseUpgrade is in status before the database pod template changes, then says done', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('pg', { version: '2.15.1' }));
    const ready = await waitForCondition(ns, 'pg', 'Ready', 'True');
    assert.equal(ready.status?.version, '2.15.1');
    assert.equal(ready.status.conditions?.find((c) => c.type === 'DatabaseUpgrade'), undefined, 'a fresh install says nothing');
    assert.match(await databaseImage(ns, 'pg'), /harbor-db:v2\.15\.1$/);

    const seen = await watchBoth(t, ns, 'pg');
    await patchCluster(ns, 'pg', { spec: { version: '2.15.2' } });
    await finishPod(ns, await runningPodOf(ns, await upgradeBackupJob(ns, 'pg', '2.15.1', '2.15.2')), 0);
    await waitUntil(
      'the database StatefulSet on v2.15.2 and DatabaseUpgrade=False',
      () =>
        Promise.resolve(
          seen.some((s) => s.kind === 'database' && s.image?.endsWith(':v2.15.2')) &&
            seen.some((s) => s.kind === 'cluster' && s.condition?.status === 'False'),
        ),
      { timeoutMs: 90_000 },
    );

    const firstCondition = seen.findIndex((s) => s.kind === 'cluster' && s.condition?.status === 'True');
    const firstNewImage = seen.findIndex((s) => s.kind === 'database' && s.image?.endsWith(':v2.15.2'));
    const order = seen.map((s) => (s.kind === 'cluster' ? `cluster:${s.condition?.status ?? '-'}` : `database:${s.image?.split(':').at(-1)}`));
    assert.ok(firstCondition >= 0, `DatabaseUpgrade=True seen (${order.join(' ')})`);
    assert.ok(firstCondition < firstNewImage, `DatabaseUpgrade=True before the pod template changed (${order.join(' ')})`);
    // At the moment the StatefulSet changed, the last state seen of the cluster had the condition.
    const lastClusterBefore = seen.slice(0, firstNewImage).findLast((s) => s.kind === 'cluster');
    assert.equal(lastClusterBefore?.condition?.status, 'True', order.join(' '));

    const announced = seen[firstCondition]?.condition;
    assert.equal(announced?.reason, 'PostgreSQL15To18');
    assert.match(announced.message, /from PostgreSQL 15 \(Harbor 2\.15\.1\) to PostgreSQL 18 \(Harbor 2\.15\.2\)/);
    assert.match(announced.message, /second copy of the data/);

    const done = await waitForCondition(ns, 'pg', 'DatabaseUpgrade', 'False', 'UpgradedToPostgreSQL18');
    assert.match(done.status?.conditions?.find((c) => c.type === 'DatabaseUpgrade')?.message ?? '', /upgraded from PostgreSQL 15 to 18/);
    await waitForCondition(ns, 'pg', 'Ready', 'True');
    const events = await waitUntil('both events', async () => {
      const list = await eventsOf(ns, 'pg');
      const reasons = list.map((e) => e.reason);
      return reasons.includes('DatabaseUpgrade') && reasons.includes('DatabaseUpgraded') ? list : undefined;
    });
    assert.match(events.find((e) => e.reason === 'DatabaseUpgrade')?.message ?? '', /PostgreSQL 15 .* to PostgreSQL 18/);
  });

  test('2.15.0 → 2.15.1: the same PostgreSQL major, no DatabaseUpgrade condition or event', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('same', { version: '2.15.0' }));
    await waitForCondition(ns, 'same', 'Ready', 'True');

    const seen = await watchBoth(t, ns, 'same');
    await patchCluster(ns, 'same', { spec: { version: '2.15.1' } });
    await finishPod(ns, await runningPodOf(ns, await upgradeBackupJob(ns, 'same', '2.15.0', '2.15.1')), 0);
    await waitUntil(
      'the database StatefulSet on v2.15.1',
      () => Promise.resolve(seen.some((s) => s.kind === 'database' && s.image?.endsWith(':v2.15.1'))),
      { timeoutMs: 60_000 },
    );
    const ready = await waitUntil('status.version 2.15.1 and Ready', async () => {
      const o = await getCluster(ns, 'same');
      const r = o.status?.conditions?.find((c) => c.type === 'Ready');
      return o.status?.version === '2.15.1' && r?.status === 'True' && o.status.observedGeneration === o.metadata.generation ? o : undefined;
    });
    assert.equal(ready.status?.conditions?.find((c) => c.type === 'DatabaseUpgrade'), undefined);
    assert.deepEqual(seen.filter((s) => s.condition), [], 'no DatabaseUpgrade condition in any state seen');
    const reasons = (await eventsOf(ns, 'same')).map((e) => e.reason);
    assert.ok(!reasons.includes('DatabaseUpgrade') && !reasons.includes('DatabaseUpgraded'), reasons.join(', '));
  });
});
