// A limit on how many informers list at once. At start every kind lists
// together, and each holds its page's text, the parsed page and the objects
// already kept; through the gate they take turns, so a restart over many
// objects does not hold all kinds' pages at the same moment.
export class ListGate {
  private readonly limit: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a list gate needs a limit of 1 or more, got ${limit}`);
    this.limit = limit;
  }

  /** Runs fn when a place is free; gives up waiting (rejecting) if signal aborts first. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.enter(signal);
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  /** Lists running now (for tests). */
  get active(): number {
    return this.running;
  }

  private enter(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        const reason: unknown = signal?.reason;
        reject(reason instanceof Error ? reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  private leave(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
