// podProblem(): why a pod that exists does not run, from the status the
// scheduler and kubelet write; cachedPod() and cachedEvent(): what the caches
// keep. Tables of cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cachedEvent } from '../../src/kube/cached-event.ts';
import { cachedPod, problemOf } from '../../src/kube/cached-pod.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { MAX_MESSAGE, podProblem, type Problem } from '../../src/status/pod-problem.ts';

function pod(status: Record<string, unknown>, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h-core-1', namespace: 'team', ...meta }, spec: {}, status };
}

const waiting = (name: string, reason: string, message?: string, lastState?: unknown): Record<string, unknown> => ({
  name,
  ready: false,
  state: { waiting: { reason, ...(message ? { message } : {}) } },
  ...(lastState ? { lastState } : {}),
});
const running = (name: string): Record<string, unknown> => ({ name, ready: true, state: { running: { startedAt: 't' } } });
const scheduled = (status: string, reason?: string, message?: string): Record<string, unknown> => ({
  type: 'PodScheduled',
  status,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

const cases: { name: string; pod: KubeObject; problem: Problem | undefined }[] = [
  { name: 'running and ready: none', pod: pod({ phase: 'Running', conditions: [scheduled('True')], containerStatuses: [running('core')] }), problem: undefined },
  { name: 'just created, no status yet: none', pod: pod({}), problem: undefined },
  { name: 'scheduled, containers being created: none', pod: pod({ phase: 'Pending', conditions: [scheduled('True')], containerStatuses: [waiting('core', 'ContainerCreating')] }), problem: undefined },
  { name: 'init containers running: PodInitializing is normal', pod: pod({ phase: 'Pending', containerStatuses: [waiting('core', 'PodInitializing')] }), problem: undefined },
  {
    name: 'unschedulable: the scheduler’s reason and message',
    pod: pod({ phase: 'Pending', conditions: [scheduled('False', 'Unschedulable', "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")] }),
    problem: { reason: 'Unschedulable', message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector." },
  },
  {
    name: 'scheduling gated: its reason',
    pod: pod({ phase: 'Pending', conditions: [scheduled('False', 'SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates')] }),
    problem: { reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' },
  },
  {
    name: 'PodScheduled=False without reason or message',
    pod: pod({ phase: 'Pending', conditions: [scheduled('False')] }),
    problem: { reason: 'Unschedulable', message: 'the pod cannot be scheduled' },
  },
  {
    name: 'an image that cannot be pulled: the waiting reason, with the container named',
    pod: pod({ phase: 'Pending', containerStatuses: [running('registryctl'), waiting('registry', 'ImagePullBackOff', 'Back-off pulling image "x/y:1"')] }),
    problem: { reason: 'ImagePullBackOff', message: 'container registry: Back-off pulling image "x/y:1"' },
  },
  {
    name: 'ErrImagePull without a message: the reason stands in',
    pod: pod({ phase: 'Pending', containerStatuses: [waiting('core', 'ErrImagePull')] }),
    problem: { reason: 'ErrImagePull', message: 'container core: ErrImagePull' },
  },
  {
    name: 'a crash loop: with the last exit',
    pod: pod({
      phase: 'Running',
      containerStatuses: [waiting('core', 'CrashLoopBackOff', 'back-off 5m0s restarting failed container=core', { terminated: { reason: 'Error', exitCode: 1 } })],
    }),
    problem: { reason: 'CrashLoopBackOff', message: 'container core: back-off 5m0s restarting failed container=core; last exit: Error (code 1)' },
  },
  {
    name: 'an init container’s problem comes before the containers’',
    pod: pod({
      phase: 'Pending',
      initContainerStatuses: [waiting('init', 'CreateContainerConfigError', 'secret "x" not found')],
      containerStatuses: [waiting('core', 'PodInitializing')],
    }),
    problem: { reason: 'CreateContainerConfigError', message: 'container init: secret "x" not found' },
  },
  {
    name: 'not schedulable wins over container states',
    pod: pod({ phase: 'Pending', conditions: [scheduled('False', 'Unschedulable', 'no')], containerStatuses: [waiting('core', 'ErrImagePull')] }),
    problem: { reason: 'Unschedulable', message: 'no' },
  },
  { name: 'evicted: the pod’s reason', pod: pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }), problem: { reason: 'Evicted', message: 'The node was low on resource: memory.' } },
  { name: 'failed without reason', pod: pod({ phase: 'Failed' }), problem: { reason: 'Failed', message: 'the pod failed' } },
  { name: 'succeeded: none', pod: pod({ phase: 'Succeeded', containerStatuses: [waiting('core', 'Completed')] }), problem: undefined },
  {
    name: 'being deleted: none, whatever its state',
    pod: pod({ phase: 'Pending', containerStatuses: [waiting('core', 'ErrImagePull')] }, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    problem: undefined,
  },
];

for (const c of cases) {
  test(`podProblem: ${c.name}`, () => {
    assert.deepEqual(podProblem(c.pod), c.problem);
  });
}

test('podProblem: a long message is cut to MAX_MESSAGE characters', () => {
  const p = podProblem(pod({ phase: 'Pending', conditions: [scheduled('False', 'Unschedulable', 'x'.repeat(5000))] }));
  assert.ok(p);
  assert.equal(p.message.length, MAX_MESSAGE);
  assert.ok(p.message.endsWith('…'));
});

const LABELS = ['harbor-operator.dev/cluster', 'app.kubernetes.io/component'];

test('cachedPod keeps the name, namespace, resourceVersion, the two labels and the problem; nothing else', () => {
  const full = pod(
    { phase: 'Pending', containerStatuses: [waiting('core', 'ErrImagePull', 'no such host')], hostIP: '10.0.0.1' },
    {
      resourceVersion: '42',
      uid: 'u',
      labels: { 'harbor-operator.dev/cluster': 'h', 'app.kubernetes.io/component': 'core', 'pod-template-hash': 'abc', other: 'x' },
      annotations: { a: 'b' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'h-core-abc', uid: 'r' }],
      managedFields: [{ manager: 'kube-controller-manager' }],
    },
  );
  assert.deepEqual(cachedPod(full, LABELS), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'h-core-1', namespace: 'team', resourceVersion: '42', labels: { 'harbor-operator.dev/cluster': 'h', 'app.kubernetes.io/component': 'core' } },
    problem: { reason: 'ErrImagePull', message: 'container core: no such host' },
  });
});

test('cachedPod of a running pod has no problem field; problemOf reads it back', () => {
  const ok = cachedPod(pod({ phase: 'Running', containerStatuses: [running('core')] }, { labels: {} }), LABELS);
  assert.equal('problem' in ok, false);
  assert.equal(problemOf(ok), undefined);
  const bad = cachedPod(pod({ phase: 'Failed', reason: 'Evicted', message: 'm' }), LABELS);
  assert.deepEqual(problemOf(bad), { reason: 'Evicted', message: 'm' });
});

test('cachedPod shares repeated strings through the intern function, not the pod name or resourceVersion', () => {
  const seen: string[] = [];
  cachedPod(pod({}, { resourceVersion: '1', labels: { 'harbor-operator.dev/cluster': 'h' } }), LABELS, (s) => (seen.push(s), s));
  assert.deepEqual(seen.sort(), ['h', 'harbor-operator.dev/cluster', 'team']);
});

const eventCases: { name: string; event: Record<string, unknown>; lastSeen: string }[] = [
  { name: 'core/v1 event: lastTimestamp', event: { lastTimestamp: '2026-01-01T00:00:02Z', eventTime: null }, lastSeen: '2026-01-01T00:00:02Z' },
  {
    name: 'events.k8s.io event in a series: the series’ last time',
    event: { lastTimestamp: null, eventTime: '2026-01-01T00:00:01.000000Z', series: { count: 3, lastObservedTime: '2026-01-01T00:00:09.000000Z' } },
    lastSeen: '2026-01-01T00:00:09.000000Z',
  },
  { name: 'events.k8s.io event, single: eventTime', event: { lastTimestamp: null, eventTime: '2026-01-01T00:00:01.000000Z' }, lastSeen: '2026-01-01T00:00:01.000000Z' },
  { name: 'no time at all: creationTimestamp', event: {}, lastSeen: '2026-01-01T00:00:00Z' },
];

for (const c of eventCases) {
  test(`cachedEvent: ${c.name}`, () => {
    const e = cachedEvent({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'h-trivy.1', namespace: 'team', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [{}] },
      involvedObject: { kind: 'StatefulSet', name: 'h-trivy', uid: 'u1', apiVersion: 'apps/v1', resourceVersion: '3' },
      reason: 'FailedCreate',
      message: 'create Pod h-trivy-0 in StatefulSet h-trivy failed error: forbidden',
      type: 'Warning',
      source: { component: 'statefulset-controller' },
      count: 4,
      ...c.event,
    });
    assert.deepEqual(e, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'h-trivy.1', namespace: 'team', resourceVersion: '7' },
      involvedObject: { kind: 'StatefulSet', name: 'h-trivy', uid: 'u1' },
      reason: 'FailedCreate',
      message: 'create Pod h-trivy-0 in StatefulSet h-trivy failed error: forbidden',
      lastSeen: c.lastSeen,
    });
  });
}
