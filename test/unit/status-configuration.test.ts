// status.configuration.managed: the Harbor items spec.configuration applies,
// by name, once applied; kept through a failure and a pause; never values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observe, type HarborClusterStatus, type ObserveInput } from '../../src/status/observe.ts';

const NOW = '2026-01-02T03:04:05Z';
const base: ObserveInput = { generation: 2, version: '2.15.2', url: 'https://h', previous: undefined, outcome: { kind: 'applied', changed: 0 }, workloads: [], now: NOW };
const managed = ['auth_mode', 'oidc_client_id', 'oidc_client_secret', 'oidc_endpoint'];
const before: HarborClusterStatus = { observedGeneration: 1, conditions: [], configuration: { managed: ['read_only'] } };

const cases: { name: string; input: ObserveInput; expected: HarborClusterStatus['configuration'] }[] = [
  { name: 'no spec.configuration: no section', input: base, expected: undefined },
  { name: 'applied: the items of the spec', input: { ...base, managedSettings: managed }, expected: { managed } },
  { name: 'applied, an empty spec.configuration: an empty list', input: { ...base, managedSettings: [] }, expected: { managed: [] } },
  { name: 'applied after spec.configuration was removed: gone', input: { ...base, previous: before }, expected: undefined },
  { name: 'failed: what was applied before stays', input: { ...base, previous: before, outcome: { kind: 'failed', reason: 'RenderFailed', message: 'm' }, managedSettings: managed }, expected: { managed: ['read_only'] } },
  { name: 'paused: what was applied before stays', input: { ...base, previous: before, outcome: { kind: 'paused' } }, expected: { managed: ['read_only'] } },
];

for (const c of cases) {
  test(`status.configuration: ${c.name}`, () => {
    assert.deepEqual(observe(c.input).configuration, c.expected);
  });
}

test('status.configuration: a copy, not the caller\'s list', () => {
  const list = [...managed];
  const s = observe({ ...base, managedSettings: list });
  list.push('x');
  assert.deepEqual(s.configuration?.managed, managed);
});
