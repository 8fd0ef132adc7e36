// Status tells why pods are missing, per component, against the real API
// server, controllers and scheduler: pods that cannot be created (a missing
// PriorityClass, for a Deployment and a StatefulSet; a ResourceQuota), pods
// that cannot be scheduled, and an image that cannot be pulled (kwok runs no
// containers: test/cluster/kwok-stages.yaml gives such pods the kubelet's
// status). Each prints how long the cause took to reach status.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { collectionPath, eventFieldSelector, eventType } from '../../src/kube/resources.ts';
import type { HarborClusterStatus } from '../../src/status/observe.ts';
import { causes } from '../harness/causes.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, harborCluster, raw, waitForCondition } from '../harness/harbor.ts';
import { testNamespace } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

const readyMessage = (s: HarborClusterStatus): string => s.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
const say = (m: string): void => {
  process.stdout.write(`status causes: ${m}\n`);
};

describe('status causes', () => {
  test('the API server selects Events by reason and involvedObject.kind (the watch the operator makes), and refuses other fields', async () => {
    const path = collectionPath(eventType);
    const ok = await raw().request<{ items: unknown[] }>('GET', path, { query: { fieldSelector: eventFieldSelector, limit: 1 } });
    assert.ok(Array.isArray(ok.items));
    await assert.rejects(
      raw().request('GET', path, { query: { fieldSelector: 'involvedObject.labels=x', limit: 1 } }),
      /400|not supported|field label/i,
      'an unknown field is refused, so the one above is really selected on',
    );
  });

  test('a PriorityClass that does not exist: FailedCreate with the server’s message, for a Deployment and a StatefulSet; gone once it exists', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const pc = `missing-${randomBytes(3).toString('hex')}`;
    t.after(async () => {
      await raw()
        .request('DELETE', `/apis/scheduling.k8s.io/v1/priorityclasses/${pc}`)
        .catch(() => undefined);
    });
    await createCluster(ns, harborCluster('pc1', { components: { core: { priorityClassName: pc }, trivy: { priorityClassName: pc } } }));
    const message = new RegExp(`no PriorityClass with name ${pc} was found`);
    const seen = await causes(ns, 'pc1', {
      core: { reason: /^FailedCreate$/, message },
      trivy: { reason: /^FailedCreate$/, message },
    });
    say(`missing PriorityClass shown for core (Deployment) and trivy (StatefulSet) after ${seen.ms} ms`);
    say(`  core: ${seen.status.components?.['core']?.message}`);
    say(`  trivy: ${seen.status.components?.['trivy']?.message}`);
    say(`  Ready: ${readyMessage(seen.status)}`);
    assert.match(readyMessage(seen.status), /^waiting for core 0\/1, .*trivy 0\/1; core: FailedCreate: .*no PriorityClass/, 'Ready names the first cause');
    assert.equal(seen.status.components?.['portal']?.reason, undefined, 'a ready component has no cause');

    // The PriorityClass appears: the pods are created, the causes go (the
    // StatefulSet's FailedCreate events stay for an hour; they no longer count).
    const t0 = Date.now();
    await raw().request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', {
      body: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc }, value: 1000 },
    });
    const ready = await waitForCondition(ns, 'pc1', 'Ready', 'True', undefined, 120_000);
    say(`Ready=True ${Date.now() - t0} ms after the PriorityClass was created`);
    for (const [k, c] of Object.entries(ready.status?.components ?? {})) assert.equal(c.reason, undefined, `${k} has no cause left`);
  });

  test('a ResourceQuota that allows no pods: FailedCreate naming the quota', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await raw().request('POST', `/api/v1/namespaces/${ns}/resourcequotas`, {
      body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
    });
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('q1'));
    const seen = await causes(ns, 'q1', {
      core: { reason: /^FailedCreate$/, message: /exceeded quota: no-pods/ },
      database: { reason: /^FailedCreate$/, message: /exceeded quota: no-pods/ },
    });
    say(`ResourceQuota shown for core (Deployment) and database (StatefulSet) after ${seen.ms} ms`);
    say(`  core: ${seen.status.components?.['core']?.message}`);
    say(`  database: ${seen.status.components?.['database']?.message}`);
  });

  test('a nodeSelector no node matches: Unschedulable with the scheduler’s message', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('u1', { components: { portal: { nodeSelector: { 'example.test/none': 'x' } } } }));
    const seen = await causes(ns, 'u1', { portal: { reason: /^Unschedulable$/, message: /^pod u1-portal-.*: 0\/\d+ nodes are available/ } });
    say(`unschedulable portal shown after ${seen.ms} ms: ${seen.status.components?.['portal']?.message}`);
  });

  test('an image that cannot be pulled: the container’s waiting reason and message (kwok stage standing in for the kubelet)', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('i1', { imageRegistry: 'registry.invalid' }));
    const seen = await causes(ns, 'i1', {
      core: { reason: /^ImagePullBackOff$/, message: /^pod i1-core-.*: container core: Back-off pulling image "registry\.invalid\/goharbor\/harbor-core:v/ },
    });
    say(`image pull failure shown after ${seen.ms} ms: ${seen.status.components?.['core']?.message}`);
  });
});
