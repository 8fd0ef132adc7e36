// The requests of `harbor-operator adopt`, sent with the user's own
// credentials (not the operator's, so they are not in permissions.ts): reads
// of the release's objects, JSON and merge patches with their preconditions,
// creates, and deletes with a uid precondition. The decisions are in
// src/adopt/; this file only sends what it is given.
import type { KubeHttp } from './http.ts';

type Query = Record<string, string | number | boolean | undefined>;

export async function adoptGet<T>(http: KubeHttp, path: string, query?: Query): Promise<T> {
  return http.request<T>('GET', path, query ? { query } : {});
}

export async function adoptCreate<T>(http: KubeHttp, collection: string, body: unknown, query: Query): Promise<T> {
  return http.request<T>('POST', collection, { body, query });
}

/** A JSON patch (RFC 6902): its `test` operations are the preconditions. */
export async function adoptJsonPatch(http: KubeHttp, path: string, ops: unknown[], fieldManager: string): Promise<void> {
  await http.request('PATCH', path, { body: ops, contentType: 'application/json-patch+json', query: { fieldManager } });
}

export async function adoptMergePatch(http: KubeHttp, path: string, body: unknown, fieldManager: string): Promise<void> {
  await http.request('PATCH', path, { body, contentType: 'application/merge-patch+json', query: { fieldManager } });
}

export async function adoptDelete(http: KubeHttp, path: string, body: unknown): Promise<void> {
  await http.request('DELETE', path, { body });
}
