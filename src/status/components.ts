// What status says of each component: its pod counts and, while it is not
// ready, why (component-causes.ts); and the Ready condition's message while
// components are not ready, which names them and the first cause. Pure.
import { cut, type Problem } from './pod-problem.ts';

/** One component in status.components. */
export interface ComponentReport {
  ready: number;
  desired: number;
  /** Why pods are missing or not running (only while not ready). */
  reason?: string;
  message?: string;
}

export interface Counted {
  name: string;
  ready: number;
  desired: number;
}

export function componentReport(c: Counted, cause: Problem | undefined): ComponentReport {
  const counts = { ready: c.ready, desired: c.desired };
  // (the CRD's limits: 128 and 1024 characters)
  return cause && c.ready < c.desired ? { ...counts, reason: cut(cause.reason, 128), message: cut(cause.message, 1024) } : counts;
}

/** "waiting for core 0/1, registry 1/3; core: FailedCreate: pods … is forbidden: …" */
export function waitingMessage(notReady: readonly Counted[], causes: Readonly<Record<string, Problem>>): string {
  const list = `waiting for ${notReady.map((c) => `${c.name} ${c.ready}/${c.desired}`).join(', ')}`;
  const first = notReady.find((c) => causes[c.name]);
  const cause = first ? causes[first.name] : undefined;
  return first && cause ? `${list}; ${first.name}: ${cause.reason}: ${cause.message}` : list;
}
