// The caches keep children cut down to the fields the operator owns
// (src/kube/cached-child.ts). Against the real API server: every object the
// chart renders, applied as the operator applies it, reads back through that
// cut as unchanged; a field someone else took over reads as drift; what
// others add does not.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { diffObject } from '../../src/diff/compare.ts';
import { cachedChild } from '../../src/kube/cached-child.ts';
import { compactManagedFields } from '../../src/kube/managed-fields.ts';
import { createKubeHttp } from '../../src/kube/http.ts';
import { childTypes, objectPath, typeOf } from '../../src/kube/resources.ts';
import { createWriter, FIELD_MANAGER } from '../../src/kube/writer.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { normalize } from '../../src/render/normalize.ts';
import { clusterLabel } from '../../src/render/values.ts';
import { goldenCases, goldenFile, parseObjects } from '../harness/golden-cases.ts';
import { kubeConfig, testNamespace } from '../harness/kube.ts';

const served = new Set(childTypes.filter((t) => !t.optional).map((t) => `${t.apiVersion}/${t.kind}`));
const size = (o: unknown): number => Buffer.byteLength(JSON.stringify(o));

/** A case's rendered objects as the reconciler applies them, into `ns`, owned by a ConfigMap there. */
async function desiredIn(caseName: string, ns: string, ownerUid: string): Promise<KubeObject[]> {
  const c = goldenCases.find((x) => x.name === caseName);
  if (!c) throw new Error(`no golden case ${caseName}`);
  const rendered = parseObjects(await readFile(goldenFile(c), 'utf8'))
    .filter((o) => served.has(`${o.apiVersion}/${o.kind}`))
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns } }));
  const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', namespace: ns, uid: ownerUid };
  return normalize(rendered, owner, { labels: { [clusterLabel]: 'owner' }, deleteClaimsWithOwner: false });
}

async function setUp(t: Parameters<typeof testNamespace>[0], caseName: string) {
  const http = createKubeHttp(kubeConfig());
  const ns = await testNamespace(t);
  const owner = await http.request<KubeObject>('POST', `/api/v1/namespaces/${ns}/configmaps`, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } },
  });
  const desired = await desiredIn(caseName, ns, owner.metadata.uid ?? '');
  const writer = createWriter(http);
  const get = (o: KubeObject): Promise<KubeObject> =>
    http.request<KubeObject>('GET', objectPath(typeOf(o), ns, o.metadata.name)).then((l) => ({ ...l, apiVersion: o.apiVersion, kind: o.kind }));
  return { http, ns, desired, writer, get };
}

describe('cached children', () => {
  for (const c of goldenCases) {
    test(`every applied object of ${c.name} reads back unchanged, and smaller`, async (t) => {
      const { desired, writer, get } = await setUp(t, c.name);
      assert.ok(desired.length > 10, `rendered ${desired.length} objects`);
      for (const o of desired) await writer.apply(o);
      let liveBytes = 0;
      let compactedBytes = 0;
      let cachedBytes = 0;
      const workloads = { compacted: 0, cached: 0 };
      for (const o of desired) {
        const live = await get(o);
        const cached = cachedChild(live, FIELD_MANAGER);
        assert.deepEqual(diffObject(o, live), [], `${o.kind}/${o.metadata.name} as served`);
        assert.deepEqual(diffObject(o, cached), [], `${o.kind}/${o.metadata.name} as cached`);
        assert.deepEqual(cached.metadata.labels, live.metadata.labels);
        assert.deepEqual(cached.metadata.ownerReferences, live.metadata.ownerReferences);
        assert.equal(cached.metadata.resourceVersion, live.metadata.resourceVersion);
        if (o.kind === 'Secret' || o.kind === 'ConfigMap') assert.deepEqual(cached['data'], live['data'], `${o.kind} data kept whole`);
        const compacted = compactManagedFields(live, FIELD_MANAGER);
        liveBytes += size(live);
        compactedBytes += size(compacted);
        cachedBytes += size(cached);
        if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
          workloads.compacted += size(compacted);
          workloads.cached += size(cached);
        }
      }
      const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
      t.diagnostic(
        `${desired.length} objects: served ${kib(liveBytes)}, managedFields compacted ${kib(compactedBytes)}, cached ${kib(cachedBytes)}; workloads ${kib(workloads.compacted)} -> ${kib(workloads.cached)}`,
      );
      assert.ok(cachedBytes < compactedBytes, 'the cut keeps less than managedFields compaction alone');
    });
  }

  test('server defaults are dropped, status is kept, a taken-over field is drift, an added container is not', async (t) => {
    const { http, ns, desired, writer, get } = await setUp(t, 'minimal');
    const dep = desired.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-core'));
    const svc = desired.find((o) => o.kind === 'Service');
    assert.ok(dep && svc);
    await writer.apply(dep);
    await writer.apply(svc);

    const liveSvc = await get(svc);
    const spec = (o: KubeObject): Record<string, unknown> => o['spec'] as Record<string, unknown>;
    assert.ok(spec(liveSvc)['clusterIP'], 'the server gave the Service a cluster IP');
    assert.equal(spec(cachedChild(liveSvc, FIELD_MANAGER))['clusterIP'], undefined);

    // Another client edits the pod template: a new image for the container the
    // operator renders (the field moves to that client) and a second container.
    const path = objectPath(typeOf(dep), ns, dep.metadata.name);
    const containers = ((spec(dep)['template'] as { spec: { containers: { name: string }[] } }).spec.containers);
    const main = containers[0]?.name ?? '';
    await http.request('PATCH', path, {
      body: { spec: { template: { spec: { containers: [{ name: main, image: 'example.invalid/other:1' }, { name: 'sidecar', image: 'example.invalid/sidecar:1' }] } } } },
      contentType: 'application/strategic-merge-patch+json',
      query: { fieldManager: 'someone-else' },
    });
    const edited = await get(dep);
    const cached = cachedChild(edited, FIELD_MANAGER);
    const podSpec = (o: KubeObject) => (spec(o)['template'] as { spec: Record<string, unknown> }).spec;
    assert.equal(podSpec(edited)['dnsPolicy'], 'ClusterFirst', 'the server defaulted dnsPolicy');
    assert.equal(podSpec(cached)['dnsPolicy'], undefined, 'defaults are not cached');
    assert.ok(cached['status'], 'status is cached');
    assert.deepEqual(
      (podSpec(cached)['containers'] as { name: string }[]).map((x) => x.name),
      [main],
      'only the containers the operator set',
    );
    const i = containers.findIndex((x) => x.name === main);
    assert.deepEqual(diffObject(dep, cached), [`spec.template.spec.containers[${i}].image`]);

    // Applied again, the image is the operator's again; the sidecar (someone
    // else's) stays and is not drift.
    await writer.apply(dep);
    const repaired = await get(dep);
    assert.deepEqual(diffObject(dep, cachedChild(repaired, FIELD_MANAGER)), []);
    assert.equal((podSpec(repaired)['containers'] as unknown[]).length, 2);
  });
});
