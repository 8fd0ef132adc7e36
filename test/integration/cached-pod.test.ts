// What the operator keeps of a pod (src/kube/cached-pod.ts), measured on the
// pods of a real HarborCluster: their JSON as the API server sends it and as
// cached, and the heap that 10,000 such cached pods take with the informer's
// map and the by-cluster index (1,000 HarborClusters of 10 pods, the scale
// of bench/README.md), strings shared as the manager shares them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CauseCache } from '../../src/controller/cause-cache.ts';
import { cachedPod } from '../../src/kube/cached-pod.ts';
import { StringTable } from '../../src/kube/intern.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { clusterLabel } from '../../src/render/values.ts';
import { COMPONENT_LABEL } from '../../src/status/observe.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, harborCluster, raw, waitForCondition } from '../harness/harbor.ts';
import { testNamespace } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const LABELS = [clusterLabel, COMPONENT_LABEL];
const bytes = (o: unknown): number => Buffer.byteLength(JSON.stringify(o));

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('cached pods', () => {
  test('a cached pod is a small part of the pod, and 10,000 of them take little heap', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('m1'));
    await waitForCondition(ns, 'm1', 'Ready', 'True');
    const pods = (await raw().request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: `${clusterLabel}=m1` } })).items;
    assert.equal(pods.length, 8, 'one pod per component');

    const full = pods.reduce((n, p) => n + bytes(p), 0) / pods.length;
    const kept = pods.reduce((n, p) => n + bytes(cachedPod({ ...p, apiVersion: 'v1', kind: 'Pod' }, LABELS)), 0) / pods.length;

    const N = 10_000;
    const texts = pods.map((p) => JSON.stringify(p));
    const strings = new StringTable();
    const informer = new Map<string, KubeObject>();
    const index = new CauseCache();
    const before = heapUsed();
    for (let i = 0; i < N; i++) {
      const text = texts[i % texts.length] ?? '';
      // A fresh parse per pod, as a watch delivers it, renamed to be its own pod of its own cluster.
      const p = JSON.parse(text) as KubeObject;
      p.metadata.name = `${p.metadata.name}-${i}`;
      p.metadata.resourceVersion = String(100_000 + i);
      p.metadata.labels = { ...p.metadata.labels, [clusterLabel]: `c${Math.floor(i / 10)}` };
      const c = cachedPod({ ...p, apiVersion: 'v1', kind: 'Pod' }, LABELS, (s) => strings.intern(s));
      informer.set(`${ns}/${c.metadata.name}`, c);
      index.trackPod('add', c);
    }
    const perPod = (heapUsed() - before) / N;
    process.stdout.write(
      `cached pods: ${pods.length} real pods, JSON ${Math.round(full)} bytes each as served, ${Math.round(kept)} as cached (${((100 * kept) / full).toFixed(1)} %); ` +
        `heap ${Math.round(perPod)} bytes per cached pod (N = ${N}, with the informer's map and the index; ${index.podsOf(ns, 'c0').length} pods per cluster)\n`,
    );
    assert.equal(informer.size, N);
    assert.ok(kept < full / 10, `cached JSON is under a tenth of the pod (${Math.round(kept)} of ${Math.round(full)} bytes)`);
    assert.ok(perPod < 1024, `under 1 KiB of heap per cached pod (${Math.round(perPod)} bytes)`);
  });
});
