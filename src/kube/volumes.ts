// API calls for growing volumes (see diff/volume-plan.ts): the namespace's
// claims as the server has them, StorageClasses (cluster-scoped, read only),
// a claim's requested size grown in place, and a StatefulSet deleted with its
// pods and claims orphaned.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../model/object.ts';
import { isConflict, isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import { childTypes, collectionPath, objectPath, typeOf } from './resources.ts';
import { FIELD_MANAGER, readObject } from './writer.ts';

export interface VolumeClient {
  /** Every PersistentVolumeClaim of the namespace (those a StatefulSet made carry no label of ours). */
  listClaims(namespace: string): Promise<KubeObject[]>;
  /** The object as the server has it now (the cache may lag), or undefined when it is gone. */
  readLive(obj: KubeObject): Promise<KubeObject | undefined>;
  /** A StorageClass, or undefined when there is none of that name. */
  readStorageClass(name: string): Promise<KubeObject | undefined>;
  /** Sets the claim's spec.resources.requests.storage. */
  growClaim(namespace: string, name: string, size: string): Promise<KubeObject>;
  /**
   * Deletes the object (precondition on its uid) leaving its dependents —
   * a StatefulSet's pods and claims — in place, and waits until it is gone.
   */
  removeOrphaningDependents(obj: KubeObject, timeoutMs: number): Promise<void>;
}

const claimType = childTypes.find((t) => t.kind === 'PersistentVolumeClaim');

export function createVolumeClient(http: KubeHttp): VolumeClient {
  if (!claimType) throw new Error('PersistentVolumeClaim is not a child type');
  return {
    async listClaims(namespace): Promise<KubeObject[]> {
      const res = await http.request<{ items: KubeObject[] }>('GET', collectionPath(claimType, namespace));
      return res.items.map((c) => ({ ...c, apiVersion: 'v1', kind: 'PersistentVolumeClaim' }));
    },
    readLive: (obj) => readObject(http, obj),
    async readStorageClass(name): Promise<KubeObject | undefined> {
      try {
        return await http.request<KubeObject>('GET', `/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(name)}`);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async growClaim(namespace, name, size): Promise<KubeObject> {
      return http.request<KubeObject>('PATCH', objectPath(claimType, namespace, name), {
        body: { spec: { resources: { requests: { storage: size } } } },
        contentType: 'application/merge-patch+json',
        query: { fieldManager: FIELD_MANAGER },
      });
    },
    async removeOrphaningDependents(obj, timeoutMs): Promise<void> {
      const path = objectPath(typeOf(obj), obj.metadata.namespace, obj.metadata.name);
      const uid = obj.metadata.uid;
      try {
        await http.request('DELETE', path, {
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            propagationPolicy: 'Orphan',
            ...(uid ? { preconditions: { uid } } : {}),
          },
        });
      } catch (err) {
        // 409 on the uid precondition: that object is gone already, and
        // another of the same name (created since) is not ours to delete.
        if (isConflict(err) && uid !== undefined) return;
        if (!isNotFound(err)) throw err;
      }
      // The garbage collector takes the owner references off the dependents,
      // then the object goes.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let live: KubeObject | undefined;
        try {
          live = await http.request<KubeObject>('GET', path);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        if (!live || (uid !== undefined && live.metadata.uid !== uid)) return;
        if (Date.now() > deadline) {
          throw new Error(`${obj.kind}/${obj.metadata.name} was deleted (dependents orphaned) but is still there after ${timeoutMs} ms`);
        }
        await sleep(100);
      }
    },
  };
}
