// Secrets a HarborCluster references, watched against the real API server:
// a changed password reaches the children and rolls exactly the pods that
// read it; a Secret created after SecretNotFound is picked up at once; a
// change made while no operator ran is picked up by the next one; and the
// watch is metadata-only and keeps only the Secrets that are referenced.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Informer } from '../../src/kube/informer.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, get, getCluster, harborCluster, list, raw, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';
import { freePort } from '../harness/process.ts';

const decoded = (o: KubeObject | undefined, key: string): string =>
  Buffer.from(((o?.['data'] ?? {}) as Record<string, string>)[key] ?? '', 'base64').toString('utf8');

async function putSecret(ns: string, name: string, data: Record<string, string>): Promise<KubeObject> {
  return raw().request<KubeObject>('PATCH', `/api/v1/namespaces/${ns}/secrets/${name}`, {
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: data },
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'test-user', force: true },
  });
}

function externalDatabase(name: string): KubeObject {
  return harborCluster(name, {
    database: { type: 'External', external: { host: 'pg.example.test', username: 'harbor', passwordSecretRef: { name: 'db-password' } } },
  });
}

/** Pod template annotations (the checksums) of every workload, by Kind/name. */
async function podChecksums(ns: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of ['Deployment', 'StatefulSet']) {
    for (const w of await list(ns, kind)) {
      const annotations = (w['spec'] as { template: { metadata?: { annotations?: Record<string, string> } } }).template.metadata?.annotations ?? {};
      out.set(`${kind}/${w.metadata.name}`, JSON.stringify(annotations));
    }
  }
  return out;
}

describe('referenced secrets', () => {
  test('the external database password changes: within 10 s core and exporter hold it, and only their pods roll', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await putSecret(ns, 'db-password', { password: 'first-password' });
    // A long resync: only the watch can bring the change.
    const op = await startOperator(t, ns, { resyncMs: 600_000 });
    await createCluster(ns, externalDatabase('ra'));
    await waitForCondition(ns, 'ra', 'Ready', 'True');
    assert.equal(decoded(await get(ns, 'Secret', 'ra-core'), 'POSTGRESQL_PASSWORD'), 'first-password');
    await op.quiet(`${ns}/ra`);
    const before = await podChecksums(ns);
    const renders = op.renders();

    const t0 = Date.now();
    await putSecret(ns, 'db-password', { password: 'second-password' });
    await waitUntil(
      'core and exporter hold the new password',
      async () =>
        decoded(await get(ns, 'Secret', 'ra-core'), 'POSTGRESQL_PASSWORD') === 'second-password' &&
        decoded(await get(ns, 'Secret', 'ra-exporter'), 'HARBOR_DATABASE_PASSWORD') === 'second-password',
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const ms = Date.now() - t0;
    const after = await waitUntil('core and exporter pod templates rolled', async () => {
      const now = await podChecksums(ns);
      return now.get('Deployment/ra-core') !== before.get('Deployment/ra-core') && now.get('Deployment/ra-exporter') !== before.get('Deployment/ra-exporter')
        ? now
        : undefined;
    });
    const rolled = [...before.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
    assert.deepEqual(rolled, ['Deployment/ra-core', 'Deployment/ra-exporter'], 'exactly the pods that read the password');
    assert.equal((await getCluster(ns, 'ra')).metadata.generation, 1, 'no spec change');
    t.diagnostic(`new password in core and exporter ${ms} ms after the Secret changed; rolled ${rolled.join(', ')} of ${before.size} workloads; ${op.renders() - renders} render(s)`);
  });

  test('a referenced Secret created after SecretNotFound is picked up at once (not at the next retry)', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    // Retries a minute apart: only the watch can bring the new Secret in time.
    await startOperator(t, ns, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await createCluster(ns, harborCluster('rb', { adminPasswordSecretRef: { name: 'admin' } }));
    const degraded = await waitForCondition(ns, 'rb', 'Degraded', 'True', 'SecretNotFound', 30_000);
    assert.match(degraded.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', /spec.adminPasswordSecretRef: Secret .*\/admin not found/);
    const t0 = Date.now();
    await putSecret(ns, 'admin', { password: 'the-admin-password' });
    await waitUntil('core has the admin password', async () => decoded(await get(ns, 'Secret', 'rb-core'), 'HARBOR_ADMIN_PASSWORD') === 'the-admin-password', {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const ms = Date.now() - t0;
    assert.ok(ms < 10_000);
    t.diagnostic(`applied ${ms} ms after the Secret was created (retry backoff 60 s)`);
  });

  test('the database provisioning admin Secret, created after it was reported missing, is picked up at once', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    // Nothing listens on that port: once the Secret is there, the provisioner gets as far as the connection.
    const port = await freePort();
    await createCluster(
      ns,
      harborCluster('rp', { database: { type: 'External', external: { host: '127.0.0.1', port, provision: { adminSecretRef: { name: 'pg-admin' } } } } }),
    );
    await waitForCondition(ns, 'rp', 'DatabaseProvisioned', 'False', 'SecretNotFound', 30_000);
    const t0 = Date.now();
    await putSecret(ns, 'pg-admin', { username: 'postgres', password: 'not-checked-here' });
    await waitForCondition(ns, 'rp', 'DatabaseProvisioned', 'False', 'ServerUnreachable', 10_000);
    t.diagnostic(`the provisioner used the new Secret ${Date.now() - t0} ms after it was created (retry backoff 60 s)`);
  });

  test('a referenced Secret changed while no operator ran: the next one picks it up', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await putSecret(ns, 'db-password', { password: 'before-restart' });
    const first = await startOperator(t, ns);
    await createCluster(ns, externalDatabase('rc'));
    await waitUntil('converged with a digest', async () => (await waitForCondition(ns, 'rc', 'Ready', 'True')).status?.appliedDigest);
    await first.quiet(`${ns}/rc`);
    await first.stop();
    await putSecret(ns, 'db-password', { password: 'while-stopped' });
    const t0 = Date.now();
    const second = await startOperator(t, ns);
    await waitUntil('core has the new password', async () => decoded(await get(ns, 'Secret', 'rc-core'), 'POSTGRESQL_PASSWORD') === 'while-stopped', {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    t.diagnostic(`picked up ${Date.now() - t0} ms after the new process started; ${second.renders()} render(s)`);
  });

  test('the watch is metadata-only and keeps only referenced Secrets; a deleted one is reported at once', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    // The informer itself, metadata-only, against the real server: no data arrives.
    const seen: KubeObject[] = [];
    const informer = new Informer(raw(), { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true }, {
      namespace: ns,
      metadataOnly: true,
      onEvent: (_e, o) => seen.push(o),
    });
    informer.start();
    t.after(() => informer.stop());
    await informer.waitForSync();
    await putSecret(ns, 'watched', { password: 'not-to-be-seen' });
    const event = await waitUntil('the watch event', () => Promise.resolve(seen.find((o) => o.metadata.name === 'watched')));
    assert.equal(event.kind, 'Secret');
    assert.equal(event['data'], undefined, 'no data through a metadata-only watch');
    assert.ok(event.metadata.resourceVersion);
    assert.ok(!JSON.stringify(seen).includes('not-to-be-seen'));

    await putSecret(ns, 'db-password', { password: 'p' });
    for (let i = 0; i < 30; i++) await putSecret(ns, `unrelated-${i}`, { x: String(i) });
    const op = await startOperator(t, ns, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await createCluster(ns, externalDatabase('rd'));
    await waitForCondition(ns, 'rd', 'Ready', 'True');
    const stats = op.manager.referencedSecrets.stats();
    assert.deepEqual(stats, { referenced: 1, cached: 1 }, 'one Secret referenced, one cached of 40+ in the namespace');
    const t0 = Date.now();
    await raw().request('DELETE', `/api/v1/namespaces/${ns}/secrets/db-password`);
    await waitForCondition(ns, 'rd', 'Degraded', 'True', 'SecretNotFound', 10_000);
    t.diagnostic(`cached ${stats.cached} of ${(await list(ns, 'Secret')).length} Secrets; SecretNotFound ${Date.now() - t0} ms after the delete`);
  });
});
