// End to end, as a platform team uses the product: `helm install` the
// operator's chart, run the operator with the chart's ServiceAccount (so the
// chart's RBAC is what is tested: a missing permission fails this suite),
// create the samples, upgrade, scale, switch TLS on, delete, `helm uninstall`.
//
// E2E_OPERATOR=process (default): the operator runs here as a process with a
// token of the chart's ServiceAccount from the TokenRequest API (the local
// control plane runs no containers). E2E_OPERATOR=in-cluster (kind): the
// chart's own Deployment runs the image given in E2E_IMAGE.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject } from '../src/model/object.ts';
import { certManagerInstalled, installCertManagerCrds, markCertificateIssued } from '../test/harness/cert-manager.ts';
import { createCluster, get, getCluster, list, patchCluster, raw, remove, waitForCondition } from '../test/harness/harbor.ts';
import { finishPod, runningPodOf, upgradeBackupJob } from '../test/harness/job-pods.ts';
import { waitUntil } from '../test/harness/kube.ts';
import { chartArgsForLocalRun, helm, serviceAccountKubeconfig } from '../test/harness/chart.ts';
import { freePort } from '../test/harness/process.ts';
import { spawn, type ChildProcess } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const RELEASE = 'harbor-operator';
const SYSTEM_NS = 'harbor-operator-system';
const NS = 'e2e-harbor';
const inCluster = process.env['E2E_OPERATOR'] === 'in-cluster';

async function sample(file: string, patch: (o: KubeObject) => void = () => undefined): Promise<KubeObject> {
  const o = parse(await readFile(join(root, 'deploy/samples', file), 'utf8')) as KubeObject;
  o.metadata.namespace = NS;
  patch(o);
  return o;
}

async function ensureNamespace(name: string): Promise<void> {
  await raw().request('PATCH', `/api/v1/namespaces/${name}`, {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'e2e', force: true },
  });
}

describe('harbor-operator end to end', () => {
  let operator: ChildProcess | undefined;
  const output: string[] = [];
  // The operator outlives the test that starts it: its files go when the suite ends.
  const cleanups: (() => Promise<void>)[] = [];
  const suite = { after: (fn: () => Promise<void>): void => void cleanups.push(fn) };

  before(async () => {
    if (!inCluster && !(await certManagerInstalled())) await installCertManagerCrds();
    await ensureNamespace(NS);
  });

  after(async () => {
    operator?.kill('SIGKILL');
    for (const fn of cleanups) await fn();
  });

  test('helm install: the API server accepts every object of the chart', async () => {
    const sets = inCluster && process.env['E2E_IMAGE'] ? imageSets(process.env['E2E_IMAGE']) : [];
    await helm('install', RELEASE, join(root, 'deploy/harbor-operator'), '-n', SYSTEM_NS, '--create-namespace', ...sets);
    const deployment = await get(SYSTEM_NS, 'Deployment', RELEASE);
    assert.ok(deployment, 'the operator Deployment exists');
    if (inCluster) {
      await waitUntil('the operator Deployment available', async () => {
        const d = await get(SYSTEM_NS, 'Deployment', RELEASE);
        return ((d?.['status'] as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0) >= 1;
      }, { timeoutMs: 180_000 });
      return;
    }
    // The local control plane runs no containers: run the same command line
    // here, as the chart's ServiceAccount.
    const kubeconfig = await serviceAccountKubeconfig(suite, SYSTEM_NS, RELEASE);
    const args = chartArgsForLocalRun(deployment, await freePort(), await freePort());
    operator = spawn(process.execPath, [join(root, 'src/main.ts'), ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, POD_NAMESPACE: SYSTEM_NS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    operator.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    operator.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    await waitUntil('the operator leads and has synced its caches', () => Promise.resolve(output.join('').includes('caches synced')), {
      timeoutMs: 60_000,
    });
  });

  test('the samples become Ready', async () => {
    await createCluster(NS, await sample('minimal.yaml'));
    await createCluster(
      NS,
      await sample('loadbalancer.yaml', (o) => {
        o.metadata.name = 'harbor-lb';
      }),
    );
    for (const name of ['harbor', 'harbor-lb']) await waitForCondition(NS, name, 'Ready', 'True', undefined, 180_000);
    // The chart lets the operator watch cert-manager's CRD by name (list and
    // watch with a field selector, allowed by resourceNames); without that it
    // would fall back to polling and say so.
    if (!inCluster) assert.doesNotMatch(output.join(''), /cannot watch the CustomResourceDefinition|forbidden/i);
  });

  test('upgrade: 2.14.4 → 2.15.2 rolls the images and upgrades the database from PostgreSQL 15 to 18', async () => {
    await createCluster(
      NS,
      await sample('minimal.yaml', (o) => {
        o.metadata.name = 'upgrade';
        (o['spec'] as { version: string; externalURL: string; expose: unknown }).version = '2.14.4';
        (o['spec'] as { externalURL: string }).externalURL = 'https://upgrade.example.com';
        (o['spec'] as { expose: unknown }).expose = { ingress: { host: 'upgrade.example.com' } };
      }),
    );
    await waitForCondition(NS, 'upgrade', 'Ready', 'True', undefined, 180_000);
    assert.equal((await getCluster(NS, 'upgrade')).status?.version, '2.14.4');
    await patchCluster(NS, 'upgrade', { spec: { version: '2.15.2' } });
    // The upgrade waits for its backup Job. On the local control plane kwok
    // holds its pod Running and the test finishes it as a kubelet would; in a
    // real cluster pg_dump runs and ends it.
    if (!inCluster) await finishPod(NS, await runningPodOf(NS, await upgradeBackupJob(NS, 'upgrade', '2.14.4', '2.15.2')), 0);
    await waitUntil('status.version 2.15.2', async () => (await getCluster(NS, 'upgrade')).status?.version === '2.15.2', {
      timeoutMs: 180_000,
    });
    const imageOf = async (kind: string, name: string): Promise<string> => {
      const o = await get(NS, kind, name);
      return (o?.['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image ?? '';
    };
    assert.match(await imageOf('Deployment', 'upgrade-core'), /harbor-core:v2\.15\.2$/);
    // 2.15.2 replaced redis-photon by valkey-photon and PostgreSQL 15 by 18.
    assert.match(await imageOf('StatefulSet', 'upgrade-redis'), /valkey-photon:v2\.15\.2$/);
    assert.match(await imageOf('StatefulSet', 'upgrade-database'), /harbor-db:v2\.15\.2$/);
    await waitForCondition(NS, 'upgrade', 'DatabaseUpgrade', 'False', 'UpgradedToPostgreSQL18', 180_000);
  });

  test('scale: a component follows its replica count', async () => {
    await patchCluster(NS, 'harbor', { spec: { components: { core: { replicas: 2 } } } });
    await waitUntil('core 2/2 in status', async () => {
      const c = (await getCluster(NS, 'harbor')).status?.components?.['core'];
      return c?.desired === 2 && c.ready === 2;
    }, { timeoutMs: 180_000 });
  });

  test('TLS on: a Certificate is requested and Ready waits for it', async () => {
    await patchCluster(NS, 'harbor', {
      spec: { expose: { ingress: { tls: { issuerRef: { name: 'e2e-issuer', kind: 'ClusterIssuer' } } } } },
    });
    const cert = await waitUntil('a Certificate', async () => {
      const res = await raw().request<{ items: KubeObject[] }>('GET', `/apis/cert-manager.io/v1/namespaces/${NS}/certificates`);
      return res.items.find((c) => c.metadata.ownerReferences?.[0]?.name === 'harbor');
    }, { timeoutMs: 60_000 });
    if (!inCluster) {
      // No cert-manager controller here: the test plays the issuer.
      await waitForCondition(NS, 'harbor', 'Ready', 'False', 'CertificateNotReady', 60_000);
      await markCertificateIssued(NS, cert.metadata.name);
    }
    await waitForCondition(NS, 'harbor', 'Ready', 'True', undefined, 180_000);
  });

  test('delete: nothing is left but the kept volumes and their secrets', async () => {
    for (const name of ['harbor', 'harbor-lb', 'upgrade']) await remove(NS, 'HarborCluster', name);
    await waitUntil('children garbage-collected', async () => {
      for (const kind of ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Ingress']) {
        const left = (await list(NS, kind)).filter((o) => o.metadata.name !== 'kube-root-ca.crt');
        if (left.length > 0) return false;
      }
      return true;
    }, { timeoutMs: 120_000 });
    const secrets = (await list(NS, 'Secret')).map((s) => s.metadata.name).sort();
    // harbor-lb sets deleteClaimsWithCluster: its volumes and secrets went with it.
    assert.deepEqual(secrets, ['harbor-generated-secrets', 'upgrade-generated-secrets']);
    const pvcs = (await list(NS, 'PersistentVolumeClaim')).filter((p) => !p.metadata.deletionTimestamp);
    assert.ok(pvcs.length > 0 && pvcs.every((p) => /^(harbor|upgrade)-|-(harbor|upgrade)-/.test(p.metadata.name)), pvcs.map((p) => p.metadata.name).join(', '));
  });

  test('helm uninstall leaves no operator object behind', async () => {
    operator?.kill('SIGTERM');
    await helm('uninstall', RELEASE, '-n', SYSTEM_NS, '--wait');
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap']) {
      const left = (await list(SYSTEM_NS, kind)).filter((o) => o.metadata.name !== 'kube-root-ca.crt' && o.metadata.name !== 'default');
      assert.deepEqual(left.map((o) => o.metadata.name), [], `${kind} left in ${SYSTEM_NS}`);
    }
    const crb = await raw().request<{ items: KubeObject[] }>('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings');
    assert.deepEqual(crb.items.filter((b) => b.metadata.name.startsWith(RELEASE)).map((b) => b.metadata.name), []);
    const cr = await raw().request<{ items: KubeObject[] }>('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles');
    assert.deepEqual(cr.items.filter((b) => b.metadata.name.startsWith(RELEASE)).map((b) => b.metadata.name), []);
    // Helm never deletes CRDs it installed from crds/: users' HarborClusters survive an uninstall.
    await raw().request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/harborclusters.harbor-operator.dev');
  });
});

function imageSets(image: string): string[] {
  const at = image.lastIndexOf(':');
  return ['--set', `image.repository=${image.slice(0, at)}`, '--set', `image.tag=${image.slice(at + 1)}`];
}
