// Status is computed from the freshest knowledge when it is written, and the
// "waiting for …" list only shrinks as components come up. One table per
// cause found: workloads rendered but not in the cache yet were left out
// (the list grew as their creations arrived, and with none cached status said
// Ready); the cache's readiness of the old generation counted for a change
// the watch had not delivered; a workload about to be pruned was counted;
// the status compared with was the cache's, not the one just written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WrittenStatus } from '../../src/controller/written-status.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { COMPONENT_LABEL, observe, sameStatus, type HarborClusterStatus } from '../../src/status/observe.ts';
import { freshest } from '../../src/status/workloads.ts';

interface W {
  kind?: string;
  generation?: number;
  observed?: number;
  replicas?: number;
  ready?: number;
  rv?: string;
}

function workload(component: string, o: W = {}): KubeObject {
  const replicas = o.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: o.kind ?? 'Deployment',
    metadata: {
      name: `h-${component}`,
      namespace: 'team',
      labels: { [COMPONENT_LABEL]: component },
      ...(o.generation !== undefined ? { generation: o.generation } : {}),
      ...(o.rv ? { resourceVersion: o.rv } : {}),
    },
    spec: { replicas },
    ...(o.observed !== undefined ? { status: { observedGeneration: o.observed, readyReplicas: o.ready ?? 0, updatedReplicas: o.ready ?? 0 } } : {}),
  };
}

/** As rendered: no generation, no status. */
const rendered = (component: string, replicas = 1): KubeObject => workload(component, { replicas });

const freshCases: { name: string; desired: KubeObject; cached?: KubeObject; applied?: KubeObject; expected: KubeObject }[] = [
  {
    name: 'in the cache only: the cache',
    desired: rendered('core'),
    cached: workload('core', { generation: 1, observed: 1, ready: 1, rv: 'c' }),
    expected: workload('core', { generation: 1, observed: 1, ready: 1, rv: 'c' }),
  },
  {
    name: 'the apply is of a newer generation than the cache: the apply (its status is of the old generation)',
    desired: rendered('core', 3),
    cached: workload('core', { generation: 1, observed: 1, ready: 1, rv: 'c' }),
    applied: workload('core', { generation: 2, observed: 1, ready: 1, replicas: 3, rv: 'a' }),
    expected: workload('core', { generation: 2, observed: 1, ready: 1, replicas: 3, rv: 'a' }),
  },
  {
    name: 'same generation: the cache, read later than the apply',
    desired: rendered('core'),
    cached: workload('core', { generation: 2, observed: 2, ready: 1, rv: 'c' }),
    applied: workload('core', { generation: 2, observed: 1, rv: 'a' }),
    expected: workload('core', { generation: 2, observed: 2, ready: 1, rv: 'c' }),
  },
  {
    name: 'the cache is newer than the apply: the cache',
    desired: rendered('core'),
    cached: workload('core', { generation: 3, observed: 3, rv: 'c' }),
    applied: workload('core', { generation: 2, observed: 2, ready: 1, rv: 'a' }),
    expected: workload('core', { generation: 3, observed: 3, rv: 'c' }),
  },
  {
    name: 'created by this reconcile, not in the cache yet: the apply',
    desired: rendered('core'),
    applied: workload('core', { generation: 1, rv: 'a' }),
    expected: workload('core', { generation: 1, rv: 'a' }),
  },
  {
    name: 'in neither: the rendered object with no pods',
    desired: rendered('core', 2),
    expected: { ...rendered('core', 2), status: {} },
  },
];

for (const c of freshCases) {
  test(`freshest: ${c.name}`, () => {
    assert.deepEqual(freshest(c.desired, c.cached, c.applied), c.expected);
  });
}

const ready = (s: HarborClusterStatus): { status: string | undefined; message: string | undefined } => {
  const c = s.conditions?.find((x) => x.type === 'Ready');
  return { status: c?.status, message: c?.message };
};

function statusOf(workloads: KubeObject[], previous?: HarborClusterStatus): HarborClusterStatus {
  return observe({
    generation: 1,
    version: '2.15.1',
    url: 'u',
    previous,
    outcome: { kind: 'applied', changed: 0 },
    workloads,
    now: '2026-01-01T00:00:00Z',
  });
}

const DESIRED = [rendered('core'), rendered('database'), rendered('portal')];

test('cause 1: rendered workloads the cache does not hold yet are waited for, so the list does not grow as they arrive', () => {
  // Caches over time after the first apply: nothing, one, all three, then ready one by one.
  const caches: KubeObject[][] = [
    [],
    [workload('portal', { generation: 1, observed: 1 })],
    [workload('core', { generation: 1, observed: 1 }), workload('database', { kind: 'StatefulSet', generation: 1, observed: 1 }), workload('portal', { generation: 1, observed: 1 })],
    [workload('core', { generation: 1, observed: 1 }), workload('database', { kind: 'StatefulSet', generation: 1, observed: 1 }), workload('portal', { generation: 1, observed: 1, ready: 1 })],
    [workload('core', { generation: 1, observed: 1, ready: 1 }), workload('database', { kind: 'StatefulSet', generation: 1, observed: 1, ready: 1 }), workload('portal', { generation: 1, observed: 1, ready: 1 })],
  ];
  const seen = caches.map((cache) => {
    const byName = new Map(cache.map((w) => [w.metadata.name, w]));
    return ready(statusOf(DESIRED.map((d) => freshest(d, byName.get(d.metadata.name), undefined)))).message;
  });
  assert.deepEqual(seen, [
    'waiting for core 0/1, database 0/1, portal 0/1',
    'waiting for core 0/1, database 0/1, portal 0/1',
    'waiting for core 0/1, database 0/1, portal 0/1',
    'waiting for core 0/1, database 0/1',
    '3 components ready',
  ]);
  // What counting the cache alone said: Ready with nothing cached, then a list that grows.
  assert.deepEqual(
    caches.slice(0, 3).map((cache) => ready(statusOf(cache))),
    [
      { status: 'True', message: '0 components ready' },
      { status: 'False', message: 'waiting for portal 0/1' },
      { status: 'False', message: 'waiting for core 0/1, database 0/1, portal 0/1' },
    ],
  );
});

test('cause 2: a change the watch has not delivered yet does not count the old generation’s ready pods', () => {
  const cached = workload('core', { generation: 1, observed: 1, ready: 1 });
  const applied = workload('core', { generation: 2, observed: 1, ready: 1, replicas: 3 });
  assert.deepEqual(ready(statusOf([freshest(rendered('core', 3), cached, applied)])), { status: 'False', message: 'waiting for core 0/3' });
  // From the cache alone: still Ready, until the watch brings the change, then not.
  assert.deepEqual(ready(statusOf([cached])), { status: 'True', message: '1 components ready' });
});

test('cause 3: a workload pruned by this reconcile is not counted (only what is rendered is)', () => {
  const cache = new Map([
    ['h-core', workload('core', { generation: 1, observed: 1, ready: 1 })],
    ['h-trivy', workload('trivy', { kind: 'StatefulSet', generation: 1, observed: 1, ready: 0 })],
  ]);
  const s = statusOf([rendered('core')].map((d) => freshest(d, cache.get(d.metadata.name), undefined)));
  assert.deepEqual(Object.keys(s.components ?? {}), ['core']);
  assert.equal(ready(s).status, 'True');
});

// cause 4: the status to compare with. Versions: the cache shows `a`; our
// writes are answered with b, c, … The cache catches up later.
type Step =
  | { write: { cached: string | undefined; answered: string | undefined; status: HarborClusterStatus } }
  | { read: { cached: string | undefined; status: HarborClusterStatus | undefined }; expected: HarborClusterStatus | undefined };

const S = (message: string): HarborClusterStatus => ({ conditions: [{ type: 'Ready', status: 'False', reason: 'R', message, lastTransitionTime: 't' }] });
const S0 = S('waiting for core 0/3 (in the cache)');
const S1 = S('waiting for core 1/3 (written)');
const S2 = S('waiting for core 2/3 (written)');
const OTHER = S('written by someone else');

const writtenCases: { name: string; steps: Step[] }[] = [
  { name: 'nothing written: the cache', steps: [{ read: { cached: 'a', status: S0 }, expected: S0 }] },
  {
    name: 'written, the cache still shows the version before: the written one',
    steps: [{ write: { cached: 'a', answered: 'b', status: S1 } }, { read: { cached: 'a', status: S0 }, expected: S1 }],
  },
  {
    name: 'the cache caught up: the cache, and the memo is gone',
    steps: [
      { write: { cached: 'a', answered: 'b', status: S1 } },
      { read: { cached: 'b', status: S1 }, expected: S1 },
      { read: { cached: 'a', status: S0 }, expected: S0 },
    ],
  },
  {
    name: 'someone else changed it since (a version not ours): the cache',
    steps: [{ write: { cached: 'a', answered: 'b', status: S1 } }, { read: { cached: 'x', status: OTHER }, expected: OTHER }],
  },
  {
    name: 'two writes before the cache caught up: the versions of both before count as stale',
    steps: [
      { write: { cached: 'a', answered: 'b', status: S1 } },
      { write: { cached: 'a', answered: 'c', status: S2 } },
      { read: { cached: 'a', status: S0 }, expected: S2 },
      { read: { cached: 'b', status: S1 }, expected: S2 },
      { read: { cached: 'c', status: S2 }, expected: S2 },
    ],
  },
  {
    name: 'an answer without a version: nothing remembered',
    steps: [{ write: { cached: 'a', answered: undefined, status: S1 } }, { read: { cached: 'a', status: S0 }, expected: S0 }],
  },
];

for (const c of writtenCases) {
  test(`cause 4, WrittenStatus: ${c.name}`, () => {
    const w = new WrittenStatus();
    for (const step of c.steps) {
      if ('write' in step) w.wrote('ns/h', step.write.cached, step.write.answered, step.write.status);
      else assert.deepEqual(w.current('ns/h', step.read.cached, step.read.status), step.expected);
    }
  });
}

test('cause 4: compared with the stale cache, a needed write was skipped and a transition time came from an old condition', () => {
  // The server holds `written` (Ready=False since t1); the cache still shows `cached` (Ready=True since t0).
  const t0 = '2026-01-01T00:00:00Z';
  const cached = statusOf([workload('core', { generation: 1, observed: 1, ready: 1 })]);
  const notReady = observe({ generation: 1, version: '2.15.1', url: 'u', previous: cached, outcome: { kind: 'applied', changed: 0 }, workloads: [workload('core', { generation: 1, observed: 1 })], now: '2026-01-01T00:01:00Z' });
  const again = observe({ generation: 1, version: '2.15.1', url: 'u', previous: cached, outcome: { kind: 'applied', changed: 0 }, workloads: [workload('core', { generation: 1, observed: 1, ready: 1 })], now: '2026-01-01T00:02:00Z' });
  assert.equal(sameStatus(cached, again), true, 'against the cache: no write, though the server says not Ready');
  assert.equal(sameStatus(notReady, again), false, 'against what was written: the write is made');
  const w = new WrittenStatus();
  w.wrote('ns/h', 'a', 'b', notReady);
  const base = w.current('ns/h', 'a', cached);
  const next = observe({ generation: 1, version: '2.15.1', url: 'u', previous: base, outcome: { kind: 'applied', changed: 0 }, workloads: [workload('core', { generation: 1, observed: 1, ready: 1 })], now: '2026-01-01T00:02:00Z' });
  assert.equal(sameStatus(base, next), false);
  assert.equal(next.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-01T00:02:00Z', 'False → True now, not the old t0');
  assert.equal(cached.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, t0);
});
