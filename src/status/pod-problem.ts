// Why a pod that exists does not run, read from its status as the scheduler
// and the kubelet report it: not schedulable (PodScheduled=False), or a
// container waiting for a reason that is not the normal start (an image that
// cannot be pulled, a crash loop, a missing ConfigMap key), or a failed pod
// (evicted). Pure; the first problem found wins, pod-level before containers,
// init containers before the others.
import type { KubeObject } from '../model/object.ts';

export interface Problem {
  reason: string;
  message: string;
}

/** Messages are cut to this length (status and the cache keep them). */
export const MAX_MESSAGE = 512;

/** Waiting reasons of a container that is starting normally. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

interface ContainerStatus {
  name: string;
  state?: {
    waiting?: { reason?: string; message?: string };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

interface PodShape {
  metadata: { deletionTimestamp?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

export function cut(s: string, max = MAX_MESSAGE): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The reason this pod does not run, or undefined when it runs or is starting normally. */
export function podProblem(pod: KubeObject): Problem | undefined {
  const p = pod as unknown as PodShape;
  if (p.metadata.deletionTimestamp) return undefined; // on its way out: not why pods are missing
  const s = p.status ?? {};
  if (s.phase === 'Succeeded') return undefined;
  if (s.phase === 'Failed') return { reason: s.reason ?? 'Failed', message: cut(s.message ?? 'the pod failed') };
  const scheduled = s.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return { reason: scheduled.reason ?? 'Unschedulable', message: cut(scheduled.message ?? 'the pod cannot be scheduled') };
  }
  for (const c of [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting;
    if (!waiting?.reason || STARTING.has(waiting.reason)) continue;
    const last = c.lastState?.terminated;
    const lastExit = last ? `; last exit: ${last.reason ?? 'terminated'} (code ${last.exitCode ?? '?'})` : '';
    return { reason: waiting.reason, message: cut(`container ${c.name}: ${waiting.message ?? waiting.reason}${lastExit}`) };
  }
  return undefined;
}
