// The API I/O of backups and restores (controller/backups.ts): their Jobs
// and the claim <name>-backups are created once and never updated (a create
// that meets an existing object returns that one; the caller judges whether
// it is its own), and a finished Job's pod is read once for how it ended.
// Nothing here deletes: a Job goes by its TTL or by hand. The Jobs themselves
// are watched with the other children (resources.ts childTypes).
import type { Termination } from '../backup/records.ts';
import type { KubeObject } from '../model/object.ts';
import { isConflict, isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import { FIELD_MANAGER } from './writer.ts';
import { collectionPath, jobType, objectPath, podType, type ResourceType } from './resources.ts';
const claimType: ResourceType = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true };
const types = new Map([jobType, claimType].map((t) => [t.kind, t]));

export type CreateOnceKind = 'Job' | 'PersistentVolumeClaim';

export interface JobClient {
  /** Creates the object unless one of its name exists; returns what exists now. */
  ensure(obj: KubeObject): Promise<{ created: boolean; object: KubeObject }>;
  /** The object as the API server has it now, if any. */
  read(kind: CreateOnceKind, namespace: string, name: string): Promise<KubeObject | undefined>;
  /**
   * The terminated state of `container` in the Job's newest finished pod;
   * undefined when there is none. The pods are found by the Job's uid (the
   * label batch.kubernetes.io/controller-uid), so those of an earlier Job of
   * the same name are not taken for its own; by its name without a uid.
   */
  terminationOf(namespace: string, job: { name: string; uid?: string | undefined }, container: string): Promise<Termination | undefined>;
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

function typeOfKind(kind: string): ResourceType {
  const t = types.get(kind);
  if (!t) throw new Error(`create-once objects are Jobs and PersistentVolumeClaims, not ${kind}`);
  return t;
}

export function createJobClient(http: KubeHttp): JobClient {
  const read = async (kind: string, namespace: string, name: string): Promise<KubeObject | undefined> => {
    const t = typeOfKind(kind);
    try {
      const o = await http.request<KubeObject>('GET', objectPath(t, namespace, name));
      return { ...o, apiVersion: t.apiVersion, kind: t.kind };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  return {
    async ensure(obj) {
      const t = typeOfKind(obj.kind);
      const ns = obj.metadata.namespace ?? '';
      try {
        const o = await http.request<KubeObject>('POST', collectionPath(t, ns), { body: obj, query: { fieldManager: FIELD_MANAGER } });
        return { created: true, object: { ...o, apiVersion: t.apiVersion, kind: t.kind } };
      } catch (err) {
        if (!isConflict(err)) throw err;
        const existing = await read(obj.kind, ns, obj.metadata.name);
        // Deleted between the two requests: the next reconcile creates it.
        if (!existing) throw err;
        return { created: false, object: existing };
      }
    },
    read: (kind, namespace, name) => read(kind, namespace, name),
    // One list of the Job's pods (by the labels the Job controller puts on
    // them) when the operator records the Job, so the size and file of a dump
    // (the pod's termination message) reach status without caching every pod
    // whole.
    async terminationOf(namespace, job, container) {
      const labelSelector = job.uid ? `batch.kubernetes.io/controller-uid=${job.uid}` : `batch.kubernetes.io/job-name=${job.name}`;
      const res = await http.request<{ items: PodShape[] }>('GET', collectionPath(podType, namespace), {
        query: { labelSelector, limit: 20 },
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
