// An optional kind (cert-manager's Certificate) while its CRD is absent:
// the CRD's name, when a CRD counts as established, how long the kind's
// informer waits between lists (src/kube/optional-kind.ts), and the
// informer's retryNow() and fieldSelector with a fake API (no cluster).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/kube/api-error.ts';
import type { KubeHttp, Query } from '../../src/kube/http.ts';
import { Informer } from '../../src/kube/informer.ts';
import {
  crdName,
  crdSummary,
  isEstablished,
  optionalKindRetryDelayMs,
  POLL_FIRST_MS,
  POLL_MAX_MS,
  SAFETY_NET_MS,
  type CrdView,
} from '../../src/kube/optional-kind.ts';
import { childTypes, crdType, harborClusterType, type ResourceType } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/model/object.ts';

// ------------------------------------------------------------------ crdName

const certificateType = childTypes.find((t) => t.kind === 'Certificate') ?? assert.fail('no Certificate type');

const names: { type: ResourceType; name: string | RegExp }[] = [
  { type: certificateType, name: 'certificates.cert-manager.io' },
  { type: harborClusterType, name: 'harborclusters.harbor-operator.dev' },
  { type: crdType, name: 'customresourcedefinitions.apiextensions.k8s.io' },
  { type: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true }, name: /core kind/ },
];

for (const c of names) {
  test(`crdName: ${c.type.kind} (${c.type.apiVersion})`, () => {
    if (typeof c.name === 'string') assert.equal(crdName(c.type), c.name);
    else assert.throws(() => crdName(c.type), c.name);
  });
}

test('every optional kind has a CRD name (the chart grants read on exactly those)', () => {
  const optional = childTypes.filter((t) => t.optional);
  assert.deepEqual(optional.map(crdName), ['certificates.cert-manager.io']);
});

// ------------------------------------------------------------ isEstablished

function crd(conditions: { type: string; status: string }[] | undefined, deleting = false): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'certificates.cert-manager.io', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    ...(conditions ? { status: { conditions } } : {}),
  };
}

const established: { name: string; crd: KubeObject | undefined; want: boolean }[] = [
  { name: 'no CRD', crd: undefined, want: false },
  { name: 'no status yet', crd: crd(undefined), want: false },
  { name: 'names accepted, not established yet', crd: crd([{ type: 'NamesAccepted', status: 'True' }]), want: false },
  { name: 'Established=False', crd: crd([{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'False' }]), want: false },
  { name: 'Established=Unknown', crd: crd([{ type: 'Established', status: 'Unknown' }]), want: false },
  { name: 'Established=True', crd: crd([{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }]), want: true },
  { name: 'Established=True but being deleted', crd: crd([{ type: 'Established', status: 'True' }, { type: 'Terminating', status: 'True' }], true), want: false },
];

for (const c of established) {
  test(`isEstablished: ${c.name}`, () => {
    assert.equal(isEstablished(c.crd), c.want);
  });
}

test('crdSummary keeps what isEstablished reads, not the schema', () => {
  const full: KubeObject = {
    ...crd([{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }], true),
    spec: { group: 'cert-manager.io', versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object' } } }] },
  };
  full.metadata = { ...full.metadata, uid: 'u1', resourceVersion: '42', managedFields: [{}], annotations: { a: 'b' } };
  const summary = crdSummary(full);
  assert.deepEqual(summary, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'certificates.cert-manager.io', uid: 'u1', resourceVersion: '42', deletionTimestamp: '2026-01-01T00:00:00Z' },
    status: { conditions: [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }] },
  });
  for (const c of established) assert.equal(isEstablished(c.crd && crdSummary(c.crd)), c.want, c.name);
});

// ------------------------------------------------ optionalKindRetryDelayMs

const delays: { name: string; view: CrdView; absent?: false; previousMs: number; want: number }[] = [
  { name: 'CRD watched, absent: only the safety net', view: { state: 'watching', established: false }, previousMs: 0, want: SAFETY_NET_MS },
  { name: 'CRD watched, absent, again', view: { state: 'watching', established: false }, previousMs: SAFETY_NET_MS, want: SAFETY_NET_MS },
  { name: 'CRD watch starting: it wakes the informer when it knows', view: { state: 'starting', established: false }, previousMs: 0, want: SAFETY_NET_MS },
  { name: 'established, kind not served yet: poll from 500 ms', view: { state: 'watching', established: true }, previousMs: 0, want: POLL_FIRST_MS },
  { name: 'established, still not served: doubling', view: { state: 'watching', established: true }, previousMs: 2_000, want: 4_000 },
  { name: 'established, after a safety-net wait: poll from 500 ms', view: { state: 'watching', established: true }, previousMs: SAFETY_NET_MS, want: POLL_FIRST_MS },
  { name: 'established, still not served: at most 10 s', view: { state: 'watching', established: true }, previousMs: 8_000, want: POLL_MAX_MS },
  { name: 'CRD watch forbidden: poll from 500 ms', view: { state: 'forbidden', established: false }, previousMs: 0, want: POLL_FIRST_MS },
  { name: 'CRD watch forbidden: doubling', view: { state: 'forbidden', established: false }, previousMs: 1_000, want: 2_000 },
  { name: 'CRD watch forbidden: at most 10 s', view: { state: 'forbidden', established: false }, previousMs: 8_000, want: POLL_MAX_MS },
  { name: 'forbidden after a safety-net wait: poll from 500 ms', view: { state: 'forbidden', established: false }, previousMs: SAFETY_NET_MS, want: POLL_FIRST_MS },
  { name: 'forbidden, at 10 s: stays at 10 s', view: { state: 'forbidden', established: false }, previousMs: POLL_MAX_MS, want: POLL_MAX_MS },
  // any other failure (429 while a new CRD's storage initializes, 500, a network error)
  { name: 'other failure, CRD watched: poll from 500 ms', view: { state: 'watching', established: true }, absent: false, previousMs: 0, want: POLL_FIRST_MS },
  { name: 'other failure right after a safety-net wait cut short: 500 ms', view: { state: 'watching', established: true }, absent: false, previousMs: SAFETY_NET_MS, want: POLL_FIRST_MS },
  { name: 'other failure, CRD not established: poll, not the safety net', view: { state: 'watching', established: false }, absent: false, previousMs: 500, want: 1_000 },
  { name: 'other failure, repeated: at most 10 s', view: { state: 'starting', established: false }, absent: false, previousMs: 10_000, want: POLL_MAX_MS },
];

for (const c of delays) {
  test(`optionalKindRetryDelayMs: ${c.name}`, () => {
    assert.equal(optionalKindRetryDelayMs(c.view, c.absent ?? true, c.previousMs), c.want);
  });
}

test('polling while forbidden is the 500 ms … 10 s backoff of before', () => {
  const seq: number[] = [];
  let prev = 0;
  for (let i = 0; i < 8; i++) seq.push((prev = optionalKindRetryDelayMs({ state: 'forbidden', established: false }, true, prev)));
  assert.deepEqual(seq, [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
});

// ------------------------------------------- Informer: retryNow, fieldSelector

/** A fake API: every list answers 404 until `served`, then an empty list; watches hang until aborted. */
function fakeApi(): { http: KubeHttp; lists: Query[]; watches: Query[]; serve: () => void } {
  const lists: Query[] = [];
  const watches: Query[] = [];
  let served = false;
  const http: KubeHttp = {
    server: 'https://fake',
    request<T>(method: string, path: string, opts?: { query?: Query }): Promise<T> {
      lists.push(opts?.query ?? {});
      if (!served) return Promise.reject(new ApiError(method, path, 404, 'NotFound', 'the server could not find the requested resource'));
      return Promise.resolve({ metadata: { resourceVersion: '7' }, items: [] } as T);
    },
    stream(_path, query, _onLine, signal): Promise<void> {
      watches.push(query);
      return new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          resolve();
        }, { once: true });
      });
    },
  };
  return { http, lists, watches, serve: () => (served = true) };
}

async function until(what: string, cond: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('Informer: an absent kind waits as retryDelayMs says, and retryNow() ends the wait', async () => {
  const api = fakeApi();
  const availability: boolean[] = [];
  const informer = new Informer(api.http, certificateType, {
    namespace: 'team',
    fieldSelector: 'metadata.name=x',
    onEvent: () => undefined,
    onAvailability: (a) => availability.push(a),
    retryDelayMs: () => SAFETY_NET_MS,
  });
  informer.start();
  try {
    await informer.waitForFirstAnswer();
    await until('the first list', () => api.lists.length === 1 && informer.isBackingOff());
    assert.equal(informer.isAvailable(), false);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(api.lists.length, 1, 'no second list while waiting the safety net');
    api.serve();
    assert.equal(informer.retryNow(), true, 'a wait was cut short');
    await until('a watch after the retry', () => api.watches.length === 1);
    assert.equal(api.lists.length, 2);
    assert.equal(informer.isAvailable(), true);
    assert.deepEqual(availability, [false, true]);
    assert.equal(informer.retryNow(), false, 'nothing to cut short while watching');
    // the field selector goes to both the list and the watch
    assert.equal(api.lists[1]?.['fieldSelector'], 'metadata.name=x');
    assert.equal(api.watches[0]?.['fieldSelector'], 'metadata.name=x');
  } finally {
    await informer.stop();
  }
});
