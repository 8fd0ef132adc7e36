// Two operator processes against the real API server with leader election:
// exactly one reconciles; when it is killed the other takes over within the
// lease duration; a process stopped with SIGTERM hands the Lease back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, harborCluster, raw, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperatorProcess, type OperatorProcess } from '../harness/process.ts';

const LEASE_MS = 4000;

describe('leader election', () => {
  test('one of two replicas reconciles; killing it hands over within the lease duration', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const args = [
      `--namespaces=${ns}`,
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
      '--leader-election-id=harbor-operator-test',
      `--leader-election-lease-duration=${LEASE_MS}ms`,
      '--leader-election-renew-deadline=3000ms',
      '--leader-election-retry-period=500ms',
    ];
    const a = await startOperatorProcess(t, args);
    const b = await startOperatorProcess(t, args);
    const leaders = async (): Promise<OperatorProcess[]> => {
      const out: OperatorProcess[] = [];
      for (const p of [a, b]) if ((await p.metric('harbor_operator_leader')) === 1) out.push(p);
      return out;
    };
    const [leader] = await waitUntil('exactly one leader', async () => {
      const l = await leaders();
      return l.length === 1 ? l : undefined;
    });
    assert.ok(leader);
    const standby = leader === a ? b : a;
    await createCluster(ns, harborCluster('le1'));
    await waitForCondition(ns, 'le1', 'Ready', 'True');
    assert.ok((await leader.counter('harbor_operator_reconcile_total', 'result="success"')) > 0, 'the leader reconciled');
    assert.equal(await standby.counter('harbor_operator_reconcile_total', 'result="success"'), 0, 'the standby did not');
    assert.equal(await standby.metric('harbor_operator_leader'), 0);

    const killedAt = Date.now();
    leader.proc.kill('SIGKILL');
    await waitUntil('the standby leads', async () => (await standby.metric('harbor_operator_leader')) === 1, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const handover = Date.now() - killedAt;
    t.diagnostic(`handover took ${handover} ms (lease ${LEASE_MS} ms)`);
    assert.ok(handover <= LEASE_MS + 1500, `handover within the lease duration plus a retry: ${handover} ms`);
    await createCluster(ns, harborCluster('le2'));
    await waitForCondition(ns, 'le2', 'Ready', 'True');

    // SIGTERM: finish, release the Lease, exit 0.
    standby.proc.kill('SIGTERM');
    assert.equal(await standby.exited, 0, 'clean exit on SIGTERM');
    const lease = await raw().request<{ spec: { holderIdentity?: string } }>(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/harbor-operator-test`,
    );
    assert.ok(!lease.spec.holderIdentity, `the Lease was handed back (holder "${lease.spec.holderIdentity ?? ''}")`);
    assert.ok(standby.output.join('').includes('"msg":"stopped"'), 'logged its orderly stop');
  });
});
