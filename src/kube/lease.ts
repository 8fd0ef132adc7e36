// The leader Lease: read, create, and update with optimistic concurrency (a
// 409 Conflict means another process wrote first).
import type { LeaseRecord } from '../model/lease-record.ts';
import { isNotFound } from './api-error.ts';
import type { KubeHttp } from './http.ts';

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseRecord;
}

export interface LeaseClient {
  read(): Promise<{ record: LeaseRecord; resourceVersion: string } | undefined>;
  create(record: LeaseRecord): Promise<string>;
  update(record: LeaseRecord, resourceVersion: string): Promise<string>;
}

export function leaseClient(http: KubeHttp, namespace: string, name: string): LeaseClient {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  const path = `${collection}/${encodeURIComponent(name)}`;
  // The API server keeps microseconds; keep the record as written.
  return {
    async read() {
      try {
        const l = await http.request<Lease>('GET', path, { timeoutMs: 5000 });
        return { record: l.spec ?? {}, resourceVersion: l.metadata.resourceVersion ?? '' };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record) {
      const l = await http.request<Lease>('POST', collection, {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: record },
        timeoutMs: 5000,
      });
      return l.metadata.resourceVersion ?? '';
    },
    async update(record, resourceVersion) {
      const l = await http.request<Lease>('PUT', path, {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, resourceVersion }, spec: record },
        timeoutMs: 5000,
      });
      return l.metadata.resourceVersion ?? '';
    },
  };
}
