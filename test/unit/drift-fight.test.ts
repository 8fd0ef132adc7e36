// The drift-fight policy: repairs pause after repeated changes by someone
// else, for doubling delays, and a quiet window forgets the fight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideRepair, lastOtherManager, type FightPolicy, type FightState } from '../../src/controller/drift-fight.ts';

const policy: FightPolicy = { windowMs: 60_000, threshold: 3, baseMs: 5_000, maxMs: 20_000 };

/** Runs a sequence of drift times and returns, for each, repair or the hold in ms. */
function play(times: number[]): (string | number)[] {
  let s: FightState | undefined;
  return times.map((t) => {
    const d = decideRepair(s, t, policy);
    s = d.next;
    return d.repair ? 'repair' : d.paused ? `pause ${d.holdMs}` : d.holdMs;
  });
}

const cases: { name: string; times: number[]; expected: (string | number)[] }[] = [
  { name: 'a single drift is repaired', times: [0], expected: ['repair'] },
  { name: 'three quick drifts are repaired', times: [0, 1000, 2000], expected: ['repair', 'repair', 'repair'] },
  { name: 'the fourth in a minute pauses 5 s', times: [0, 1000, 2000, 3000], expected: ['repair', 'repair', 'repair', 'pause 5000'] },
  {
    name: 'during the pause nothing is repaired',
    times: [0, 1000, 2000, 3000, 4000],
    expected: ['repair', 'repair', 'repair', 'pause 5000', 4000],
  },
  {
    name: 'the next pause doubles, capped at maxMs',
    times: [0, 1, 2, 3, 8003, 8004, 8005, 8006, 18006, 18007, 18008, 18009, 38009, 38010, 38011, 38012],
    expected: [
      'repair', 'repair', 'repair', 'pause 5000',
      'repair', 'repair', 'repair', 'pause 10000',
      'repair', 'repair', 'repair', 'pause 20000',
      'repair', 'repair', 'repair', 'pause 20000',
    ],
  },
  {
    name: 'a quiet minute forgets the fight',
    times: [0, 1, 2, 3, 8003, 200_000, 200_001, 200_002, 200_003],
    expected: ['repair', 'repair', 'repair', 'pause 5000', 'repair', 'repair', 'repair', 'repair', 'pause 5000'],
  },
  { name: 'drifts spread over more than a window never pause', times: [0, 61_000, 122_000, 183_000, 244_000], expected: ['repair', 'repair', 'repair', 'repair', 'repair'] },
];

for (const c of cases) {
  test(`drift fight: ${c.name}`, () => {
    assert.deepEqual(play(c.times), c.expected);
  });
}

test('the last manager other than the operator', () => {
  const fields = [
    { manager: 'harbor-operator', time: '2026-01-01T00:00:09Z' },
    { manager: 'kubectl-edit', time: '2026-01-01T00:00:05Z' },
    { manager: 'argocd', time: '2026-01-01T00:00:07Z' },
    { manager: 'kube-controller-manager', time: '2026-01-01T00:00:08Z', subresource: 'status' },
  ];
  assert.equal(lastOtherManager(fields, 'harbor-operator'), 'argocd');
  assert.equal(lastOtherManager([{ manager: 'harbor-operator' }], 'harbor-operator'), undefined);
  assert.equal(lastOtherManager(undefined, 'harbor-operator'), undefined);
});
