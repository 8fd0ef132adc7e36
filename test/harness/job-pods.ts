// The operator's Jobs in the test cluster. kwok runs their pods and holds
// them Running (test/cluster/kwok-stages.yaml, operator-job-pod-held); a test
// finishes a pod the way a kubelet would, with a status patch: Succeeded with
// exit code 0, or Failed with another code, with the container's termination
// message when the test gives one. The Job controller
// (kube-controller-manager) then marks the Job Complete or Failed.
import { upgradeJobName } from '../../src/backup/jobs.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { getCluster, raw } from './harbor.ts';
import { waitUntil } from './kube.ts';

interface PodShape {
  metadata: KubeObject['metadata'];
  spec: { containers: { name: string; image: string }[] };
  status?: { phase?: string; startTime?: string };
}

export interface JobShape {
  metadata: KubeObject['metadata'];
  spec: { template: { spec: { containers: { name: string; image: string }[] } } };
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

export async function getJob(namespace: string, name: string): Promise<JobShape | undefined> {
  try {
    return await raw().request<JobShape>('GET', `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`);
  } catch {
    return undefined;
  }
}

export async function listJobs(namespace: string): Promise<JobShape[]> {
  return (await raw().request<{ items: JobShape[] }>('GET', `/apis/batch/v1/namespaces/${namespace}/jobs`)).items;
}

/**
 * The name of the backup Job before the upgrade from → to of a HarborCluster
 * (src/backup/jobs.ts upgradeJobName: derived from the HarborCluster's uid).
 */
export async function upgradeBackupJob(namespace: string, cluster: string, from: string, to: string): Promise<string> {
  return upgradeJobName((await getCluster(namespace, cluster)) as never, from, to);
}

/** The running pod of a Job, once kwok has started it. */
export async function runningPodOf(namespace: string, job: string, timeoutMs = 60_000): Promise<PodShape> {
  return waitUntil(
    `a running pod of Job ${namespace}/${job}`,
    async () => {
      const pods = await raw().request<{ items: PodShape[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, {
        query: { labelSelector: `batch.kubernetes.io/job-name=${job}` },
      });
      return pods.items.find((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
    },
    { timeoutMs },
  );
}

/**
 * Ends a running pod as its kubelet would report it: every container
 * terminated with `exitCode` and, when given, the termination message the
 * container wrote (the operator's backup and restore scripts report the
 * dump's file and size there).
 */
export async function finishPod(namespace: string, pod: PodShape, exitCode: number, message?: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await raw().request('PATCH', `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/status`, {
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        conditions: [
          { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
        ],
        containerStatuses: pod.spec.containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : 'Error',
              ...(message !== undefined ? { message } : {}),
              startedAt: pod.status?.startTime ?? now,
              finishedAt: now,
            },
          },
        })),
      },
    },
  });
}

/** Waits for the Job controller to have marked the Job with a True condition of this type (Complete, Failed). */
export async function waitForJobCondition(namespace: string, job: string, type: 'Complete' | 'Failed', timeoutMs = 60_000): Promise<JobShape> {
  return waitUntil(
    `Job ${namespace}/${job} ${type}`,
    async () => {
      const j = await getJob(namespace, job);
      return j?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ? j : undefined;
    },
    { timeoutMs },
  );
}
