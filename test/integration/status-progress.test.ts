// Status follows the workloads forward: against the real API server, every
// status the operator writes for a new HarborCluster is recorded (a watch of
// the HarborCluster), and so is every change of its Deployments and
// StatefulSets. While the spec is unchanged the "waiting for …" list only
// shrinks, Ready=True comes only with every component ready, and it comes
// within a deadline after the last workload became ready.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collectionPath, harborClusterType } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/model/object.ts';
import type { HarborClusterStatus } from '../../src/status/observe.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, harborCluster } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';
import { record, type Seen } from '../harness/watch.ts';

const COMPONENTS = ['core', 'database', 'exporter', 'jobservice', 'portal', 'redis', 'registry', 'trivy'];
/** From the last workload ready to Ready=True written: the status-only delay (2 s) and a reconcile, with room for a loaded machine. */
const READY_DEADLINE_MS = 8_000;

interface Workload {
  metadata: { name: string; generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; readyReplicas?: number; updatedReplicas?: number };
}

function workloadReady(o: KubeObject): boolean {
  const w = o as unknown as Workload;
  const want = w.spec?.replicas ?? 1;
  return (
    (w.status?.observedGeneration ?? 0) >= (w.metadata.generation ?? 0) &&
    (w.status?.readyReplicas ?? 0) >= want &&
    (w.status?.updatedReplicas ?? 0) >= want
  );
}

/** The components the Ready condition says it waits for ("waiting for core 0/1, portal 0/1; …"). */
function waitingFor(s: HarborClusterStatus | undefined): string[] {
  const ready = s?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.reason !== 'ComponentsNotReady') return [];
  const m = /^waiting for ([^;]*)/.exec(ready.message);
  return (m?.[1] ?? '').split(', ').map((p) => p.split(' ')[0] ?? '').filter((n) => n !== '');
}

const readyOf = (s: HarborClusterStatus | undefined): string | undefined => s?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('status progress', () => {
  test('from creation to Ready: the waiting list only shrinks, and Ready=True follows the last workload within a deadline', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const clusters = await record(t, collectionPath(harborClusterType, ns));
    const deployments = await record(t, `/apis/apps/v1/namespaces/${ns}/deployments`);
    const statefulsets = await record(t, `/apis/apps/v1/namespaces/${ns}/statefulsets`);
    await startOperator(t, ns);
    const start = Date.now();
    await createCluster(ns, harborCluster('p1'));

    const readyEvent = await waitUntil(
      'Ready=True in a recorded status',
      () => Promise.resolve(clusters.seen.find((e) => readyOf((e.object as { status?: HarborClusterStatus }).status) === 'True')),
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    await Promise.all([clusters.stop(), deployments.stop(), statefulsets.stop()]);
    for (const r of [clusters, deployments, statefulsets]) assert.equal(r.failure(), undefined, 'the watches ran throughout');

    // Statuses as written, one per distinct status (the watch also delivers the spec's own events).
    const statuses: { at: number; generation: number; status: HarborClusterStatus }[] = [];
    for (const e of clusters.seen) {
      const o = e.object as KubeObject & { status?: HarborClusterStatus };
      if (!o.status) continue;
      const last = statuses.at(-1);
      if (last && JSON.stringify(last.status) === JSON.stringify(o.status)) continue;
      statuses.push({ at: e.at, generation: o.metadata.generation ?? 0, status: o.status });
    }
    const lines = statuses.map((s) => {
      const r = s.status.conditions?.find((c) => c.type === 'Ready');
      return `  +${s.at - start} ms Ready=${r?.status} ${r?.reason}: ${r?.message}`;
    });
    process.stdout.write(`status progress: ${statuses.length} statuses written until Ready=True\n${lines.join('\n')}\n`);

    // Never Ready before every component is, and never a component missing.
    const firstReady = statuses.findIndex((s) => readyOf(s.status) === 'True');
    assert.ok(firstReady >= 0);
    const components = statuses[firstReady]?.status.components ?? {};
    assert.deepEqual(Object.keys(components).sort(), COMPONENTS, 'Ready=True lists every component');
    for (const [name, c] of Object.entries(components)) assert.equal(c.ready, c.desired, `${name} ready when Ready=True`);

    // The waiting list only shrinks while the generation stays.
    for (let i = 1; i < statuses.length; i++) {
      const before = statuses[i - 1];
      const now = statuses[i];
      if (!before || !now || before.generation !== now.generation) continue;
      const grew = waitingFor(now.status).filter((n) => !waitingFor(before.status).includes(n));
      assert.deepEqual(grew, [], `status ${i} waits again for ${grew.join(', ')}:\n${lines.slice(i - 1, i + 1).join('\n')}`);
    }
    const first = waitingFor(statuses[0]?.status);
    assert.ok(readyOf(statuses[0]?.status) === 'True' || first.length > 0, 'the first status waits for something or is Ready');

    // Within the deadline after the last workload became ready.
    const readyAt = new Map<string, number>();
    const workloadEvents: Seen[] = [...deployments.seen, ...statefulsets.seen].sort((a, b) => a.at - b.at);
    for (const e of workloadEvents) {
      const key = `${e.object.kind}/${e.object.metadata.name}`;
      if (workloadReady(e.object)) {
        if (!readyAt.has(key)) readyAt.set(key, e.at);
      } else readyAt.delete(key);
    }
    assert.equal(readyAt.size, COMPONENTS.length, `every workload ready: ${[...readyAt.keys()].join(', ')}`);
    const lastWorkload = Math.max(...readyAt.values());
    const lag = readyEvent.at - lastWorkload;
    process.stdout.write(
      `status progress: last workload ready at +${lastWorkload - start} ms, Ready=True seen at +${readyEvent.at - start} ms (lag ${lag} ms, deadline ${READY_DEADLINE_MS} ms)\n`,
    );
    assert.ok(lag <= READY_DEADLINE_MS, `Ready=True ${lag} ms after the last workload became ready`);
  });
});
