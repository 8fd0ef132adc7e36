// The work queue, driven by a FakeClock: no real waiting. setImmediate is used
// only to let promises settle between steps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backoffDelay, backoffPolicy, defaultBackoff, type BackoffPolicy } from '../../src/controller/backoff.ts';
import { FakeClock } from '../../src/controller/clock.ts';
import { nextStep, PermanentError, WorkQueue, type Next, type Outcome, type QueueOptions, type Result, type Settled } from '../../src/controller/queue.ts';

/** Lets every pending promise callback run. */
const settle = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/** Moves the fake clock in small steps, letting handlers run between them. */
async function tick(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  await settle();
  for (let left = ms; left > 0; left -= stepMs) {
    clock.advance(Math.min(stepMs, left));
    await settle();
  }
}

interface Done {
  key: string;
  durationMs: number;
  outcome: Outcome;
}

/** A queue on a fake clock that records what its hooks see. */
function setup(options: Omit<QueueOptions, 'clock'> = {}) {
  const clock = new FakeClock();
  const added: string[] = [];
  const started: { key: string; waitedMs: number }[] = [];
  const done: Done[] = [];
  const errors: { key: string; err: unknown }[] = [];
  const queue = new WorkQueue({
    clock,
    onAdd: (key) => added.push(key),
    onStart: (key, waitedMs) => started.push({ key, waitedMs }),
    onDone: (key, durationMs, outcome) => done.push({ key, durationMs, outcome }),
    onError: (key, err) => errors.push({ key, err }),
    ...options,
  });
  return { clock, queue, added, started, done, errors };
}

/** A handler whose calls wait until the test releases them, counting how many run at once. */
class Blocking {
  readonly calls: string[] = [];
  running = 0;
  maxRunning = 0;
  readonly #runningPerKey = new Map<string, number>();
  readonly maxPerKey = new Map<string, number>();
  readonly #gates: { key: string; open: () => void }[] = [];

  readonly handler = async (key: string): Promise<Result> => {
    this.calls.push(key);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const mine = (this.#runningPerKey.get(key) ?? 0) + 1;
    this.#runningPerKey.set(key, mine);
    this.maxPerKey.set(key, Math.max(this.maxPerKey.get(key) ?? 0, mine));
    const gate = Promise.withResolvers<undefined>();
    this.#gates.push({
      key,
      open: () => {
        gate.resolve(undefined);
      },
    });
    try {
      await gate.promise;
      return {};
    } finally {
      this.running -= 1;
      this.#runningPerKey.set(key, (this.#runningPerKey.get(key) ?? 1) - 1);
    }
  };

  /** Lets the oldest waiting call for key (or every waiting call) return. */
  release(key?: string): void {
    for (let i = 0; i < this.#gates.length; i += 1) {
      const gate = this.#gates[i];
      if (gate === undefined || (key !== undefined && gate.key !== key)) continue;
      this.#gates.splice(i, 1);
      gate.open();
      if (key !== undefined) return;
      i -= 1;
    }
  }
}

// A rejection nobody handles would crash the operator; none may escape the queue.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
before(() => process.on('unhandledRejection', onUnhandled));
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, []);
});

describe('FakeClock', () => {
  test('fires due timers earliest first, ties in order set, with now() at the due time', () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.setTimeout(at('c'), 30);
    clock.setTimeout(at('a'), 10);
    clock.setTimeout(at('b'), 10);
    const cancelled = clock.setTimeout(at('x'), 5);
    clock.setTimeout(() => {
      fired.push(`d@${clock.now()}`);
      clock.setTimeout(at('e'), 5); // due at 1025: inside the same advance
    }, 20);
    clock.setTimeout(at('late'), 100);
    clock.clearTimeout(cancelled);
    clock.advance(40);
    assert.deepEqual(fired, ['a@1010', 'b@1010', 'd@1020', 'e@1025', 'c@1030']);
    assert.equal(clock.now(), 1040);
    assert.equal(clock.pending(), 1);
    clock.advance(59);
    assert.equal(fired.length, 5);
    clock.advance(1);
    assert.equal(fired.at(-1), 'late@1100');
    assert.equal(clock.pending(), 0);
  });
});

describe('backoff', () => {
  const delays: { name: string; policy: BackoffPolicy; failures: number; delay: number }[] = [
    { name: 'first failure waits the base', policy: defaultBackoff, failures: 0, delay: 500 },
    { name: 'second failure doubles', policy: defaultBackoff, failures: 1, delay: 1000 },
    { name: 'third failure doubles again', policy: defaultBackoff, failures: 2, delay: 2000 },
    { name: 'last step under the cap', policy: defaultBackoff, failures: 9, delay: 256_000 },
    { name: 'capped at 5 min', policy: defaultBackoff, failures: 10, delay: 300_000 },
    { name: 'stays capped', policy: defaultBackoff, failures: 20, delay: 300_000 },
    { name: 'capped even when the power overflows', policy: defaultBackoff, failures: 5000, delay: 300_000 },
    { name: 'custom factor', policy: { baseMs: 100, factor: 3, maxMs: 1000 }, failures: 2, delay: 900 },
    { name: 'custom cap', policy: { baseMs: 100, factor: 3, maxMs: 1000 }, failures: 3, delay: 1000 },
    { name: 'factor 1 is constant', policy: { baseMs: 250, factor: 1, maxMs: 250 }, failures: 7, delay: 250 },
  ];
  for (const c of delays) {
    test(`delay: ${c.name}`, () => {
      assert.equal(backoffDelay(c.policy, c.failures), c.delay);
    });
  }

  const invalid: { name: string; overrides: Partial<BackoffPolicy> }[] = [
    { name: 'zero base', overrides: { baseMs: 0 } },
    { name: 'factor below 1', overrides: { factor: 0.5 } },
    { name: 'cap below base', overrides: { baseMs: 1000, maxMs: 999 } },
    { name: 'NaN cap', overrides: { maxMs: Number.NaN } },
  ];
  for (const c of invalid) {
    test(`rejects a policy with ${c.name}`, () => {
      assert.throws(() => backoffPolicy(c.overrides), RangeError);
      assert.throws(() => new WorkQueue({ backoff: c.overrides }), RangeError);
    });
  }
});

describe('nextStep', () => {
  const boom = new Error('boom');
  const refused = new PermanentError('422 Invalid: field is immutable');
  const wrapped = new Error('apply failed', { cause: refused });
  const cases: { name: string; settled: Settled; permanentRetryMs?: number; next: Next | 'invalid' }[] = [
    { name: 'empty result is success', settled: { ok: true, result: {} }, next: { outcome: 'success' } },
    { name: 'no result is success', settled: { ok: true, result: undefined }, next: { outcome: 'success' } },
    { name: 'requeueAfter', settled: { ok: true, result: { requeueAfter: 3000 } }, next: { outcome: 'requeue', afterMs: 3000 } },
    { name: 'requeueAfter 0', settled: { ok: true, result: { requeueAfter: 0 } }, next: { outcome: 'requeue', afterMs: 0 } },
    { name: 'a failure', settled: { ok: false, error: boom }, next: { outcome: 'error', error: boom } },
    { name: 'a permanent failure waits the default 5 min', settled: { ok: false, error: refused }, next: { outcome: 'permanent', error: refused, afterMs: 300_000 } },
    {
      name: 'a permanent failure waits the given delay',
      settled: { ok: false, error: refused },
      permanentRetryMs: 60_000,
      next: { outcome: 'permanent', error: refused, afterMs: 60_000 },
    },
    {
      name: 'an error caused by a permanent one is not permanent itself',
      settled: { ok: false, error: wrapped },
      next: { outcome: 'error', error: wrapped },
    },
    { name: 'negative requeueAfter', settled: { ok: true, result: { requeueAfter: -1 } }, next: 'invalid' },
    { name: 'NaN requeueAfter', settled: { ok: true, result: { requeueAfter: Number.NaN } }, next: 'invalid' },
    { name: 'infinite requeueAfter', settled: { ok: true, result: { requeueAfter: Infinity } }, next: 'invalid' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const next = nextStep(c.settled, c.permanentRetryMs);
      if (c.next !== 'invalid') {
        assert.deepEqual(next, c.next);
        return;
      }
      assert.ok(next.outcome === 'error', `expected an error, got ${next.outcome}`);
      assert.ok(next.error instanceof TypeError);
    });
  }
});

describe('WorkQueue: deduplication and order', () => {
  const cases = [
    { name: 'one key added three times', adds: ['a', 'a', 'a'], processed: ['a'] },
    { name: 'a repeat keeps the first position', adds: ['a', 'b', 'a'], processed: ['a', 'b'] },
    { name: 'interleaved repeats', adds: ['a', 'b', 'c', 'b', 'a', 'c'], processed: ['a', 'b', 'c'] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { queue, added } = setup();
      const processed: string[] = [];
      for (const key of c.adds) queue.add(key);
      assert.equal(queue.depth(), c.processed.length);
      assert.deepEqual(added, c.processed, 'onAdd only for adds that were not deduplicated');
      queue.run((key) => {
        processed.push(key);
        return {};
      }, 1);
      await settle();
      assert.deepEqual(processed, c.processed);
      assert.equal(queue.depth(), 0);
    });
  }

  test('workers start from a microtask, not inside add()', async () => {
    const { queue } = setup();
    const processed: string[] = [];
    queue.run((key) => {
      processed.push(key);
      return {};
    }, 1);
    queue.add('a');
    assert.deepEqual(processed, []);
    await settle();
    assert.deepEqual(processed, ['a']);
  });
});

describe('WorkQueue: a key added while it is processed', () => {
  test('is processed again afterwards, exactly once, never concurrently', async () => {
    const { queue } = setup();
    const h = new Blocking();
    queue.run(h.handler, 4);
    queue.add('a');
    await settle();
    assert.deepEqual(h.calls, ['a']);
    queue.add('a');
    queue.add('a');
    queue.add('a');
    await settle();
    assert.deepEqual(h.calls, ['a'], 'not handed to a second worker while processing');
    assert.equal(queue.depth(), 0, 'dirty, but not ready while processing');
    h.release('a');
    await settle();
    assert.deepEqual(h.calls, ['a', 'a'], 'processed again once processing ended');
    h.release('a');
    await settle();
    assert.deepEqual(h.calls, ['a', 'a'], 'and only once');
    assert.equal(h.maxPerKey.get('a'), 1);
  });
});

describe('WorkQueue: workers', () => {
  const cases = [
    { name: '1 worker processes one key at a time', workers: 1, keys: 5, atOnce: 1 },
    { name: '2 workers process two keys at once', workers: 2, keys: 5, atOnce: 2 },
    { name: '3 workers process three keys at once', workers: 3, keys: 5, atOnce: 3 },
    { name: 'more workers than keys', workers: 8, keys: 5, atOnce: 5 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { queue } = setup();
      const h = new Blocking();
      const keys = Array.from({ length: c.keys }, (_, i) => `ns/k${i}`);
      for (const key of keys) queue.add(key);
      queue.run(h.handler, c.workers);
      await settle();
      assert.equal(h.running, c.atOnce);
      assert.equal(queue.depth(), c.keys - c.atOnce);
      for (let i = 0; i < c.keys; i += 1) {
        h.release();
        await settle();
      }
      assert.deepEqual(h.calls, keys, 'every key once, in order');
      assert.equal(h.maxRunning, c.atOnce);
      assert.equal(h.running, 0);
    });
  }
});

describe('WorkQueue: backoff', () => {
  const cases = [
    {
      name: 'default policy',
      backoff: {},
      failures: 5,
      times: [0, 500, 1500, 3500, 7500],
    },
    {
      name: 'capped',
      backoff: { baseMs: 100, factor: 2, maxMs: 400 },
      failures: 6,
      times: [0, 100, 300, 700, 1100, 1500],
    },
  ];
  for (const c of cases) {
    test(`a failing key is retried with its own exponential backoff: ${c.name}`, async () => {
      const { clock, queue, errors } = setup({ backoff: c.backoff });
      const times: number[] = [];
      const retries: number[] = [];
      queue.run((key) => {
        times.push(clock.now());
        retries.push(queue.retries(key));
        throw new Error('still broken');
      }, 1);
      queue.add('a');
      await settle();
      await tick(clock, c.times.at(-1) ?? 0);
      assert.deepEqual(times, c.times);
      assert.deepEqual(retries, c.times.map((_, i) => i));
      assert.equal(queue.retries('a'), c.failures);
      assert.equal(errors.length, c.failures);
    });
  }

  test('keys back off independently', async () => {
    const { clock, queue } = setup();
    const times: string[] = [];
    queue.run((key) => {
      times.push(`${key}@${clock.now()}`);
      throw new Error('broken');
    }, 2);
    queue.add('a');
    await tick(clock, 500);
    queue.add('b');
    await tick(clock, 1000);
    assert.deepEqual(times, ['a@0', 'a@500', 'b@500', 'b@1000', 'a@1500']);
    assert.deepEqual([queue.retries('a'), queue.retries('b')], [3, 2]);
  });

  test('success forgets the failures: the next failure waits the base again', async () => {
    const { clock, queue } = setup();
    const times: number[] = [];
    let failing = 3;
    queue.run(() => {
      times.push(clock.now());
      failing -= 1;
      if (failing >= 0) throw new Error('broken');
      return {};
    }, 1);
    queue.add('a');
    await tick(clock, 3500);
    assert.deepEqual(times, [0, 500, 1500, 3500]);
    assert.equal(queue.retries('a'), 0);
    failing = 1;
    queue.add('a');
    await tick(clock, 500);
    assert.deepEqual(times, [0, 500, 1500, 3500, 3500, 4000]);
  });

  test('forget() resets the backoff and retries()', async () => {
    const { clock, queue } = setup();
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    assert.equal(queue.retries('a'), 3);
    queue.forget('a');
    assert.equal(queue.retries('a'), 0);
    const times: number[] = [];
    queue.run(() => {
      times.push(clock.now());
      return {};
    }, 1);
    queue.addRateLimited('b');
    queue.addRateLimited('b');
    queue.forget('b');
    await tick(clock, 500);
    assert.deepEqual(times, [500, 500], 'a and b each after the base delay');
    queue.addRateLimited('b');
    await tick(clock, 499);
    assert.equal(times.length, 2);
    await tick(clock, 1);
    assert.equal(times.length, 3, 'back to 500 ms after forget');
  });
});

describe('WorkQueue: delayed adds', () => {
  const cases = [
    { name: 'the earlier of two delays wins', delays: [100, 50], firesAt: [50] },
    { name: 'a later delay does not postpone', delays: [50, 100], firesAt: [50] },
    { name: 'zero adds now', delays: [0], firesAt: [0] },
    { name: 'negative adds now', delays: [-5], firesAt: [0] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { clock, queue } = setup();
      const times: number[] = [];
      queue.run(() => {
        times.push(clock.now());
        return {};
      }, 1);
      for (const ms of c.delays) queue.addAfter('a', ms);
      await settle();
      await tick(clock, 200);
      assert.deepEqual(times, c.firesAt);
      assert.equal(clock.pending(), 0);
    });
  }

  test('requeueAfter is honoured, and success with it forgets the backoff', async () => {
    const { clock, queue, done } = setup();
    const times: number[] = [];
    const results: Result[] = [{ requeueAfter: 3000 }, { requeueAfter: 0 }, {}];
    queue.run(() => {
      times.push(clock.now());
      return Promise.resolve(results[times.length - 1] ?? {});
    }, 1);
    queue.addRateLimited('a');
    assert.equal(queue.retries('a'), 1);
    await tick(clock, 500);
    assert.deepEqual(times, [500]);
    assert.equal(queue.retries('a'), 0);
    await tick(clock, 2990);
    assert.deepEqual(times, [500]);
    await tick(clock, 10);
    assert.deepEqual(times, [500, 3500, 3500], 'after 3000 ms, then at once for requeueAfter 0');
    await tick(clock, 10_000);
    assert.equal(times.length, 3);
    assert.deepEqual(
      done.map((d) => d.outcome),
      ['requeue', 'requeue', 'success'],
    );
  });
});

describe('WorkQueue: failing handlers', () => {
  const cases: { name: string; fail: () => Promise<Result> | Result; message: RegExp }[] = [
    {
      name: 'throws synchronously',
      fail: () => {
        throw new Error('sync boom');
      },
      message: /sync boom/,
    },
    { name: 'rejects', fail: () => Promise.reject(new Error('async boom')), message: /async boom/ },
    {
      name: 'async function throws',
      fail: async () => {
        await Promise.resolve();
        throw new Error('late boom');
      },
      message: /late boom/,
    },
    { name: 'returns an invalid requeueAfter', fail: () => ({ requeueAfter: -1 }), message: /requeueAfter/ },
  ];
  for (const c of cases) {
    test(`a handler that ${c.name} is retried with backoff, onError sees it, workers keep going`, async () => {
      const { clock, queue, errors, done } = setup();
      const calls: string[] = [];
      let failuresLeft = 2;
      queue.run((key) => {
        calls.push(`${key}@${clock.now()}`);
        if (key === 'bad' && failuresLeft > 0) {
          failuresLeft -= 1;
          return c.fail();
        }
        return {};
      }, 1);
      queue.add('bad');
      queue.add('good');
      await settle();
      await settle();
      assert.deepEqual(calls, ['bad@0', 'good@0'], 'the single worker went on to the next key');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.key, 'bad');
      const err = errors[0].err;
      assert.ok(err instanceof Error);
      assert.match(err.message, c.message);
      assert.equal(queue.retries('bad'), 1);
      await tick(clock, 1500);
      queue.add('good');
      await settle();
      await settle();
      assert.deepEqual(calls, ['bad@0', 'good@0', 'bad@500', 'bad@1500', 'good@1500']);
      assert.equal(errors.length, 2);
      assert.equal(queue.retries('bad'), 0, 'forgotten after the success');
      assert.deepEqual(
        done.filter((d) => d.key === 'bad').map((d) => d.outcome),
        ['error', 'error', 'success'],
      );
    });
  }

  test('hooks that throw do not stop the queue', async () => {
    const seen: string[] = [];
    const { clock, queue } = setup({
      onAdd: () => {
        throw new Error('add hook');
      },
      onStart: () => {
        throw new Error('start hook');
      },
      onDone: () => {
        throw new Error('done hook');
      },
      onError: (key, err) => {
        seen.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        throw new Error('error hook');
      },
    });
    const processed: string[] = [];
    queue.run((key) => {
      processed.push(key);
      if (key === 'bad') throw new Error('handler');
      return {};
    }, 1);
    queue.add('bad');
    queue.add('good');
    await settle();
    await tick(clock, 500);
    assert.deepEqual(processed, ['bad', 'good', 'bad']);
    assert.deepEqual(seen.slice(0, 6), [
      'bad: add hook',
      'good: add hook',
      'bad: start hook',
      'bad: handler',
      'bad: done hook',
      'good: start hook',
    ]);
  });
});

describe('WorkQueue: permanent failures', () => {
  const cases = [
    { name: 'default delay', options: {}, times: [0, 300_000, 600_000] },
    { name: 'a shorter delay', options: { permanentRetryMs: 20_000 }, times: [0, 20_000, 40_000, 60_000] },
  ];
  for (const c of cases) {
    test(`a PermanentError is retried after the long delay only, never with backoff: ${c.name}`, async () => {
      const { clock, queue, errors, done } = setup(c.options);
      const times: number[] = [];
      queue.run(() => {
        times.push(clock.now());
        throw new PermanentError('422 Invalid: spec: Forbidden: field is immutable');
      }, 1);
      queue.add('a');
      await tick(clock, c.times.at(-1) ?? 0, 1000);
      assert.deepEqual(times, c.times);
      assert.equal(queue.retries('a'), 0, 'the backoff is not used');
      assert.equal(errors.length, c.times.length, 'onError sees every failure');
      assert.ok(errors.every((e) => e.err instanceof PermanentError));
      assert.deepEqual(
        done.map((d) => d.outcome),
        c.times.map(() => 'permanent'),
      );
    });
  }

  test('an add() (a change, a resync) processes the key at once; the slow retry stays pending', async () => {
    const { clock, queue } = setup({ permanentRetryMs: 60_000 });
    const times: number[] = [];
    queue.run(() => {
      times.push(clock.now());
      throw new PermanentError('403 Forbidden: exceeded quota');
    }, 1);
    queue.add('a');
    await tick(clock, 5_000, 1000);
    queue.add('a');
    await tick(clock, 60_000, 1000);
    // 0: first; 5000: the add; 60000: the slow retry of the first failure (the
    // earliest pending delay wins over the one the second failure asked for).
    assert.deepEqual(times, [0, 5_000, 60_000]);
  });

  test('a transient failure after a permanent one backs off from the base again', async () => {
    const { clock, queue } = setup({ permanentRetryMs: 10_000 });
    const times: number[] = [];
    let calls = 0;
    queue.run(() => {
      times.push(clock.now());
      calls += 1;
      if (calls === 1) throw new PermanentError('400 BadRequest');
      throw new Error('503 ServiceUnavailable');
    }, 1);
    queue.add('a');
    await tick(clock, 11_500, 100);
    assert.deepEqual(times, [0, 10_000, 10_500, 11_500]);
    assert.equal(queue.retries('a'), 3);
  });
});

describe('WorkQueue: resync', () => {
  test('adds every key each period until stopped', async () => {
    const { clock, queue } = setup();
    const processed: string[] = [];
    queue.run((key) => {
      processed.push(`${key}@${clock.now()}`);
      return {};
    }, 2);
    let keys = ['ns/a', 'ns/b'];
    const stop = queue.startResync(() => keys, 1000);
    await tick(clock, 990);
    assert.deepEqual(processed, []);
    await tick(clock, 10);
    assert.deepEqual(processed, ['ns/a@1000', 'ns/b@1000']);
    keys = ['ns/b', 'ns/c'];
    await tick(clock, 1000);
    assert.deepEqual(processed.slice(2), ['ns/b@2000', 'ns/c@2000']);
    stop();
    await tick(clock, 3000);
    assert.equal(processed.length, 4);
    assert.equal(clock.pending(), 0);
  });

  test('a resync does not duplicate keys already queued', () => {
    const { clock, queue } = setup();
    queue.add('ns/a');
    queue.startResync(() => ['ns/a', 'ns/b', 'ns/a'], 1000);
    clock.advance(1000);
    assert.equal(queue.depth(), 2);
  });

  test('a listKeys that throws is reported and tried again next period', async () => {
    const resyncErrors: unknown[] = [];
    const { clock, queue } = setup({ onResyncError: (err) => resyncErrors.push(err) });
    const processed: string[] = [];
    queue.run((key) => {
      processed.push(key);
      return {};
    }, 1);
    let calls = 0;
    queue.startResync(() => {
      calls += 1;
      if (calls === 1) throw new Error('cache not synced');
      return ['ns/a'];
    }, 1000);
    await tick(clock, 2000);
    assert.equal(resyncErrors.length, 1);
    assert.deepEqual(processed, ['ns/a']);
  });
});

describe('WorkQueue: shutDown and drain', () => {
  test('drain waits for running handlers; queued keys and new adds are dropped', async () => {
    const { clock, queue } = setup();
    const h = new Blocking();
    queue.run(h.handler, 2);
    queue.add('a');
    queue.add('b');
    queue.add('c');
    queue.addAfter('d', 100);
    queue.startResync(() => ['e'], 1000);
    await settle();
    assert.deepEqual(h.calls, ['a', 'b']);

    queue.shutDown();
    assert.ok(queue.isShutDown());
    assert.equal(clock.pending(), 0, 'delayed adds and resyncs are cancelled');
    queue.add('f');
    queue.addAfter('g', 10);
    queue.addRateLimited('h');
    queue.add('a'); // running: would be dirty, but is ignored too
    assert.equal(queue.depth(), 0);
    assert.equal(clock.pending(), 0);

    let drained = false;
    const draining = queue.drain().then(() => {
      drained = true;
    });
    await settle();
    assert.equal(drained, false);
    h.release('a');
    await settle();
    assert.equal(drained, false, 'b still runs');
    h.release('b');
    await draining;
    assert.equal(drained, true);

    await tick(clock, 2000);
    assert.deepEqual(h.calls, ['a', 'b'], 'nothing taken after shutDown');
  });

  test('drain resolves at once when nothing runs', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.shutDown();
    await queue.drain();
    assert.equal(queue.depth(), 0);
  });

  test('a handler that fails after shutDown is not retried', async () => {
    const { clock, queue, errors } = setup();
    const gate = Promise.withResolvers<undefined>();
    queue.run(async () => {
      await gate.promise;
      throw new Error('interrupted');
    }, 1);
    queue.add('a');
    await settle();
    queue.shutDown();
    gate.resolve(undefined);
    await queue.drain();
    assert.equal(errors.length, 1);
    assert.equal(clock.pending(), 0);
  });
});

describe('WorkQueue: depth and metrics hooks', () => {
  const cases: { name: string; steps: (q: WorkQueue, clock: FakeClock) => void; depth: number }[] = [
    { name: 'empty', steps: () => undefined, depth: 0 },
    {
      name: 'distinct keys',
      steps: (q) => {
        q.add('a');
        q.add('b');
      },
      depth: 2,
    },
    {
      name: 'repeated keys',
      steps: (q) => {
        q.add('a');
        q.add('b');
        q.add('a');
      },
      depth: 2,
    },
    {
      name: 'a delay not yet due',
      steps: (q) => {
        q.addAfter('a', 100);
      },
      depth: 0,
    },
    {
      name: 'a delay that is due',
      steps: (q, clock) => {
        q.addAfter('a', 100);
        clock.advance(100);
      },
      depth: 1,
    },
    {
      name: 'a backoff not yet due',
      steps: (q, clock) => {
        q.addRateLimited('a');
        clock.advance(499);
      },
      depth: 0,
    },
    {
      name: 'after shutDown',
      steps: (q) => {
        q.add('a');
        q.shutDown();
      },
      depth: 0,
    },
  ];
  for (const c of cases) {
    test(`depth: ${c.name}`, () => {
      const { clock, queue } = setup();
      c.steps(queue, clock);
      assert.equal(queue.depth(), c.depth);
    });
  }

  test('onStart gets the wait, onDone the duration and outcome', async () => {
    const { clock, queue, started, done } = setup();
    const h = new Blocking();
    queue.run(h.handler, 1);
    queue.add('a');
    queue.add('b');
    await settle();
    clock.advance(250);
    h.release('a');
    await settle();
    clock.advance(40);
    h.release('b');
    await settle();
    assert.deepEqual(started, [
      { key: 'a', waitedMs: 0 },
      { key: 'b', waitedMs: 250 },
    ]);
    assert.deepEqual(done, [
      { key: 'a', durationMs: 250, outcome: 'success' },
      { key: 'b', durationMs: 40, outcome: 'success' },
    ]);
  });
});

describe('WorkQueue: arguments', () => {
  const cases: { name: string; call: (q: WorkQueue) => void; error: new (...args: never[]) => Error }[] = [
    {
      name: 'run with 0 workers',
      call: (q) => {
        q.run(() => ({}), 0);
      },
      error: RangeError,
    },
    {
      name: 'run with 1.5 workers',
      call: (q) => {
        q.run(() => ({}), 1.5);
      },
      error: RangeError,
    },
    {
      name: 'run twice',
      call: (q) => {
        q.run(() => ({}), 1);
        q.run(() => ({}), 1);
      },
      error: Error,
    },
    {
      name: 'addAfter with NaN',
      call: (q) => {
        q.addAfter('a', Number.NaN);
      },
      error: RangeError,
    },
    { name: 'resync with period 0', call: (q) => q.startResync(() => [], 0), error: RangeError },
  ];
  test('throws on permanentRetryMs 0', () => {
    assert.throws(() => setup({ permanentRetryMs: 0 }), RangeError);
  });
  for (const c of cases) {
    test(`throws on ${c.name}`, () => {
      assert.throws(() => {
        c.call(setup().queue);
      }, c.error);
    });
  }
});
