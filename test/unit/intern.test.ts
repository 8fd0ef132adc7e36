import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringTable } from '../../src/kube/intern.ts';
import type { KubeObject } from '../../src/model/object.ts';

function deployment(ns: string, uid: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'harbor-core',
      namespace: ns,
      uid,
      resourceVersion: `${uid}-rv`,
      creationTimestamp: `${uid}-created`,
      labels: { 'app.kubernetes.io/managed-by': 'harbor-operator' },
      ownerReferences: [{ apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name: 'h', uid: `${uid}-owner` }],
      managedFields: [{ manager: 'harbor-operator', operation: 'Apply', time: `${uid}-time`, fieldsDigest: `${uid}-digest` }],
    },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'core', image: 'goharbor/harbor-core:v2.14.0', args: ['--a', 7, null, true] }] } } },
    status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: `${uid}-t`, lastUpdateTime: `${uid}-u` }] },
  };
}

const secret = (ns: string, value: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'harbor-core', namespace: ns },
  data: { password: value },
  stringData: { other: value },
  type: 'Opaque',
});

// Strings a Deployment above interns: everything but the unique-by-nature values
// (uid, the owner's too, resourceVersion, creationTimestamp, time, fieldsDigest,
// condition times).
const sharedPerDeployment = [
  'apps/v1',
  'Deployment',
  'harbor-core',
  'harbor-operator',
  'harbor-operator.dev/v1alpha1',
  'HarborCluster',
  'h',
  'Apply',
  'core',
  'goharbor/harbor-core:v2.14.0',
  '--a',
  'Available',
  'True',
];

const cases: { name: string; objects: () => KubeObject[]; size: number }[] = [
  { name: 'one object: each distinct shared value once, plus its namespace', objects: () => [deployment('a', 'u1')], size: sharedPerDeployment.length + 1 },
  {
    name: 'two namespaces and uids: only the second namespace is new',
    objects: () => [deployment('a', 'u1'), deployment('b', 'u2')],
    size: sharedPerDeployment.length + 2,
  },
  { name: 'the same object twice adds nothing', objects: () => [deployment('a', 'u1'), deployment('a', 'u1')], size: sharedPerDeployment.length + 1 },
  {
    name: "a Secret's data and stringData are never in the table",
    objects: () => [secret('a', 'hunter2'), secret('b', 'correct horse')],
    size: ['v1', 'Secret', 'harbor-core', 'a', 'b', 'Opaque'].length,
  },
  {
    name: "a ConfigMap's data is shared like any value",
    objects: () => [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' }, data: { 'nginx.conf': 'worker_processes auto;' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'b' }, data: { 'nginx.conf': 'worker_processes auto;' } },
    ],
    size: ['v1', 'ConfigMap', 'c', 'a', 'b', 'worker_processes auto;'].length,
  },
];

for (const c of cases) {
  test(`${c.name}: table of ${c.size}, objects unchanged`, () => {
    const table = new StringTable();
    for (const o of c.objects()) {
      const before = structuredClone(o);
      assert.equal(table.internObject(o), o, 'interned in place');
      assert.deepEqual(o, before);
    }
    assert.equal(table.size, c.size);
  });
}

test('intern returns an equal string and keeps one entry per content', () => {
  const table = new StringTable();
  const a = table.intern(['harbor', 'operator'].join('-'));
  assert.equal(table.intern('harbor-operator'), a);
  assert.equal(table.size, 1);
});

test('at its limit the table is emptied and starts again', () => {
  const table = new StringTable(3);
  for (const s of ['a', 'b', 'c']) table.intern(s);
  assert.equal(table.size, 3);
  assert.equal(table.intern('d'), 'd');
  assert.equal(table.size, 1);
  table.intern('a');
  assert.equal(table.size, 2);
});
