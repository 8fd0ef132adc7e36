// The work queue between watch events and reconciles, after client-go's
// rate-limited workqueue. Keys are "namespace/name" strings; a reconcile is
// level-based, so a key only needs to be processed once more, however many
// times it was added meanwhile:
//
// - a key that is queued and not yet taken is queued once;
// - a key that is being processed is never handed to a second worker: when it
//   is added again it is marked dirty, and queued again when processing ends.
//
// The handler's result is data: { requeueAfter } to come back later, {} when
// done; a throw or rejection means "retry with the key's backoff" — except a
// PermanentError (controller-runtime's TerminalError, kopf's PermanentError):
// a retry cannot fix it, so the key is not retried hot but once after a long
// delay (permanentRetryMs); an add() (a change of the object or a child, a
// resync) still processes it at once. Time comes from an injected Clock only.
import { backoffDelay, backoffPolicy, type BackoffPolicy } from './backoff.ts';
import { realClock, type Clock, type TimerHandle } from './clock.ts';

/** How long a key whose handler failed permanently waits before it is tried again by itself. */
export const DEFAULT_PERMANENT_RETRY_MS = 5 * 60_000;

/**
 * A failure that retrying cannot fix (the API server refused the request as
 * invalid or forbidden): reported by the handler, then retried only slowly.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export interface Result {
  /** Process the key again after this many milliseconds (finite, >= 0). */
  readonly requeueAfter?: number;
}

export type Handler = (key: string) => Promise<Result> | Result;

export type Outcome = 'success' | 'error' | 'requeue' | 'permanent';

/**
 * Optional observers, e.g. for metrics. A hook that throws is reported to
 * onError; a throw from onError itself is dropped. Neither stops the queue.
 */
export interface QueueHooks {
  /** A key became due for processing (not called for an add that was deduplicated). */
  readonly onAdd?: (key: string) => void;
  /** A worker took the key, waitedMs after it was added. */
  readonly onStart?: (key: string, waitedMs: number) => void;
  /** The handler for the key finished after durationMs. */
  readonly onDone?: (key: string, durationMs: number, outcome: Outcome) => void;
  /**
   * The handler for the key threw or rejected (or returned an invalid result);
   * it will be retried, with backoff, or after permanentRetryMs for a PermanentError.
   */
  readonly onError?: (key: string, err: unknown) => void;
  /** listKeys of a resync threw; the resync tries again next period. */
  readonly onResyncError?: (err: unknown) => void;
}

export interface QueueOptions extends QueueHooks {
  /** Defaults to the real clock. */
  readonly clock?: Clock;
  /** Replaces fields of the default backoff (500 ms, factor 2, cap 5 min). */
  readonly backoff?: Partial<BackoffPolicy>;
  /** The wait after a PermanentError (default 5 min); the key's backoff is not used. */
  readonly permanentRetryMs?: number;
}

/** How a handler call ended. */
export type Settled = { readonly ok: true; readonly result: Result | undefined } | { readonly ok: false; readonly error: unknown };

export type Next =
  | { readonly outcome: 'success' }
  | { readonly outcome: 'requeue'; readonly afterMs: number }
  | { readonly outcome: 'error'; readonly error: unknown }
  | { readonly outcome: 'permanent'; readonly error: unknown; readonly afterMs: number };

/** What a finished handler call means for its key. */
export function nextStep(settled: Settled, permanentRetryMs = DEFAULT_PERMANENT_RETRY_MS): Next {
  if (!settled.ok) {
    if (settled.error instanceof PermanentError) return { outcome: 'permanent', error: settled.error, afterMs: permanentRetryMs };
    return { outcome: 'error', error: settled.error };
  }
  const after = settled.result?.requeueAfter;
  if (after === undefined) return { outcome: 'success' };
  if (Number.isFinite(after) && after >= 0) return { outcome: 'requeue', afterMs: after };
  return { outcome: 'error', error: new TypeError(`requeueAfter must be a finite number >= 0, got ${String(after)}`) };
}

interface Waiting {
  readonly at: number;
  readonly timer: TimerHandle;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #policy: BackoffPolicy;
  readonly #permanentRetryMs: number;
  readonly #hooks: QueueHooks;
  /** Keys ready for a worker, oldest first (a Set keeps insertion order). */
  readonly #ready = new Set<string>();
  /** Keys that need processing, with the time they were added; a superset of #ready. */
  readonly #dirty = new Map<string, number>();
  readonly #processing = new Set<string>();
  /** Delayed adds, at most one per key: the earliest wins. */
  readonly #waiting = new Map<string, Waiting>();
  /** Consecutive failures per key. */
  readonly #failures = new Map<string, number>();
  readonly #resyncStops = new Set<() => void>();
  readonly #idle: (() => void)[] = [];
  #handler: Handler | undefined;
  #workers = 0;
  #shutDown = false;
  #pumpScheduled = false;

  constructor(options: QueueOptions = {}) {
    const { clock = realClock, backoff, permanentRetryMs = DEFAULT_PERMANENT_RETRY_MS, ...hooks } = options;
    if (!(Number.isFinite(permanentRetryMs) && permanentRetryMs > 0)) {
      throw new RangeError(`permanentRetryMs must be > 0, got ${permanentRetryMs}`);
    }
    this.#clock = clock;
    this.#policy = backoffPolicy(backoff);
    this.#permanentRetryMs = permanentRetryMs;
    this.#hooks = hooks;
  }

  /** Queues the key unless it is already queued; ignored after shutDown(). */
  add(key: string): void {
    if (this.#shutDown || this.#dirty.has(key)) return;
    this.#dirty.set(key, this.#clock.now());
    this.#call(key, (h) => h.onAdd?.(key));
    if (this.#processing.has(key)) return; // queued again when its processing ends
    this.#ready.add(key);
    this.#schedulePump();
  }

  /** Adds the key after ms; of several pending delays for a key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`addAfter() needs a finite delay, got ${ms}`);
    if (this.#shutDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const earlier = this.#waiting.get(key);
    if (earlier !== undefined) {
      if (earlier.at <= at) return;
      this.#clock.clearTimeout(earlier.timer);
    }
    const timer = this.#clock.setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, ms);
    this.#waiting.set(key, { at, timer });
  }

  /** Adds the key after its backoff, and counts one more failure for it. */
  addRateLimited(key: string): void {
    if (this.#shutDown) return;
    const failures = this.retries(key);
    this.#failures.set(key, failures + 1);
    this.addAfter(key, backoffDelay(this.#policy, failures));
  }

  /** Resets the key's backoff. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Consecutive failures of the key since it was last forgotten. */
  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Keys waiting for a worker (not those being processed or waiting for a delay). */
  depth(): number {
    return this.#ready.size;
  }

  /** Starts processing with up to `workers` handler calls at once; call it once. */
  run(handler: Handler, workers: number): void {
    if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`run() needs workers >= 1, got ${workers}`);
    if (this.#handler !== undefined) throw new Error('run() was already called');
    this.#handler = handler;
    this.#workers = workers;
    this.#schedulePump();
  }

  /** Adds every key of listKeys() each periodMs, first after one period. Returns a function that stops it. */
  startResync(listKeys: () => Iterable<string>, periodMs: number): () => void {
    if (!(Number.isFinite(periodMs) && periodMs > 0)) {
      throw new RangeError(`startResync() needs periodMs > 0, got ${periodMs}`);
    }
    let stopped = this.#shutDown;
    let timer: TimerHandle;
    const stop = (): void => {
      stopped = true;
      this.#clock.clearTimeout(timer);
      this.#resyncStops.delete(stop);
    };
    const tick = (): void => {
      try {
        for (const key of listKeys()) this.add(key);
      } catch (err) {
        this.#report(() => this.#hooks.onResyncError?.(err));
      }
      if (!stopped) timer = this.#clock.setTimeout(tick, periodMs);
    };
    if (!stopped) {
      timer = this.#clock.setTimeout(tick, periodMs);
      this.#resyncStops.add(stop);
    }
    return stop;
  }

  /**
   * Stops taking work: queued keys are dropped, delayed adds and resyncs are
   * cancelled, and add() is ignored from now on. Running handlers finish; see drain().
   */
  shutDown(): void {
    if (this.#shutDown) return;
    this.#shutDown = true;
    for (const { timer } of this.#waiting.values()) this.#clock.clearTimeout(timer);
    this.#waiting.clear();
    for (const stop of [...this.#resyncStops]) stop();
    this.#ready.clear();
    this.#dirty.clear();
  }

  isShutDown(): boolean {
    return this.#shutDown;
  }

  /** Resolves once no handler is running; after shutDown(), that is for good. */
  drain(): Promise<void> {
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle.push(resolve);
    });
  }

  // Workers are started from a microtask, never inside add(): a watch event
  // handler that adds a key does not run the reconcile on its own stack.
  #schedulePump(): void {
    if (this.#pumpScheduled || this.#handler === undefined) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    const handler = this.#handler;
    if (handler === undefined) return;
    while (!this.#shutDown && this.#processing.size < this.#workers) {
      const key = first(this.#ready);
      if (key === undefined) return;
      const addedAt = this.#dirty.get(key) ?? this.#clock.now();
      this.#ready.delete(key);
      this.#dirty.delete(key);
      this.#processing.add(key);
      void this.#process(handler, key, addedAt);
    }
  }

  /** Never rejects: every failure is caught and reported. */
  async #process(handler: Handler, key: string, addedAt: number): Promise<void> {
    const start = this.#clock.now();
    this.#call(key, (h) => h.onStart?.(key, start - addedAt));
    let settled: Settled;
    try {
      settled = { ok: true, result: await handler(key) };
    } catch (error) {
      settled = { ok: false, error };
    }
    const next = nextStep(settled, this.#permanentRetryMs);
    switch (next.outcome) {
      case 'success':
        this.forget(key);
        break;
      case 'requeue':
        this.forget(key);
        this.addAfter(key, next.afterMs);
        break;
      case 'error':
        this.#report(() => this.#hooks.onError?.(key, next.error));
        this.addRateLimited(key);
        break;
      case 'permanent':
        // Not a hot loop: the backoff starts afresh, and only the slow retry,
        // a new add() (a change, a resync) or shutDown() comes next.
        this.#report(() => this.#hooks.onError?.(key, next.error));
        this.forget(key);
        this.addAfter(key, next.afterMs);
        break;
    }
    this.#finish(key);
    this.#call(key, (h) => h.onDone?.(key, this.#clock.now() - start, next.outcome));
  }

  #finish(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#ready.add(key);
    if (this.#processing.size === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
    this.#schedulePump();
  }

  /** Calls a hook; a throw goes to onError. */
  #call(key: string, hook: (hooks: QueueHooks) => void): void {
    try {
      hook(this.#hooks);
    } catch (err) {
      this.#report(() => this.#hooks.onError?.(key, err));
    }
  }

  /** Calls an error hook; a throw from it has nowhere left to go. */
  #report(hook: () => void): void {
    try {
      hook();
    } catch {
      // dropped on purpose: the queue must keep going
    }
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
}
