// Objects the operator creates once and then only reads: the backup Job
// before an upgrade and the claim it writes to. A create that meets an
// existing object reads that one instead (the caller judges whether it is
// its own); nothing here updates or deletes.
import type { KubeObject } from '../model/object.ts';
import { isConflict, isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import { FIELD_MANAGER } from './writer.ts';
import { objectPath, collectionPath, type ResourceType } from './resources.ts';

export const jobType: ResourceType = { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true };
const claimType: ResourceType = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true };
const types = new Map([jobType, claimType].map((t) => [t.kind, t]));

export interface CreateOnceClient {
  /** Creates the object unless one of its name exists; returns what exists now. */
  ensure(obj: KubeObject): Promise<{ created: boolean; object: KubeObject }>;
  /** The object as the API server has it now, if any. */
  read(kind: 'Job' | 'PersistentVolumeClaim', namespace: string, name: string): Promise<KubeObject | undefined>;
}

function typeOfKind(kind: string): ResourceType {
  const t = types.get(kind);
  if (!t) throw new Error(`create-once objects are Jobs and PersistentVolumeClaims, not ${kind}`);
  return t;
}

export function createCreateOnceClient(http: KubeHttp): CreateOnceClient {
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
    async ensure(obj): Promise<{ created: boolean; object: KubeObject }> {
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
  };
}
