// Informers sharing a ListGate take turns listing, against the real API
// server: with a gate of 1 never two lists are in flight, every page of every
// kind arrives, and each cache holds what was created. Without the gate the
// same informers do list at once (so the count below can see overlap).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createKubeHttp, type KubeHttp } from '../../src/kube/http.ts';
import { Informer } from '../../src/kube/informer.ts';
import { ListGate } from '../../src/kube/list-gate.ts';
import { childTypes } from '../../src/kube/resources.ts';
import { kubeConfig, testNamespace } from '../harness/kube.ts';

const kinds = ['ConfigMap', 'Secret', 'Service'].map((k) => {
  const t = childTypes.find((c) => c.kind === k);
  if (!t) throw new Error(`no child type ${k}`);
  return t;
});
const label = 'list-gate-test';
const perKind = 5;

/** The client, counting non-watch GETs in flight and the most seen at once. */
function counting(http: KubeHttp): { http: KubeHttp; most: () => number; lists: () => number } {
  let now = 0;
  let most = 0;
  let lists = 0;
  return {
    most: () => most,
    lists: () => lists,
    http: {
      server: http.server,
      stream: (path, query, onLine, signal) => http.stream(path, query, onLine, signal),
      async request<T>(method: string, path: string, opts?: Parameters<KubeHttp['request']>[2]): Promise<T> {
        if (method !== 'GET') return http.request<T>(method, path, opts);
        lists++;
        most = Math.max(most, ++now);
        try {
          return await http.request<T>(method, path, opts);
        } finally {
          now--;
        }
      },
    },
  };
}

function objectsOf(kind: string, i: number): unknown {
  const metadata = { name: `o${i}`, labels: { [label]: 'x' } };
  if (kind === 'ConfigMap') return { apiVersion: 'v1', kind, metadata, data: { i: String(i) } };
  if (kind === 'Secret') return { apiVersion: 'v1', kind, metadata, stringData: { i: String(i) } };
  return { apiVersion: 'v1', kind, metadata, spec: { ports: [{ port: 80 + i }] } };
}

async function syncAll(http: KubeHttp, ns: string, gate: ListGate | undefined): Promise<Informer[]> {
  const informers = kinds.map(
    (t) =>
      new Informer(http, t, {
        namespace: ns,
        labelSelector: label,
        pageSize: 2, // three pages a kind
        onEvent: () => undefined,
        ...(gate ? { listGate: gate } : {}),
      }),
  );
  for (const i of informers) i.start();
  await Promise.all(informers.map((i) => i.waitForSync()));
  await Promise.all(informers.map((i) => i.stop()));
  return informers;
}

describe('informers sharing a list gate', () => {
  test('with a gate of 1 they list one at a time and all sync fully; without it they overlap', async (t) => {
    const plain = createKubeHttp(kubeConfig());
    const ns = await testNamespace(t);
    for (const k of kinds) {
      for (let i = 0; i < perKind; i++) {
        await plain.request('POST', `/api/v1/namespaces/${ns}/${k.plural}`, { body: objectsOf(k.kind, i) });
      }
    }

    const gated = counting(plain);
    const informers = await syncAll(gated.http, ns, new ListGate(1));
    assert.equal(gated.most(), 1, 'never two lists at once');
    assert.equal(gated.lists(), kinds.length * Math.ceil(perKind / 2), 'every page of every kind');
    for (const i of informers) {
      assert.deepEqual(
        i.list().map((o) => o.metadata.name).sort(),
        Array.from({ length: perKind }, (_, n) => `o${n}`),
        `${i.type.kind} cache`,
      );
    }

    const free = counting(plain);
    await syncAll(free.http, ns, undefined);
    assert.ok(free.most() > 1, `without a gate the lists overlap (most at once: ${free.most()})`);
  });
});
