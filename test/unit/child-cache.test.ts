// InformerCache.track(): the index of children by HarborCluster label.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InformerCache } from '../../src/controller/child-cache.ts';
import { objectKey, type KubeObject } from '../../src/model/object.ts';
import { clusterLabel } from '../../src/render/values.ts';

function child(name: string, cluster: string | undefined, o: { kind?: string; apiVersion?: string; namespace?: string; rv?: string } = {}): KubeObject {
  return {
    apiVersion: o.apiVersion ?? 'v1',
    kind: o.kind ?? 'ConfigMap',
    metadata: {
      name,
      namespace: o.namespace ?? 'team',
      resourceVersion: o.rv ?? '1',
      labels: cluster === undefined ? { other: 'x' } : { [clusterLabel]: cluster },
    },
  };
}

type Event = ['add' | 'update' | 'delete', KubeObject, KubeObject?];

interface Case {
  name: string;
  events: Event[];
  /** The key track() returns for each event, in order. */
  returns: (string | undefined)[];
  /** childrenOf(namespace, cluster) after all events, as sorted object keys. */
  children: Record<string, string[]>;
}

const a1 = child('a1', 'a');
const a2 = child('a2', 'a');
const b1 = child('b1', 'b');

const cases: Case[] = [
  { name: 'nothing tracked', events: [], returns: [], children: { 'team/a': [] } },
  {
    name: 'added children are listed under their cluster',
    events: [['add', a1], ['add', a2], ['add', b1]],
    returns: ['team/a', 'team/a', 'team/b'],
    children: { 'team/a': ['/ConfigMap/team/a1', '/ConfigMap/team/a2'], 'team/b': ['/ConfigMap/team/b1'] },
  },
  {
    name: 'a delete removes the child',
    events: [['add', a1], ['add', a2], ['delete', a1]],
    returns: ['team/a', 'team/a', 'team/a'],
    children: { 'team/a': ['/ConfigMap/team/a2'] },
  },
  {
    name: 'deleting the last child empties the cluster',
    events: [['add', a1], ['delete', a1]],
    returns: ['team/a', 'team/a'],
    children: { 'team/a': [] },
  },
  {
    name: 'deleting an object never added is harmless',
    events: [['delete', a1]],
    returns: ['team/a'],
    children: { 'team/a': [] },
  },
  {
    name: 'a label moved from cluster a to b moves the object',
    events: [['add', a1], ['add', a2], ['update', child('a1', 'b', { rv: '2' }), a1]],
    returns: ['team/a', 'team/a', 'team/b'],
    children: { 'team/a': ['/ConfigMap/team/a2'], 'team/b': ['/ConfigMap/team/a1'] },
  },
  {
    name: 'a label removed drops the object, and the old cluster is returned',
    events: [['add', a1], ['update', child('a1', undefined, { rv: '2' }), a1]],
    returns: ['team/a', 'team/a'],
    children: { 'team/a': [] },
  },
  {
    name: 'a label added later indexes the object',
    events: [['add', child('x', undefined)], ['update', child('x', 'a', { rv: '2' }), child('x', undefined)]],
    returns: [undefined, 'team/a'],
    children: { 'team/a': ['/ConfigMap/team/x'] },
  },
  {
    name: 'objects without the label are not indexed and give no key',
    events: [['add', child('x', undefined)], ['update', child('x', undefined, { rv: '2' }), child('x', undefined)], ['delete', child('x', undefined)]],
    returns: [undefined, undefined, undefined],
    children: { 'team/a': [], 'team/': [] },
  },
  {
    name: 'an empty label value counts as no label',
    events: [['add', child('x', '')]],
    returns: [undefined],
    children: { 'team/': [] },
  },
  {
    name: 'the same cluster name in two namespaces are two clusters',
    events: [['add', a1], ['add', child('a1', 'a', { namespace: 'other' })]],
    returns: ['team/a', 'other/a'],
    children: { 'team/a': ['/ConfigMap/team/a1'], 'other/a': ['/ConfigMap/other/a1'] },
  },
  {
    name: 'the same name in two kinds are two children',
    events: [['add', a1], ['add', child('a1', 'a', { kind: 'Deployment', apiVersion: 'apps/v1' })]],
    returns: ['team/a', 'team/a'],
    children: { 'team/a': ['/ConfigMap/team/a1', 'apps/Deployment/team/a1'] },
  },
  {
    name: 'an add of an object already there (a relist) keeps one entry',
    events: [['add', a1], ['add', child('a1', 'a', { rv: '2' })]],
    returns: ['team/a', 'team/a'],
    children: { 'team/a': ['/ConfigMap/team/a1'] },
  },
  {
    name: 'moved away and back',
    events: [['add', a1], ['update', child('a1', 'b', { rv: '2' }), a1], ['update', child('a1', 'a', { rv: '3' }), child('a1', 'b', { rv: '2' })]],
    returns: ['team/a', 'team/b', 'team/a'],
    children: { 'team/a': ['/ConfigMap/team/a1'], 'team/b': [] },
  },
  {
    name: 'a delete of a moved object (old label in old) clears both clusters',
    events: [['add', a1], ['delete', child('a1', 'b', { rv: '2' }), a1]],
    returns: ['team/a', 'team/b'],
    children: { 'team/a': [], 'team/b': [] },
  },
];

for (const c of cases) {
  test(`track: ${c.name}`, () => {
    const cache = new InformerCache([], []);
    const returned = c.events.map(([event, obj, old]) => cache.track(event, obj, old));
    assert.deepEqual(returned, c.returns);
    for (const [owner, expected] of Object.entries(c.children)) {
      const [ns = '', cluster = ''] = owner.split('/');
      assert.deepEqual(cache.childrenOf(ns, cluster).map(objectKey).sort(), expected, owner);
    }
  });
}

test('track: an update replaces the cached object with the new one', () => {
  const cache = new InformerCache([], []);
  cache.track('add', a1);
  const newer = { ...child('a1', 'a', { rv: '2' }), data: { k: 'v2' } };
  cache.track('update', newer, a1);
  const [only, ...rest] = cache.childrenOf('team', 'a');
  assert.equal(rest.length, 0);
  assert.equal(only, newer);
});

test('childrenOf returns a copy: changing it does not change the index', () => {
  const cache = new InformerCache([], []);
  cache.track('add', a1);
  cache.childrenOf('team', 'a').pop();
  assert.equal(cache.childrenOf('team', 'a').length, 1);
});

test('with no informers, no cluster, no child and no kind is available', () => {
  const cache = new InformerCache([], []);
  assert.equal(cache.getCluster('team', 'a'), undefined);
  assert.deepEqual(cache.listClusters(), []);
  assert.equal(cache.getChild('v1', 'ConfigMap', 'team', 'a1'), undefined);
  assert.equal(cache.kindAvailable('v1', 'ConfigMap'), false);
});
