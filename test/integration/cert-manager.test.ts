// TLS from a cert-manager issuer. This file is the only one that installs
// cert-manager's CRDs, so it first proves the operator copes without them:
// it watches the CRD instead of polling for the kind (no read at rest), picks
// the CRDs up at once when they are installed and again after they were
// deleted, and polls (every 10 s at most) only when RBAC refuses the CRD watch.
// cert-manager's controller cannot run here: the test itself plays the issuer
// by writing the Certificate's Ready condition (markCertificateIssued).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { CERTIFICATES_CRD, certManagerInstalled, installCertManagerCrds, markCertificateIssued } from '../harness/cert-manager.ts';
import { serviceAccountKubeconfig } from '../harness/chart.ts';
import { desiredObjects } from '../../src/controller/desired.ts';
import { typeOf, objectPath } from '../../src/kube/resources.ts';
import { ensureCrd } from '../harness/crd.ts';
import { goldenCases, renderCase } from '../harness/golden-cases.ts';
import { createCluster, getCluster, harborCluster, list, raw, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';

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

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** Non-watch reads the operator makes while nothing changes. */
async function readsWhileIdle(op: RunningOperator, ms: number): Promise<string[]> {
  const from = op.reads.length;
  await sleep(ms);
  return op.reads.slice(from).map((r) => r.path);
}

/** The time from now until the namespace's first Certificate exists. */
async function certificateAfter(ns: string, what: string): Promise<{ cert: KubeObject; ms: number }> {
  const t0 = Date.now();
  const cert = await waitUntil(what, async () => (await certificates(ns))[0], { timeoutMs: 45_000, intervalMs: 100 });
  return { cert, ms: Date.now() - t0 };
}

describe('TLS through cert-manager', () => {
  test('without read access to CRDs: the operator says why once and polls for Certificates (10 s at most)', async (t) => {
    await ensureCrd();
    assert.equal(await certManagerInstalled(), false, 'this test needs a cluster without cert-manager (it installs the CRDs itself)');
    const ns = await testNamespace(t);
    // Everything inside the namespace, nothing cluster-scoped (so no CRD).
    const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces';
    await raw().request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { body: { metadata: { name: 'no-crds' } } });
    await raw().request('POST', `${rbac}/${ns}/roles`, {
      body: { metadata: { name: 'no-crds' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    });
    await raw().request('POST', `${rbac}/${ns}/rolebindings`, {
      body: {
        metadata: { name: 'no-crds' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'no-crds' },
        subjects: [{ kind: 'ServiceAccount', name: 'no-crds', namespace: ns }],
      },
    });
    const kubeconfig = await serviceAccountKubeconfig(t, ns, 'no-crds');
    const op = await startOperator(t, ns, { kubeconfig });
    const t0 = Date.now();
    const certificateLists = (): number => op.reads.filter((r) => r.path === `/apis/cert-manager.io/v1/namespaces/${ns}/certificates`).length;
    // Polls meanwhile: three lists (500 ms, then 1 s, 2 s … apart), in which
    // the refusal could have been said again or the CRD watch retried.
    await waitUntil('three lists of Certificates', () => Promise.resolve(certificateLists() >= 3), { timeoutMs: 20_000, intervalMs: 100 });
    const lists = certificateLists();
    const said = op.logs.filter((l) => l.includes('cannot watch the CustomResourceDefinition'));
    assert.equal(said.length, 1, `said once why it polls (${lists} lists in ${Date.now() - t0} ms):\n${said.join('')}`);
    const line = JSON.parse(said[0] ?? '{}') as { level?: number; crd?: string };
    assert.deepEqual([line.level, line.crd], [30, CERTIFICATES_CRD], 'at info level, naming the CRD');
    const crdReads = op.reads.filter((r) => r.path.startsWith(crdPath)).length;
    assert.equal(crdReads, 1, 'a refused CRD watch is not retried at once');
  });

  test('without cert-manager: status says so, the rest runs, nothing is polled, and the CRDs are picked up at once when installed, deleted, installed again', async (t) => {
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
    // The operator keeps working: no crash, no hot loop of writes, and no
    // read but its watches (the CRD is watched, not polled; longer than the
    // 10 s the kind was polled at before).
    const idleReads = await readsWhileIdle(op, 11_000);
    assert.deepEqual(idleReads, [], 'no non-watch read while cert-manager is absent');
    assert.ok(op.writes.length - writesBefore < 5, `quiet while waiting (${op.writes.length - writesBefore} writes)`);

    await installCertManagerCrds();
    const installed = await certificateAfter(ns, 'the Certificate created after the CRDs appeared');
    assert.equal(installed.cert.metadata.ownerReferences?.[0]?.kind, 'HarborCluster');
    assert.ok(installed.ms < 5_000, `picked up at once, not at the next poll (${installed.ms} ms)`);
    await waitForCondition(ns, 'tls1', 'Ready', 'False', 'CertificateNotReady', 30_000);

    // cert-manager uninstalled: its CRD deleted (and the Certificate with it).
    await raw().request('DELETE', `${crdPath}/${CERTIFICATES_CRD}`);
    await waitUntil('the Certificates CRD gone', async () => !(await certManagerInstalled()), { timeoutMs: 60_000 });
    await waitForCondition(ns, 'tls1', 'Ready', 'False', 'CertManagerMissing', 30_000);
    assert.deepEqual(await readsWhileIdle(op, 6_000), [], 'absent again: still no non-watch read');

    await installCertManagerCrds();
    const again = await certificateAfter(ns, 'the Certificate created again after the CRDs came back');
    assert.ok(again.ms < 5_000, `picked up at once again (${again.ms} ms)`);
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
