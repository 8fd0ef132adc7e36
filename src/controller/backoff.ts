// Per-key exponential backoff, as client-go's ItemExponentialFailureRateLimiter:
// after n consecutive failures of a key, its next retry waits
// baseMs * factor^n, never more than maxMs.

export interface BackoffPolicy {
  /** The wait after the first failure. */
  readonly baseMs: number;
  /** What each further failure multiplies the wait by (>= 1). */
  readonly factor: number;
  /** The cap (>= baseMs). */
  readonly maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 500, factor: 2, maxMs: 5 * 60_000 };

/** The default policy with the given fields replaced; throws RangeError on a policy that makes no sense. */
export function backoffPolicy(overrides: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const policy = { ...defaultBackoff, ...overrides };
  const { baseMs, factor, maxMs } = policy;
  if (!(Number.isFinite(baseMs) && baseMs > 0)) throw new RangeError(`backoff baseMs must be > 0, got ${baseMs}`);
  if (!(Number.isFinite(factor) && factor >= 1)) throw new RangeError(`backoff factor must be >= 1, got ${factor}`);
  if (!(Number.isFinite(maxMs) && maxMs >= baseMs)) {
    throw new RangeError(`backoff maxMs must be >= baseMs (${baseMs}), got ${maxMs}`);
  }
  return policy;
}

/** The wait before the next retry of a key that has failed `failures` times in a row before this one. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  // factor ** failures overflows to Infinity for large counts; the cap still holds.
  return Math.min(policy.baseMs * policy.factor ** Math.max(0, failures), policy.maxMs);
}
