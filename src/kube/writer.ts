// Writes to the API server: server-side apply of children under one field
// manager, deletes, the HarborCluster status subresource, direct reads of
// Secrets the user references, and the removal of the generated Secret's
// finalizer.
import type { KubeObject } from '../model/object.ts';
import { isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import { harborClusterType, objectPath, typeOf } from './resources.ts';

export const FIELD_MANAGER = 'harbor-operator';

/**
 * What must hold for an apply to go through; otherwise the API server
 * refuses it and nothing is written (isPreconditionFailure).
 * - 'absent': no object of that name exists, so the apply creates it. Sent as
 *   `metadata.resourceVersion: "1"`: in an apply a resourceVersion must match
 *   the existing object's (409 Conflict otherwise, forced or not), and is not
 *   looked at when the object is created. No object has resourceVersion 1
 *   (etcd's store starts at revision 1 and a write gets the next one:
 *   etcd v3.6.16 server/storage/mvcc/kvstore.go, kvstore_txn.go). Checked
 *   against kube-apiserver in test/integration/apply-preconditions.test.ts.
 * - { uid }: the object exists and is that one (`metadata.uid`: 422 when
 *   another object has the name now, 409 when none has).
 */
export type ApplyPrecondition = 'absent' | { uid: string };

export const CREATE_ONLY_RESOURCE_VERSION = '1';

export interface ObjectWriter {
  /** Server-side apply, forcing conflicts on the fields this manager sets. */
  apply(obj: KubeObject, opts?: { dryRun?: boolean; precondition?: ApplyPrecondition }): Promise<KubeObject>;
  /** Deletes if present (precondition on uid when known). */
  remove(obj: KubeObject): Promise<void>;
}

export interface ObjectReader {
  /** The object of that kind, namespace and name as the API server has it now (not from a cache). */
  read(obj: KubeObject): Promise<KubeObject | undefined>;
}

export interface StatusWriter {
  /** Replaces the HarborCluster's status; returns the object as written. */
  patchStatus(namespace: string, name: string, status: unknown): Promise<KubeObject>;
}

export interface SecretReader {
  readSecret(namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** What keeping the generated Secret needs beyond apply. */
export interface SecretKeeper {
  /**
   * Removes one finalizer, only from the object as it was read (the patch
   * tests its uid and resourceVersion): an object someone changed meanwhile
   * fails with 422 and is looked at again.
   */
  removeFinalizer(obj: KubeObject, finalizer: string): Promise<void>;
}

/** The live object of obj's kind, namespace and name (typed as that kind); undefined when there is none. */
export async function readObject(http: KubeHttp, obj: KubeObject): Promise<KubeObject | undefined> {
  const t = typeOf(obj);
  try {
    const live = await http.request<KubeObject>('GET', objectPath(t, obj.metadata.namespace, obj.metadata.name));
    return { ...live, apiVersion: t.apiVersion, kind: t.kind };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function createWriter(http: KubeHttp): ObjectWriter & ObjectReader & StatusWriter & SecretReader & SecretKeeper {
  return {
    async apply(obj, opts = {}): Promise<KubeObject> {
      const t = typeOf(obj);
      const path = objectPath(t, obj.metadata.namespace, obj.metadata.name);
      // managedFields, resourceVersion and status are not ours to send.
      const { resourceVersion: _rv, managedFields: _mf, uid: _uid, ...metadata } = obj.metadata;
      const { status: _status, ...rest } = obj;
      const pre = opts.precondition;
      const precondition =
        pre === undefined ? {} : pre === 'absent' ? { resourceVersion: CREATE_ONLY_RESOURCE_VERSION } : { uid: pre.uid };
      return http.request<KubeObject>('PATCH', path, {
        body: { ...rest, metadata: { ...metadata, ...precondition } },
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: FIELD_MANAGER, force: true, dryRun: opts.dryRun ? 'All' : undefined },
      });
    },
    read: (obj) => readObject(http, obj),
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
    async removeFinalizer(obj, finalizer): Promise<void> {
      const t = typeOf(obj);
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      try {
        await http.request('PATCH', objectPath(t, obj.metadata.namespace, obj.metadata.name), {
          body: [
            { op: 'test', path: '/metadata/uid', value: obj.metadata.uid },
            { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
            { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== finalizer) },
          ],
          contentType: 'application/json-patch+json',
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
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
