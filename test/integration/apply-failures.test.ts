// A phase the API server refuses in part, against the real API server: a
// ValidatingAdmissionPolicy in the test namespace denies updates of two
// ConfigMaps. The reconcile waits for the whole phase, names both objects in
// Degraded and in a warning event, writes no workload (the later phase) and
// prunes nothing; the refusal (422) is not retried hot, and the next change
// after the policy is gone converges. Prints its figures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureCrd } from '../harness/crd.ts';
import { denyConfigMapUpdates } from '../harness/admission.ts';
import { condition, createCluster, eventsOf, get, harborCluster, patchCluster, versions, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

describe('apply failures', () => {
  test('a refused phase: every failed object reported, no later phase, no prune, not retried hot', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    // Refusals are retried after permanentRetryMs (here 3 s, 5 min in production), not with backoff.
    const op = await startOperator(t, ns, { permanentRetryMs: 3_000 });
    await createCluster(ns, harborCluster('f1'));
    await waitForCondition(ns, 'f1', 'Ready', 'True');
    const refused = ['f1-core', 'f1-jobservice-config'];
    const allow = await denyConfigMapUpdates(t, ns, refused);
    const workloads = await versions(ns, ['Deployment', 'StatefulSet']);
    const writes = op.writes.length;

    // logLevel changes ConfigMaps (first phase) and workloads (second);
    // disabling the exporter prunes its Deployment, Service, ConfigMap, Secret.
    await patchCluster(ns, 'f1', { spec: { logLevel: 'debug', components: { exporter: { enabled: false } } } });
    const degraded = await waitForCondition(ns, 'f1', 'Degraded', 'True', 'ApplyFailed', 30_000);
    const message = condition(degraded, 'Degraded')?.message ?? '';
    const firstReport = Date.now();
    t.diagnostic(`Degraded: ${message.slice(0, 600)}`);
    for (const n of refused) assert.match(message, new RegExp(`ConfigMap/${n}: 422 Invalid: .*refused by the test policy`), `${n} named with the server's message`);
    assert.match(message, /^could not apply ConfigMap\/f1-core, ConfigMap\/f1-jobservice-config \(2 of \d+ object\(s\) of phase 1 of 2; \d+ later object\(s\) not attempted\)/);

    // The window ends on observed retries, not wall time: two more reconciles. With the test
    // operator's backoff (200 ms doubling) a hot loop would have them within about a second; a
    // refusal waits permanentRetryMs (3 s) for each.
    const key = `${ns}/f1`;
    const windowStart = Date.now();
    await op.reconciledAgain(key, 2, 30_000);
    await op.quiet(key);
    const windowMs = Date.now() - windowStart;
    assert.ok(windowMs >= 2_500, `two retries took ${windowMs} ms: not retried hot`);
    const after = op.writes.slice(writes);
    const attempts = (n: string): number => after.filter((w) => w.method === 'PATCH' && w.path.endsWith(`/configmaps/${n}`)).length;
    const workloadWrites = after.filter((w) => /\/(deployments|statefulsets)\//.test(w.path));
    const deletes = after.filter((w) => w.method === 'DELETE');
    const events = await eventsOf(ns, 'f1');
    const warning = events.find((e) => e.type === 'Warning' && e.reason === 'ApplyFailed');
    t.diagnostic(
      `from the spec change to ${Math.round((Date.now() - firstReport) / 1000)} s after the first report: ` +
        `apply attempts ${refused.map((n) => `${n} ${attempts(n)}`).join(', ')}; workload writes ${workloadWrites.length}; deletes ${deletes.length}; warning event count ${warning?.count ?? 0}`,
    );
    assert.ok(warning, 'a warning event');
    for (const n of refused) assert.ok(warning.message.includes(`ConfigMap/${n}`), `the event names ${n}`);
    assert.deepEqual(workloadWrites, [], 'the second phase did not start');
    assert.deepEqual(await versions(ns, ['Deployment', 'StatefulSet']), workloads, 'no workload changed');
    assert.deepEqual(deletes, [], 'nothing pruned');
    assert.ok(await get(ns, 'Deployment', 'f1-exporter'), 'the exporter is still there');
    for (const n of refused) assert.ok(attempts(n) <= 4, `${n} applied ${attempts(n)} times: not retried hot`);
    const cm = await get(ns, 'ConfigMap', 'f1-registry');
    assert.ok(JSON.stringify(cm?.['data'] ?? {}).includes('debug'), 'the siblings of the phase were written');

    // The policy goes; the next change (here an annotation) tries again and converges.
    await allow();
    await patchCluster(ns, 'f1', { metadata: { annotations: { 'harbor-operator.test/poke': '1' } } });
    await waitForCondition(ns, 'f1', 'Degraded', 'False', 'AsExpected', 30_000);
    await waitUntil('the exporter pruned', async () => !(await get(ns, 'Deployment', 'f1-exporter')));
  });
});
