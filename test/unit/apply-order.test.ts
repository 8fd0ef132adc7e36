// applyPhase() and inPhases(): what a pod reads goes out before the workloads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPhase, inPhases } from '../../src/controller/apply-order.ts';
import type { KubeObject } from '../../src/model/object.ts';

const obj = (apiVersion: string, kind: string, name = kind.toLowerCase()): KubeObject => ({ apiVersion, kind, metadata: { name } });

const cases: [KubeObject, 0 | 1][] = [
  [obj('v1', 'Secret'), 0],
  [obj('v1', 'ConfigMap'), 0],
  [obj('v1', 'ServiceAccount'), 0],
  [obj('v1', 'PersistentVolumeClaim'), 0],
  [obj('v1', 'Service'), 0],
  [obj('cert-manager.io/v1', 'Certificate'), 0],
  [obj('policy/v1', 'PodDisruptionBudget'), 0],
  [obj('apps/v1', 'Deployment'), 1],
  [obj('apps/v1', 'StatefulSet'), 1],
  [obj('networking.k8s.io/v1', 'Ingress'), 1],
];
for (const [o, phase] of cases) {
  test(`applyPhase: ${o.kind} → ${phase}`, () => {
    assert.equal(applyPhase(o), phase);
  });
}

test('inPhases: first phase before the second, order kept within a phase, empty phases left out', () => {
  const w = (o: KubeObject) => ({ desired: o });
  const items = [obj('apps/v1', 'Deployment', 'a'), obj('v1', 'Secret', 'b'), obj('apps/v1', 'StatefulSet', 'c'), obj('v1', 'ConfigMap', 'd')].map(w);
  assert.deepEqual(
    inPhases(items).map((p) => p.map((x) => x.desired.metadata.name)),
    [['b', 'd'], ['a', 'c']],
  );
  assert.deepEqual(inPhases([w(obj('apps/v1', 'Deployment'))]).length, 1);
  assert.deepEqual(inPhases([]), []);
});
