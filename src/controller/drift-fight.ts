// When someone else keeps changing a field the operator manages, setting it
// back at once every time is a hot loop between two writers. After
// `threshold` repairs of one object within `windowMs`, repairs of it pause,
// for a delay that doubles with each pause (up to `maxMs`); a quiet window
// forgets the fight. Pure: the clock comes in.

export interface FightState {
  /** Times of the repairs since the last pause. */
  repairs: number[];
  holdUntil: number;
  /** Pauses so far in this fight. */
  level: number;
  lastRepair: number;
}

export interface FightPolicy {
  windowMs: number;
  threshold: number;
  baseMs: number;
  maxMs: number;
}

export const defaultFightPolicy: FightPolicy = { windowMs: 60_000, threshold: 3, baseMs: 5_000, maxMs: 300_000 };

export type FightDecision =
  | { repair: true; next: FightState }
  | { repair: false; next: FightState; holdMs: number; paused: boolean };

export function decideRepair(prev: FightState | undefined, now: number, policy: FightPolicy = defaultFightPolicy): FightDecision {
  const quiet = !prev || now - prev.lastRepair > policy.windowMs;
  const s: FightState = quiet
    ? { repairs: [], holdUntil: 0, level: 0, lastRepair: prev?.lastRepair ?? 0 }
    : { ...prev, repairs: prev.repairs.filter((t) => now - t <= policy.windowMs) };
  if (now < s.holdUntil) return { repair: false, next: s, holdMs: s.holdUntil - now, paused: false };
  if (s.repairs.length >= policy.threshold) {
    const level = s.level + 1;
    const holdMs = Math.min(policy.maxMs, policy.baseMs * 2 ** (level - 1));
    return { repair: false, next: { repairs: [], holdUntil: now + holdMs, level, lastRepair: s.lastRepair }, holdMs, paused: true };
  }
  return { repair: true, next: { ...s, repairs: [...s.repairs, now], lastRepair: now } };
}

/**
 * The field manager that last wrote an object's spec, other than the
 * operator (writers of the status subresource, the controllers, do not count).
 */
export function lastOtherManager(managedFields: unknown, self: string): string | undefined {
  if (!Array.isArray(managedFields)) return undefined;
  let best: { manager: string; time: string } | undefined;
  for (const e of managedFields as { manager?: string; time?: string; subresource?: string }[]) {
    if (!e.manager || e.manager === self || e.subresource) continue;
    if (!best || (e.time ?? '') >= best.time) best = { manager: e.manager, time: e.time ?? '' };
  }
  return best?.manager;
}
