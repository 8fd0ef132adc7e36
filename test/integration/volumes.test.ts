// Growing volumes against the real API server: the database's claim grown in
// place and its StatefulSet re-created with the pod and claim kept, where the
// StorageClass allows expansion; refused with a message, and nothing changed,
// where it does not. Each test prints its figures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureCrd } from '../harness/crd.ts';
import { condition, createCluster, eventsOf, get, getCluster, harborCluster, patchCluster, podNamed, raw, versions, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';
import { expandableVolumes, storageOf, templateStorage } from '../harness/volumes.ts';

const ALL = ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Secret', 'Ingress', 'PersistentVolumeClaim'];

describe('volumes', () => {
  for (const deleteClaimsWithCluster of [false, true]) {
    test(`database 1Gi → 2Gi and registry 5Gi → 6Gi (deleteClaimsWithCluster ${deleteClaimsWithCluster}): claims grown in place, the StatefulSet re-created, pod and claims kept`, async (t) => {
      await ensureCrd();
      const ns = await testNamespace(t);
      const name = deleteClaimsWithCluster ? 'v1d' : 'v1';
      const dbClaim = `data-${name}-database-0`;
      const registryClaim = `${name}-registry`;
      const cls = await expandableVolumes(t, ns, [dbClaim, registryClaim]);
      const op = await startOperator(t, ns);
      await createCluster(
        ns,
        harborCluster(name, {
          database: { inCluster: { storageSize: '1Gi', storageClassName: cls } },
          storage: { filesystem: { size: '5Gi', storageClassName: cls } },
          persistence: { deleteClaimsWithCluster },
        }),
      );
      await waitForCondition(ns, name, 'Ready', 'True');
      const bound = async (claim: string): Promise<KubeObject> =>
        waitUntil(`${claim} bound`, async () => {
          const c = await get(ns, 'PersistentVolumeClaim', claim);
          return (c?.['status'] as { phase?: string } | undefined)?.phase === 'Bound' ? c : undefined;
        });
      const dbBefore = await bound(dbClaim);
      const registryBefore = await bound(registryClaim);
      const stsBefore = await get(ns, 'StatefulSet', `${name}-database`);
      const podBefore = await podNamed(ns, `${name}-database-0`);
      assert.ok(stsBefore && podBefore);
      assert.equal(storageOf(dbBefore), '1Gi');
      assert.equal(storageOf(registryBefore), '5Gi');

      const started = Date.now();
      const changed = await patchCluster(ns, name, {
        spec: { database: { inCluster: { storageSize: '2Gi' } }, storage: { filesystem: { size: '6Gi' } } },
      });
      const stsAfter = await waitUntil('the StatefulSet re-created with 2Gi templates', async () => {
        const st = await get(ns, 'StatefulSet', `${name}-database`);
        return st && st.metadata.uid !== stsBefore.metadata.uid && templateStorage(st) === '2Gi' ? st : undefined;
      });
      const done = await waitUntil('Degraded=False for the new generation', async () => {
        const cr = await getCluster(ns, name);
        const d = condition(cr, 'Degraded');
        return d?.status === 'False' && cr.status?.observedGeneration === changed.metadata.generation ? cr : undefined;
      });
      const elapsed = Date.now() - started;
      const dbAfter = await get(ns, 'PersistentVolumeClaim', dbClaim);
      const registryAfter = await get(ns, 'PersistentVolumeClaim', registryClaim);
      const podAfter = await waitUntil('the pod adopted by the new StatefulSet', async () => {
        const p = await podNamed(ns, `${name}-database-0`);
        return p?.metadata.ownerReferences?.some((r) => r.uid === stsAfter.metadata.uid && r.controller) ? p : undefined;
      });
      const claimPatches = op.writes.filter((w) => w.method === 'PATCH' && w.path.includes('/persistentvolumeclaims/')).length;
      const deletes = op.writes.filter((w) => w.method === 'DELETE').map((w) => w.path.split('/').slice(-2).join('/'));
      const owners = (o: KubeObject | undefined): string =>
        (o?.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`).join(',') || 'none';
      t.diagnostic(
        `claim ${dbClaim}: ${storageOf(dbBefore)} → ${storageOf(dbAfter)} (spec), uid ${dbBefore.metadata.uid} → ${dbAfter?.metadata.uid}, owners ${owners(dbBefore)} → ${owners(dbAfter)}; ` +
          `claim ${registryClaim}: ${storageOf(registryBefore)} → ${storageOf(registryAfter)}, uid ${registryBefore.metadata.uid} → ${registryAfter?.metadata.uid}; ` +
          `StatefulSet uid ${stsBefore.metadata.uid} → ${stsAfter.metadata.uid}, template ${templateStorage(stsBefore)} → ${templateStorage(stsAfter)}; ` +
          `pod uid ${podBefore.metadata.uid} → ${podAfter.metadata.uid}; ${claimPatches} claim write(s), deletes: ${deletes.join(', ')}; ` +
          `Degraded=False after ${elapsed} ms`,
      );
      assert.equal(storageOf(dbAfter), '2Gi', 'the database claim asks for 2Gi');
      assert.equal(dbAfter?.metadata.uid, dbBefore.metadata.uid, 'the same database claim');
      assert.equal(storageOf(registryAfter), '6Gi', 'the registry claim asks for 6Gi');
      assert.equal(registryAfter?.metadata.uid, registryBefore.metadata.uid, 'the same registry claim');
      assert.equal(templateStorage(stsAfter), '2Gi', "the StatefulSet's template is 2Gi");
      assert.equal(podAfter.metadata.uid, podBefore.metadata.uid, 'the database pod was not deleted');
      assert.deepEqual(deletes, [`statefulsets/${name}-database`], 'only the StatefulSet was deleted');
      assert.equal(done.status?.observedGeneration, changed.metadata.generation);
      // The adopted pod counts for the new StatefulSet once its controller has looked.
      await waitForCondition(ns, name, 'Ready', 'True', undefined, 30_000);
      const events = await eventsOf(ns, name);
      assert.ok(events.some((e) => e.reason === 'VolumeGrown' && e.message.includes(dbClaim)), 'a VolumeGrown event');
      if (deleteClaimsWithCluster) {
        // The new StatefulSet owns the claim again (retention policy Delete), as the old one did.
        const owned = await waitUntil('the claim owned by the new StatefulSet', async () => {
          const c = await get(ns, 'PersistentVolumeClaim', dbClaim);
          return c?.metadata.ownerReferences?.some((r) => r.uid === stsAfter.metadata.uid) ? c : undefined;
        });
        assert.equal(owned.metadata.uid, dbBefore.metadata.uid);
      }
    });
  }

  test('a StorageClass without expansion: Degraded with the reason, no volume changed, the rest of the spec applied', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    await createCluster(ns, harborCluster('v2'));
    await waitForCondition(ns, 'v2', 'Ready', 'True');
    const sts = await get(ns, 'StatefulSet', 'v2-database');
    const claim = await get(ns, 'PersistentVolumeClaim', 'data-v2-database-0');
    const cls = (claim?.['spec'] as { storageClassName?: string } | undefined)?.storageClassName;
    const sc = await raw().request<{ allowVolumeExpansion?: boolean }>('GET', `/apis/storage.k8s.io/v1/storageclasses/${cls ?? ''}`);
    assert.equal(cls, 'kwok-volume');
    assert.notEqual(sc.allowVolumeExpansion, true, 'the default class of the test cluster does not allow expansion');
    const before = await versions(ns, ALL);
    const writes = op.writes.length;

    await patchCluster(ns, 'v2', { spec: { database: { inCluster: { storageSize: '2Gi' } } } });
    const degraded = await waitForCondition(ns, 'v2', 'Degraded', 'True', 'VolumeExpansionNotAllowed', 30_000);
    const message = condition(degraded, 'Degraded')?.message ?? '';
    t.diagnostic(`message: ${message}`);
    assert.match(message, /PersistentVolumeClaim\/data-v2-database-0 cannot grow from 1Gi to 2Gi: its StorageClass kwok-volume does not allow volume expansion/);
    assert.match(message, /no volume was changed/);
    // The reconcile that reported it also finished: the generation is observed.
    await waitUntil('the refusing reconcile observed the spec', async () => {
      const hc = await getCluster(ns, 'v2');
      return (hc['status'] as { observedGeneration?: number } | undefined)?.observedGeneration === hc.metadata.generation;
    });
    const childWrites = op.writes.slice(writes).filter((w) => !w.path.includes('/harborclusters/') && !w.path.includes('/events'));
    t.diagnostic(`${childWrites.length} child write(s) for the refused change`);
    assert.deepEqual(childWrites, [], 'no child written');
    assert.deepEqual(await versions(ns, ALL), before, 'no child changed');
    assert.equal((await get(ns, 'StatefulSet', 'v2-database'))?.metadata.uid, sts?.metadata.uid, 'the StatefulSet kept');
    assert.equal(storageOf(await get(ns, 'PersistentVolumeClaim', 'data-v2-database-0')), '1Gi', 'the claim unchanged');
    const events = await eventsOf(ns, 'v2');
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'VolumeExpansionNotAllowed'), 'a warning event');

    // The refused volume holds nothing else back: another change of the spec is applied.
    const t0 = Date.now();
    await patchCluster(ns, 'v2', { spec: { components: { portal: { replicas: 2 } } } });
    await waitUntil('portal scaled to 2 while the volume change stays refused', async () => {
      const d = await get(ns, 'Deployment', 'v2-portal');
      return (d?.['spec'] as { replicas?: number } | undefined)?.replicas === 2;
    });
    t.diagnostic(`portal scaled ${Date.now() - t0} ms after the spec change`);
    const still = await getCluster(ns, 'v2');
    assert.equal(condition(still, 'Degraded')?.reason, 'VolumeExpansionNotAllowed', 'still reported');
    assert.equal(templateStorage(await get(ns, 'StatefulSet', 'v2-database')), '1Gi', 'the template unchanged');
    assert.equal((await get(ns, 'StatefulSet', 'v2-database'))?.metadata.uid, sts?.metadata.uid, 'the StatefulSet still kept');
  });
});
