// Why a component's pods are missing or not running, from the workload's
// own report and its pods: pods that cannot be created (a Deployment's
// ReplicaFailure condition, a StatefulSet's FailedCreate events: a missing
// PriorityClass, a ResourceQuota, pod security admission), pods that exist
// but do not run (status/pod-problem.ts: unschedulable, an image that cannot
// be pulled, a crash loop), and last a Deployment whose rollout gave up
// (ProgressDeadlineExceeded). Pure; observe.ts shows a cause only for a
// component that is not ready.
import type { KubeObject } from '../model/object.ts';
import { COMPONENT_LABEL } from './observe.ts';
import { cut, type Problem } from './pod-problem.ts';

/** A pod of the HarborCluster, as far as causes go. */
export interface PodReport {
  name: string;
  component: string;
  problem?: Problem;
}

/** A FailedCreate event of a StatefulSet. */
export interface FailedCreateReport {
  /** The StatefulSet's name and uid (an event of an earlier StatefulSet of that name does not count). */
  name: string;
  uid: string;
  message: string;
  /** RFC 3339; the latest event wins. */
  lastSeen: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface WorkloadShape {
  kind: string;
  metadata: { name: string; uid?: string; labels?: Record<string, string> };
  spec?: { replicas?: number };
  status?: { replicas?: number; conditions?: Condition[] };
}

/** The cause of each component that has one, by component name. */
export function componentCauses(workloads: KubeObject[], pods: PodReport[], failedCreates: FailedCreateReport[]): Record<string, Problem> {
  const out: Record<string, Problem> = {};
  for (const w of workloads as unknown as WorkloadShape[]) {
    const component = w.metadata.labels?.[COMPONENT_LABEL] ?? 'unknown';
    const cause = workloadCause(
      w,
      pods.filter((p) => p.component === component),
      failedCreates.filter((e) => e.name === w.metadata.name),
    );
    if (cause && !out[component]) out[component] = cause;
  }
  return out;
}

function workloadCause(w: WorkloadShape, pods: PodReport[], failedCreates: FailedCreateReport[]): Problem | undefined {
  const conditions = w.status?.conditions ?? [];
  // 1. Pods cannot be created.
  if (w.kind === 'Deployment') {
    // Copied by the deployment controller from the ReplicaSet, and removed
    // again once pods can be created.
    const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (failure) return { reason: failure.reason ?? 'ReplicaFailure', message: cut(failure.message ?? 'pods cannot be created') };
  } else if (w.kind === 'StatefulSet') {
    // Events outlive their cause (an hour): they count only while pods are missing.
    const created = w.status?.replicas ?? 0;
    if (created < (w.spec?.replicas ?? 1)) {
      const latest = failedCreates
        .filter((e) => !w.metadata.uid || !e.uid || e.uid === w.metadata.uid)
        .sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0))[0];
      if (latest) return { reason: 'FailedCreate', message: cut(latest.message) };
    }
  }
  // 2. Pods exist but do not run; the first by name, so the choice is stable.
  const failing = pods.filter((p) => p.problem).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
  if (failing?.problem) return { reason: failing.problem.reason, message: cut(`pod ${failing.name}: ${failing.problem.message}`) };
  // 3. The rollout gave up without a cause of its own.
  const progressing = conditions.find((c) => c.type === 'Progressing' && c.status === 'False');
  if (w.kind === 'Deployment' && progressing?.reason === 'ProgressDeadlineExceeded') {
    return { reason: progressing.reason, message: cut(progressing.message ?? 'the rollout exceeded its progress deadline') };
  }
  return undefined;
}
