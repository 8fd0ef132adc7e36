// What the operator's caches keep of a pod: its name, resourceVersion (for
// the watch), the labels that map it to its HarborCluster and component, and
// the reason it does not run, if any (status/pod-problem.ts) — nothing else.
// Pods are the most numerous objects the operator watches (about ten per
// HarborCluster), so the rest of the pod is dropped on arrival.
import type { KubeObject } from '../model/object.ts';
import { podProblem, type Problem } from '../status/pod-problem.ts';

const same = (s: string): string => s;

/**
 * The pod cut down to what status needs. `labels`: the label keys kept;
 * `intern` shares repeated strings (intern.ts).
 */
export function cachedPod(pod: KubeObject, labels: readonly string[], intern: (s: string) => string = same): KubeObject {
  const m = pod.metadata;
  const kept: Record<string, string> = {};
  for (const k of labels) {
    const v = m.labels?.[k];
    if (v !== undefined) kept[intern(k)] = intern(v);
  }
  const problem = podProblem(pod);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: m.name,
      ...(m.namespace !== undefined ? { namespace: intern(m.namespace) } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
      labels: kept,
    },
    ...(problem ? { problem: { reason: intern(problem.reason), message: intern(problem.message) } } : {}),
  };
}

/** The problem a cached pod carries (set by cachedPod). */
export function problemOf(pod: KubeObject): Problem | undefined {
  return pod['problem'] as Problem | undefined;
}
