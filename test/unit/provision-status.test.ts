// The DatabaseProvisioned condition in status: set by the step, kept in
// order after the three standard ones, its time moving only when it changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observe, type ObserveInput } from '../../src/status/observe.ts';

const base: ObserveInput = {
  generation: 1,
  version: '2.15.1',
  url: 'https://h',
  previous: undefined,
  outcome: { kind: 'failed', reason: 'DatabaseProvisionFailed', message: 'PostgreSQL h:5432: permission denied to create role' },
  workloads: [],
  now: '2026-12-01T10:00:00Z',
};
const failed = { type: 'DatabaseProvisioned', status: 'False', reason: 'InsufficientPrivilege', message: 'permission denied to create role' } as const;

test('status: a failed provisioning is a condition of its own beside Degraded', () => {
  const s = observe({ ...base, conditions: [failed] });
  assert.deepEqual(s.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}`), [
    'Ready=False DatabaseProvisionFailed',
    'Progressing=False DatabaseProvisionFailed',
    'Degraded=True DatabaseProvisionFailed',
    'DatabaseProvisioned=False InsufficientPrivilege',
  ]);
});

test('status: the condition keeps its time while unchanged and moves when it turns True', () => {
  const first = observe({ ...base, conditions: [failed] });
  const again = observe({ ...base, previous: first, now: '2026-12-01T10:05:00Z', conditions: [failed] });
  assert.equal(again.conditions?.find((c) => c.type === 'DatabaseProvisioned')?.lastTransitionTime, '2026-12-01T10:00:00Z');
  const ok = observe({
    ...base,
    previous: again,
    now: '2026-12-01T10:06:00Z',
    outcome: { kind: 'applied', changed: 3 },
    conditions: [{ type: 'DatabaseProvisioned', status: 'True', reason: 'Provisioned', message: 'role "r" owns database "d" on h:5432' }],
  });
  const c = ok.conditions?.find((x) => x.type === 'DatabaseProvisioned');
  assert.equal(c?.status, 'True');
  assert.equal(c.lastTransitionTime, '2026-12-01T10:06:00Z');
});

test('status: without the step no DatabaseProvisioned condition appears, and one already there is kept', () => {
  assert.equal(observe(base).conditions?.some((c) => c.type === 'DatabaseProvisioned'), false);
  const before = observe({ ...base, conditions: [failed] });
  assert.ok(observe({ ...base, previous: before }).conditions?.some((c) => c.type === 'DatabaseProvisioned'), 'a restarted operator keeps what status said until the step reports');
});
