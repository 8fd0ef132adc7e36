// Every flag of the operator process does what it says, against the real API
// server (leader election and metrics are covered by leader-election.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, getCluster, harborCluster, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperatorProcess } from '../harness/process.ts';

describe('operator flags', () => {
  test('--namespaces: only listed namespaces are reconciled; probes answer; --log-level filters', async (t) => {
    await ensureCrd();
    const watched = await testNamespace(t);
    const other = await testNamespace(t);
    const op = await startOperatorProcess(t, [`--namespaces=${watched}`, '--log-level=warn', '--workers=1']);
    // f2 first: had the operator seen it, its one worker would have taken it
    // before f1, and f1 needs several reconciles to become Ready.
    await createCluster(other, harborCluster('f2'));
    await createCluster(watched, harborCluster('f1'));
    await waitForCondition(watched, 'f1', 'Ready', 'True');
    // (the counter moves when a reconcile returns, just after its status write)
    await waitUntil('two reconciles done', async () => (await op.counter('harbor_operator_reconcile_total', 'result="success"')) >= 2, { timeoutMs: 30_000 });
    assert.equal((await getCluster(other, 'f2')).status, undefined, 'a HarborCluster outside --namespaces is ignored');
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`http://127.0.0.1:${op.healthPort}${path}`);
      assert.equal(res.status, 200, path);
    }
    const lines = op.output.join('').split('\n').filter(Boolean);
    assert.ok(lines.every((l) => !l.includes('"level":30')), 'no info lines at --log-level=warn');
  });

  test('--helm and --helm-timeout: a missing or slow helm is reported in status', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperatorProcess(t, [`--namespaces=${ns}`, '--helm=/nonexistent/helm']);
    await createCluster(ns, harborCluster('f3'));
    const missing = await waitForCondition(ns, 'f3', 'Degraded', 'True', 'RenderFailed', 30_000);
    assert.match(missing.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', /helm binary not found at \/nonexistent\/helm/);

    const ns2 = await testNamespace(t);
    await startOperatorProcess(t, [`--namespaces=${ns2}`, '--helm-timeout=1ms']);
    await createCluster(ns2, harborCluster('f4'));
    const slow = await waitForCondition(ns2, 'f4', 'Degraded', 'True', 'RenderFailed', 30_000);
    assert.match(slow.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', /timed out after 1 ms/);
  });

  test('--resync: every HarborCluster is looked at again each period, with no render or write', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperatorProcess(t, [`--namespaces=${ns}`, '--resync=500ms', '--workers=1']);
    await createCluster(ns, harborCluster('f5'));
    await waitForCondition(ns, 'f5', 'Ready', 'True');
    // Settled: two successful reconciles in a row without a render.
    const success = (): Promise<number> => op.counter('harbor_operator_reconcile_total', 'result="success"');
    await waitUntil(
      'two reconciles in a row without a render',
      async () => {
        const [s0, r0] = [await success(), await op.counter('harbor_operator_renders_total')];
        await waitUntil('two more reconciles', async () => (await success()) >= s0 + 2, { timeoutMs: 10_000, intervalMs: 100 });
        return (await op.counter('harbor_operator_renders_total')) === r0;
      },
      { timeoutMs: 30_000 },
    );
    const before = await success();
    const renders = await op.counter('harbor_operator_renders_total');
    await waitUntil('resyncs', async () => (await op.counter('harbor_operator_reconcile_total', 'result="success"')) >= before + 4, {
      timeoutMs: 10_000,
    });
    assert.equal(await op.counter('harbor_operator_renders_total'), renders, 'resyncs hit the render cache');
  });
});
