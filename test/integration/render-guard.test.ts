// The render guard against the real API server: a chart that renders an
// object the operator may not write (here a copy of the chart with one
// template added, as a user string that reached YAML as code would) makes
// the reconcile write nothing, and status and an event say which and why.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ensureCrd } from '../harness/crd.ts';
import { condition, createCluster, get, getCluster, harborCluster, list, raw, versions, waitForCondition } from '../harness/harbor.ts';
import { testNamespace } from '../harness/kube.ts';
import { chartDir, startOperator } from '../harness/operator.ts';

const ALL = ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Secret', 'Ingress', 'PersistentVolumeClaim'];

const extraTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: injected
data:
  planted: "yes"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ .Release.Name }}-escalate
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
`;

describe('render guard', () => {
  test('a render with objects the operator may not write: nothing is written, Degraded says which', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const good = await startOperator(t, ns);
    await createCluster(ns, harborCluster('g'));
    await waitForCondition(ns, 'g', 'Ready', 'True');
    await good.quiet(`${ns}/g`); // the last status write landed
    await good.stop();
    const before = await versions(ns, ALL);
    const statusBefore = (await getCluster(ns, 'g')).status;
    assert.ok(statusBefore?.appliedDigest, 'converged with a digest');

    const dir = await mkdtemp(join(tmpdir(), 'harbor-operator-steered-chart-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const steered = join(dir, 'harbor');
    await cp(chartDir, steered, { recursive: true });
    await writeFile(join(steered, 'templates', 'zz-extra.yaml'), extraTemplate);

    // An unsafe render is not retried with backoff but after permanentRetryMs (1 s here, 5 min in production).
    const bad = await startOperator(t, ns, { chartDir: steered, permanentRetryMs: 1_000 });
    const degraded = await waitForCondition(ns, 'g', 'Degraded', 'True', 'UnsafeRender', 30_000);
    const message = condition(degraded, 'Degraded')?.message ?? '';
    console.log(`Degraded: ${message}`);
    assert.match(message, /ConfigMap injected \(the name does not start with "g-"\)/);
    assert.match(message, /Role g-escalate \(kind Role of rbac\.authorization\.k8s\.io\/v1 is not one the chart renders\)/);
    assert.equal(condition(degraded, 'Ready')?.status, 'False');
    // Two more reconciles (the slow retries) observed, not a pause.
    await bad.reconciledAgain(`${ns}/g`, 2, 15_000);
    await bad.quiet(`${ns}/g`);
    const events = await raw().request<{ items: { reason: string; message: string }[] }>('GET', `/api/v1/namespaces/${ns}/events`);
    assert.ok(events.items.some((e) => e.reason === 'UnsafeRender' && e.message.includes('ConfigMap injected')), 'an UnsafeRender event');

    const writes = bad.writes.map((w) => `${w.method} ${w.path.replace(`/namespaces/${ns}`, '')}`);
    const kinds = new Map<string, number>();
    for (const w of writes) kinds.set(w, (kinds.get(w) ?? 0) + 1);
    console.log(`renders: ${bad.renders()}; writes of the steered operator: ${JSON.stringify([...kinds])}`);
    assert.ok(
      bad.writes.every((w) => w.path.endsWith('/status') || w.path.includes('/events')),
      'only the HarborCluster status and events are written',
    );
    assert.deepEqual(await versions(ns, ALL), before, 'no child written, none deleted');
    assert.equal(await get(ns, 'ConfigMap', 'injected'), undefined, 'the planted ConfigMap does not exist');
    const roles = await raw().request<{ items: unknown[] }>('GET', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`);
    assert.equal(roles.items.length, 0, 'no Role');
    assert.ok((await list(ns, 'Deployment')).length > 0, 'what ran still runs');
    await bad.stop();

    // The chart as it should be: applies nothing (children unchanged) and recovers.
    await startOperator(t, ns);
    await waitForCondition(ns, 'g', 'Degraded', 'False', 'AsExpected', 30_000);
    assert.deepEqual(await versions(ns, ALL), before, 'recovered without rewriting a child');
  });
});
