// TLS from a cert-manager issuer. This file is the only one that installs
// cert-manager's CRDs, so it first proves the operator copes without them.
// cert-manager's controller cannot run here: the test itself plays the issuer
// by writing the Certificate's Ready condition (markCertificateIssued).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { certManagerInstalled, installCertManagerCrds, markCertificateIssued } from '../harness/cert-manager.ts';
import { desiredObjects } from '../../src/controller/desired.ts';
import { typeOf, objectPath } from '../../src/kube/resources.ts';
import { ensureCrd } from '../harness/crd.ts';
import { goldenCases, renderCase } from '../harness/golden-cases.ts';
import { createCluster, getCluster, harborCluster, list, raw, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

const withIssuer = (name: string): KubeObject =>
  harborCluster(name, {
    expose: {
      type: 'Ingress',
      ingress: { host: `${name}.example.test`, tls: { issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } } },
    },
  });

async function certificates(ns: string): Promise<KubeObject[]> {
  const res = await raw().request<{ items: KubeObject[] }>('GET', `/apis/cert-manager.io/v1/namespaces/${ns}/certificates`);
  return res.items;
}

describe('TLS through cert-manager', () => {
  test('without cert-manager: status says so, the rest runs, and the CRDs are picked up once installed', async (t) => {
    await ensureCrd();
    assert.equal(await certManagerInstalled(), false, 'this test needs a cluster without cert-manager (it installs the CRDs itself)');
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    await createCluster(ns, withIssuer('tls1'));
    const missing = await waitForCondition(ns, 'tls1', 'Ready', 'False', 'CertManagerMissing', 30_000);
    assert.match(missing.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '', /cert-manager/);
    const deployments = await list(ns, 'Deployment');
    assert.equal(deployments.length, 5, 'every workload applied meanwhile');
    const ingress = (await list(ns, 'Ingress'))[0];
    assert.ok(ingress, 'the Ingress exists, waiting for its certificate Secret');
    const writesBefore = op.writes.length;
    // The operator keeps working: no crash, no hot loop of writes.
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(op.writes.length - writesBefore < 5, `quiet while waiting (${op.writes.length - writesBefore} writes)`);

    await installCertManagerCrds();
    const cert = await waitUntil('the Certificate created after the CRDs appeared', async () => (await certificates(ns))[0], {
      timeoutMs: 45_000,
    });
    assert.equal(cert.metadata.ownerReferences?.[0]?.kind, 'HarborCluster');
    await waitForCondition(ns, 'tls1', 'Ready', 'False', 'CertificateNotReady', 30_000);
  });

  test('Ready waits for the Certificate to be issued', async (t) => {
    await ensureCrd();
    if (!(await certManagerInstalled())) await installCertManagerCrds();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(ns, withIssuer('tls2'));
    const pending = await waitForCondition(ns, 'tls2', 'Ready', 'False', 'CertificateNotReady', 30_000);
    // Every component is ready; only the certificate is missing.
    for (const [name, c] of Object.entries(pending.status?.components ?? {})) assert.equal(c.ready, c.desired, name);
    const cert = (await certificates(ns))[0];
    assert.ok(cert);
    const spec = cert['spec'] as { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string } };
    assert.deepEqual(spec.dnsNames, ['tls2.example.test']);
    assert.deepEqual([spec.issuerRef.name, spec.issuerRef.kind], ['letsencrypt', 'ClusterIssuer']);
    const ingress = (await list(ns, 'Ingress'))[0];
    const tls = (ingress?.['spec'] as { tls?: { secretName: string }[] }).tls;
    assert.equal(tls?.[0]?.secretName, spec.secretName, 'the Ingress serves the Secret the Certificate fills');
    await markCertificateIssued(ns, cert.metadata.name);
    const ready = await waitForCondition(ns, 'tls2', 'Ready', 'True', 'AllComponentsReady', 30_000);
    assert.equal(ready.status?.version, (await getCluster(ns, 'tls2')).status?.version);
  });

  test('every object of the golden cases is accepted by the API server (server-side dry run)', async (t) => {
    if (!(await certManagerInstalled())) await installCertManagerCrds();
    const ns = await testNamespace(t);
    for (const c of goldenCases) {
      // rendered for the namespace "golden"; moved into this test's namespace
      const rendered = (await renderCase(c)).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns } }));
      const objects = desiredObjects(
        rendered,
        { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name: c.cr.metadata.name ?? '', namespace: ns, uid: '00000000-0000-4000-8000-000000000000' },
        {},
        false,
      );
      assert.ok(objects.length > 20, `${c.name}: ${objects.length} objects`);
      for (const o of objects) {
        const path = objectPath(typeOf(o), ns, o.metadata.name);
        await raw()
          .request('PATCH', path, {
            body: o,
            contentType: 'application/apply-patch+yaml',
            query: { fieldManager: 'dry-run-test', force: true, dryRun: 'All', fieldValidation: 'Strict' },
          })
          .catch((err: unknown) => {
            throw new Error(`${c.name}: ${o.kind}/${o.metadata.name} refused: ${(err as Error).message}`, { cause: err });
          });
      }
    }
  });
});
