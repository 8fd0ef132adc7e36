// Writes to the API server: server-side apply of children under one field
// manager, deletes, the HarborCluster status subresource and direct reads of
// Secrets the user references.
import type { KubeObject } from '../model/object.ts';
import { isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import { harborClusterType, objectPath, typeOf } from './resources.ts';

export const FIELD_MANAGER = 'harbor-operator';

export interface ObjectWriter {
  /** Server-side apply, forcing conflicts on the fields this manager sets. */
  apply(obj: KubeObject, opts?: { dryRun?: boolean }): Promise<KubeObject>;
  /** Deletes if present (precondition on uid when known). */
  remove(obj: KubeObject): Promise<void>;
}

export interface StatusWriter {
  /** Replaces the HarborCluster's status; returns the object as written. */
  patchStatus(namespace: string, name: string, status: unknown): Promise<KubeObject>;
}

export interface SecretReader {
  readSecret(namespace: string, name: string): Promise<KubeObject | undefined>;
}

export function createWriter(http: KubeHttp): ObjectWriter & StatusWriter & SecretReader {
  return {
    async apply(obj, opts = {}): Promise<KubeObject> {
      const t = typeOf(obj);
      const path = objectPath(t, obj.metadata.namespace, obj.metadata.name);
      // managedFields, resourceVersion and status are not ours to send.
      const { resourceVersion: _rv, managedFields: _mf, uid: _uid, ...metadata } = obj.metadata;
      const { status: _status, ...rest } = obj;
      return http.request<KubeObject>('PATCH', path, {
        body: { ...rest, metadata },
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: FIELD_MANAGER, force: true, dryRun: opts.dryRun ? 'All' : undefined },
      });
    },
    async remove(obj): Promise<void> {
      const t = typeOf(obj);
      try {
        await http.request('DELETE', objectPath(t, obj.metadata.namespace, obj.metadata.name), {
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            propagationPolicy: 'Background',
            ...(obj.metadata.uid ? { preconditions: { uid: obj.metadata.uid } } : {}),
          },
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async patchStatus(namespace, name, status): Promise<KubeObject> {
      // The whole status is replaced: a merge patch could not remove a
      // component that is gone from the status.components map.
      return http.request<KubeObject>('PATCH', `${objectPath(harborClusterType, namespace, name)}/status`, {
        body: [{ op: 'add', path: '/status', value: status }],
        contentType: 'application/json-patch+json',
      });
    },
    async readSecret(namespace, name): Promise<KubeObject | undefined> {
      try {
        return await http.request<KubeObject>('GET', `/api/v1/namespaces/${namespace}/secrets/${encodeURIComponent(name)}`);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
  };
}
