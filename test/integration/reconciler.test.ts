// The reconciler against the real API server: create, update, drift, prune,
// failures, pause, delete and re-adoption, steady state.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureCrd } from '../harness/crd.ts';
import {
  createCluster,
  get,
  harborCluster,
  list,
  waitForCondition,
} from '../harness/harbor.ts';
import { testNamespace } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

const controlledBy = (o: KubeObject, uid: string): boolean =>
  (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller === true && r.kind === 'HarborCluster');

describe('reconciler', () => {
  test('create: every child exists with its owner reference and Ready follows pod readiness', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const created = await createCluster(ns, harborCluster('h1'));
    const uid = created.metadata.uid ?? '';
    const ready = await waitForCondition(ns, 'h1', 'Ready', 'True');
    assert.equal(ready.status?.observedGeneration, created.metadata.generation);
    assert.equal(ready.status?.version, '2.15.1');
    const deployments = (await list(ns, 'Deployment')).map((d) => d.metadata.name).sort();
    assert.deepEqual(deployments, ['h1-core', 'h1-exporter', 'h1-jobservice', 'h1-portal', 'h1-registry']);
    const sts = (await list(ns, 'StatefulSet')).map((d) => d.metadata.name).sort();
    assert.deepEqual(sts, ['h1-database', 'h1-redis', 'h1-trivy']);
    for (const kind of ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Ingress']) {
      for (const o of await list(ns, kind)) {
        if (kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') continue;
        assert.ok(controlledBy(o, uid), `${kind}/${o.metadata.name} is controlled by the HarborCluster`);
      }
    }
    const components = (ready.status ?? {}).components ?? {};
    assert.deepEqual(Object.keys(components).sort(), ['core', 'database', 'exporter', 'jobservice', 'portal', 'redis', 'registry', 'trivy']);
    for (const [name, c] of Object.entries(components)) assert.equal(c.ready, c.desired, `${name} ready`);
    const generated = await get(ns, 'Secret', 'h1-generated-secrets');
    assert.ok(generated, 'the generated secrets are stored');
    assert.equal(generated.metadata.ownerReferences, undefined, 'kept with the data: no owner reference by default');
  });
});
