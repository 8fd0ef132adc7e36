import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plan, summarize, type Plan } from '../../src/diff/plan.ts';
import { objectKey, type KubeObject, type ObjectMeta } from '../../src/model/object.ts';

const owner = { uid: 'uid-1' };
const ours = [{ apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name: 'h', uid: 'uid-1', controller: true }];
const theirs = [{ apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name: 'g', uid: 'uid-2', controller: true }];

function cm(name: string, data: Record<string, string> = { k: 'v' }, meta: Partial<ObjectMeta> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team', ...meta }, data };
}

/** The live form of a desired object: owned, with server fields. */
function served(o: KubeObject, meta: Partial<ObjectMeta> = {}): KubeObject {
  return { ...o, metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, resourceVersion: '7', ownerReferences: ours, ...meta } };
}

function pvc(name: string, meta: Partial<ObjectMeta> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'team', ...meta }, spec: { accessModes: ['ReadWriteOnce'] } };
}

function deployment(name: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'team' },
    spec: { template: { spec: { containers: [{ name, image }] } } },
  };
}

/** A plan by keys, plus the update paths, for readable expectations. */
interface Shape {
  create: string[];
  update: [string, string[]][];
  unchanged: string[];
  prune: string[];
}

function shape(p: Plan): Shape {
  return {
    create: p.create.map(objectKey),
    update: p.update.map((u) => [objectKey(u.desired), u.paths]),
    unchanged: p.unchanged.map(objectKey),
    prune: p.prune.map(objectKey),
  };
}

const none: Shape = { create: [], update: [], unchanged: [], prune: [] };

const cases: { name: string; desired: KubeObject[]; live: KubeObject[]; expected: Shape }[] = [
  { name: 'nothing desired, nothing live', desired: [], live: [], expected: none },
  {
    name: 'desired without live is created',
    desired: [cm('a'), deployment('core', 'core:1')],
    live: [],
    expected: { ...none, create: ['/ConfigMap/team/a', 'apps/Deployment/team/core'] },
  },
  {
    name: 'desired equal to live is unchanged',
    desired: [cm('a')],
    live: [served(cm('a'))],
    expected: { ...none, unchanged: ['/ConfigMap/team/a'] },
  },
  {
    name: 'desired differing from live is updated with the paths',
    desired: [deployment('core', 'core:2')],
    live: [served(deployment('core', 'core:1'))],
    expected: { ...none, update: [['apps/Deployment/team/core', ['spec.template.spec.containers[0].image']]] },
  },
  {
    name: 'an owned live object no longer desired is pruned',
    desired: [cm('a')],
    live: [served(cm('a')), served(cm('old'))],
    expected: { ...none, unchanged: ['/ConfigMap/team/a'], prune: ['/ConfigMap/team/old'] },
  },
  {
    name: 'create, update, unchanged and prune together',
    desired: [cm('new'), cm('same'), cm('changed', { k: 'v2' })],
    live: [served(cm('same')), served(cm('changed')), served(cm('gone'))],
    expected: {
      create: ['/ConfigMap/team/new'],
      update: [['/ConfigMap/team/changed', ['data.k']]],
      unchanged: ['/ConfigMap/team/same'],
      prune: ['/ConfigMap/team/gone'],
    },
  },
  {
    name: 'a PersistentVolumeClaim is never pruned, owned or not',
    desired: [],
    live: [pvc('data', { ownerReferences: ours }), pvc('kept')],
    expected: none,
  },
  {
    name: 'an object controlled by another owner is never pruned',
    desired: [],
    live: [served(cm('other'), { ownerReferences: theirs })],
    expected: none,
  },
  {
    name: 'an object that merely references the owner without controlling it is not pruned',
    desired: [],
    live: [served(cm('ref'), { ownerReferences: [{ ...ours[0], controller: false } as (typeof ours)[number]] })],
    expected: none,
  },
  {
    name: 'an object without owner references is not pruned',
    desired: [],
    live: [cm('stray')],
    expected: none,
  },
  {
    name: 'an object being deleted is not pruned again',
    desired: [],
    live: [served(cm('going'), { deletionTimestamp: '2025-01-01T00:00:00Z' })],
    expected: none,
  },
  {
    name: 'a live object listed twice (by label and as counterpart) counts once',
    desired: [cm('a')],
    live: [served(cm('a')), served(cm('a')), served(cm('old')), served(cm('old'))],
    expected: { ...none, unchanged: ['/ConfigMap/team/a'], prune: ['/ConfigMap/team/old'] },
  },
  {
    name: 'objects are matched by group, kind, namespace and name, not by version',
    desired: [{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'core', namespace: 'team' } }],
    live: [served({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'core', namespace: 'team' } })],
    expected: { ...none, update: [['autoscaling/HorizontalPodAutoscaler/team/core', ['apiVersion']]] },
  },
  {
    name: 'same name in another kind is another object',
    desired: [cm('x')],
    live: [served({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'team' } })],
    expected: { ...none, create: ['/ConfigMap/team/x'], prune: ['/Secret/team/x'] },
  },
  {
    name: 'every list is sorted by key whatever the input order',
    desired: [cm('c'), deployment('b', 'i'), cm('a'), cm('b')],
    live: [served(cm('z')), served(cm('y')), served(deployment('b', 'i')), served(cm('b'))],
    expected: {
      ...none,
      create: ['/ConfigMap/team/a', '/ConfigMap/team/c'],
      unchanged: ['/ConfigMap/team/b', 'apps/Deployment/team/b'],
      prune: ['/ConfigMap/team/y', '/ConfigMap/team/z'],
    },
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(shape(plan(c.desired, c.live, owner)), c.expected);
  });
}

test('update carries the desired and the live object', () => {
  const desired = cm('a', { k: 'new' });
  const live = served(cm('a'));
  const p = plan([desired], [live], owner);
  assert.deepEqual(p.update, [{ desired, live, paths: ['data.k'] }]);
});

test('the same inputs in another order give the same plan', () => {
  const desired = [cm('a'), cm('b', { k: 'x' }), cm('c')];
  const live = [served(cm('b')), served(cm('c')), served(cm('d')), pvc('p', { ownerReferences: ours })];
  assert.deepEqual(plan(desired.toReversed(), live.toReversed(), owner), plan(desired, live, owner));
});

test('a desired object listed twice is refused', () => {
  assert.throws(() => plan([cm('a'), cm('a')], [], owner), /\/ConfigMap\/team\/a twice/);
});

const summaries: { name: string; desired: KubeObject[]; live: KubeObject[]; expected: ReturnType<typeof summarize> }[] = [
  { name: 'summary of an empty plan', desired: [], live: [], expected: { create: 0, update: 0, unchanged: 0, prune: 0 } },
  {
    name: 'summary counts each list',
    desired: [cm('n1'), cm('n2'), cm('n3'), cm('u', { k: 'x' }), cm('s1'), cm('s2')],
    live: [served(cm('u')), served(cm('s1')), served(cm('s2')), served(cm('p'))],
    expected: { create: 3, update: 1, unchanged: 2, prune: 1 },
  },
];

for (const c of summaries) {
  test(c.name, () => {
    assert.deepEqual(summarize(plan(c.desired, c.live, owner)), c.expected);
  });
}
