// In which order a reconcile's writes go out. Two phases: first everything a
// pod reads or a workload refers to (Secrets, ConfigMaps, ServiceAccounts,
// claims, Services, Certificates), all at once; then the workloads and the
// Ingress, all at once. So a pod never starts before its configuration
// exists, and a reconcile waits for two rounds of requests, not one per kind.
// Pure.
import type { KubeObject } from '../model/object.ts';

/** Kinds applied in the second phase; every other kind goes first. */
const secondPhase = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'Ingress']);

export function applyPhase(o: KubeObject): 0 | 1 {
  return secondPhase.has(o.kind) ? 1 : 0;
}

/** The writes split into phases, in order; an empty phase is left out. */
export function inPhases<T extends { desired: KubeObject }>(items: readonly T[]): T[][] {
  const phases: [T[], T[]] = [[], []];
  for (const it of items) phases[applyPhase(it.desired)].push(it);
  return phases.filter((p) => p.length > 0);
}
