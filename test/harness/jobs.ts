// Ends a Job's pod as the kubelet would: the pod's status subresource gets
// phase Succeeded or Failed and the container's terminated state with exit
// code and termination message. kwok keeps the operator's backup and restore
// pods Running until then (test/cluster/kwok-stages.yaml,
// pod-backup-job-running); kube-controller-manager's Job controller then
// counts the pod and sets the Job's conditions (SuccessCriteriaMet and
// Complete, or FailureTarget and Failed).
import { collectionPath, podType } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { raw } from './harbor.ts';
import { waitUntil } from './kube.ts';

interface PodShape extends KubeObject {
  spec: { containers: { name: string; image: string }[] };
  status?: { phase?: string };
}

/** The Job's running pod (waits for it). */
export async function runningPodOf(namespace: string, job: string, timeoutMs = 60_000): Promise<PodShape> {
  return waitUntil(
    `a Running pod of Job ${namespace}/${job}`,
    async () => {
      const res = await raw().request<{ items: PodShape[] }>('GET', collectionPath(podType, namespace), {
        query: { labelSelector: `batch.kubernetes.io/job-name=${job}` },
      });
      return res.items.find((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
    },
    { timeoutMs },
  );
}

/** Ends the Job's running pod with this exit code and termination message. */
export async function finishJobPod(namespace: string, job: string, exitCode: number, message: string): Promise<void> {
  const pod = await runningPodOf(namespace, job);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const started = pod.metadata.creationTimestamp ?? now;
  await raw().request('PATCH', `${collectionPath(podType, namespace)}/${pod.metadata.name}/status`, {
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
          { type: 'Initialized', status: 'True', lastTransitionTime: started },
          { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
        ],
        containerStatuses: pod.spec.containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : 'Error',
              message,
              startedAt: started,
              finishedAt: now,
            },
          },
        })),
      },
    },
  });
}
