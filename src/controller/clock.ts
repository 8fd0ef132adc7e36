// Time as an injected dependency: the work queue reads the time and sets
// timers only through a Clock, so tests drive it with FakeClock, with no real
// waiting and the same order of events on every run.

/** Opaque: only the clock that returned a handle knows what it is. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds on a monotonic scale: use differences, not the absolute value. */
  now(): number;
  /** Calls fn once, ms milliseconds from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer that has not fired yet; a fired or unknown handle is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers fire early (after 1 ms) beyond this, so longer delays are chained. */
const maxTimerMs = 2 ** 31 - 1;

class RealTimer {
  timer: NodeJS.Timeout | undefined;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const handle = new RealTimer();
    const arm = (left: number): void => {
      handle.timer =
        left > maxTimerMs
          ? setTimeout(() => {
              arm(left - maxTimerMs);
            }, maxTimerMs)
          : setTimeout(fn, left);
    };
    arm(ms);
    return handle;
  },
  clearTimeout(handle) {
    if (handle instanceof RealTimer) clearTimeout(handle.timer);
  },
};

interface FakeTimer {
  at: number;
  fn: () => void;
}

/** A clock for tests: time stands still until advance() moves it. */
export class FakeClock implements Clock {
  #now: number;
  #lastId = 0;
  /** By id, which is also the order they were set in (Map keeps insertion order). */
  readonly #timers = new Map<number, FakeTimer>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.#lastId += 1;
    this.#timers.set(this.#lastId, { at: this.#now + (ms > 0 ? ms : 0), fn });
    return this.#lastId;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  /** How many timers are set and have not fired. */
  pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by ms, firing every timer that falls due on the way:
   * earliest first, ties in the order they were set, each with now() at its
   * due time. Timers set by a firing timer fire too if they fall due in time.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance() needs ms >= 0, got ${ms}`);
    const end = this.#now + ms;
    for (let next = this.#nextDue(end); next !== undefined; next = this.#nextDue(end)) {
      const [id, timer] = next;
      this.#timers.delete(id);
      this.#now = timer.at;
      timer.fn();
    }
    this.#now = end;
  }

  #nextDue(end: number): [number, FakeTimer] | undefined {
    let best: [number, FakeTimer] | undefined;
    for (const entry of this.#timers) {
      if (entry[1].at <= end && (best === undefined || entry[1].at < best[1].at)) best = entry;
    }
    return best;
  }
}
