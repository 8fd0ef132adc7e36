// observe() and setCondition(): plain data in, HarborCluster status out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setCondition, type Condition } from '../../src/status/conditions.ts';
import { COMPONENT_LABEL, observe, sameStatus, type HarborClusterStatus, type ObserveInput } from '../../src/status/observe.ts';
import type { KubeObject } from '../../src/model/object.ts';

const T0 = '2026-01-01T00:00:00Z';
const NOW = '2026-01-02T03:04:05Z';

interface WorkloadOpts {
  kind?: 'Deployment' | 'StatefulSet';
  replicas?: number;
  ready?: number;
  updated?: number;
  generation?: number;
  observedGeneration?: number;
}

/** A live workload of the cluster; by default 1/1 ready and current. */
function workload(component: string, o: WorkloadOpts = {}): KubeObject {
  const replicas = o.replicas ?? 1;
  const generation = o.generation ?? 2;
  return {
    apiVersion: 'apps/v1',
    kind: o.kind ?? 'Deployment',
    metadata: { name: `harbor-${component}`, namespace: 'team', generation, labels: { [COMPONENT_LABEL]: component } },
    spec: { replicas },
    status: {
      observedGeneration: o.observedGeneration ?? generation,
      replicas,
      readyReplicas: o.ready ?? replicas,
      updatedReplicas: o.updated ?? o.ready ?? replicas,
    },
  };
}

const allReady = [workload('core'), workload('portal'), workload('registry'), workload('database', { kind: 'StatefulSet' })];

function cond(type: string, status: Condition['status'], reason: string, message = 'm', lastTransitionTime = T0, observedGeneration = 3): Condition {
  return { type, status, reason, message, observedGeneration, lastTransitionTime };
}

/** Status of generation 3, all ready, running 2.14.0. */
const readyBefore: HarborClusterStatus = {
  observedGeneration: 3,
  conditions: [
    cond('Ready', 'True', 'AllComponentsReady'),
    cond('Progressing', 'False', 'ReconcileComplete'),
    cond('Degraded', 'False', 'AsExpected'),
  ],
  components: {},
  version: '2.14.0',
  url: 'https://harbor.example.com',
};

function input(over: Partial<ObserveInput> = {}): ObserveInput {
  return {
    generation: 4,
    version: '2.15.1',
    url: 'https://harbor.example.com',
    previous: undefined,
    outcome: { kind: 'applied', changed: 0 },
    workloads: allReady,
    now: NOW,
    ...over,
  };
}

type Triple = [type: string, status: Condition['status'], reason: string];
const order = ['Ready', 'Progressing', 'Degraded'];

function triples(s: HarborClusterStatus): Triple[] {
  return (s.conditions ?? [])
    .map((c): Triple => [c.type, c.status, c.reason])
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
}

function message(s: HarborClusterStatus, type: string): string | undefined {
  return s.conditions?.find((c) => c.type === type)?.message;
}

type Components = NonNullable<HarborClusterStatus['components']>;

const readyComponents: Components = {
  core: { ready: 1, desired: 1 },
  database: { ready: 1, desired: 1 },
  portal: { ready: 1, desired: 1 },
  registry: { ready: 1, desired: 1 },
};

interface Case {
  name: string;
  input: ObserveInput;
  conditions: Triple[];
  components?: Components;
  observedGeneration: number;
  /** undefined: no version field at all. */
  version: string | undefined;
  /** Further checks on the status. */
  check?: (s: HarborClusterStatus) => void;
}

const cases: Case[] = [
  {
    name: 'all workloads ready, nothing changed: Ready, not Progressing, not Degraded',
    input: input(),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: readyComponents,
    observedGeneration: 4,
    version: '2.15.1',
    check: (s) => {
      assert.equal(message(s, 'Ready'), '4 components ready');
      assert.equal(s.url, 'https://harbor.example.com');
    },
  },
  {
    name: 'applied with a refused volume change: Degraded with its reason, Ready as the pods are, observed',
    input: input({
      outcome: { kind: 'applied', changed: 1, degraded: { reason: 'VolumeExpansionNotAllowed', message: 'cannot grow' } },
    }),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'True', 'Applied'],
      ['Degraded', 'True', 'VolumeExpansionNotAllowed'],
    ],
    components: readyComponents,
    observedGeneration: 4,
    version: '2.15.1',
    check: (s) => {
      assert.equal(message(s, 'Degraded'), 'cannot grow');
    },
  },
  {
    name: 'no workloads at all counts as ready',
    input: input({ workloads: [] }),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: {},
    observedGeneration: 4,
    version: '2.15.1',
  },
  {
    name: 'one Deployment 0/1: not Ready, named in the message, rolling out',
    input: input({ workloads: [workload('core', { ready: 0 }), workload('portal')] }),
    conditions: [
      ['Ready', 'False', 'ComponentsNotReady'],
      ['Progressing', 'True', 'RollingOut'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: { core: { ready: 0, desired: 1 }, portal: { ready: 1, desired: 1 } },
    observedGeneration: 4,
    version: '',
    check: (s) => {
      assert.equal(message(s, 'Ready'), 'waiting for core 0/1');
    },
  },
  {
    name: 'every component not ready is named, in name order',
    input: input({ workloads: [workload('registry', { replicas: 3, ready: 1 }), workload('core', { ready: 0 }), workload('portal')] }),
    conditions: [
      ['Ready', 'False', 'ComponentsNotReady'],
      ['Progressing', 'True', 'RollingOut'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: { core: { ready: 0, desired: 1 }, portal: { ready: 1, desired: 1 }, registry: { ready: 1, desired: 3 } },
    observedGeneration: 4,
    version: '',
    check: (s) => {
      assert.equal(message(s, 'Ready'), 'waiting for core 0/1, registry 1/3');
    },
  },
  {
    name: 'a workload whose controller has not seen its generation is not ready, even with ready pods',
    input: input({ workloads: [workload('core', { generation: 5, observedGeneration: 4 }), workload('portal')] }),
    conditions: [
      ['Ready', 'False', 'ComponentsNotReady'],
      ['Progressing', 'True', 'RollingOut'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: { core: { ready: 0, desired: 1 }, portal: { ready: 1, desired: 1 } },
    observedGeneration: 4,
    version: '',
  },
  {
    name: 'ready pods of the old revision do not count: ready is capped by updated replicas',
    input: input({ workloads: [workload('core', { replicas: 2, ready: 2, updated: 1 })] }),
    conditions: [
      ['Ready', 'False', 'ComponentsNotReady'],
      ['Progressing', 'True', 'RollingOut'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: { core: { ready: 1, desired: 2 } },
    observedGeneration: 4,
    version: '',
  },
  {
    name: 'a workload scaled to 0 is ready',
    input: input({ workloads: [workload('trivy', { kind: 'StatefulSet', replicas: 0 })] }),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: { trivy: { ready: 0, desired: 0 } },
    observedGeneration: 4,
    version: '2.15.1',
  },
  {
    name: 'applied changes: Progressing Applied, with the count',
    input: input({ outcome: { kind: 'applied', changed: 3 } }),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'True', 'Applied'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: readyComponents,
    observedGeneration: 4,
    version: '2.15.1',
    check: (s) => {
      assert.equal(message(s, 'Progressing'), 'applied 3 object(s)');
    },
  },
  {
    name: 'applied changes while not ready: Applied wins over RollingOut',
    input: input({ outcome: { kind: 'applied', changed: 1 }, workloads: [workload('core', { ready: 0 })] }),
    conditions: [
      ['Ready', 'False', 'ComponentsNotReady'],
      ['Progressing', 'True', 'Applied'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    observedGeneration: 4,
    version: '',
  },
  {
    name: 'failed render: Degraded, not Ready, observedGeneration and version kept from before',
    input: input({ previous: readyBefore, outcome: { kind: 'failed', reason: 'RenderFailed', message: 'helm: bad values' } }),
    conditions: [
      ['Ready', 'False', 'RenderFailed'],
      ['Progressing', 'False', 'RenderFailed'],
      ['Degraded', 'True', 'RenderFailed'],
    ],
    components: readyComponents,
    observedGeneration: 3,
    version: '2.14.0',
    check: (s) => {
      assert.equal(message(s, 'Degraded'), 'helm: bad values');
      assert.equal(message(s, 'Ready'), 'helm: bad values');
    },
  },
  {
    name: 'failure of a first reconcile: observedGeneration 0',
    input: input({ outcome: { kind: 'failed', reason: 'SecretRefInvalid', message: 'no Secret' } }),
    conditions: [
      ['Ready', 'False', 'SecretRefInvalid'],
      ['Progressing', 'False', 'SecretRefInvalid'],
      ['Degraded', 'True', 'SecretRefInvalid'],
    ],
    observedGeneration: 0,
    version: '',
  },
  {
    name: 'paused: Progressing False Paused, the other conditions untouched',
    input: input({ previous: readyBefore, outcome: { kind: 'paused' }, workloads: [workload('core', { ready: 0 })] }),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'False', 'Paused'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    components: { core: { ready: 0, desired: 1 } },
    observedGeneration: 3,
    version: '2.14.0',
    check: (s) => {
      const before = readyBefore.conditions ?? [];
      for (const type of ['Ready', 'Degraded']) {
        assert.deepEqual(
          s.conditions?.find((c) => c.type === type),
          before.find((c) => c.type === type),
          type,
        );
      }
      // False before and after: the transition time stays.
      assert.equal(s.conditions?.find((c) => c.type === 'Progressing')?.lastTransitionTime, T0);
      assert.equal(s.url, readyBefore.url);
    },
  },
  {
    name: 'paused before any reconcile: only Progressing, observedGeneration 0',
    input: input({ outcome: { kind: 'paused' } }),
    conditions: [['Progressing', 'False', 'Paused']],
    components: readyComponents,
    observedGeneration: 0,
    version: undefined,
  },
  {
    name: 'certificate pending: not Ready with the Certificate message',
    input: input({ certificate: { state: 'pending', message: 'Issuing certificate as Secret does not exist' } }),
    conditions: [
      ['Ready', 'False', 'CertificateNotReady'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    observedGeneration: 4,
    version: '',
    check: (s) => {
      assert.equal(message(s, 'Ready'), 'Issuing certificate as Secret does not exist');
    },
  },
  {
    name: 'certificate ready: Ready',
    input: input({ certificate: { state: 'ready' } }),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    observedGeneration: 4,
    version: '2.15.1',
  },
  {
    name: "cert-manager's CRD missing: not Ready, CertManagerMissing",
    input: input({ certificate: { state: 'crd-missing' } }),
    conditions: [
      ['Ready', 'False', 'CertManagerMissing'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    observedGeneration: 4,
    version: '',
  },
  {
    name: 'components not ready are reported before a pending certificate',
    input: input({ certificate: { state: 'pending', message: 'x' }, workloads: [workload('core', { ready: 0 })] }),
    conditions: [
      ['Ready', 'False', 'ComponentsNotReady'],
      ['Progressing', 'True', 'RollingOut'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    observedGeneration: 4,
    version: '',
  },
  {
    name: 'not Ready keeps the version that was last Ready',
    input: input({ previous: readyBefore, workloads: [workload('core', { ready: 0 })] }),
    conditions: [
      ['Ready', 'False', 'ComponentsNotReady'],
      ['Progressing', 'True', 'RollingOut'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    observedGeneration: 4,
    version: '2.14.0',
  },
  {
    name: 'Ready after a failure: Degraded clears, version moves on',
    input: input({
      previous: {
        observedGeneration: 3,
        conditions: [cond('Ready', 'False', 'RenderFailed'), cond('Progressing', 'False', 'RenderFailed'), cond('Degraded', 'True', 'RenderFailed')],
        version: '2.14.0',
      },
    }),
    conditions: [
      ['Ready', 'True', 'AllComponentsReady'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Degraded', 'False', 'AsExpected'],
    ],
    observedGeneration: 4,
    version: '2.15.1',
  },
];

for (const c of cases) {
  test(`observe: ${c.name}`, () => {
    const s = observe(c.input);
    assert.deepEqual(triples(s), c.conditions);
    if (c.components) assert.deepEqual(s.components, c.components);
    assert.equal(s.observedGeneration, c.observedGeneration);
    assert.equal(s.version, c.version);
    c.check?.(s);
  });
}

test('observe: conditions come in the order Ready, Progressing, Degraded, with this generation and time', () => {
  const s = observe(input({ previous: { conditions: [cond('Degraded', 'True', 'X'), cond('Progressing', 'True', 'Y'), cond('Ready', 'False', 'Z')] } }));
  assert.deepEqual(
    s.conditions?.map((c) => c.type),
    ['Ready', 'Progressing', 'Degraded'],
  );
  for (const c of s.conditions ?? []) {
    assert.equal(c.observedGeneration, 4, c.type);
    assert.equal(c.lastTransitionTime, NOW, c.type);
  }
});

test('observe: a workload without the component label is "unknown"', () => {
  const w = workload('core');
  w.metadata.labels = {};
  assert.deepEqual(observe(input({ workloads: [w] })).components, { unknown: { ready: 1, desired: 1 } });
});

test('observe: lastTransitionTime stays on an unchanged status and moves when it flips', () => {
  const first = observe(input({ now: T0 }));
  const later = '2026-02-01T00:00:00Z';
  const second = observe(input({ previous: first, now: later, outcome: { kind: 'applied', changed: 2 } }));
  const time = (s: HarborClusterStatus, type: string): string | undefined => s.conditions?.find((c) => c.type === type)?.lastTransitionTime;
  assert.equal(time(second, 'Ready'), T0);
  assert.equal(time(second, 'Degraded'), T0);
  assert.equal(time(second, 'Progressing'), later);
  // Nothing changes on a third pass with the same inputs: no status write is needed.
  const third = observe(input({ previous: second, now: '2026-03-01T00:00:00Z', outcome: { kind: 'applied', changed: 2 } }));
  assert.equal(sameStatus(second, third), true);
});

const setCases: { name: string; existing: Condition[]; next: Omit<Condition, 'lastTransitionTime'>; expected: Condition[] }[] = [
  {
    name: 'a new type gets the time now',
    existing: [],
    next: { type: 'Ready', status: 'True', reason: 'R', message: 'm' },
    expected: [{ type: 'Ready', status: 'True', reason: 'R', message: 'm', lastTransitionTime: NOW }],
  },
  {
    name: 'same status keeps the transition time, takes the new reason and message',
    existing: [cond('Ready', 'False', 'Old', 'old message')],
    next: { type: 'Ready', status: 'False', reason: 'New', message: 'new message', observedGeneration: 4 },
    expected: [cond('Ready', 'False', 'New', 'new message', T0, 4)],
  },
  {
    name: 'a flipped status moves the transition time',
    existing: [cond('Ready', 'False', 'R')],
    next: { type: 'Ready', status: 'True', reason: 'R', message: 'm', observedGeneration: 3 },
    expected: [cond('Ready', 'True', 'R', 'm', NOW)],
  },
  {
    name: 'Unknown to False is a transition',
    existing: [cond('Ready', 'Unknown', 'R')],
    next: { type: 'Ready', status: 'False', reason: 'R', message: 'm', observedGeneration: 3 },
    expected: [cond('Ready', 'False', 'R', 'm', NOW)],
  },
  {
    name: 'other types are kept as they were',
    existing: [cond('Ready', 'True', 'R'), cond('Degraded', 'False', 'D', 'd', '2025-05-05T00:00:00Z')],
    next: { type: 'Ready', status: 'False', reason: 'R2', message: 'm', observedGeneration: 3 },
    expected: [cond('Degraded', 'False', 'D', 'd', '2025-05-05T00:00:00Z'), cond('Ready', 'False', 'R2', 'm', NOW)],
  },
];

for (const c of setCases) {
  test(`setCondition: ${c.name}`, () => {
    const before = structuredClone(c.existing);
    assert.deepEqual(setCondition(c.existing, c.next, NOW), c.expected);
    assert.deepEqual(c.existing, before, 'the input list is not changed');
  });
}

const sameCases: { name: string; a: HarborClusterStatus | undefined; b: HarborClusterStatus; expected: boolean }[] = [
  { name: 'identical', a: readyBefore, b: structuredClone(readyBefore), expected: true },
  {
    name: 'equal with keys in another order, nested too',
    a: { version: '1', observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True', reason: 'r', message: 'm', lastTransitionTime: T0 }] },
    b: { conditions: [{ lastTransitionTime: T0, message: 'm', reason: 'r', status: 'True', type: 'Ready' }], observedGeneration: 2, version: '1' },
    expected: true,
  },
  { name: 'no status and an empty one', a: undefined, b: {}, expected: true },
  { name: 'no status and a non-empty one', a: undefined, b: { observedGeneration: 1 }, expected: false },
  { name: 'another observedGeneration', a: { ...readyBefore, observedGeneration: 2 }, b: readyBefore, expected: false },
  {
    name: 'another condition message',
    a: readyBefore,
    b: { ...readyBefore, conditions: [cond('Ready', 'True', 'AllComponentsReady', 'other'), ...(readyBefore.conditions ?? []).slice(1)] },
    expected: false,
  },
  { name: 'another component count', a: { components: { core: { ready: 0, desired: 1 } } }, b: { components: { core: { ready: 1, desired: 1 } } }, expected: false },
  { name: 'a field more', a: { version: '1' }, b: { version: '1', url: 'u' }, expected: false },
];

for (const c of sameCases) {
  test(`sameStatus: ${c.name}`, () => {
    assert.equal(sameStatus(c.a, c.b), c.expected);
  });
}

const digestCases: { name: string; input: ObserveInput; digest: string | undefined }[] = [
  { name: 'a complete apply records its digest', input: input({ appliedDigest: 'sha256:new' }), digest: 'sha256:new' },
  {
    name: 'a complete apply replaces the previous digest',
    input: input({ previous: { ...readyBefore, appliedDigest: 'sha256:old' }, appliedDigest: 'sha256:new' }),
    digest: 'sha256:new',
  },
  {
    name: 'an apply with held-back objects (no digest given) drops the previous one',
    input: input({ previous: { ...readyBefore, appliedDigest: 'sha256:old' } }),
    digest: undefined,
  },
  {
    name: 'a failure drops the digest',
    input: input({
      previous: { ...readyBefore, appliedDigest: 'sha256:old' },
      outcome: { kind: 'failed', reason: 'ApplyFailed', message: 'boom' },
      appliedDigest: 'sha256:new',
    }),
    digest: undefined,
  },
  {
    name: 'a pause keeps the digest (the children are not touched)',
    input: input({ previous: { ...readyBefore, appliedDigest: 'sha256:old' }, outcome: { kind: 'paused' } }),
    digest: 'sha256:old',
  },
];

for (const c of digestCases) {
  test(`observe: ${c.name}`, () => {
    assert.equal(observe(c.input).appliedDigest, c.digest);
  });
}

// Backups and restores (controller/backups.ts writes them): every status keeps them; a restore
// ahead keeps Ready False, a failed one is Degraded.
const backups: HarborClusterStatus['backups'] = [{ job: 'h-backup-n1', reason: 'OnDemand', result: 'Succeeded', sizeBytes: 10 }];
const restoreCases: { name: string; restore: HarborClusterStatus['restore']; outcome?: ObserveInput['outcome']; want: Triple[] }[] = [
  { name: 'no restore', restore: undefined, want: [['Ready', 'True', 'AllComponentsReady'], ['Degraded', 'False', 'AsExpected']] },
  { name: 'pending', restore: { phase: 'Pending', source: 'pvc/b/x.dump' }, want: [['Ready', 'False', 'Restoring'], ['Degraded', 'False', 'AsExpected']] },
  { name: 'running', restore: { phase: 'Running', source: 'pvc/b/x.dump' }, want: [['Ready', 'False', 'Restoring'], ['Degraded', 'False', 'AsExpected']] },
  { name: 'failed', restore: { phase: 'Failed', source: 'pvc/b/x.dump', message: 'no' }, want: [['Ready', 'False', 'RestoreFailed'], ['Degraded', 'True', 'RestoreFailed']] },
  { name: 'succeeded', restore: { phase: 'Succeeded' }, want: [['Ready', 'True', 'AllComponentsReady'], ['Degraded', 'False', 'AsExpected']] },
  {
    name: 'a reconcile failure wins over the restore',
    restore: { phase: 'Running' },
    outcome: { kind: 'failed', reason: 'ApplyFailed', message: 'boom' },
    want: [['Ready', 'False', 'ApplyFailed'], ['Degraded', 'True', 'ApplyFailed']],
  },
];
for (const c of restoreCases) {
  test(`observe: restore ${c.name}; backups, backupNowServed and restore are kept`, () => {
    const previous: HarborClusterStatus = { ...readyBefore, backups, backupNowServed: 't1', ...(c.restore ? { restore: c.restore } : {}) };
    const s = observe(input({ previous, ...(c.outcome ? { outcome: c.outcome } : {}) }));
    for (const [type, status, reason] of c.want) {
      const got = s.conditions?.find((x) => x.type === type);
      assert.deepEqual([got?.status, got?.reason], [status, reason], type);
    }
    assert.deepEqual(s.backups, backups);
    assert.equal(s.backupNowServed, 't1');
    assert.deepEqual(s.restore, c.restore);
  });
}
