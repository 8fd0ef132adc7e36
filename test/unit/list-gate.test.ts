import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListGate } from '../../src/kube/list-gate.ts';

/** A task that records when it ran and ends when told to. */
function task(log: string[], name: string) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return {
    run: async (): Promise<string> => {
      log.push(`start ${name}`);
      await ended;
      log.push(`end ${name}`);
      return name;
    },
    end: (): void => {
      end();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const limits: { limit: number; tasks: number; startedAtOnce: number }[] = [
  { limit: 1, tasks: 3, startedAtOnce: 1 },
  { limit: 2, tasks: 3, startedAtOnce: 2 },
  { limit: 2, tasks: 1, startedAtOnce: 1 },
  { limit: 5, tasks: 3, startedAtOnce: 3 },
];
for (const c of limits) {
  test(`limit ${c.limit}, ${c.tasks} tasks: ${c.startedAtOnce} start at once, the rest in order as places free`, async () => {
    const gate = new ListGate(c.limit);
    const log: string[] = [];
    const tasks = Array.from({ length: c.tasks }, (_, i) => task(log, `t${i}`));
    const results = tasks.map((t) => gate.run(t.run));
    await tick();
    assert.deepEqual(log, tasks.slice(0, c.startedAtOnce).map((_, i) => `start t${i}`));
    assert.equal(gate.active, c.startedAtOnce);
    for (const [i, t] of tasks.entries()) {
      t.end();
      await tick();
      assert.ok(gate.active <= c.limit);
      assert.ok(log.includes(`end t${i}`));
    }
    assert.deepEqual(await Promise.all(results), tasks.map((_, i) => `t${i}`));
    assert.equal(gate.active, 0);
    // every task started exactly once, in the order it asked
    assert.deepEqual(log.filter((l) => l.startsWith('start')), tasks.map((_, i) => `start t${i}`));
  });
}

test('a task that throws frees its place', async () => {
  const gate = new ListGate(1);
  await assert.rejects(gate.run(() => Promise.reject(new Error('list failed'))), /list failed/);
  assert.equal(gate.active, 0);
  assert.equal(await gate.run(() => Promise.resolve('next')), 'next');
});

test('a waiter whose signal aborts gives up without taking a place; the others go on', async () => {
  const gate = new ListGate(1);
  const log: string[] = [];
  const first = task(log, 'first');
  const third = task(log, 'third');
  const running = gate.run(first.run);
  const abort = new AbortController();
  const waiting = gate.run(() => Promise.resolve('never'), abort.signal);
  const after = gate.run(third.run);
  abort.abort(new Error('stopped'));
  await assert.rejects(waiting, /stopped/);
  first.end();
  third.end();
  assert.deepEqual([await running, await after], ['first', 'third']);
  assert.deepEqual(log, ['start first', 'end first', 'start third', 'end third']);
  assert.equal(gate.active, 0);
});

test('an already aborted signal is refused at once', async () => {
  const gate = new ListGate(2);
  const abort = new AbortController();
  abort.abort(new Error('gone'));
  await assert.rejects(gate.run(() => Promise.resolve(1), abort.signal), /gone/);
  assert.equal(gate.active, 0);
});

for (const bad of [0, -1, 1.5, Number.NaN]) {
  test(`a limit of ${bad} is refused`, () => {
    assert.throws(() => new ListGate(bad), /limit of 1 or more/);
  });
}
