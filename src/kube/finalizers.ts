// Adds or removes one finalizer of a HarborCluster. The object is read fresh
// from the server (the cache may lag a change made a moment ago) and patched
// with its resourceVersion, so another writer's finalizer is never lost; a
// conflict reads again.
import type { KubeObject } from '../model/object.ts';
import { isConflict, isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import { harborClusterType, objectPath } from './resources.ts';

export interface FinalizerWriter {
  /**
   * Makes `finalizer` present or absent on the HarborCluster of that uid.
   * Returns false when nothing had to change (or the object is gone or another one).
   */
  setFinalizer(namespace: string, name: string, uid: string, finalizer: string, present: boolean): Promise<boolean>;
}

const ATTEMPTS = 5;

export function createFinalizerWriter(http: KubeHttp): FinalizerWriter {
  return {
    async setFinalizer(namespace, name, uid, finalizer, present): Promise<boolean> {
      const path = objectPath(harborClusterType, namespace, name);
      for (let attempt = 1; ; attempt++) {
        let o: KubeObject;
        try {
          o = await http.request<KubeObject>('GET', path);
        } catch (err) {
          if (isNotFound(err)) return false;
          throw err;
        }
        if (o.metadata.uid !== uid) return false;
        const list = o.metadata.finalizers ?? [];
        if (list.includes(finalizer) === present) return false;
        const finalizers = present ? [...list, finalizer] : list.filter((f) => f !== finalizer);
        try {
          await http.request('PATCH', path, {
            body: { metadata: { resourceVersion: o.metadata.resourceVersion, finalizers } },
            contentType: 'application/merge-patch+json',
          });
          return true;
        } catch (err) {
          if (isNotFound(err)) return false;
          if (!isConflict(err) || attempt >= ATTEMPTS) throw err;
        }
      }
    },
  };
}
