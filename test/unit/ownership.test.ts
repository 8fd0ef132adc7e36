// ownership(): whose an existing object is, for HarborCluster b; and
// gatePlan(): the plan cut to what b may write. Tables of live objects as the
// API server (or the cache, with managedFields compacted) has them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeNotOwned, gatePlan } from '../../src/controller/ownership-gate.ts';
import { ADOPT_ANNOTATION, ADOPT_EXISTING_ANNOTATION, clusterIdentity, ownership, type ClusterIdentity, type Ownership } from '../../src/diff/ownership.ts';
import type { Plan } from '../../src/diff/plan.ts';
import type { KubeObject, OwnerReference } from '../../src/model/object.ts';

const LABEL = 'harbor-operator.dev/cluster';
const rules = { fieldManager: 'harbor-operator', clusterLabel: LABEL };
const b: ClusterIdentity = { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name: 'b', uid: 'uid-b', adoptExisting: false };
const bAdopting: ClusterIdentity = { ...b, adoptExisting: true };

const hc = (name: string, uid: string, controller = true): OwnerReference => ({
  apiVersion: 'harbor-operator.dev/v1alpha1',
  kind: 'HarborCluster',
  name,
  uid,
  controller,
  blockOwnerDeletion: true,
});
const applied = { manager: 'harbor-operator', operation: 'Apply', apiVersion: 'v1', time: '2026-12-01T00:00:00Z', fieldsDigest: 'x' };
const byHand = { manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2026-12-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} };

interface Meta {
  owners?: OwnerReference[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managed?: object[];
}
function cm({ owners, labels, annotations, managed = [byHand] }: Meta = {}, name = 'b-core', kind = 'ConfigMap'): KubeObject {
  return {
    apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
    kind,
    metadata: {
      name,
      namespace: 'team',
      uid: `uid-of-${name}`,
      ...(owners ? { ownerReferences: owners } : {}),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      managedFields: managed,
    },
  };
}
const helmObject = cm({
  labels: { 'app.kubernetes.io/managed-by': 'Helm', heritage: 'Helm', release: 'harbor' },
  annotations: { 'meta.helm.sh/release-name': 'harbor', 'meta.helm.sh/release-namespace': 'registry' },
  managed: [{ manager: 'helm', operation: 'Apply', apiVersion: 'v1' }],
});

const cases: { name: string; live: KubeObject | undefined; cluster?: ClusterIdentity; expected: Ownership['verdict']; why?: RegExp; adoptable?: boolean }[] = [
  { name: 'no object of that name', live: undefined, expected: 'absent' },
  { name: 'controlled by this HarborCluster', live: cm({ owners: [hc('b', 'uid-b')], labels: { [LABEL]: 'b' }, managed: [applied] }), expected: 'own' },
  { name: 'controlled by it, its label removed by hand', live: cm({ owners: [hc('b', 'uid-b')] }), expected: 'own' },
  {
    name: 'controlled by an earlier HarborCluster b, with the label b (waiting for the garbage collector)',
    live: cm({ owners: [hc('b', 'uid-old')], labels: { [LABEL]: 'b' }, managed: [applied] }),
    expected: 'own',
  },
  { name: 'controlled by an earlier HarborCluster b, without the label', live: cm({ owners: [hc('b', 'uid-old')] }), expected: 'foreign', why: /its controller is HarborCluster b/, adoptable: false },
  {
    name: "another HarborCluster's child",
    live: cm({ owners: [hc('a', 'uid-a')], labels: { [LABEL]: 'a' }, managed: [applied] }, 'a-core', 'Service'),
    expected: 'foreign',
    why: /^its controller is HarborCluster a$/,
    adoptable: false,
  },
  {
    name: "another HarborCluster's child annotated for b: never adopted",
    live: cm({ owners: [hc('a', 'uid-a')], labels: { [LABEL]: 'a' }, annotations: { [ADOPT_ANNOTATION]: 'b' } }),
    expected: 'foreign',
    adoptable: false,
  },
  {
    name: "another HarborCluster's child, b adopting existing objects: never adopted",
    live: cm({ owners: [hc('a', 'uid-a')], labels: { [LABEL]: 'a' } }),
    cluster: bAdopting,
    expected: 'foreign',
  },
  {
    name: 'another controller (a Deployment)',
    live: cm({ owners: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', uid: 'u', controller: true }] }),
    cluster: bAdopting,
    expected: 'foreign',
    why: /its controller is Deployment x \(apps\/v1\)/,
    adoptable: false,
  },
  {
    name: 'only a non-controller owner reference to b, made by hand',
    live: cm({ owners: [hc('b', 'uid-b', false)] }),
    expected: 'foreign',
    why: /no controller owner; written by kubectl-create/,
  },
  { name: 'kept with the data: the label b and applied by the operator', live: cm({ labels: { [LABEL]: 'b' }, managed: [applied] }, 'b-registry', 'PersistentVolumeClaim'), expected: 'own' },
  {
    name: 'the label b and applied by the operator, as the API server has it (fieldsV1)',
    live: cm({ labels: { [LABEL]: 'b' }, managed: [{ manager: 'harbor-operator', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] }),
    expected: 'own',
  },
  {
    name: 'the label b, but written by hand',
    live: cm({ labels: { [LABEL]: 'b' } }),
    expected: 'foreign',
    why: /carries the label harbor-operator\.dev\/cluster=b but harbor-operator never applied it/,
    adoptable: true,
  },
  {
    name: 'the label b, the operator only updated it (not by apply)',
    live: cm({ labels: { [LABEL]: 'b' }, managed: [{ manager: 'harbor-operator', operation: 'Update' }] }),
    expected: 'foreign',
  },
  {
    name: 'the label b, the operator applied only its status',
    live: cm({ labels: { [LABEL]: 'b' }, managed: [{ manager: 'harbor-operator', operation: 'Apply', subresource: 'status' }] }),
    expected: 'foreign',
  },
  { name: 'applied by the operator but without the label', live: cm({ managed: [applied] }), expected: 'foreign', why: /no controller owner/ },
  { name: 'made by hand', live: cm(), expected: 'foreign', why: /^it has no controller owner; written by kubectl-create$/, adoptable: true },
  { name: 'made by hand, no managedFields at all', live: cm({ managed: [] }), expected: 'foreign', why: /^it has no controller owner$/ },
  { name: "a Helm release's object", live: helmObject, expected: 'foreign', why: /belongs to Helm release registry\/harbor; written by helm/, adoptable: true },
  {
    name: 'labelled as made by Helm',
    live: cm({ labels: { heritage: 'Helm' } }),
    expected: 'foreign',
    why: /Helm made it/,
  },
  {
    name: 'kept for another HarborCluster (its label and the operator)',
    live: cm({ labels: { [LABEL]: 'a' }, managed: [applied] }),
    cluster: bAdopting,
    expected: 'foreign',
    why: /kept for HarborCluster a/,
    adoptable: true,
  },
  { name: 'annotated for b', live: cm({ annotations: { [ADOPT_ANNOTATION]: 'b' } }), expected: 'adopt' },
  { name: 'annotated for b, kept for another HarborCluster', live: cm({ labels: { [LABEL]: 'a' }, annotations: { [ADOPT_ANNOTATION]: 'b' } }), expected: 'adopt' },
  { name: 'a Helm object annotated for b', live: { ...helmObject, metadata: { ...helmObject.metadata, annotations: { [ADOPT_ANNOTATION]: 'b' } } }, expected: 'adopt' },
  { name: 'annotated for another cluster', live: cm({ annotations: { [ADOPT_ANNOTATION]: 'a' } }), expected: 'foreign', why: /annotation harbor-operator\.dev\/adopt names a/ },
  { name: 'made by hand, b adopting existing objects', live: cm(), cluster: bAdopting, expected: 'adopt' },
  { name: "a Helm release's object, b adopting existing objects", live: helmObject, cluster: bAdopting, expected: 'adopt' },
  { name: 'annotated for another cluster, b adopting existing objects', live: cm({ annotations: { [ADOPT_ANNOTATION]: 'a' } }), cluster: bAdopting, expected: 'adopt' },
];

for (const c of cases) {
  test(`ownership: ${c.name} → ${c.expected}`, () => {
    const v = ownership(c.live, c.cluster ?? b, rules);
    assert.equal(v.verdict, c.expected, JSON.stringify(v));
    if (v.verdict === 'foreign') {
      if (c.why) assert.match(v.why, c.why);
      if (c.adoptable !== undefined) assert.equal(v.adoptable, c.adoptable);
    }
  });
}

test('adopt says how it was chosen', () => {
  assert.deepEqual(ownership(cm({ annotations: { [ADOPT_ANNOTATION]: 'b' } }), b, rules), { verdict: 'adopt', how: 'its annotation harbor-operator.dev/adopt=b' });
  assert.deepEqual(ownership(cm(), bAdopting, rules), { verdict: 'adopt', how: "the HarborCluster's annotation harbor-operator.dev/adopt-existing=true" });
});

test('clusterIdentity: adopt-existing only when the annotation is "true"', () => {
  const cr = (annotations?: Record<string, string>): KubeObject => ({
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: 'b', uid: 'uid-b', ...(annotations ? { annotations } : {}) },
  });
  assert.deepEqual(clusterIdentity(cr()), b);
  assert.equal(clusterIdentity(cr({ [ADOPT_EXISTING_ANNOTATION]: 'true' })).adoptExisting, true);
  assert.equal(clusterIdentity(cr({ [ADOPT_EXISTING_ANNOTATION]: 'yes' })).adoptExisting, false);
});

// gatePlan: desired objects of b, with the live ones the plan found.
const mine = { owners: [hc('b', 'uid-b')], labels: { [LABEL]: 'b' }, managed: [applied] };
const desired = (name: string, kind: string): KubeObject => cm({ owners: [hc('b', 'uid-b')], labels: { [LABEL]: 'b' }, managed: [] }, name, kind);
const stranger = (name: string, kind: string): KubeObject => cm({ owners: [hc('a', 'uid-a')], labels: { [LABEL]: 'a' } }, name, kind);

function planOf(p: Partial<Plan>): Plan {
  return { create: [], update: [], unchanged: [], prune: [], ...p };
}
const names = (p: Plan): Record<string, string[]> => ({
  create: p.create.map((o) => `${o.kind}/${o.metadata.name}`),
  update: p.update.map((u) => `${u.desired.kind}/${u.desired.metadata.name}`),
  unchanged: p.unchanged.map((o) => `${o.kind}/${o.metadata.name}`),
  prune: p.prune.map((o) => `${o.kind}/${o.metadata.name}`),
});

test('gatePlan: everything its own passes untouched', () => {
  const live = [cm(mine, 'b-core', 'Service'), cm(mine, 'b-portal', 'ConfigMap'), cm(mine, 'b-old', 'ConfigMap')];
  const p = planOf({
    create: [desired('b-core', 'ConfigMap'), desired('b-core', 'Deployment')],
    update: [{ desired: desired('b-core', 'Service'), live: live[0] as KubeObject, paths: ['spec.ports'] }],
    unchanged: [desired('b-portal', 'ConfigMap')],
    prune: [live[2] as KubeObject],
  });
  const g = gatePlan(p, live, b, rules);
  assert.deepEqual(g.plan, p);
  assert.deepEqual(g.notOwned, []);
  assert.deepEqual(g.held, []);
});

test("gatePlan: another cluster's Service is left out, and every workload and the Ingress wait for it", () => {
  const theirs = stranger('b-core', 'Service');
  const live = [theirs, cm(mine, 'b-portal', 'Deployment'), cm(mine, 'b-old', 'ConfigMap')];
  const p = planOf({
    create: [desired('b-core', 'ConfigMap'), desired('b-core', 'Deployment'), desired('b', 'Ingress')],
    update: [
      { desired: desired('b-core', 'Service'), live: theirs, paths: ['metadata.ownerReferences'] },
      { desired: desired('b-portal', 'Deployment'), live: live[1] as KubeObject, paths: ['spec.replicas'] },
    ],
    prune: [live[2] as KubeObject],
  });
  const g = gatePlan(p, live, b, rules);
  assert.deepEqual(names(g.plan), { create: ['ConfigMap/b-core'], update: [], unchanged: [], prune: ['ConfigMap/b-old'] });
  assert.deepEqual(g.notOwned, [{ object: 'Service b-core', why: 'its controller is HarborCluster a', adoptable: false }]);
  assert.deepEqual(g.held.map((o) => `${o.kind}/${o.metadata.name}`), ['Deployment/b-core', 'Ingress/b', 'Deployment/b-portal']);
});

test('gatePlan: a foreign workload holds back nothing else', () => {
  const theirs = stranger('b-core', 'Deployment');
  const p = planOf({
    create: [desired('b-core', 'ConfigMap'), desired('b-portal', 'Deployment')],
    update: [{ desired: desired('b-core', 'Deployment'), live: theirs, paths: ['spec'] }],
  });
  const g = gatePlan(p, [theirs], b, rules);
  assert.deepEqual(names(g.plan), { create: ['ConfigMap/b-core', 'Deployment/b-portal'], update: [], unchanged: [], prune: [] });
  assert.equal(g.notOwned.length, 1);
  assert.deepEqual(g.held, []);
});

test('gatePlan: a foreign object the plan leaves unchanged is reported too (and holds back the workloads)', () => {
  // A hand-made claim with the cluster's label and exactly the rendered content.
  const claim = cm({ labels: { [LABEL]: 'b' } }, 'b-registry', 'PersistentVolumeClaim');
  const p = planOf({ unchanged: [claim], create: [desired('b-registry', 'Deployment')] });
  const g = gatePlan(p, [claim], b, rules);
  assert.deepEqual(names(g.plan), { create: [], update: [], unchanged: [], prune: [] });
  assert.equal(g.notOwned[0]?.object, 'PersistentVolumeClaim b-registry');
  assert.deepEqual(g.held.map((o) => o.metadata.name), ['b-registry']);
});

test('gatePlan: an adopted object the plan leaves unchanged is applied all the same', () => {
  const claim = cm({ labels: { [LABEL]: 'b' }, annotations: { [ADOPT_ANNOTATION]: 'b' } }, 'b-registry', 'PersistentVolumeClaim');
  const other = cm(mine, 'b-a', 'ConfigMap');
  const p = planOf({ unchanged: [claim, other], update: [{ desired: desired('b-z', 'ConfigMap'), live: cm(mine, 'b-z'), paths: ['data'] }] });
  const g = gatePlan(p, [claim, other, cm(mine, 'b-z')], b, rules);
  assert.deepEqual(names(g.plan), { create: [], update: ['ConfigMap/b-z', 'PersistentVolumeClaim/b-registry'], unchanged: ['ConfigMap/b-a'], prune: [] });
  assert.deepEqual(g.plan.update[1]?.paths, ['(adopted)']);
  assert.deepEqual(g.notOwned, []);
});

test('describeNotOwned: the objects, why, how to hand them over, and what waits', () => {
  const m = describeNotOwned(
    [{ object: 'ConfigMap b-core', why: 'it has no controller owner; written by kubectl-create', adoptable: true }],
    [desired('b-core', 'Deployment')],
    'b',
  );
  assert.equal(
    m,
    "ConfigMap b-core exists and is not this HarborCluster's (it has no controller owner; written by kubectl-create): left alone, not applied and never pruned. " +
      'To hand such an object over, annotate it harbor-operator.dev/adopt=b; or delete or rename it. Held back until then, as they depend on it: Deployment b-core',
  );
  const theirs = describeNotOwned([{ object: 'Service a-core', why: 'its controller is HarborCluster a', adoptable: false }], [], 'a-core');
  assert.equal(theirs, "Service a-core exists and is not this HarborCluster's (its controller is HarborCluster a): left alone, not applied and never pruned");
});
