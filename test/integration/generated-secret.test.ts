// The generated Secret against the real API server: a `kubectl delete` is
// held by its finalizer and undone with the same values; a Secret lost for
// real is recovered from the component Secrets; lost with every copy, nothing
// is minted and status says how to restore it; a deleted HarborCluster's
// Secret is held while the database claim exists and let go after.
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { GENERATED_SECRET_FINALIZER } from '../../src/controller/generated-secret.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, get, getCluster, harborCluster, list, patch, patchCluster, raw, remove, versions, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

const ALL = ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Secret', 'Ingress', 'PersistentVolumeClaim'];
const COMPONENT_SECRETS = ['core', 'jobservice', 'registry', 'database', 'exporter', 'redis'];

const dataOf = (o: KubeObject | undefined): Record<string, string> => (o?.['data'] ?? {}) as Record<string, string>;
const decoded = (o: KubeObject | undefined, key: string): string => Buffer.from(dataOf(o)[key] ?? '', 'base64').toString('utf8');

/** Versions of every child but the generated Secret (which is re-created on purpose). */
async function childVersions(ns: string, name: string): Promise<Map<string, string>> {
  const all = await versions(ns, ALL);
  all.delete(`Secret/${name}-generated-secrets`);
  return all;
}

async function eventsOf(ns: string, reason: string): Promise<{ message: string; involvedObject: { kind: string; name: string } }[]> {
  const res = await raw().request<{ items: { reason: string; message: string; involvedObject: { kind: string; name: string } }[] }>(
    'GET',
    `/api/v1/namespaces/${ns}/events`,
  );
  return res.items.filter((e) => e.reason === reason);
}

/** Removes every finalizer, as someone cleaning up by hand would (then a delete is final). */
async function stripFinalizers(ns: string, name: string): Promise<void> {
  await patch(ns, 'Secret', name, { metadata: { finalizers: null } });
}

/** Converged and at rest: Ready, and the applied digest recorded. */
async function converged(ns: string, name: string): Promise<string> {
  return waitUntil(`${name} converged with a digest`, async () => {
    const cr = await waitForCondition(ns, name, 'Ready', 'True');
    return cr.status?.appliedDigest;
  });
}

describe('generated secret', () => {
  test('kubectl delete of the generated Secret: held by its finalizer, written again with every value, no other child changed', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    await createCluster(ns, harborCluster('ga'));
    const digest = await converged(ns, 'ga');
    await op.quiet(`${ns}/ga`); // the last writes landed
    const before = await childVersions(ns, 'ga');
    const old = await get(ns, 'Secret', 'ga-generated-secrets');
    assert.ok(old);
    assert.deepEqual(old.metadata.finalizers, [GENERATED_SECRET_FINALIZER], 'it carries the finalizer');
    assert.match(old.metadata.annotations?.['harbor-operator.dev/note'] ?? '', /keep a backup/);

    const t0 = Date.now();
    await remove(ns, 'Secret', 'ga-generated-secrets');
    const again = await waitUntil(
      'the generated Secret written again',
      async () => {
        const s = await get(ns, 'Secret', 'ga-generated-secrets');
        return s && s.metadata.uid !== old.metadata.uid && !s.metadata.deletionTimestamp ? s : undefined;
      },
      { timeoutMs: 15_000 },
    );
    const ms = Date.now() - t0;
    assert.deepEqual(dataOf(again), dataOf(old), 'every value unchanged');
    assert.deepEqual(again.metadata.finalizers, [GENERATED_SECRET_FINALIZER]);
    assert.equal(again.metadata.ownerReferences, undefined, 'still kept with the data');
    await waitUntil('a new digest (the Secret is a new object)', async () => {
      const d = (await getCluster(ns, 'ga')).status?.appliedDigest;
      return d && d !== digest;
    });
    await op.quiet(`${ns}/ga`);
    const after = await childVersions(ns, 'ga');
    const changed = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
    assert.deepEqual(changed, [], 'no other child was written');
    const events = await eventsOf(ns, 'GeneratedSecretDeleted');
    assert.equal(events.length, 1, 'a warning event says what happened');
    t.diagnostic(`re-created in ${ms} ms; ${Object.keys(dataOf(old)).length} values unchanged; ${before.size} other children, ${changed.length} changed`);
  });

  test('the generated Secret lost for real: recovered from the component Secrets, every value unchanged, no other child changed', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    await createCluster(ns, harborCluster('gb'));
    await converged(ns, 'gb');
    const old = await get(ns, 'Secret', 'gb-generated-secrets');
    assert.ok(old);
    // Paused, so that the operator does not put the finalizer back in between.
    await patchCluster(ns, 'gb', { metadata: { annotations: { 'harbor-operator.dev/paused': 'true' } } });
    await waitForCondition(ns, 'gb', 'Progressing', 'False', 'Paused', 15_000);
    await op.quiet(`${ns}/gb`);
    const before = await childVersions(ns, 'gb');
    await stripFinalizers(ns, 'gb-generated-secrets');
    await remove(ns, 'Secret', 'gb-generated-secrets');
    assert.equal(await get(ns, 'Secret', 'gb-generated-secrets'), undefined, 'gone');
    const t0 = Date.now();
    await patchCluster(ns, 'gb', { metadata: { annotations: { 'harbor-operator.dev/paused': null } } });
    const again = await waitUntil('the generated Secret recovered', () => get(ns, 'Secret', 'gb-generated-secrets'), { timeoutMs: 15_000 });
    const ms = Date.now() - t0;
    const { tokenCert: newCert, ...recoveredValues } = dataOf(again);
    const { tokenCert: _oldCert, ...oldValues } = dataOf(old);
    assert.deepEqual(recoveredValues, oldValues, 'every value recovered as it was');
    // No component has a copy of the certificate (none reads it): made again from the same key.
    assert.ok(new X509Certificate(decoded(again, 'tokenCert')).checkPrivateKey(createPrivateKey(decoded(old, 'tokenKey'))), 'the token certificate derived from the kept key');
    assert.ok(newCert);
    await waitForCondition(ns, 'gb', 'Ready', 'True');
    await op.quiet(`${ns}/gb`);
    const after = await childVersions(ns, 'gb');
    const changed = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
    assert.deepEqual(changed, [], 'no other child was written');
    const [event] = await eventsOf(ns, 'GeneratedSecretRecovered');
    assert.ok(event, 'a warning event');
    assert.match(event.message, /recovered .*secretKey.* from the Secret\(s\) of core/);
    assert.doesNotMatch(event.message, /anew/, 'nothing made anew');
    t.diagnostic(
      `recovered in ${ms} ms after unpausing; ${Object.keys(oldValues).length} values unchanged, the token certificate derived again; ${changed.length} of ${before.size} other children changed`,
    );
  });

  test('the generated Secret and every copy lost while the operator was stopped: nothing minted, Degraded says how to restore; the saved copy restores it', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const first = await startOperator(t, ns);
    await createCluster(ns, harborCluster('gc'));
    await converged(ns, 'gc');
    const saved = await get(ns, 'Secret', 'gc-generated-secrets');
    assert.ok(saved);
    await first.stop();

    await stripFinalizers(ns, 'gc-generated-secrets');
    await remove(ns, 'Secret', 'gc-generated-secrets');
    for (const c of COMPONENT_SECRETS) await remove(ns, 'Secret', `gc-${c}`);
    const before = await versions(ns, ALL);

    // Should the loss be reported as permanent, its retries come after 1 s (5 min in production).
    const second = await startOperator(t, ns, { permanentRetryMs: 1_000 });
    const t0 = Date.now();
    const degraded = await waitForCondition(ns, 'gc', 'Degraded', 'True', 'GeneratedSecretLost', 30_000);
    const ms = Date.now() - t0;
    const message = degraded.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '';
    assert.match(message, /Secret .*gc-generated-secrets is gone/);
    assert.match(message, /adminPassword, secretKey, tokenKey, databasePassword/);
    assert.match(message, /kubectl apply -f/);
    assert.equal(degraded.status?.appliedDigest, undefined);
    // Two more reconciles (retries) observed, not a pause: each wrote no child.
    await second.reconciledAgain(`${ns}/gc`, 2, 15_000);
    await second.quiet(`${ns}/gc`);
    assert.deepEqual(await versions(ns, ALL), before, 'nothing created or changed: no Secret, no workload');
    const writes = second.writes.filter((w) => !w.path.endsWith('/status') && !w.path.includes('/events'));
    assert.deepEqual(writes, [], 'only status and events written');
    assert.ok((await eventsOf(ns, 'GeneratedSecretLost')).length > 0, 'a warning event');
    for (const value of Object.values(dataOf(saved))) {
      assert.ok(!message.includes(Buffer.from(value, 'base64').toString('utf8')), 'no value in status');
    }

    // The user restores the saved copy (what `kubectl get -o yaml` printed, as `kubectl create -f`
    // sends it) and hands it to the HarborCluster, as the message says: a Secret someone else
    // created is not one the operator applied. Everything comes back with the old values.
    assert.match(message, /kubectl annotate secret gc-generated-secrets harbor-operator.dev\/adopt=gc/);
    const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, ...metadata } = saved.metadata;
    const t1 = Date.now();
    await raw().request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { ...saved, metadata } });
    await patch(ns, 'Secret', 'gc-generated-secrets', { metadata: { annotations: { 'harbor-operator.dev/adopt': 'gc' } } });
    await waitForCondition(ns, 'gc', 'Degraded', 'False', 'AsExpected', 30_000);
    const restoredMs = Date.now() - t1;
    const core = await get(ns, 'Secret', 'gc-core');
    assert.equal(decoded(core, 'key'), decoded(saved, 'secretKey'), 'core reads the old secretKey');
    assert.equal(decoded(core, 'POSTGRESQL_PASSWORD'), decoded(saved, 'databasePassword'), 'and the old database password');
    assert.deepEqual(dataOf(await get(ns, 'Secret', 'gc-generated-secrets')), dataOf(saved), 'the generated Secret as saved');
    t.diagnostic(
      `Degraded (GeneratedSecretLost) ${ms} ms after start; ${second.writes.length} writes, all status/events; 0 objects created; restored ${restoredMs} ms after the saved copy was applied`,
    );
  });

  test('HarborCluster deleted, volumes kept, then its generated Secret deleted: held while the database claim exists, let go after', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, harborCluster('gd'));
    await converged(ns, 'gd');
    await remove(ns, 'HarborCluster', 'gd');
    await waitUntil('workloads garbage-collected', async () => (await list(ns, 'StatefulSet')).length === 0 && (await list(ns, 'Deployment')).length === 0);
    const secret = await get(ns, 'Secret', 'gd-generated-secrets');
    assert.ok(secret, 'kept with the volumes');
    await remove(ns, 'Secret', 'gd-generated-secrets');
    const held = await waitUntil('a warning that it is held', async () => {
      const [e] = await eventsOf(ns, 'GeneratedSecretHeld');
      return e;
    });
    assert.equal(held.involvedObject.kind, 'Secret');
    assert.match(held.message, /data-gd-database-0/);
    const terminating = await get(ns, 'Secret', 'gd-generated-secrets');
    assert.ok(terminating?.metadata.deletionTimestamp, 'Terminating');
    assert.deepEqual(dataOf(terminating), dataOf(secret), 'its data still readable');

    // The volumes go: the database claim, then the others (whose events bring the operator back).
    const t0 = Date.now();
    await remove(ns, 'PersistentVolumeClaim', 'data-gd-database-0');
    await waitUntil('database claim deleting', async () => {
      const c = await get(ns, 'PersistentVolumeClaim', 'data-gd-database-0');
      return !c || c.metadata.deletionTimestamp;
    });
    for (const p of await list(ns, 'PersistentVolumeClaim')) {
      if (p.metadata.labels?.['harbor-operator.dev/cluster'] === 'gd') await remove(ns, 'PersistentVolumeClaim', p.metadata.name);
    }
    await waitUntil('the Secret let go', async () => !(await get(ns, 'Secret', 'gd-generated-secrets')), { timeoutMs: 45_000 });
    t.diagnostic(`held while the claim existed; let go ${Date.now() - t0} ms after the claims were deleted`);
  });
});
