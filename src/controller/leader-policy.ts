// Leader election decisions over a coordination.k8s.io Lease, after
// client-go's leaderelection: time is judged by the local clock from when
// this process last saw the record change, never from timestamps written by
// another machine, so clock skew between nodes does not matter.
import type { LeaseRecord } from '../model/lease-record.ts';

export interface Observation {
  record: LeaseRecord;
  /** Local time (ms) when this record was first seen in this form. */
  since: number;
}

export type Decision =
  | { action: 'create'; record: LeaseRecord }
  | { action: 'take'; record: LeaseRecord }
  | { action: 'renew'; record: LeaseRecord }
  | { action: 'wait'; holder: string; expiresInMs: number };

/** Same holder and renew time: the record has not moved since we saw it. */
export function sameRecord(a: LeaseRecord | undefined, b: LeaseRecord | undefined): boolean {
  return a?.holderIdentity === b?.holderIdentity && a?.renewTime === b?.renewTime && a?.leaseTransitions === b?.leaseTransitions;
}

/** Updates the observation with what was read now. */
export function observe(prev: Observation | undefined, read: LeaseRecord, now: number): Observation {
  return prev && sameRecord(prev.record, read) ? prev : { record: read, since: now };
}

export function decide(
  current: Observation | undefined,
  identity: string,
  nowMs: number,
  nowIso: string,
  leaseDurationMs: number,
): Decision {
  const seconds = Math.max(1, Math.round(leaseDurationMs / 1000));
  const mine = (transitions: number, acquireTime: string): LeaseRecord => ({
    holderIdentity: identity,
    leaseDurationSeconds: seconds,
    acquireTime,
    renewTime: nowIso,
    leaseTransitions: transitions,
  });
  if (!current) return { action: 'create', record: mine(0, nowIso) };
  const r = current.record;
  const transitions = r.leaseTransitions ?? 0;
  if (r.holderIdentity === identity) return { action: 'renew', record: mine(transitions, r.acquireTime ?? nowIso) };
  if (!r.holderIdentity) return { action: 'take', record: mine(transitions + 1, nowIso) };
  const duration = (r.leaseDurationSeconds ?? seconds) * 1000;
  const expiresInMs = current.since + duration - nowMs;
  if (expiresInMs <= 0) return { action: 'take', record: mine(transitions + 1, nowIso) };
  return { action: 'wait', holder: r.holderIdentity, expiresInMs };
}
