// The reconciler against the real API server: create, update, drift, prune,
// failures, pause, delete and re-adoption, steady state.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureCrd } from '../harness/crd.ts';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createCluster,
  get,
  getCluster,
  harborCluster,
  list,
  patch,
  patchCluster,
  remove,
  versions,
  waitForCondition,
} from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';
import { scratchDir } from '../harness/scratch.ts';

const WORKLOADS = ['Deployment', 'StatefulSet'];
const ALL = ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Secret', 'Ingress', 'PersistentVolumeClaim'];

type Pod = { metadata: { annotations?: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
const podTemplate = (o: KubeObject): Pod => (o['spec'] as { template: Pod }).template;

/** A fake helm that always fails: the render step breaks, nothing else. Removed when the test ends. */
async function brokenHelm(t: TestContext): Promise<string> {
  const dir = await scratchDir(t, 'broken-helm');
  const file = join(dir, 'helm');
  await writeFile(file, '#!/bin/sh\necho "Error: template: boom: chart exploded on purpose" >&2\nexit 1\n');
  await chmod(file, 0o755);
  return file;
}

async function converged(ns: string, name: string): Promise<KubeObject> {
  const o = await waitForCondition(ns, name, 'Ready', 'True');
  return o;
}

const controlledBy = (o: KubeObject, uid: string): boolean =>
  (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller === true && r.kind === 'HarborCluster');

describe('reconciler', () => {
  test('create: every child exists with its owner reference and Ready follows pod readiness', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const created = await createCluster(ns, harborCluster('h1'));
    const uid = created.metadata.uid ?? '';
    const ready = await waitForCondition(ns, 'h1', 'Ready', 'True');
    assert.equal(ready.status?.observedGeneration, created.metadata.generation);
    assert.equal(ready.status?.version, '2.15.2');
    const deployments = (await list(ns, 'Deployment')).map((d) => d.metadata.name).sort();
    assert.deepEqual(deployments, ['h1-core', 'h1-exporter', 'h1-jobservice', 'h1-portal', 'h1-registry']);
    const sts = (await list(ns, 'StatefulSet')).map((d) => d.metadata.name).sort();
    assert.deepEqual(sts, ['h1-database', 'h1-redis', 'h1-trivy']);
    for (const kind of ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Ingress']) {
      for (const o of await list(ns, kind)) {
        if (kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') continue;
        assert.ok(controlledBy(o, uid), `${kind}/${o.metadata.name} is controlled by the HarborCluster`);
      }
    }
    const components = (ready.status ?? {}).components ?? {};
    assert.deepEqual(Object.keys(components).sort(), ['core', 'database', 'exporter', 'jobservice', 'portal', 'redis', 'registry', 'trivy']);
    for (const [name, c] of Object.entries(components)) assert.equal(c.ready, c.desired, `${name} ready`);
    const generated = await get(ns, 'Secret', 'h1-generated-secrets');
    assert.ok(generated, 'the generated secrets are stored');
    assert.equal(generated.metadata.ownerReferences, undefined, 'kept with the data: no owner reference by default');
  });

  test('spec edit: replicas and a config change roll exactly the pods that read it', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('h2'));
    await converged(ns, 'h2');
    const before = new Map((await list(ns, 'Deployment')).map((d) => [d.metadata.name, d]));
    await patchCluster(ns, 'h2', { spec: { components: { jobservice: { workers: 3 }, core: { replicas: 2 } } } });
    const core = await waitUntil('core scaled to 2', async () => {
      const d = await get(ns, 'Deployment', 'h2-core');
      return (d?.['spec'] as { replicas?: number } | undefined)?.replicas === 2 ? d : undefined;
    });
    const jobservice = await waitUntil('jobservice template changed', async () => {
      const d = await get(ns, 'Deployment', 'h2-jobservice');
      const old = before.get('h2-jobservice');
      return d && old && d.metadata.generation !== old.metadata.generation ? d : undefined;
    });
    const oldJs = before.get('h2-jobservice');
    assert.ok(oldJs);
    assert.notDeepEqual(podTemplate(jobservice).metadata.annotations, podTemplate(oldJs).metadata.annotations, 'jobservice checksum moved');
    const oldCore = before.get('h2-core');
    assert.ok(oldCore);
    assert.deepEqual(podTemplate(core), podTemplate(oldCore), 'core pod template unchanged (only replicas)');
    await waitForCondition(ns, 'h2', 'Ready', 'True');
    for (const name of ['h2-portal', 'h2-registry', 'h2-exporter']) {
      const now = await get(ns, 'Deployment', name);
      assert.equal(now?.metadata.generation, before.get(name)?.metadata.generation, `${name} not rolled`);
    }
    const cr = await getCluster(ns, 'h2');
    assert.equal(cr.status?.observedGeneration, cr.metadata.generation);
  });

  test('drift: a hand edit is set back, a deleted child re-created, foreign fields left alone', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('h3'));
    await converged(ns, 'h3');
    const image = podTemplate((await get(ns, 'Deployment', 'h3-portal')) as KubeObject).spec.containers[0]?.image;
    assert.ok(image);
    await patch(ns, 'Deployment', 'h3-portal', {
      metadata: { labels: { 'team.example/owner': 'registry-team' } },
      spec: { template: { spec: { containers: [{ name: 'portal', image: 'evil.example/portal:1' }] } } },
    });
    const repaired = await waitUntil(
      'portal image set back',
      async () => {
        const d = await get(ns, 'Deployment', 'h3-portal');
        return d && podTemplate(d).spec.containers[0]?.image === image ? d : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.equal(repaired.metadata.labels?.['team.example/owner'], 'registry-team', 'a label the operator does not set stays');
    const svc = await get(ns, 'Service', 'h3-core');
    await remove(ns, 'Service', 'h3-core');
    const again = await waitUntil(
      'core Service re-created',
      async () => {
        const s2 = await get(ns, 'Service', 'h3-core');
        return s2 && s2.metadata.uid !== svc?.metadata.uid ? s2 : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.ok(again.metadata.ownerReferences?.[0]?.controller);
  });

  test('a disabled component is pruned; kept volumes are not', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('h4'));
    await converged(ns, 'h4');
    assert.ok(await get(ns, 'StatefulSet', 'h4-trivy'));
    const pvcsBefore = (await list(ns, 'PersistentVolumeClaim')).map((p) => p.metadata.name).sort();
    await patchCluster(ns, 'h4', { spec: { components: { trivy: { enabled: false }, exporter: { enabled: false } } } });
    await waitUntil('trivy and exporter pruned', async () => {
      const sts = await get(ns, 'StatefulSet', 'h4-trivy');
      const dep = await get(ns, 'Deployment', 'h4-exporter');
      return !sts && !dep;
    });
    assert.equal(await get(ns, 'Service', 'h4-trivy'), undefined, 'its Service too');
    const pvcsAfter = (await list(ns, 'PersistentVolumeClaim')).map((p) => p.metadata.name).sort();
    assert.deepEqual(pvcsAfter, pvcsBefore, 'no volume deleted');
    await waitUntil('status no longer lists trivy and exporter', async () => {
      const cr = await getCluster(ns, 'h4');
      const names = Object.keys(cr.status?.components ?? {});
      return !names.includes('trivy') && !names.includes('exporter') && cr.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    });
  });

  test('a failed render marks Degraded, deletes and changes nothing, and recovers', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const good = await startOperator(t, ns);
    await createCluster(ns, harborCluster('h5'));
    await converged(ns, 'h5');
    await good.stop();
    const before = await versions(ns, ALL);
    const bad = await startOperator(t, ns, { helm: await brokenHelm(t) });
    await patchCluster(ns, 'h5', { spec: { components: { core: { replicas: 3 } } } });
    const degraded = await waitForCondition(ns, 'h5', 'Degraded', 'True', 'RenderFailed', 30_000);
    const cond = degraded.status?.conditions?.find((c) => c.type === 'Degraded');
    assert.match(cond?.message ?? '', /chart exploded on purpose/, 'the message says why');
    assert.notEqual(degraded.status?.observedGeneration, degraded.metadata.generation, 'the failed generation is not observed');
    // It retries with backoff: look only after it has failed twice more.
    await bad.reconciledAgain(`${ns}/h5`, 2);
    assert.deepEqual(await versions(ns, ALL), before, 'no child was changed or deleted');
    assert.ok(bad.writes.every((w) => !w.path.includes('/deployments') && w.method !== 'DELETE'), 'only status and events written');
    await bad.stop();
    await startOperator(t, ns);
    await waitForCondition(ns, 'h5', 'Degraded', 'False', 'AsExpected', 30_000);
    const core = await get(ns, 'Deployment', 'h5-core');
    assert.equal((core?.['spec'] as { replicas: number }).replicas, 3);
  });

  test('pause: a paused HarborCluster is left alone and says so', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns, { resyncMs: 1000 });
    await createCluster(ns, harborCluster('h6'));
    await converged(ns, 'h6');
    await patchCluster(ns, 'h6', {
      metadata: { annotations: { 'harbor-operator.dev/paused': 'true' } },
      spec: { components: { portal: { replicas: 2 } } },
    });
    await waitForCondition(ns, 'h6', 'Progressing', 'False', 'Paused', 15_000);
    // Two more reconciles (resyncs) of the paused cluster: chances to apply it did not take.
    await op.reconciledAgain(`${ns}/h6`, 2);
    const portal = await get(ns, 'Deployment', 'h6-portal');
    assert.equal((portal?.['spec'] as { replicas: number }).replicas, 1, 'not applied while paused');
    await patchCluster(ns, 'h6', { metadata: { annotations: { 'harbor-operator.dev/paused': null } } });
    await waitUntil('applied after unpause', async () => {
      const d = await get(ns, 'Deployment', 'h6-portal');
      return (d?.['spec'] as { replicas: number } | undefined)?.replicas === 2;
    });
  });

  test('delete: children are garbage-collected, volumes and secrets kept and adopted again', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('h7'));
    await converged(ns, 'h7');
    // The StatefulSet controller makes its claims after the workloads are
    // applied: wait for all of them before taking the list.
    const claims = ['data-h7-database-0', 'data-h7-redis-0', 'data-h7-trivy-0', 'h7-registry'];
    await waitUntil(`claims ${claims.join(', ')} exist`, async () => {
      const names = new Set((await list(ns, 'PersistentVolumeClaim')).map((p) => p.metadata.name));
      return claims.every((c) => names.has(c));
    });
    const pvcs = new Map((await list(ns, 'PersistentVolumeClaim')).map((p) => [p.metadata.name, p.metadata.uid]));
    const secret = await get(ns, 'Secret', 'h7-generated-secrets');
    await remove(ns, 'HarborCluster', 'h7');
    await waitUntil(
      'workloads garbage-collected',
      async () => (await list(ns, 'Deployment')).length === 0 && (await list(ns, 'StatefulSet')).length === 0,
    );
    assert.equal(await get(ns, 'Ingress', 'h7'), undefined);
    const kept = new Map((await list(ns, 'PersistentVolumeClaim')).map((p) => [p.metadata.name, p.metadata.uid]));
    assert.deepEqual(kept, pvcs, 'every volume kept');
    assert.equal((await get(ns, 'Secret', 'h7-generated-secrets'))?.metadata.uid, secret?.metadata.uid, 'generated secrets kept');
    await createCluster(ns, harborCluster('h7'));
    await converged(ns, 'h7');
    const adopted = new Map((await list(ns, 'PersistentVolumeClaim')).map((p) => [p.metadata.name, p.metadata.uid]));
    assert.deepEqual(adopted, pvcs, 'the same volumes, not new ones');
    const again = await get(ns, 'Secret', 'h7-generated-secrets');
    assert.deepEqual(again?.['data'], secret?.['data'], 'the same secret values');
  });

  test('deleteClaimsWithCluster: volumes go with the HarborCluster', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('h8', { persistence: { deleteClaimsWithCluster: true } }));
    await converged(ns, 'h8');
    assert.ok((await list(ns, 'PersistentVolumeClaim')).length >= 2);
    await remove(ns, 'HarborCluster', 'h8');
    await waitUntil('volumes and generated secrets deleted', async () => {
      const pvcs = (await list(ns, 'PersistentVolumeClaim')).filter((p) => !p.metadata.deletionTimestamp);
      return pvcs.length === 0 && !(await get(ns, 'Secret', 'h8-generated-secrets'));
    });
  });

  test('steady state: over several resyncs nothing is written or rendered', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns, { resyncMs: 1000 });
    await createCluster(ns, harborCluster('h9'));
    await converged(ns, 'h9');
    await op.settled(`${ns}/h9`);
    const before = await versions(ns, [...WORKLOADS, ...ALL]);
    const cr = await getCluster(ns, 'h9');
    const writes = op.writes.length;
    const renders = op.renders();
    await op.reconciledAgain(`${ns}/h9`, 4); // four resyncs
    assert.deepEqual(op.writes.slice(writes), [], 'no writes at rest');
    assert.equal(op.renders(), renders, 'no renders at rest');
    assert.deepEqual(await versions(ns, [...WORKLOADS, ...ALL]), before, 'no child changed');
    assert.equal((await getCluster(ns, 'h9')).metadata.resourceVersion, cr.metadata.resourceVersion, 'status not rewritten');
  });

  test('restart: a new process renders and writes nothing for a converged cluster, and repairs what changed while none ran', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const first = await startOperator(t, ns, { resyncMs: 1000 });
    await createCluster(ns, harborCluster('h10'));
    await converged(ns, 'h10');
    await first.settled(`${ns}/h10`);
    const digest = (await getCluster(ns, 'h10')).status?.appliedDigest;
    assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/, 'status records the applied digest');
    await first.stop();

    const checked = (op: { logs: string[] }): boolean => op.logs.some((l) => l.includes('children as last applied'));
    const second = await startOperator(t, ns);
    await waitUntil('the new process checked h10 and finished that reconcile', () => Promise.resolve(checked(second) && second.reconciles(`${ns}/h10`) >= 1), {
      timeoutMs: 15_000,
    });
    assert.equal(second.renders(), 0, 'nothing rendered');
    assert.deepEqual(second.writes, [], 'nothing written');
    await second.stop();

    // While no operator runs: a hand edit and a deleted child.
    const image = podTemplate((await get(ns, 'Deployment', 'h10-portal')) as KubeObject).spec.containers[0]?.image;
    await patch(ns, 'Deployment', 'h10-portal', { spec: { template: { spec: { containers: [{ name: 'portal', image: 'evil.example/portal:1' }] } } } });
    const svc = await get(ns, 'Service', 'h10-core');
    await remove(ns, 'Service', 'h10-core');

    const third = await startOperator(t, ns);
    await waitUntil(
      'both set back',
      async () => {
        const d = await get(ns, 'Deployment', 'h10-portal');
        const s2 = await get(ns, 'Service', 'h10-core');
        return d && podTemplate(d).spec.containers[0]?.image === image && s2 && s2.metadata.uid !== svc?.metadata.uid ? true : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.equal(third.renders(), 1, 'one render, for the repair');
    const after = await waitUntil('a new digest', async () => {
      const d = (await getCluster(ns, 'h10')).status?.appliedDigest;
      return d && d !== digest ? d : undefined;
    });
    assert.match(after, /^sha256:/);
  });
});
