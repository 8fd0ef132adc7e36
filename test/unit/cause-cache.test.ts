// CauseCache: pods indexed by HarborCluster and FailedCreate events by
// StatefulSet, and which of their changes queue a reconcile (only those of
// what status reads). Tables of event sequences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CauseCache } from '../../src/controller/cause-cache.ts';
import type { CachedEvent } from '../../src/kube/cached-event.ts';
import type { KubeObject } from '../../src/model/object.ts';

const CL = 'harbor-operator.dev/cluster';

function pod(name: string, cluster: string | undefined, problem?: { reason: string; message: string }, rv = '1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team', resourceVersion: rv, labels: cluster ? { [CL]: cluster } : {} },
    ...(problem ? { problem } : {}),
  };
}

const pull = { reason: 'ImagePullBackOff', message: 'container core: x' };
const crash = { reason: 'CrashLoopBackOff', message: 'container core: y' };

type PodStep = [event: 'add' | 'update' | 'delete', pod: KubeObject, old: KubeObject | undefined, queued: string | undefined];

const podCases: { name: string; steps: PodStep[]; index: Record<string, string[]> }[] = [
  { name: 'a pod without a problem is indexed and queues nothing', steps: [['add', pod('p1', 'h'), undefined, undefined]], index: { h: ['p1'] } },
  { name: 'a pod with a problem queues its cluster', steps: [['add', pod('p1', 'h', pull), undefined, 'team/h']], index: { h: ['p1'] } },
  {
    name: 'status updates that keep the problem the same queue nothing; a new problem does',
    steps: [
      ['add', pod('p1', 'h', pull), undefined, 'team/h'],
      ['update', pod('p1', 'h', pull, '2'), pod('p1', 'h', pull), undefined],
      ['update', pod('p1', 'h', crash, '3'), pod('p1', 'h', pull, '2'), 'team/h'],
      ['update', pod('p1', 'h', undefined, '4'), pod('p1', 'h', crash, '3'), 'team/h'],
      ['update', pod('p1', 'h', undefined, '5'), pod('p1', 'h', undefined, '4'), undefined],
    ],
    index: { h: ['p1'] },
  },
  {
    name: 'deleting a pod with a problem queues its cluster; without one, nothing',
    steps: [
      ['add', pod('p1', 'h', pull), undefined, 'team/h'],
      ['add', pod('p2', 'h'), undefined, undefined],
      ['delete', pod('p1', 'h', pull), undefined, 'team/h'],
      ['delete', pod('p2', 'h'), undefined, undefined],
    ],
    index: {},
  },
  {
    name: 'a pod moved to another cluster label leaves the old index',
    steps: [
      ['add', pod('p1', 'h', pull), undefined, 'team/h'],
      ['update', pod('p1', 'g', pull, '2'), pod('p1', 'h', pull), 'team/g'],
    ],
    index: { g: ['p1'] },
  },
  { name: 'a pod without the label is not indexed', steps: [['add', pod('p1', undefined, pull), undefined, undefined]], index: {} },
];

for (const c of podCases) {
  test(`CauseCache.trackPod: ${c.name}`, () => {
    const cache = new CauseCache();
    for (const [i, [event, p, old, queued]] of c.steps.entries()) assert.equal(cache.trackPod(event, p, old), queued, `step ${i}`);
    for (const cluster of ['h', 'g']) {
      assert.deepEqual(
        cache.podsOf('team', cluster).map((p) => p.metadata.name).sort(),
        c.index[cluster] ?? [],
        `pods of ${cluster}`,
      );
    }
  });
}

function event(name: string, set: string, message: string, uid = 'u1'): CachedEvent {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'team', resourceVersion: '1' },
    involvedObject: { kind: 'StatefulSet', name: set, uid },
    reason: 'FailedCreate',
    message,
    lastSeen: 't',
  };
}

test('CauseCache.trackEvent: indexed by StatefulSet; a repeat with the same message changes nothing status reads', () => {
  const cache = new CauseCache();
  assert.equal(cache.trackEvent('add', event('e1', 'h-trivy', 'forbidden')), true);
  assert.equal(cache.trackEvent('update', { ...event('e1', 'h-trivy', 'forbidden'), lastSeen: 't2' }, event('e1', 'h-trivy', 'forbidden')), false);
  assert.equal(cache.trackEvent('update', event('e1', 'h-trivy', 'quota'), event('e1', 'h-trivy', 'forbidden')), true);
  assert.equal(cache.trackEvent('add', event('e2', 'h-database', 'quota')), true);
  assert.deepEqual(cache.failedCreatesOf('team', 'h-trivy').map((e) => e.message), ['quota']);
  assert.equal(cache.trackEvent('delete', event('e1', 'h-trivy', 'quota')), true);
  assert.deepEqual(cache.failedCreatesOf('team', 'h-trivy'), []);
  assert.equal(cache.failedCreatesOf('team', 'h-database').length, 1);
});
