// componentCauses(): why a component's pods are missing or not running, from
// the workload, its pods and its FailedCreate events; and how observe() shows
// it (status.components and the Ready message). Tables of cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { componentCauses, type FailedCreateReport, type PodReport } from '../../src/status/component-causes.ts';
import { componentReport, waitingMessage } from '../../src/status/components.ts';
import { COMPONENT_LABEL, observe } from '../../src/status/observe.ts';
import type { Problem } from '../../src/status/pod-problem.ts';

interface W {
  kind?: 'Deployment' | 'StatefulSet';
  replicas?: number;
  created?: number;
  ready?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  uid?: string;
}

function workload(component: string, o: W = {}): KubeObject {
  const replicas = o.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: o.kind ?? 'Deployment',
    metadata: { name: `h-${component}`, namespace: 'team', uid: o.uid ?? `uid-${component}`, generation: 1, labels: { [COMPONENT_LABEL]: component } },
    spec: { replicas },
    status: {
      observedGeneration: 1,
      replicas: o.created ?? 0,
      readyReplicas: o.ready ?? 0,
      updatedReplicas: o.ready ?? 0,
      ...(o.conditions ? { conditions: o.conditions } : {}),
    },
  };
}

const replicaFailure = (message: string) => ({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message });
const pending = (name: string, component: string, problem?: Problem): PodReport => ({ name, component, ...(problem ? { problem } : {}) });
const failedCreate = (name: string, message: string, lastSeen: string, uid = `uid-${name.slice(2)}`): FailedCreateReport => ({ name, uid, message, lastSeen });

const forbidden = 'pods "h-core-abc-" is forbidden: no PriorityClass with name nope was found';

const cases: { name: string; workloads: KubeObject[]; pods?: PodReport[]; events?: FailedCreateReport[]; causes: Record<string, Problem> }[] = [
  { name: 'nothing wrong: no causes', workloads: [workload('core', { created: 1, ready: 1 })], causes: {} },
  {
    name: "a Deployment's ReplicaFailure condition: its reason and message",
    workloads: [workload('core', { conditions: [{ type: 'Available', status: 'False' }, replicaFailure(forbidden)] })],
    causes: { core: { reason: 'FailedCreate', message: forbidden } },
  },
  {
    name: 'a ReplicaFailure condition that is False does not count',
    workloads: [workload('core', { conditions: [{ ...replicaFailure(forbidden), status: 'False' }] })],
    causes: {},
  },
  {
    name: "a StatefulSet missing pods: the latest of its FailedCreate events",
    workloads: [workload('trivy', { kind: 'StatefulSet', created: 0 })],
    events: [
      failedCreate('h-trivy', 'create Pod h-trivy-0 in StatefulSet h-trivy failed error: old', '2026-01-01T00:00:01Z'),
      failedCreate('h-trivy', 'create Pod h-trivy-0 in StatefulSet h-trivy failed error: new', '2026-01-01T00:00:05Z'),
      failedCreate('h-trivy', 'create Pod h-trivy-0 in StatefulSet h-trivy failed error: middle', '2026-01-01T00:00:03Z'),
    ],
    causes: { trivy: { reason: 'FailedCreate', message: 'create Pod h-trivy-0 in StatefulSet h-trivy failed error: new' } },
  },
  {
    name: 'a StatefulSet with all its pods created: its old FailedCreate events no longer count',
    workloads: [workload('trivy', { kind: 'StatefulSet', created: 1, ready: 0 })],
    events: [failedCreate('h-trivy', 'create Pod failed', '2026-01-01T00:00:01Z')],
    causes: {},
  },
  {
    name: 'FailedCreate events of an earlier StatefulSet of the same name (another uid) do not count',
    workloads: [workload('trivy', { kind: 'StatefulSet', created: 0, uid: 'uid-now' })],
    events: [failedCreate('h-trivy', 'create Pod failed', '2026-01-01T00:00:01Z', 'uid-before')],
    causes: {},
  },
  {
    name: "another StatefulSet's events do not count",
    workloads: [workload('trivy', { kind: 'StatefulSet', created: 0 })],
    events: [failedCreate('h-database', 'create Pod failed', '2026-01-01T00:00:01Z', 'uid-trivy')],
    causes: {},
  },
  {
    name: "a pod's problem, naming the pod; the first by name of several",
    workloads: [workload('registry', { replicas: 2, created: 2 })],
    pods: [
      pending('h-registry-b', 'registry', { reason: 'ImagePullBackOff', message: 'container registry: b' }),
      pending('h-registry-a', 'registry', { reason: 'ErrImagePull', message: 'container registry: a' }),
      pending('h-core-x', 'core', { reason: 'CrashLoopBackOff', message: 'other component' }),
    ],
    causes: { registry: { reason: 'ErrImagePull', message: 'pod h-registry-a: container registry: a' } },
  },
  {
    name: 'pods without a problem give no cause',
    workloads: [workload('core', { created: 1 })],
    pods: [pending('h-core-x', 'core')],
    causes: {},
  },
  {
    name: 'pods that cannot be created come before the problems of pods that exist',
    workloads: [workload('core', { replicas: 2, created: 1, conditions: [replicaFailure(forbidden)] })],
    pods: [pending('h-core-x', 'core', { reason: 'Unschedulable', message: 'no node' })],
    causes: { core: { reason: 'FailedCreate', message: forbidden } },
  },
  {
    name: 'a rollout past its deadline, with nothing more precise',
    workloads: [workload('core', { created: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "h-core-abc" has timed out progressing.' }] })],
    causes: { core: { reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "h-core-abc" has timed out progressing.' } },
  },
  {
    name: "a pod's problem is more precise than the deadline",
    workloads: [workload('core', { created: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] })],
    pods: [pending('h-core-x', 'core', { reason: 'ImagePullBackOff', message: 'container core: m' })],
    causes: { core: { reason: 'ImagePullBackOff', message: 'pod h-core-x: container core: m' } },
  },
  {
    name: 'several components, each its own',
    workloads: [workload('core', { conditions: [replicaFailure(forbidden)] }), workload('trivy', { kind: 'StatefulSet' }), workload('portal', { created: 1, ready: 1 })],
    events: [failedCreate('h-trivy', 'create Pod h-trivy-0 failed', '2026-01-01T00:00:01Z')],
    causes: { core: { reason: 'FailedCreate', message: forbidden }, trivy: { reason: 'FailedCreate', message: 'create Pod h-trivy-0 failed' } },
  },
];

for (const c of cases) {
  test(`componentCauses: ${c.name}`, () => {
    assert.deepEqual(componentCauses(c.workloads, c.pods ?? [], c.events ?? []), c.causes);
  });
}

test('componentCauses: a long message is cut', () => {
  const causes = componentCauses([workload('core', { conditions: [replicaFailure('x'.repeat(3000))] })], [], []);
  assert.equal(causes['core']?.message.length, 512);
});

const cause = { reason: 'FailedCreate', message: 'forbidden' };

const reportCases: { name: string; counted: { name: string; ready: number; desired: number }; cause?: Problem; expected: ReturnType<typeof componentReport> }[] = [
  { name: 'not ready with a cause: reason and message', counted: { name: 'core', ready: 0, desired: 1 }, cause, expected: { ready: 0, desired: 1, reason: 'FailedCreate', message: 'forbidden' } },
  { name: 'not ready without a cause: counts only', counted: { name: 'core', ready: 0, desired: 1 }, expected: { ready: 0, desired: 1 } },
  { name: 'ready: a cause left over is not shown', counted: { name: 'core', ready: 2, desired: 2 }, cause, expected: { ready: 2, desired: 2 } },
  {
    name: 'the CRD limits: reason 128, message 1024 characters',
    counted: { name: 'core', ready: 0, desired: 1 },
    cause: { reason: 'R'.repeat(200), message: 'm'.repeat(2000) },
    expected: { ready: 0, desired: 1, reason: `${'R'.repeat(127)}…`, message: `${'m'.repeat(1023)}…` },
  },
];

for (const c of reportCases) {
  test(`componentReport: ${c.name}`, () => {
    assert.deepEqual(componentReport(c.counted, c.cause), c.expected);
  });
}

const messageCases: { name: string; notReady: { name: string; ready: number; desired: number }[]; causes: Record<string, Problem>; expected: string }[] = [
  { name: 'no causes: the list', notReady: [{ name: 'core', ready: 0, desired: 1 }, { name: 'registry', ready: 1, desired: 3 }], causes: {}, expected: 'waiting for core 0/1, registry 1/3' },
  {
    name: 'the first component with a cause is named after the list',
    notReady: [{ name: 'core', ready: 0, desired: 1 }, { name: 'registry', ready: 1, desired: 3 }, { name: 'trivy', ready: 0, desired: 1 }],
    causes: { registry: { reason: 'Unschedulable', message: 'pod h-registry-x: 0/2 nodes are available' }, trivy: cause },
    expected: 'waiting for core 0/1, registry 1/3, trivy 0/1; registry: Unschedulable: pod h-registry-x: 0/2 nodes are available',
  },
  {
    name: 'a cause of a component that is ready is not named',
    notReady: [{ name: 'core', ready: 0, desired: 1 }],
    causes: { portal: cause },
    expected: 'waiting for core 0/1',
  },
];

for (const c of messageCases) {
  test(`waitingMessage: ${c.name}`, () => {
    assert.equal(waitingMessage(c.notReady, c.causes), c.expected);
  });
}

test('observe: causes reach status.components and the Ready message; Degraded stays False (the operator applied everything)', () => {
  const s = observe({
    generation: 1,
    version: '2.15.1',
    url: 'https://h.example.com',
    previous: undefined,
    outcome: { kind: 'applied', changed: 0 },
    workloads: [workload('core', { conditions: [replicaFailure(forbidden)] }), workload('portal', { created: 1, ready: 1 })],
    causes: { core: { reason: 'FailedCreate', message: forbidden }, portal: { reason: 'Unschedulable', message: 'stale' } },
    now: '2026-01-01T00:00:00Z',
  });
  assert.deepEqual(s.components, {
    core: { ready: 0, desired: 1, reason: 'FailedCreate', message: forbidden },
    portal: { ready: 1, desired: 1 },
  });
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'ComponentsNotReady', `waiting for core 0/1; core: FailedCreate: ${forbidden}`]);
  assert.equal(s.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
});
