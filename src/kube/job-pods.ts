// How a finished Job's pod ended: one list of the Job's pods (by the label
// batch.kubernetes.io/job-name the Job controller puts on them) when the
// operator records the Job, so the size and file of a dump (the pod's
// termination message) reach status without caching every pod whole.
import type { Termination } from '../backup/records.ts';
import type { KubeHttp } from './http.ts';
import { collectionPath, podType } from './resources.ts';

export interface JobPodReader {
  /** The terminated state of `container` in the Job's newest finished pod; undefined when there is none. */
  terminationOf(namespace: string, job: string, container: string): Promise<Termination | undefined>;
}

interface PodShape {
  metadata: { creationTimestamp?: string };
  status?: {
    containerStatuses?: {
      name: string;
      state?: { terminated?: { exitCode?: number; reason?: string; message?: string; finishedAt?: string } };
    }[];
  };
}

export function createJobPodReader(http: KubeHttp): JobPodReader {
  return {
    async terminationOf(namespace, job, container) {
      const res = await http.request<{ items: PodShape[] }>('GET', collectionPath(podType, namespace), {
        query: { labelSelector: `batch.kubernetes.io/job-name=${job}`, limit: 20 },
      });
      const ended = res.items
        .map((p) => ({ at: p.metadata.creationTimestamp ?? '', t: p.status?.containerStatuses?.find((c) => c.name === container)?.state?.terminated }))
        .filter((x) => x.t !== undefined)
        .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
      const t = ended[0]?.t;
      if (!t) return undefined;
      return {
        exitCode: t.exitCode ?? -1,
        ...(t.reason !== undefined ? { reason: t.reason } : {}),
        ...(t.message !== undefined ? { message: t.message } : {}),
        ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
      };
    },
  };
}
