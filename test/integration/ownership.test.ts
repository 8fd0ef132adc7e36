// Ownership against the real API server: the operator creates and updates
// only objects its HarborCluster owns. A hand-made object, a Helm release's
// objects and another HarborCluster's child of the same name are left alone
// and reported; adoption is an explicit annotation; deleting a HarborCluster
// never takes with it an object that was not adopted. Figures printed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ADOPT_ANNOTATION, ADOPT_EXISTING_ANNOTATION } from '../../src/diff/ownership.ts';
import { typeOf, objectPath } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureCrd } from '../harness/crd.ts';
import { parseObjects } from '../harness/golden-cases.ts';
import {
  childrenOf,
  condition,
  controllerOf,
  createCluster,
  get,
  getCluster,
  harborCluster,
  patch,
  patchCluster,
  raw,
  remove,
  waitForCondition,
} from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';

const helmFixture = '/work/shared/fixtures/harbor-helm/harbor-helm-1.19.2-ingress.yaml';

async function events(ns: string): Promise<{ reason: string; message: string; involvedObject: { name: string } }[]> {
  const res = await raw().request<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>('GET', `/api/v1/namespaces/${ns}/events`);
  return res.items;
}

/** Waits until the operator has failed a reconcile of `name` with `reason` again, after the log line `from`. */
async function failedAgain(op: RunningOperator, ns: string, name: string, reason: string, from: number): Promise<void> {
  await waitUntil(
    `another ${reason} reconcile of ${name}`,
    () => Promise.resolve(op.logs.slice(from).some((l) => l.includes(`"key":"${ns}/${name}"`) && l.includes(`"reason":"${reason}"`)) || undefined),
    { timeoutMs: 15_000 },
  );
}

describe('ownership', () => {
  test('a ConfigMap made by hand is left alone and reported, survives the cluster, and is adopted only when annotated', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    const hand = await raw().request<KubeObject>('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b-core' }, data: { note: 'made by hand' } },
      query: { fieldManager: 'kubectl-create' },
    });
    const asMade = JSON.stringify(await get(ns, 'ConfigMap', 'b-core'));

    const first = await createCluster(ns, harborCluster('b'));
    const degraded = await waitForCondition(ns, 'b', 'Degraded', 'True', 'ObjectNotOwned', 30_000);
    const message = condition(degraded, 'Degraded')?.message ?? '';
    console.log(`Degraded: ${message}`);
    assert.match(message, /ConfigMap b-core exists and is not this HarborCluster's \(it has no controller owner; written by kubectl-create\)/);
    assert.match(message, /annotate it harbor-operator\.dev\/adopt=b/);
    assert.match(message, /Held back until then, as they depend on it: .*Deployment b-core/);
    assert.equal(condition(degraded, 'Ready')?.status, 'False');
    assert.ok((await events(ns)).some((e) => e.reason === 'ObjectNotOwned' && e.message.includes('ConfigMap b-core')), 'an ObjectNotOwned event');
    // Retried meanwhile: still left alone.
    await failedAgain(op, ns, 'b', 'ObjectNotOwned', op.logs.length);
    assert.equal(JSON.stringify(await get(ns, 'ConfigMap', 'b-core')), asMade, 'byte for byte as made: no owner reference, same resourceVersion');
    const configMaps = await childrenOf(ns, 'b', 'ConfigMap');
    const deployments = await childrenOf(ns, 'b', 'Deployment');
    console.log(`b-core resourceVersion ${hand.metadata.resourceVersion ?? ''} kept; b's ConfigMaps written: ${configMaps.length}, Deployments: ${deployments.length}`);
    assert.ok(configMaps.length >= 5, "the rest of what pods read is applied");
    assert.deepEqual(deployments, [], 'no workload starts with configuration that is not its own');

    await remove(ns, 'HarborCluster', 'b');
    await waitUntil('b garbage-collected', async () => (await childrenOf(ns, 'b', 'ConfigMap')).length === 0);
    assert.equal(JSON.stringify(await get(ns, 'ConfigMap', 'b-core')), asMade, 'deleting b left the hand-made ConfigMap as it was');

    const second = await createCluster(ns, harborCluster('b'));
    await waitForCondition(ns, 'b', 'Degraded', 'True', 'ObjectNotOwned', 30_000);
    await patch(ns, 'ConfigMap', 'b-core', { metadata: { annotations: { [ADOPT_ANNOTATION]: 'b' } } });
    await waitForCondition(ns, 'b', 'Ready', 'True', undefined, 60_000);
    const adopted = await get(ns, 'ConfigMap', 'b-core');
    assert.equal(controllerOf(adopted), `HarborCluster/b/${second.metadata.uid ?? ''}`, 'adopted: controlled by the new b');
    assert.notEqual(second.metadata.uid, first.metadata.uid);
    const keys = Object.keys(adopted?.['data'] ?? {}).sort();
    console.log(`adopted b-core: data keys ${keys.join(' ')} (note was set by hand, the rest by the operator)`);
    assert.ok(keys.length > 1);
    assert.ok((await events(ns)).some((e) => e.reason === 'Adopted' && e.message.includes(`ConfigMap b-core: its annotation ${ADOPT_ANNOTATION}=b`)), 'an Adopted event');

    await remove(ns, 'HarborCluster', 'b');
    await waitUntil('the adopted ConfigMap goes with b', async () => !(await get(ns, 'ConfigMap', 'b-core')), { timeoutMs: 30_000 });
  });

  test("a Helm release's objects are left alone; adopt-existing on the HarborCluster takes them over", async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    // A few objects of upstream's chart (release harbor), as `helm install` leaves them.
    const wanted = new Set(['Secret harbor-core', 'ConfigMap harbor-core', 'ConfigMap harbor-portal', 'Service harbor-portal']);
    const fixture = parseObjects(await readFile(helmFixture, 'utf8')).filter((o) => wanted.has(`${o.kind} ${o.metadata.name}`));
    assert.equal(fixture.length, wanted.size);
    const installed = new Map<string, KubeObject>();
    for (const o of fixture) {
      const obj: KubeObject = {
        ...o,
        metadata: {
          ...o.metadata,
          namespace: ns,
          annotations: { ...o.metadata.annotations, 'meta.helm.sh/release-name': 'harbor', 'meta.helm.sh/release-namespace': ns },
        },
      };
      const made = await raw().request<KubeObject>('PATCH', objectPath(typeOf(obj), ns, obj.metadata.name), {
        body: obj,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'helm' },
      });
      installed.set(`${o.kind} ${o.metadata.name}`, made);
    }

    const cr = await createCluster(ns, harborCluster('harbor'));
    const degraded = await waitForCondition(ns, 'harbor', 'Degraded', 'True', 'ObjectNotOwned', 30_000);
    const message = condition(degraded, 'Degraded')?.message ?? '';
    console.log(`Degraded: ${message}`);
    assert.match(message, /it belongs to Helm release .*\/harbor; written by helm/);
    for (const [k, made] of installed) {
      const [kind = '', name = ''] = k.split(' ');
      const now = await get(ns, kind, name);
      assert.equal(now?.metadata.resourceVersion, made.metadata.resourceVersion, `${k} not written`);
      assert.equal(now?.metadata.ownerReferences, undefined);
    }
    assert.deepEqual(await childrenOf(ns, 'harbor', 'Deployment'), [], 'workloads held back');

    await patchCluster(ns, 'harbor', { metadata: { annotations: { [ADOPT_EXISTING_ANNOTATION]: 'true' } } });
    await waitForCondition(ns, 'harbor', 'Ready', 'True', undefined, 60_000);
    const adoptedEvents = (await events(ns)).filter((e) => e.reason === 'Adopted').map((e) => e.message);
    console.log(`Adopted events: ${adoptedEvents.length}: ${adoptedEvents.join(' | ')}`);
    for (const [k, made] of installed) {
      const [kind = '', name = ''] = k.split(' ');
      const now = await get(ns, kind, name);
      assert.equal(controllerOf(now), `HarborCluster/harbor/${cr.metadata.uid ?? ''}`, `${k} adopted`);
      assert.equal(now?.metadata.uid, made.metadata.uid, `${k}: the same object, not a new one`);
      assert.ok(adoptedEvents.some((m) => m.startsWith(`adopted ${kind} ${name}: the HarborCluster's annotation ${ADOPT_EXISTING_ANNOTATION}=true`)), `event for ${k}`);
      if (kind === 'ConfigMap' || kind === 'Secret') {
        // What the operator does not set stays, Helm's by managedFields.
        const entries = (now?.metadata.managedFields ?? []) as { manager?: string; operation?: string; fieldsV1?: { 'f:data'?: object } }[];
        const dataOf = (m: string): string[] => Object.keys(entries.find((e) => e.manager === m && e.operation === 'Apply')?.fieldsV1?.['f:data'] ?? {});
        const ours = new Set(dataOf('harbor-operator'));
        const left = dataOf('helm').filter((f) => !ours.has(f)).map((f) => f.replace(/^f:/, ''));
        console.log(`${k}: Helm rendered ${Object.keys(made['data'] ?? {}).length} keys, now ${Object.keys(now?.['data'] ?? {}).length}; left as Helm set them: ${left.length} (${left.join(' ')})`);
      }
    }
  });

  test("HarborClusters a and a-core (LoadBalancer): neither takes the other's Service a-core, the later one is Degraded", async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    const a = await createCluster(ns, harborCluster('a'));
    await waitForCondition(ns, 'a', 'Ready', 'True');
    const svc = await get(ns, 'Service', 'a-core');
    assert.equal(controllerOf(svc), `HarborCluster/a/${a.metadata.uid ?? ''}`);

    await createCluster(ns, harborCluster('a-core', { externalURL: 'http://a-core.example.test', expose: { type: 'LoadBalancer' } }));
    const degraded = await waitForCondition(ns, 'a-core', 'Degraded', 'True', 'ObjectNotOwned', 30_000);
    const message = condition(degraded, 'Degraded')?.message ?? '';
    console.log(`a-core Degraded: ${message}`);
    assert.match(message, /^Service a-core exists and is not this HarborCluster's \(its controller is HarborCluster a\)/);
    assert.doesNotMatch(message, /annotate it/, 'no adoption hint for another cluster\'s child');
    assert.match(message, /Held back until then, as they depend on it: Deployment a-core-core/);
    const after = await get(ns, 'Service', 'a-core');
    assert.equal(after?.metadata.resourceVersion, svc?.metadata.resourceVersion, "a's Service not written");
    assert.equal(controllerOf(after), controllerOf(svc));
    assert.deepEqual(await childrenOf(ns, 'a-core', 'Deployment'), [], "a-core's workloads held back");
    const aNow = await getCluster(ns, 'a');
    assert.equal(condition(aNow, 'Ready')?.status, 'True', 'a stays Ready');
    assert.equal(condition(aNow, 'Degraded')?.status, 'False');

    // adopt-existing never takes another HarborCluster's child.
    const from = op.logs.length;
    await patchCluster(ns, 'a-core', { metadata: { annotations: { [ADOPT_EXISTING_ANNOTATION]: 'true' } } });
    await failedAgain(op, ns, 'a-core', 'ObjectNotOwned', from);
    const still = await get(ns, 'Service', 'a-core');
    assert.equal(still?.metadata.resourceVersion, svc?.metadata.resourceVersion, 'still not written');
    console.log(`Service a-core resourceVersion ${svc?.metadata.resourceVersion ?? ''} → ${still?.metadata.resourceVersion ?? ''}; controller ${controllerOf(still) ?? ''}`);

    // The other way round: a-core first, then a.
    const ns2 = await testNamespace(t);
    await startOperator(t, ns2);
    const lb = await createCluster(ns2, harborCluster('a-core', { externalURL: 'http://a-core.example.test', expose: { type: 'LoadBalancer' } }));
    await waitForCondition(ns2, 'a-core', 'Ready', 'True');
    const proxy = await get(ns2, 'Service', 'a-core');
    assert.equal(controllerOf(proxy), `HarborCluster/a-core/${lb.metadata.uid ?? ''}`);
    await createCluster(ns2, harborCluster('a'));
    const d2 = await waitForCondition(ns2, 'a', 'Degraded', 'True', 'ObjectNotOwned', 30_000);
    console.log(`a Degraded: ${condition(d2, 'Degraded')?.message ?? ''}`);
    assert.match(condition(d2, 'Degraded')?.message ?? '', /Service a-core exists and is not this HarborCluster's \(its controller is HarborCluster a-core\)/);
    assert.equal((await get(ns2, 'Service', 'a-core'))?.metadata.resourceVersion, proxy?.metadata.resourceVersion, "a-core's proxy Service not written");
    assert.equal(condition(await getCluster(ns2, 'a-core'), 'Ready')?.status, 'True', 'a-core stays Ready');
  });
});
