// Faults real clusters see, injected against the real local control plane:
// the operator killed mid-work, the API server down, expired watches, render
// failures, bad input, a fight over a field, throttling, RBAC limits, a real
// PostgreSQL refusing or gone, the generated Secret deleted or lost and a
// referenced password rotated, the Secrets of Harbor's settings, storage
// drivers and Trivy's token referenced before they exist (case 12).
// Cases 15.x are issue 15's, tried as a careless or hostile namespace user
// would: a string that tries to steer the chart, objects someone else made and
// names that collide, a database volume grown, a phase the API server refuses
// in part, pods that cannot be created, and podLabels over the selector label.
// Every case records a row; the summary table prints at the end, followed by
// a scan of everything the operator wrote or said for secret values.
// Runs alone on its own cluster: `npm run test:faults` (node test/run.ts --faults).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, cp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../../src/model/object.ts';
import { readState, startComponent, stopComponent, waitApiserverReady } from '../cluster/controlplane.ts';
import { chartArgsForLocalRun, helm, operatorChart, serviceAccountKubeconfig } from '../harness/chart.ts';
import { denyConfigMapUpdates } from '../harness/admission.ts';
import { causes } from '../harness/causes.ts';
import { renderObjects } from '../harness/cli.ts';
import { ensureCrd, refusal, harborClusters } from '../harness/crd.ts';
import {
  childrenOf,
  condition,
  controllerOf,
  createCluster,
  eventsOf,
  get,
  getCluster,
  harborCluster,
  list,
  patch,
  patchCluster,
  podNamed,
  raw,
  remove,
  versions,
  waitForCondition,
} from '../harness/harbor.ts';
import { kubeConfig, waitUntil } from '../harness/kube.ts';
import { helmBinary, chartDir } from '../harness/operator.ts';
import { freePort, startOperatorProcess, type OperatorProcess } from '../harness/process.ts';
import { startPostgres } from '../harness/postgres.ts';
import { scratchDir } from '../harness/scratch.ts';
import { expandableVolumes, storageOf, templateStorage } from '../harness/volumes.ts';
import { proxyFor, proxyKubeconfig } from './proxy.ts';

interface Row {
  name: string;
  result: 'pass' | 'FAIL';
  figures: string;
}
const rows: Row[] = [];
const processes: OperatorProcess[] = [];
/** Values of Secrets the suite's HarborClusters referenced (the final scan looks for them too). */
const referencedValues = new Set<string>();
const ALL = ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Secret', 'Ingress', 'PersistentVolumeClaim'];

async function record(t: TestContext, name: string, body: () => Promise<string>): Promise<void> {
  try {
    const figures = await body();
    rows.push({ name, result: 'pass', figures });
    t.diagnostic(figures);
  } catch (err) {
    rows.push({ name, result: 'FAIL', figures: (err as Error).message.slice(0, 160) });
    throw err;
  }
}

/** Whether a watch from this resourceVersion is refused as expired (410 Gone): etcd compacted it. */
async function expiredSince(path: string, resourceVersion: string): Promise<boolean> {
  const ac = new AbortController();
  let gone = false;
  try {
    await raw().stream(
      path,
      { resourceVersion, timeoutSeconds: 1 },
      (line) => {
        const ev = JSON.parse(line) as { type?: string; object?: { code?: number } };
        if (ev.type === 'ERROR' && ev.object?.code === 410) {
          gone = true;
          ac.abort();
        }
      },
      ac.signal,
    );
  } catch (err) {
    if ((err as { status?: number }).status === 410) return true;
    throw err;
  }
  return gone;
}

async function namespace(name: string): Promise<string> {
  await raw().request('PATCH', `/api/v1/namespaces/${name}`, {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'faults', force: true },
  });
  await waitUntil(`default ServiceAccount in ${name}`, () => raw().request('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`));
  return name;
}

async function operator(t: TestContext, args: string[]): Promise<OperatorProcess> {
  const p = await startOperatorProcess(t, args);
  processes.push(p);
  return p;
}

const alive = (p: OperatorProcess): boolean => p.proc.exitCode === null && p.proc.signalCode === null;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function clusterState(): Promise<NonNullable<Awaited<ReturnType<typeof readState>>>> {
  const dir = process.env['HARBOR_TEST_CLUSTER_DIR'];
  assert.ok(dir, 'HARBOR_TEST_CLUSTER_DIR: run the fault suite through `npm run test:faults`');
  const s = await readState(dir);
  assert.ok(s);
  return s;
}

/** Retries a call that may meet connections the API server's restart broke. */
function retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return waitUntil(what, fn, { timeoutMs: 30_000, intervalMs: 300 });
}

/** Issue 15's value of spec.expose.service.loadBalancerClass, which once added a field to the Service and a ConfigMap. */
const HOSTILE_CLASS = 'x\n  externalIPs: ["1.2.3.4"]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: injected';
const kindsAndNames = (objects: KubeObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
/** Objects with what HOSTILE_CLASS would add: `externalIPs` on a Service, a ConfigMap `injected`. */
const injected = (objects: KubeObject[]): string[] =>
  kindsAndNames(objects.filter((o) => o.metadata.name === 'injected' || (o['spec'] as { externalIPs?: unknown } | undefined)?.externalIPs !== undefined));

/** Reconciles that failed so far, retried with backoff (error) or refused for good (permanent). */
async function failedReconciles(op: OperatorProcess): Promise<number> {
  return (await op.counter('harbor_operator_reconcile_total', 'result="error"')) + (await op.counter('harbor_operator_reconcile_total', 'result="permanent"'));
}

/** Creates the HarborCluster, waits until Degraded says ObjectNotOwned with this message and an event says so too; the time that took. */
async function reportedNotOwned(ns: string, cr: KubeObject, message: RegExp): Promise<number> {
  const t0 = Date.now();
  await createCluster(ns, cr);
  const degraded = await waitForCondition(ns, cr.metadata.name, 'Degraded', 'True', 'ObjectNotOwned', 30_000);
  assert.match(condition(degraded, 'Degraded')?.message ?? '', message);
  await waitUntil(`an ObjectNotOwned event of ${cr.metadata.name}`, async () => (await eventsOf(ns, cr.metadata.name)).some((e) => e.reason === 'ObjectNotOwned'));
  return Date.now() - t0;
}

describe('fault injection', () => {
  before(() => ensureCrd());

  after(() => {
    const width = Math.max(...rows.map((r) => r.name.length), 4);
    const lines = ['', `${'case'.padEnd(width)}  result  figures`, ...rows.map((r) => `${r.name.padEnd(width)}  ${r.result.padEnd(6)}  ${r.figures}`)];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  test('1. SIGKILL while 100 HarborClusters are created; a new process converges them all', async (t) => {
    await record(t, '1 kill -9 during 100 creates', async () => {
      await ensureCrd();
      const nss = await Promise.all(['f1-a', 'f1-b', 'f1-c', 'f1-d'].map(namespace));
      const first = await operator(t, ['--workers=4', `--namespaces=${nss.join(',')}`]);
      const names = Array.from({ length: 100 }, (_, i) => ({ ns: nss[i % 4] ?? '', name: `k${String(i).padStart(3, '0')}` }));
      let killedAfter = 0;
      for (let i = 0; i < names.length; i += 10) {
        await Promise.all(names.slice(i, i + 10).map((n) => createCluster(n.ns, harborCluster(n.name))));
        if (i === 40) {
          await waitUntil('some HarborClusters reconciled', async () => {
            const l = await raw().request<{ items: KubeObject[] }>('GET', '/apis/harbor-operator.dev/v1alpha1/harborclusters');
            return l.items.filter((h) => h['status']).length >= 5;
          });
          killedAfter = (await raw().request<{ items: KubeObject[] }>('GET', '/apis/harbor-operator.dev/v1alpha1/harborclusters')).items.filter(
            (h) => h['status'],
          ).length;
          first.proc.kill('SIGKILL');
        }
      }
      const t0 = Date.now();
      await operator(t, ['--workers=4', `--namespaces=${nss.join(',')}`]);
      await waitUntil(
        'all 100 Ready with their generation observed',
        async () => {
          const l = await raw().request<{ items: (KubeObject & { status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] } })[] }>(
            'GET',
            '/apis/harbor-operator.dev/v1alpha1/harborclusters',
          );
          const ours = l.items.filter((h) => nss.includes(h.metadata.namespace ?? ''));
          return (
            ours.length === 100 &&
            ours.every((h) => h.status?.observedGeneration === h.metadata.generation && h.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          );
        },
        { timeoutMs: 600_000, intervalMs: 2000 },
      );
      const converged = Date.now() - t0;
      // No duplicates: one ReplicaSet per Deployment (regenerated secrets
      // would have rolled a second one); no orphans: every labelled object
      // belongs to a live HarborCluster; secrets agree with what pods read.
      let objects = 0;
      for (const ns of nss) {
        const hcs = new Map(
          (await raw().request<{ items: KubeObject[] }>('GET', `/apis/harbor-operator.dev/v1alpha1/namespaces/${ns}/harborclusters`)).items.map((h) => [
            h.metadata.name,
            h.metadata.uid,
          ]),
        );
        const rs = await raw().request<{ items: KubeObject[] }>('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`);
        const perDeployment = new Map<string, number>();
        for (const r of rs.items) {
          const owner = r.metadata.ownerReferences?.[0]?.name ?? '';
          perDeployment.set(owner, (perDeployment.get(owner) ?? 0) + 1);
        }
        for (const [d, n] of perDeployment) assert.equal(n, 1, `${ns}/${d} has ${n} ReplicaSets`);
        for (const kind of ALL) {
          for (const o of await list(ns, kind)) {
            const cluster = o.metadata.labels?.['harbor-operator.dev/cluster'];
            if (!cluster) continue;
            objects++;
            assert.ok(hcs.has(cluster), `${kind}/${o.metadata.name} belongs to no HarborCluster`);
            const ref = o.metadata.ownerReferences?.[0];
            if (ref) assert.equal(ref.uid, hcs.get(cluster), `${kind}/${o.metadata.name} owned by a live HarborCluster`);
          }
        }
      }
      const gen = (await get('f1-a', 'Secret', 'k000-generated-secrets')) as { data: Record<string, string> } | undefined;
      const core = (await get('f1-a', 'Secret', 'k000-core')) as { data: Record<string, string> } | undefined;
      assert.equal(core?.data['CSRF_KEY'], gen?.data['csrfKey'], 'core reads the stored CSRF key');
      return `killed after ${killedAfter} had status; new process converged 100 in ${seconds(converged)}; ${objects} objects, 0 duplicates, 0 orphans`;
    });
  });

  test('2. kube-apiserver stopped for 20 s: the operator stays up and catches up', async (t) => {
    await record(t, '2 apiserver down 20 s', async () => {
      const ns = await namespace('f2');
      const op = await operator(t, [`--namespaces=${ns}`]);
      await createCluster(ns, harborCluster('a1'));
      await waitForCondition(ns, 'a1', 'Ready', 'True');
      const state = await clusterState();
      await stopComponent(state, 'kube-apiserver');
      await sleep(20_000); // the fault itself: 20 s without an API server
      assert.ok(alive(op), 'the operator did not exit while the API server was down');
      await startComponent(state, 'kube-apiserver');
      await waitApiserverReady(state);
      const t0 = Date.now();
      await retrying('spec change after the restart', () => patchCluster(ns, 'a1', { spec: { components: { portal: { replicas: 2 } } } }));
      await waitUntil(
        'portal scaled',
        async () => ((await get(ns, 'Deployment', 'a1-portal'))?.['spec'] as { replicas?: number } | undefined)?.replicas === 2,
        { timeoutMs: 30_000 },
      );
      const applied = Date.now() - t0;
      assert.ok(alive(op));
      return `operator alive; change after restart applied in ${seconds(applied)} (limit 30 s)`;
    });
  });

  test('3. an expired watch (410 Gone): the operator lists again and misses nothing', async (t) => {
    await record(t, '3 watch expired (410)', async () => {
      const ns = await namespace('f3');
      const proxy = proxyFor(kubeConfig());
      t.after(() => proxy.close());
      const port = await proxy.listen();
      const op = await operator(t, [`--namespaces=${ns}`, `--kubeconfig=${await proxyKubeconfig(t, port)}`]);
      await createCluster(ns, harborCluster('w1'));
      await waitForCondition(ns, 'w1', 'Ready', 'True');
      const relists = async (): Promise<number> => {
        const text = await op.metrics();
        return text
          .split('\n')
          .filter((l) => l.startsWith('harbor_operator_informer_events_total') && l.includes('what="relistsAfterGone"'))
          .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      };
      const before = await relists();
      proxy.setMode({ kind: 'down' });
      // What the operator can have seen at most, now that it is cut off.
      const cutAt = (await raw().request<{ metadata: { resourceVersion: string } }>('GET', `/apis/apps/v1/namespaces/${ns}/deployments`)).metadata.resourceVersion;
      // Changes the operator cannot see while cut off: a spec change and a hand edit.
      await patchCluster(ns, 'w1', { spec: { components: { jobservice: { replicas: 2 } } } });
      await patch(ns, 'Deployment', 'w1-portal', { spec: { template: { spec: { containers: [{ name: 'portal', image: 'evil.example/p:1' }] } } } });
      // etcd compacts every 5 s: wait until a watch from there is refused with 410, as the operator's will be.
      await waitUntil('the resourceVersion of the cut compacted away', () => expiredSince(`/apis/apps/v1/namespaces/${ns}/deployments`, cutAt), {
        timeoutMs: 60_000,
        intervalMs: 1000,
      });
      proxy.setMode({ kind: 'pass' });
      const t0 = Date.now();
      await waitUntil(
        'both changes handled',
        async () => {
          const js = await get(ns, 'Deployment', 'w1-jobservice');
          const portal = await get(ns, 'Deployment', 'w1-portal');
          const image = (portal?.['spec'] as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec.containers[0]?.image;
          return (js?.['spec'] as { replicas?: number } | undefined)?.replicas === 2 && !!image && !image.startsWith('evil');
        },
        { timeoutMs: 60_000 },
      );
      const caughtUp = Date.now() - t0;
      const after = await waitUntil('relists counted', async () => ((await relists()) > before ? relists() : undefined));
      return `relists after 410: ${after - before}; both changes made while cut off applied ${seconds(caughtUp)} after reconnect`;
    });
  });

  test('4. render failures: chart error, helm missing, helm hanging — Degraded, nothing touched, recovery', async (t) => {
    await record(t, '4 render failures', async () => {
      const figures: string[] = [];
      const dir = await scratchDir(t, 'faults-helm');
      const brokenChart = join(dir, 'chart');
      await cp(chartDir, brokenChart, { recursive: true });
      const template = join(brokenChart, 'templates/core/deployment.yaml');
      const good = await readFile(template, 'utf8');
      const helmPath = join(dir, 'helm');
      const variants: { name: string; args: string[]; breakIt: () => Promise<void>; fixIt: () => Promise<void>; message: RegExp }[] = [
        {
          name: 'chart error',
          args: [`--chart-dir=${brokenChart}`],
          breakIt: () => writeFile(template, `${good}\n{{ fail "chart broken on purpose" }}\n`),
          fixIt: () => writeFile(template, good),
          message: /chart broken on purpose/,
        },
        {
          name: 'helm missing',
          args: [`--helm=${helmPath}`],
          breakIt: () => rm(helmPath, { force: true }),
          fixIt: () => symlink(helmBinary(), helmPath),
          message: /helm binary not found/,
        },
        {
          name: 'helm hanging',
          args: [`--helm=${helmPath}`, '--helm-timeout=2s'],
          breakIt: async () => {
            await rm(helmPath, { force: true });
            await writeFile(helmPath, '#!/bin/sh\nsleep 600\n');
            await chmod(helmPath, 0o755);
          },
          fixIt: async () => {
            await rm(helmPath, { force: true });
            await symlink(helmBinary(), helmPath);
          },
          message: /timed out after 2000 ms/,
        },
      ];
      let i = 0;
      for (const v of variants) {
        const ns = await namespace(`f4-${++i}`);
        await v.fixIt().catch(() => undefined);
        const good1 = await operator(t, [`--namespaces=${ns}`, ...v.args]);
        await createCluster(ns, harborCluster('r1'));
        await waitForCondition(ns, 'r1', 'Ready', 'True');
        const before = await versions(ns, ALL);
        await v.breakIt();
        await patchCluster(ns, 'r1', { spec: { components: { core: { replicas: 2 } } } });
        const degraded = await waitForCondition(ns, 'r1', 'Degraded', 'True', 'RenderFailed', 60_000);
        assert.match(degraded.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', v.message);
        // It retries with backoff: look only after it has failed twice more.
        const failures = (): Promise<number> => good1.counter('harbor_operator_reconcile_total', 'result="error"');
        const failed = await failures();
        await waitUntil('two more failed reconciles', async () => (await failures()) >= failed + 2, { timeoutMs: 30_000 });
        assert.deepEqual(await versions(ns, ALL), before, `${v.name}: nothing changed or deleted`);
        assert.ok(alive(good1));
        const t0 = Date.now();
        await v.fixIt();
        await waitForCondition(ns, 'r1', 'Degraded', 'False', 'AsExpected', 120_000);
        const core = await get(ns, 'Deployment', 'r1-core');
        assert.equal((core?.['spec'] as { replicas: number }).replicas, 2);
        figures.push(`${v.name}: recovered ${seconds(Date.now() - t0)} after the fix`);
        good1.proc.kill('SIGTERM');
        await good1.exited;
      }
      return figures.join('; ');
    });
  });

  test('5. malformed HarborClusters: refused with the field named, or reported in status', async (t) => {
    await record(t, '5 malformed input', async () => {
      const ns = await namespace('f5');
      const op = await operator(t, [`--namespaces=${ns}`]);
      const base = { externalURL: 'https://m.example.com', expose: { type: 'Ingress', ingress: { host: 'm.example.com' } } };
      const big = 'x'.repeat(70_000);
      const cases: { name: string; spec?: unknown; meta?: Record<string, unknown>; field: RegExp }[] = [
        { name: 'url ftp', spec: { ...base, externalURL: 'ftp://m.example.com' }, field: /externalURL/ },
        { name: 'url bare', spec: { ...base, externalURL: 'm.example.com' }, field: /externalURL/ },
        { name: 'url with path', spec: { ...base, externalURL: 'https://m.example.com/harbor' }, field: /externalURL/ },
        { name: 'url missing', spec: { expose: base.expose }, field: /externalURL/ },
        { name: 'url as number', spec: { ...base, externalURL: 42 }, field: /externalURL/ },
        { name: 'version 2.12', spec: { ...base, version: '2.12.0' }, field: /version/ },
        { name: 'version 3.0', spec: { ...base, version: '3.0.0' }, field: /version/ },
        { name: 'version latest', spec: { ...base, version: 'latest' }, field: /version/ },
        { name: 'version v-prefixed', spec: { ...base, version: 'v2.15.1' }, field: /version/ },
        { name: 'version number', spec: { ...base, version: 2.15 }, field: /version/ },
        { name: 'expose type', spec: { ...base, expose: { type: 'Route' } }, field: /expose\.type/ },
        { name: 'ingress without host', spec: { ...base, expose: { type: 'Ingress', ingress: {} } }, field: /host/ },
        { name: 'ingress host not the URL host', spec: { ...base, expose: { type: 'Ingress', ingress: { host: 'other.example.com' } } }, field: /host/ },
        {
          name: 'both TLS sources',
          spec: { ...base, expose: { type: 'Ingress', ingress: { host: 'm.example.com', tls: { secretName: 's', issuerRef: { name: 'i' } } } } },
          field: /tls/,
        },
        { name: 'issuer kind', spec: { ...base, expose: { type: 'Ingress', ingress: { host: 'm.example.com', tls: { issuerRef: { name: 'i', kind: 'Vault' } } } } }, field: /kind/ },
        { name: 'negative replicas', spec: { ...base, components: { core: { replicas: -1 } } }, field: /replicas/ },
        { name: 'replicas as text', spec: { ...base, components: { portal: { replicas: 'two' } } }, field: /replicas/ },
        { name: 'huge replicas', spec: { ...base, components: { portal: { replicas: 100000 } } }, field: /replicas/ },
        { name: 'workers negative', spec: { ...base, components: { jobservice: { workers: -5 } } }, field: /workers/ },
        { name: 'database type', spec: { ...base, database: { type: 'MySQL' } }, field: /database\.type/ },
        { name: 'external database without section', spec: { ...base, database: { type: 'External' } }, field: /database/ },
        { name: 'external database without host', spec: { ...base, database: { type: 'External', external: { username: 'u', passwordSecretRef: { name: 'p' } } } }, field: /host/ },
        { name: 'sslmode', spec: { ...base, database: { type: 'External', external: { host: 'h', username: 'u', passwordSecretRef: { name: 'p' }, sslMode: 'maybe' } } }, field: /sslMode/ },
        { name: 'cache type', spec: { ...base, cache: { type: 'Memcached' } }, field: /cache\.type/ },
        { name: 'external cache without address', spec: { ...base, cache: { type: 'External', external: {} } }, field: /address/ },
        { name: 'storage type', spec: { ...base, storage: { type: 'NFS' } }, field: /storage\.type/ },
        { name: 'S3 without bucket', spec: { ...base, storage: { type: 'S3', s3: { region: 'eu' } } }, field: /bucket/ },
        { name: 'log level', spec: { ...base, logLevel: 'chatty' }, field: /logLevel/ },
        { name: 'huge annotation value', spec: { ...base, components: { core: { podAnnotations: { a: big } } } }, field: /podAnnotations|Too long|too long/ },
        { name: 'name too long', meta: { name: 'n'.repeat(45) }, spec: base, field: /metadata\.name|name/ },
        { name: 'spec missing', spec: undefined, field: /spec/ },
      ];
      let refused = 0;
      for (const c of cases) {
        const body = {
          apiVersion: 'harbor-operator.dev/v1alpha1',
          kind: 'HarborCluster',
          metadata: { name: `bad-${refused}`, ...(c.meta ?? {}) },
          ...(c.spec === undefined ? {} : { spec: c.spec }),
        };
        const err = await harborClusters()
          .create(ns, body)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        const r = refusal(err);
        assert.ok(r, `${c.name}: refused`);
        assert.ok([400, 422].includes(r.code), `${c.name}: HTTP ${r.code}`);
        assert.match(r.message, c.field, `${c.name}: the message names the field: ${r.message}`);
        refused++;
      }
      // Unknown fields: refused when the client asks for strict validation.
      const unknown = await harborClusters()
        .create(ns, { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name: 'bad-unknown' }, spec: { ...base, replica: 3 } }, { fieldValidation: 'Strict' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.match(refusal(unknown)?.message ?? '', /unknown field "spec\.replica"/);
      refused++;
      // Only the operator can tell: referenced Secrets that do not exist.
      const statusCases: { name: string; spec: Record<string, unknown>; field: RegExp }[] = [
        { name: 's-admin', spec: { adminPasswordSecretRef: { name: 'nope' } }, field: /spec\.adminPasswordSecretRef: Secret f5\/nope not found/ },
        {
          name: 's-db',
          spec: { database: { type: 'External', external: { host: 'pg', username: 'u', passwordSecretRef: { name: 'nope-db' } } } },
          field: /spec\.database\.external\.passwordSecretRef/,
        },
        { name: 's-cache', spec: { cache: { type: 'External', external: { address: 'r:6379', passwordSecretRef: { name: 'nope-c' } } } }, field: /spec\.cache\.external\.passwordSecretRef/ },
        {
          name: 's-s3',
          spec: { storage: { type: 'S3', s3: { bucket: 'b', region: 'r', credentialsSecretRef: { name: 'nope-s3' } } } },
          field: /spec\.storage\.s3\.credentialsSecretRef/,
        },
      ];
      for (const c of statusCases) {
        await createCluster(ns, harborCluster(c.name, { ...c.spec, externalURL: `https://${c.name}.example.test`, expose: { type: 'Ingress', ingress: { host: `${c.name}.example.test` } } }));
        const d = await waitForCondition(ns, c.name, 'Degraded', 'True', 'SecretNotFound', 30_000);
        assert.match(d.status?.conditions?.find((x) => x.type === 'Degraded')?.message ?? '', c.field);
        assert.equal((await list(ns, 'Deployment')).filter((x) => x.metadata.name.startsWith(`${c.name}-`)).length, 0, 'nothing was created');
      }
      await createCluster(ns, harborCluster('fine'));
      await waitForCondition(ns, 'fine', 'Ready', 'True');
      assert.ok(alive(op), 'the operator never crashed');
      return `${refused} refused by the API server with the field named; ${statusCases.length} reported in status (SecretNotFound); a valid one beside them Ready`;
    });
  });

  test('6. someone keeps editing a managed field: repaired with backoff, warned, no hot loop', async (t) => {
    await record(t, '6 drift fight', async () => {
      const ns = await namespace('f6');
      const op = await operator(t, [`--namespaces=${ns}`]);
      await createCluster(ns, harborCluster('d1'));
      await waitForCondition(ns, 'd1', 'Ready', 'True');
      const image = ((await get(ns, 'Deployment', 'd1-portal'))?.['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image;
      const applies = (): Promise<number> => op.counter('harbor_operator_applies_total', 'kind="Deployment",verb="update"');
      const before = await applies();
      let edits = 0;
      const end = Date.now() + 12_000;
      while (Date.now() < end) {
        await raw().request('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/d1-portal`, {
          body: { spec: { template: { spec: { containers: [{ name: 'portal', image: `fighter.example/p:${edits}` }] } } } },
          contentType: 'application/merge-patch+json',
          query: { fieldManager: 'fault-fighter' },
        });
        edits++;
        await sleep(200); // the fighter's pace: five edits a second
      }
      const repairs = (await applies()) - before;
      assert.ok(repairs > 0, 'the operator repaired');
      assert.ok(repairs <= edits / 3, `not a hot loop: ${repairs} repairs for ${edits} edits`);
      const events = await raw().request<{ items: { reason: string; message: string; type: string }[] }>('GET', `/api/v1/namespaces/${ns}/events`);
      const warning = events.items.find((e) => e.reason === 'DriftFight');
      assert.ok(warning, 'a DriftFight event');
      assert.equal(warning.type, 'Warning');
      assert.match(warning.message, /fault-fighter/, 'the event names who keeps changing it');
      assert.ok(op.output.join('').includes('drift fight: repairs paused'), 'logged');
      const t0 = Date.now();
      await waitUntil(
        'set back once the fight stops',
        async () => ((await get(ns, 'Deployment', 'd1-portal'))?.['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image === image,
        { timeoutMs: 90_000 },
      );
      return `${edits} edits in 12 s → ${repairs} repairs; DriftFight warning names fault-fighter; set back ${seconds(Date.now() - t0)} after the fight`;
    });
  });

  test('7. the API server answers 429 and then 503 for a while: back off and catch up', async (t) => {
    await record(t, '7 throttled (429, 503)', async () => {
      const ns = await namespace('f7');
      const proxy = proxyFor(kubeConfig());
      t.after(() => proxy.close());
      const op = await operator(t, [`--namespaces=${ns}`, `--kubeconfig=${await proxyKubeconfig(t, await proxy.listen())}`]);
      await createCluster(ns, harborCluster('q1'));
      await waitForCondition(ns, 'q1', 'Ready', 'True');
      proxy.setMode({ kind: 'error', status: 429 });
      await patchCluster(ns, 'q1', { spec: { components: { registry: { replicas: 2 } } } });
      await sleep(8000); // the fault itself: 8 s of 429
      proxy.setMode({ kind: 'error', status: 503 });
      await sleep(5000); // then 5 s of 503
      const failed = proxy.counts.failed;
      proxy.setMode({ kind: 'pass' });
      const t0 = Date.now();
      await waitUntil(
        'registry scaled after the errors stopped',
        async () => ((await get(ns, 'Deployment', 'q1-registry'))?.['spec'] as { replicas?: number } | undefined)?.replicas === 2,
        { timeoutMs: 60_000 },
      );
      assert.ok(failed < 100, `backed off: ${failed} requests answered with errors in 13 s`);
      assert.ok(alive(op));
      return `${failed} requests refused in 13 s of 429/503; change applied ${seconds(Date.now() - t0)} after recovery`;
    });
  });

  test('9. installed for a list of namespaces: nothing outside them is read, written or reconciled', async (t) => {
    await record(t, '9 RBAC per namespace', async () => {
      const sys = await namespace('f9-sys');
      const inside = await namespace('f9-in');
      const outside = await namespace('f9-out');
      await helm('install', 'fault-op', operatorChart, '-n', sys, '--set', `watchNamespaces={${inside}}`);
      t.after(() => helm('uninstall', 'fault-op', '-n', sys).then(() => undefined, () => undefined));
      const deployment = await get(sys, 'Deployment', 'fault-op-harbor-operator').then((d) => d ?? get(sys, 'Deployment', 'fault-op'));
      assert.ok(deployment, 'the chart Deployment');
      const sa = (deployment['spec'] as { template: { spec: { serviceAccountName: string } } }).template.spec.serviceAccountName;
      const kubeconfig = await serviceAccountKubeconfig(t, sys, sa);
      const args = chartArgsForLocalRun(deployment, await freePort(), await freePort());
      assert.ok(args.includes(`--namespaces=${inside}`), `the chart passes --namespaces: ${args.join(' ')}`);
      // what the downward API gives the chart's pod
      process.env['POD_NAMESPACE'] = sys;
      t.after(() => {
        delete process.env['POD_NAMESPACE'];
      });
      // The ports are the ones the helper reads /metrics on, not the chart's.
      const ownPorts = (a: string): boolean => !a.startsWith('--metrics-bind-address=') && !a.startsWith('--health-probe-bind-address=');
      const op = await operator(t, [...args.filter(ownPorts), `--kubeconfig=${kubeconfig}`]);
      // out1 first: had the operator seen it, it would have taken it before in1,
      // which needs several reconciles to become Ready.
      await createCluster(outside, harborCluster('out1'));
      await createCluster(inside, harborCluster('in1'));
      await waitForCondition(inside, 'in1', 'Ready', 'True');
      // (the counter moves when a reconcile returns, just after its status write)
      await waitUntil('two reconciles done', async () => (await op.counter('harbor_operator_reconcile_total', 'result="success"')) >= 2, { timeoutMs: 30_000 });
      assert.equal((await getCluster(outside, 'out1')).status, undefined, 'a HarborCluster elsewhere is ignored');
      assert.equal((await list(outside, 'Deployment')).length, 0);
      // The chart's identity itself cannot reach outside.
      const { KubeConfig } = await import('@kubernetes/client-node');
      const { createKubeHttp } = await import('../../src/kube/http.ts');
      const skc = new KubeConfig();
      skc.loadFromFile(kubeconfig);
      const as = createKubeHttp(skc);
      const status = (p: Promise<unknown>): Promise<number> => p.then(() => 200, (e: unknown) => (e as { status?: number }).status ?? 0);
      assert.equal(await status(as.request('GET', `/api/v1/namespaces/${outside}/secrets`)), 403, 'no Secrets read outside');
      assert.equal(
        await status(as.request('POST', `/api/v1/namespaces/${outside}/configmaps`, { body: { metadata: { name: 'x' } }, query: { dryRun: 'All' } })),
        403,
        'no writes outside',
      );
      assert.equal(await status(as.request('GET', '/api/v1/secrets')), 403, 'no cluster-wide Secrets');
      assert.equal(
        await status(as.request('POST', `/api/v1/namespaces/${inside}/configmaps`, { body: { metadata: { name: 'x' } }, query: { dryRun: 'All' } })),
        200,
        'writes inside are allowed',
      );
      const denied = op.output.join('').match(/forbidden/gi)?.length ?? 0;
      assert.equal(denied, 0, 'the operator itself met no forbidden request');
      return `reconciled in ${inside}; ignored ${outside}; SA denied: Secrets and writes outside, cluster-wide Secrets; 0 forbidden in the operator's log`;
    });
  });

  test('10. database provisioning: wrong admin password, the server down, a rotation, a drop that waits for the server', async (t) => {
    await record(t, '10 PostgreSQL provisioning', async () => {
      const pg = await startPostgres();
      t.after(() => pg.stop());
      const ns = await namespace('f10');
      const adminSecret = (password: string): Promise<unknown> =>
        raw().request('PATCH', `/api/v1/namespaces/${ns}/secrets/pg-admin`, {
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            // The scan at the end looks for the values of Secrets with this label too.
            metadata: { name: 'pg-admin', namespace: ns, labels: { 'harbor-operator.test/scan': 'true' } },
            stringData: { username: pg.admin.user, password },
          },
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager: 'faults', force: true },
        });
      await adminSecret('wrong-admin-password-f10');
      const op = await operator(t, [`--namespaces=${ns}`]);
      const spec = {
        database: { type: 'External', external: { host: '127.0.0.1', port: pg.port, provision: { adminSecretRef: { name: 'pg-admin' } } } },
        persistence: { deleteClaimsWithCluster: true },
      };
      await createCluster(ns, harborCluster('db', spec));
      const denied = await waitForCondition(ns, 'db', 'DatabaseProvisioned', 'False', 'AuthenticationFailed', 30_000);
      assert.match(denied.status?.conditions?.find((c) => c.type === 'DatabaseProvisioned')?.message ?? '', /password authentication failed for user "harbor_admin"/);
      assert.equal((await list(ns, 'Deployment')).length, 0, 'nothing of Harbor applied');
      await pg.down();
      await adminSecret(pg.admin.password);
      await waitForCondition(ns, 'db', 'DatabaseProvisioned', 'False', 'ServerUnreachable', 30_000);
      const back = Date.now();
      await pg.up();
      await waitForCondition(ns, 'db', 'Ready', 'True', undefined, 60_000);
      const readyAfter = Date.now() - back;
      const generated = (await get(ns, 'Secret', 'db-generated-secrets')) as { data: Record<string, string> } | undefined;
      const first = Buffer.from(generated?.data['databasePassword'] ?? '', 'base64').toString();
      await patchCluster(ns, 'db', { metadata: { annotations: { 'harbor-operator.dev/rotate-database-password': 'f10' } } });
      const role = (await get(ns, 'ConfigMap', 'db-core'))?.['data'] as Record<string, string> | undefined;
      const user = role?.['POSTGRESQL_USERNAME'] ?? '';
      const rotated = await waitUntil('the password rotated', async () => {
        const s = (await get(ns, 'Secret', 'db-generated-secrets')) as { data: Record<string, string> } | undefined;
        const p = Buffer.from(s?.data['databasePassword'] ?? '', 'base64').toString();
        return p && p !== first ? p : undefined;
      });
      assert.equal(await pg.canLogin({ user, password: rotated }, user), true);
      assert.equal(await pg.canLogin({ user, password: first }, user), false);
      // Deleted while the server is down: held by the finalizer, dropped when it is back.
      await pg.down();
      await raw().request('DELETE', `/apis/harbor-operator.dev/v1alpha1/namespaces/${ns}/harborclusters/db`);
      await sleep(3000);
      assert.ok((await getCluster(ns, 'db')).metadata.deletionTimestamp, 'held while the database cannot be dropped');
      await pg.up();
      await waitUntil('the HarborCluster gone', () => getCluster(ns, 'db').then(() => false, () => true), { timeoutMs: 60_000 });
      assert.equal(await pg.psql(`SELECT count(*) FROM pg_database WHERE datname = '${user}'`), '0', 'dropped');
      assert.ok(alive(op), 'the operator never crashed');
      return `wrong password and server down reported; Ready ${seconds(readyAfter)} after the server was back; rotated; dropped after the server came back`;
    });
  });

  test('11. the generated Secret deleted, then lost; a referenced password rotated: values kept, rotation in 10 s', async (t) => {
    await record(t, '11 secrets kept, rotation arrives', async () => {
      const ns = await namespace('f11');
      const putDbPassword = (password: string): Promise<unknown> => {
        referencedValues.add(password);
        return raw().request('PATCH', `/api/v1/namespaces/${ns}/secrets/f11-db`, {
          body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'f11-db', labels: { 'harbor-operator.test/scan': 'true' } }, stringData: { password } },
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager: 'faults', force: true },
        });
      };
      const data = (o: KubeObject | undefined): Record<string, string> => (o?.['data'] ?? {}) as Record<string, string>;
      const decoded = (o: KubeObject | undefined, k: string): string => Buffer.from(data(o)[k] ?? '', 'base64').toString('utf8');
      await putDbPassword('first-database-password-f11');
      const op = await operator(t, [`--namespaces=${ns}`]);
      await createCluster(
        ns,
        harborCluster('s1', { database: { type: 'External', external: { host: 'pg.example.test', username: 'harbor', passwordSecretRef: { name: 'f11-db' } } } }),
      );
      await waitForCondition(ns, 's1', 'Ready', 'True');
      const old = await get(ns, 'Secret', 's1-generated-secrets');
      assert.ok(old);

      // kubectl delete: held by the finalizer and written again.
      let t0 = Date.now();
      await raw().request('DELETE', `/api/v1/namespaces/${ns}/secrets/s1-generated-secrets`);
      const again = await waitUntil('the generated Secret written again', async () => {
        const s = await get(ns, 'Secret', 's1-generated-secrets');
        return s && s.metadata.uid !== old.metadata.uid && !s.metadata.deletionTimestamp ? s : undefined;
      });
      const heldMs = Date.now() - t0;
      assert.deepEqual(data(again), data(old), 'every value kept');

      // Lost for real (finalizer removed while the operator was down): recovered from the copies.
      op.proc.kill('SIGKILL');
      await op.exited;
      await patch(ns, 'Secret', 's1-generated-secrets', { metadata: { finalizers: null } });
      await raw().request('DELETE', `/api/v1/namespaces/${ns}/secrets/s1-generated-secrets`);
      await operator(t, [`--namespaces=${ns}`]);
      t0 = Date.now();
      const recovered = await waitUntil('the generated Secret recovered', () => get(ns, 'Secret', 's1-generated-secrets'));
      const lostMs = Date.now() - t0;
      // The token certificate has no copy (nothing reads it): derived again from the kept key.
      const { tokenCert: _new, ...recoveredValues } = data(recovered);
      const { tokenCert: _old, ...oldValues } = data(old);
      assert.deepEqual(recoveredValues, oldValues, 'every value recovered');

      // The referenced database password rotated: in the children within 10 s.
      t0 = Date.now();
      await putDbPassword('second-database-password-f11');
      await waitUntil(
        'core holds the rotated password',
        async () => decoded(await get(ns, 'Secret', 's1-core'), 'POSTGRESQL_PASSWORD') === 'second-database-password-f11',
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      const rotatedMs = Date.now() - t0;
      return `kubectl delete undone in ${seconds(heldMs)} (${Object.keys(data(old)).length} values unchanged); lost Secret recovered ${seconds(lostMs)} after start (${Object.keys(oldValues).length} values unchanged, the token certificate derived); rotated password in core after ${seconds(rotatedMs)}`;
    });
  });

  test('12. settings, storage and scanner credentials: missing ones reported, all read, a rotated one rolls core only without a spec change', async (t) => {
    await record(t, '12 settings and storage Secrets', async () => {
      const ns = await namespace('f12');
      // Every value of these Secrets is scanned at the end (label harbor-operator.test/scan;
      // the values rotated away too).
      const secret = (name: string, stringData: Record<string, string>): Promise<unknown> => {
        for (const v of Object.values(stringData)) referencedValues.add(v);
        return raw().request('PATCH', `/api/v1/namespaces/${ns}/secrets/${name}`, {
          body: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns, labels: { 'harbor-operator.test/scan': 'true' } }, stringData },
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager: 'faults', force: true },
        });
      };
      const op = await operator(t, [`--namespaces=${ns}`]);
      const oidc = { endpoint: 'https://id.example.test', clientID: 'harbor', clientSecretSecretRef: { name: 'oidc' } };
      const clusters: Record<string, Record<string, unknown>> = {
        oidc: { configuration: { auth: { mode: 'OIDC', oidc } }, components: { trivy: { githubTokenSecretRef: { name: 'gh' } } } },
        ldap: {
          configuration: { auth: { mode: 'LDAP', ldap: { url: 'ldaps://ldap.example.test', baseDN: 'dc=x', searchDN: 'cn=h', searchPasswordSecretRef: { name: 'ldap' } } } },
          storage: { type: 'Azure', azure: { accountName: 'harborimages', accountKeySecretRef: { name: 'azure' }, container: 'registry' } },
        },
        uaa: {
          configuration: { auth: { mode: 'UAA', uaa: { endpoint: 'https://uaa.example.test', clientID: 'h', clientSecretSecretRef: { name: 'uaa' } } } },
          storage: { type: 'GCS', gcs: { bucket: 'b', keyFileSecretRef: { name: 'gcs' } } },
        },
        swift: { storage: { type: 'Swift', swift: { authURL: 'https://k.example.test/v3', username: 'u', credentialsSecretRef: { name: 'swift', secretKeyKey: 'tempURLKey', accessKeyKey: 'accessKey' }, container: 'c' } } },
        oss: { storage: { type: 'OSS', oss: { bucket: 'b', region: 'oss-cn-hangzhou', credentialsSecretRef: { name: 'oss' } } } },
        cf: {
          storage: {
            type: 'S3',
            s3: { bucket: 'b', region: 'eu-west-1', credentialsSecretRef: { name: 's3' }, cloudFront: { baseURL: 'https://d1.cloudfront.net', keyPairID: 'K1', privateKeySecretRef: { name: 'cloudfront' } } },
          },
        },
        // Harbor's own secrets brought by the user instead of generated (spec.secrets).
        own: {
          secrets: {
            secretKeySecretRef: { name: 'byo-secret-key' },
            tokenKeySecretRef: { name: 'byo-token-key' },
            coreSecretSecretRef: { name: 'byo-core' },
            jobserviceSecretSecretRef: { name: 'byo-jobservice' },
            registryHttpSecretSecretRef: { name: 'byo-registry' },
          },
        },
      };
      for (const [name, spec] of Object.entries(clusters)) {
        await createCluster(ns, harborCluster(name, { ...spec, externalURL: `https://${name}.example.test`, expose: { type: 'Ingress', ingress: { host: `${name}.example.test` } } }));
      }
      // None of the Secrets exists yet: each cluster says which field names a missing one.
      for (const name of Object.keys(clusters)) {
        const d = await waitForCondition(ns, name, 'Degraded', 'True', 'SecretNotFound', 30_000);
        assert.match(d.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', /spec\.(configuration|storage|components|secrets)\.[a-zA-Z0-9.]+SecretRef: Secret f12\/\S+ not found/);
      }
      const values: Record<string, Record<string, string>> = {
        oidc: { clientSecret: 'f12-oidc-client-secret-1' },
        gh: { token: 'f12-github-token-value' },
        ldap: { password: 'f12-ldap-search-password' },
        azure: { accountKey: 'f12-azure-account-key==' },
        uaa: { clientSecret: 'f12-uaa-client-secret-v' },
        gcs: { 'key.json': '{"type":"service_account","private_key":"f12-gcs-private-key-v"}' },
        swift: { password: 'f12-swift-password-value', tempURLKey: 'f12-swift-tempurl-key', accessKey: 'f12-swift-access-key' },
        oss: { accessKeyId: 'F12OSSACCESSKEYID', accessKeySecret: 'f12-oss-access-secret' },
        s3: { accessKey: 'F12S3ACCESSKEYID', secretKey: 'f12-s3-secret-access-key' },
        cloudfront: { privateKey: '-----BEGIN RSA PRIVATE KEY-----\nf12-cloudfront-private-key\n-----END RSA PRIVATE KEY-----\n' },
        // Harbor's secretKey is 16 bytes; core reads the token key as a PKCS#1 RSA PEM.
        'byo-secret-key': { secretKey: 'f12-own-secretk1' },
        'byo-token-key': { 'tls.key': generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() },
        'byo-core': { secret: 'f12-own-core-secret-value' },
        'byo-jobservice': { secret: 'f12-own-jobservice-secret' },
        'byo-registry': { secret: 'f12-own-registry-http-secret' },
      };
      for (const [name, data] of Object.entries(values)) await secret(name, data);
      const t0 = Date.now();
      for (const name of Object.keys(clusters)) await waitForCondition(ns, name, 'Ready', 'True', undefined, 120_000);
      const readyAfter = Date.now() - t0;
      const coreEnv = (await get(ns, 'Secret', 'own-core'))?.['data'] as Record<string, string> | undefined;
      assert.equal(Buffer.from(coreEnv?.['CORE_SECRET'] ?? '', 'base64').toString('utf8'), 'f12-own-core-secret-value', "core runs with the user's core secret");
      // A rotated OIDC client secret, with no spec change: the watch of referenced Secrets brings it.
      const workloads = async (): Promise<Map<string, string>> =>
        new Map((await Promise.all(['Deployment', 'StatefulSet'].map((k) => list(ns, k)))).flat().filter((w) => w.metadata.name.startsWith('oidc-')).map((w) => [w.metadata.name, JSON.stringify((w['spec'] as { template: unknown }).template)]));
      const before = await workloads();
      const digestBefore = (await getCluster(ns, 'oidc')).status?.appliedDigest;
      assert.ok(digestBefore, 'a complete apply recorded');
      const t1 = Date.now();
      await secret('oidc', { clientSecret: 'f12-oidc-client-secret-2' });
      // Waited for until a new complete apply is recorded (status.appliedDigest is removed
      // before a reconcile changes a child and set again after every write), so a second
      // rolled workload would show.
      const rolled = await waitUntil(
        'core rolled and the apply recorded',
        async () => {
          const digest = (await getCluster(ns, 'oidc')).status?.appliedDigest;
          if (!digest || digest === digestBefore) return undefined;
          const now = await workloads();
          const changed = [...now.keys()].filter((k) => now.get(k) !== before.get(k));
          return changed.includes('oidc-core') ? changed : undefined;
        },
        { timeoutMs: 30_000 },
      );
      const rotatedMs = Date.now() - t1;
      const overwrite = Buffer.from(((await get(ns, 'Secret', 'oidc-core'))?.['data'] as Record<string, string>)['CONFIG_OVERWRITE_JSON'] ?? '', 'base64').toString('utf8');
      assert.equal((JSON.parse(overwrite) as Record<string, unknown>)['oidc_client_secret'], 'f12-oidc-client-secret-2', 'core reads the rotated secret');
      assert.deepEqual(rolled, ['oidc-core'], 'only core reads the OIDC client secret');
      assert.ok(alive(op), 'the operator never crashed');
      return `${Object.keys(clusters).length} clusters: missing Secrets reported by field, Ready ${seconds(readyAfter)} after ${Object.keys(values).length} Secrets appeared; a rotated OIDC secret rolled ${rolled.join(', ')} only, ${seconds(rotatedMs)} after the Secret changed`;
    });
  });

  // Issue 15's cases, run as the issue describes them (cases 3 and 4 are 11 above).

  test('15.1 a hostile loadBalancerClass: the same objects rendered, no field or object added', async (t) => {
    await record(t, '15.1 injection through the chart', async () => {
      const ns = await namespace('f15-1');
      const lb = (service: Record<string, unknown>): KubeObject =>
        harborCluster('h', { externalURL: 'http://h.example.test', expose: { type: 'LoadBalancer', service } });
      const plain = await renderObjects(t, ns, lb({}));
      const steered = await renderObjects(t, ns, lb({ loadBalancerClass: HOSTILE_CLASS }));
      assert.deepEqual(kindsAndNames(steered), kindsAndNames(plain), 'the same kinds and names as without the value');
      assert.equal(injected(steered).length, 0, 'no externalIPs, no ConfigMap injected in the render');
      const proxy = steered.find((o) => o.kind === 'Service' && o.metadata.name === 'h');
      assert.equal((proxy?.['spec'] as { loadBalancerClass?: string } | undefined)?.loadBalancerClass, HOSTILE_CLASS, 'the value stays one string');

      // In the cluster: the Service the value lands in is refused, and reported.
      await operator(t, [`--namespaces=${ns}`]);
      const t0 = Date.now();
      await createCluster(ns, lb({ loadBalancerClass: HOSTILE_CLASS }));
      const degraded = await waitForCondition(ns, 'h', 'Degraded', 'True', 'ApplyFailed', 60_000);
      const reportedMs = Date.now() - t0;
      assert.match(condition(degraded, 'Degraded')?.message ?? '', /Service\/h: 422 Invalid: .*spec\.loadBalancerClass/);
      const live = (await Promise.all(ALL.map((k) => childrenOf(ns, 'h', k)))).flat();
      const rendered = new Set(kindsAndNames(steered));
      for (const o of live) assert.ok(rendered.has(`${o.kind}/${o.metadata.name}`), `${o.kind}/${o.metadata.name} is one the chart renders`);
      const everything = (await Promise.all(ALL.map((k) => list(ns, k)))).flat();
      assert.deepEqual(injected(everything), [], 'no externalIPs, no ConfigMap injected in the namespace');
      return `render: ${steered.length} objects with the hostile value, ${plain.length} without, same kinds and names, 0 externalIPs, no ConfigMap injected; in the cluster: Service h refused (spec.loadBalancerClass) and ApplyFailed after ${seconds(reportedMs)}, ${live.length} objects written, all of the render`;
    });
  });

  test('15.2 a hand-made ConfigMap and colliding names: not taken over, reported, kept when the HarborCluster goes', async (t) => {
    await record(t, '15.2 foreign objects not taken over', async () => {
      const ns = await namespace('f15-2');
      const op = await operator(t, [`--namespaces=${ns}`]);
      await raw().request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b-core' }, data: { note: 'made by hand' } },
        query: { fieldManager: 'kubectl-create' },
      });
      const handMade = await get(ns, 'ConfigMap', 'b-core');
      const asMade = JSON.stringify(handMade);
      const b = await reportedNotOwned(ns, harborCluster('b'), /^ConfigMap b-core exists and is not this HarborCluster's \(it has no controller owner; written by kubectl-create\)/);
      // Retried meanwhile (backoff): still left alone.
      const failed = await failedReconciles(op);
      await waitUntil('b retried', async () => (await failedReconciles(op)) > failed, { timeoutMs: 30_000 });
      assert.equal(JSON.stringify(await get(ns, 'ConfigMap', 'b-core')), asMade, 'b-core as made: same resourceVersion, no owner reference');
      assert.equal(handMade?.metadata.ownerReferences, undefined);

      // Two HarborClusters' names collide: a's Service a-core and the proxy Service of a-core.
      const a = await createCluster(ns, harborCluster('a'));
      await waitForCondition(ns, 'a', 'Ready', 'True');
      const service = await get(ns, 'Service', 'a-core');
      assert.equal(controllerOf(service), `HarborCluster/a/${a.metadata.uid ?? ''}`);
      const aCore = await reportedNotOwned(
        ns,
        harborCluster('a-core', { externalURL: 'http://a-core.example.test', expose: { type: 'LoadBalancer' } }),
        /^Service a-core exists and is not this HarborCluster's \(its controller is HarborCluster a\)/,
      );
      assert.equal(condition(await getCluster(ns, 'a'), 'Ready')?.status, 'True', 'a stays Ready');

      // Deleting the HarborClusters that did not own them leaves both.
      const bConfigMaps = (await childrenOf(ns, 'b', 'ConfigMap')).length;
      assert.ok(bConfigMaps >= 5, `the rest of what b's pods read was applied (${bConfigMaps} ConfigMaps)`);
      await remove(ns, 'HarborCluster', 'b');
      await remove(ns, 'HarborCluster', 'a-core');
      await waitUntil('the children of b and a-core collected', async () => (await childrenOf(ns, 'b', 'ConfigMap')).length + (await childrenOf(ns, 'a-core', 'ConfigMap')).length === 0);
      assert.equal(JSON.stringify(await get(ns, 'ConfigMap', 'b-core')), asMade, 'b-core kept as made after b was deleted');
      const kept = await get(ns, 'Service', 'a-core');
      assert.equal(kept?.metadata.resourceVersion, service?.metadata.resourceVersion, "a's Service not written, kept after a-core was deleted");
      assert.equal(controllerOf(kept), controllerOf(service));
      return `ConfigMap b-core (resourceVersion ${handMade?.metadata.resourceVersion ?? ''}, no owner) reported ObjectNotOwned after ${seconds(b)}, unchanged, kept when b went (${bConfigMaps} of b's ConfigMaps collected); Service a-core of a reported for a-core after ${seconds(aCore)}, unchanged, kept when a-core went`;
    });
  });

  test('15.5 the in-cluster database grown 1Gi → 2Gi: the claim grown in place, the StatefulSet re-created, then at rest', async (t) => {
    await record(t, '15.5 volume grown in place', async () => {
      const ns = await namespace('f15-5');
      const claim = 'data-v-database-0';
      const storageClassName = await expandableVolumes(t, ns, [claim]);
      const op = await operator(t, [`--namespaces=${ns}`]);
      await createCluster(ns, harborCluster('v', { database: { inCluster: { storageSize: '1Gi', storageClassName } } }));
      await waitForCondition(ns, 'v', 'Ready', 'True');
      const before = await waitUntil(`${claim} bound`, async () => {
        const c = await get(ns, 'PersistentVolumeClaim', claim);
        return (c?.['status'] as { phase?: string } | undefined)?.phase === 'Bound' ? c : undefined;
      });
      const stsBefore = await get(ns, 'StatefulSet', 'v-database');
      const podBefore = await podNamed(ns, 'v-database-0');
      assert.equal(storageOf(before), '1Gi');
      const reconciles = (): Promise<number> => op.total('harbor_operator_reconcile_total');
      const failures = (): Promise<number> => failedReconciles(op);
      const [reconciles0, failures0] = [await reconciles(), await failures()];

      const t0 = Date.now();
      const changed = await patchCluster(ns, 'v', { spec: { database: { inCluster: { storageSize: '2Gi' } } } });
      const sts = await waitUntil('the StatefulSet re-created with a 2Gi template', async () => {
        const s = await get(ns, 'StatefulSet', 'v-database');
        return s && s.metadata.uid !== stsBefore?.metadata.uid && templateStorage(s) === '2Gi' ? s : undefined;
      });
      await waitUntil('Degraded=False at the new generation', async () => {
        const hc = await getCluster(ns, 'v');
        return condition(hc, 'Degraded')?.status === 'False' && hc.status?.observedGeneration === changed.metadata.generation;
      });
      const grownMs = Date.now() - t0;
      await waitForCondition(ns, 'v', 'Ready', 'True', undefined, 60_000);
      const after = await get(ns, 'PersistentVolumeClaim', claim);
      assert.equal(storageOf(after), '2Gi', 'the claim requests 2Gi');
      assert.equal(after?.metadata.uid, before.metadata.uid, 'the same data claim');
      const podAfter = await waitUntil('the pod adopted by the new StatefulSet', async () => {
        const p = await podNamed(ns, 'v-database-0');
        return p?.metadata.ownerReferences?.some((r) => r.controller && r.uid === sts.metadata.uid) ? p : undefined;
      });
      assert.equal(podAfter.metadata.uid, podBefore?.metadata.uid, 'the database pod kept');

      // At rest: a reconcile (queued by an annotation) finds everything as applied and writes nothing.
      const [unchanged0, writes0] = [await op.counter('harbor_operator_unchanged_reconciles_total'), await op.total('harbor_operator_applies_total')];
      await patchCluster(ns, 'v', { metadata: { annotations: { 'harbor-operator.test/poke': 'f15-5' } } });
      await waitUntil('a reconcile that finds nothing to do', async () => (await op.counter('harbor_operator_unchanged_reconciles_total')) > unchanged0, { timeoutMs: 30_000 });
      assert.equal(await op.total('harbor_operator_applies_total'), writes0, 'nothing written once settled');
      const failed = (await failures()) - failures0;
      assert.equal(failed, 0, 'no failed reconcile');
      const applyFailed = (await eventsOf(ns, 'v')).filter((e) => e.reason === 'ApplyFailed').length;
      assert.equal(applyFailed, 0, 'no ApplyFailed event');
      return `claim ${claim} 1Gi → 2Gi, same uid; StatefulSet re-created with a 2Gi template, pod kept; Degraded=False at the new generation after ${seconds(grownMs)}; ${(await reconciles()) - reconciles0} reconciles to rest, ${failed} failed, 0 ApplyFailed; 0 writes at rest`;
    });
  });

  test('15.6 one write of a phase refused: reported with the objects named, the siblings written, nothing pruned', async (t) => {
    await record(t, '15.6 failed apply all-or-reported', async () => {
      const ns = await namespace('f15-6');
      const op = await operator(t, [`--namespaces=${ns}`]);
      await createCluster(ns, harborCluster('p'));
      await waitForCondition(ns, 'p', 'Ready', 'True');
      const refused = ['p-core', 'p-jobservice-config'];
      // Others of the same phase the change below rewrites.
      const siblings = ['p-registry', 'p-jobservice', 'p-trivy'];
      const dataOf = async (n: string): Promise<string> => JSON.stringify((await get(ns, 'ConfigMap', n))?.['data'] ?? {});
      const siblingsBefore = await Promise.all(siblings.map(dataOf));
      const allow = await denyConfigMapUpdates(t, ns, refused);
      const workloads = await versions(ns, ['Deployment', 'StatefulSet']);
      const deletes0 = await op.total('harbor_operator_applies_total', 'verb="delete"');

      // logLevel changes ConfigMaps (the first phase) and workloads (the second); without the exporter, four objects are to be pruned.
      const t0 = Date.now();
      await patchCluster(ns, 'p', { spec: { logLevel: 'debug', components: { exporter: { enabled: false } } } });
      const degraded = await waitForCondition(ns, 'p', 'Degraded', 'True', 'ApplyFailed', 30_000);
      const reportedMs = Date.now() - t0;
      const message = condition(degraded, 'Degraded')?.message ?? '';
      assert.match(message, /^could not apply ConfigMap\/p-core, ConfigMap\/p-jobservice-config \(2 of \d+ object\(s\) of phase 1 of 2; \d+ later object\(s\) not attempted\)/);
      for (const n of refused) assert.match(message, new RegExp(`ConfigMap/${n}: 422 Invalid: .*refused by the test policy`), `${n} named with the server's message`);
      const warning = await waitUntil('a warning event naming both', async () =>
        (await eventsOf(ns, 'p')).find((e) => e.type === 'Warning' && e.reason === 'ApplyFailed' && refused.every((n) => e.message.includes(`ConfigMap/${n}`))),
      );
      const siblingsAfter = await Promise.all(siblings.map(dataOf));
      for (const [i, n] of siblings.entries()) assert.notEqual(siblingsAfter[i], siblingsBefore[i], `${n}, of the same phase, was written`);
      assert.deepEqual(await versions(ns, ['Deployment', 'StatefulSet']), workloads, 'the later phase not written');
      assert.ok(await get(ns, 'Deployment', 'p-exporter'), 'nothing pruned: the exporter is still there');
      assert.equal(await op.total('harbor_operator_applies_total', 'verb="delete"'), deletes0, 'no delete');

      // The policy goes; the next change converges and prunes.
      await allow();
      const t1 = Date.now();
      await patchCluster(ns, 'p', { metadata: { annotations: { 'harbor-operator.test/poke': 'f15-6' } } });
      await waitForCondition(ns, 'p', 'Degraded', 'False', 'AsExpected', 30_000);
      await waitUntil('the exporter pruned', async () => !(await get(ns, 'Deployment', 'p-exporter')));
      return `ApplyFailed after ${seconds(reportedMs)} naming both refused ConfigMaps with the server's message, and a warning event (count ${warning.count ?? 1}); ${siblings.length} other ConfigMaps of the phase written, 0 workloads written, 0 pruned; converged and pruned ${seconds(Date.now() - t1)} after the policy went`;
    });
  });

  test('15.7 pods that cannot be created (a missing PriorityClass, a ResourceQuota): status says why, per component', async (t) => {
    await record(t, '15.7 why pods are missing', async () => {
      const ns = await namespace('f15-7');
      await operator(t, [`--namespaces=${ns}`]);
      const pc = `f15-7-missing-${randomBytes(3).toString('hex')}`;
      t.after(() => raw().request('DELETE', `/apis/scheduling.k8s.io/v1/priorityclasses/${pc}`).then(() => undefined, () => undefined));
      await createCluster(ns, harborCluster('pc', { components: { core: { priorityClassName: pc }, trivy: { priorityClassName: pc } } }));
      const noClass = { reason: /^FailedCreate$/, message: new RegExp(`no PriorityClass with name ${pc} was found`) };
      const missing = await causes(ns, 'pc', { core: noClass, trivy: noClass });
      const ready = condition(missing, 'Ready')?.message ?? '';
      assert.match(ready, /^waiting for core 0\/1, .*trivy 0\/1; core: FailedCreate: .*no PriorityClass/, 'Ready names the first cause');
      const t0 = Date.now();
      await raw().request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', {
        body: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc }, value: 1000 },
      });
      const fixed = await waitForCondition(ns, 'pc', 'Ready', 'True', undefined, 120_000);
      const readyMs = Date.now() - t0;
      for (const [k, c] of Object.entries(fixed.status?.components ?? {})) assert.equal(c.reason, undefined, `${k} has no cause left`);

      // A quota that allows no more pods, for a second HarborCluster.
      await raw().request('POST', `/api/v1/namespaces/${ns}/resourcequotas`, {
        body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
      });
      t.after(() => raw().request('DELETE', `/api/v1/namespaces/${ns}/resourcequotas/no-pods`).then(() => undefined, () => undefined));
      await createCluster(ns, harborCluster('q'));
      const overQuota = { reason: /^FailedCreate$/, message: /exceeded quota: no-pods/ };
      const quota = await causes(ns, 'q', { core: overQuota, database: overQuota });
      return `missing PriorityClass in status for core (Deployment) and trivy (StatefulSet) after ${seconds(missing.ms)}, Ready ${seconds(readyMs)} after it was created; ResourceQuota in status for core and database after ${seconds(quota.ms)}`;
    });
  });

  test('15.8 podLabels that would replace the component label: refused by the API server with the field named', async (t) => {
    await record(t, '15.8 podLabels cannot detach a component', async () => {
      const ns = await namespace('f15-8');
      await operator(t, [`--namespaces=${ns}`]);
      await createCluster(ns, harborCluster('l'));
      await waitForCondition(ns, 'l', 'Ready', 'True');
      const components = ['core', 'portal', 'registry', 'jobservice', 'trivy', 'exporter'];
      const rule = /cannot set [^"]*?: the operator sets these labels on every pod/;
      let refusedCount = 0;
      let example = '';
      for (const c of components) {
        const spec = { components: { [c]: { podLabels: { 'app.kubernetes.io/component': 'other' } } } };
        const field = new RegExp(`spec\\.components\\.${c}\\.podLabels ${rule.source}`);
        const live = await harborClusters().get(ns, 'l');
        // Sent one after the other: a refusal must not reject while no one awaits it.
        const attempts = [
          () => harborClusters().create(ns, harborCluster(`l-${c}`, spec)),
          () => harborClusters().replace(ns, { ...live, spec: { ...live.spec, ...spec } }),
        ];
        for (const attempt of attempts) {
          const r = refusal(await attempt().then(() => undefined, (e: unknown) => e));
          assert.ok(r, `${c}: refused`);
          assert.equal(r.code, 422);
          assert.match(r.message, field);
          example ||= field.exec(r.message)?.[0] ?? '';
          refusedCount++;
        }
      }
      const hc = await getCluster(ns, 'l');
      assert.equal(hc.metadata.generation, 1, 'l unchanged');
      const selector = ((await get(ns, 'Service', 'l-core'))?.['spec'] as { selector?: Record<string, string> } | undefined)?.selector ?? {};
      const pods = await raw().request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${ns}/pods`, {
        query: { labelSelector: Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',') },
      });
      assert.ok(pods.items.length > 0, 'the core Service still selects core pods');
      return `${refusedCount} creates and updates refused (422), e.g. "${example}"; Service l-core still selects ${pods.items.length} core pod(s)`;
    });
  });

  test('8. across the whole suite no secret value appears in logs, events or status', async (t) => {
    await record(t, '8 secrets never leak', async () => {
      const secrets = await raw().request<{ items: { metadata: { name: string }; data?: Record<string, string> }[] }>('GET', '/api/v1/secrets');
      const values = new Set<string>();
      for (const s of secrets.items as { metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string> }[]) {
        // The generated Secrets, and every value of the Secrets labelled for the scan (the admin
        // connections of case 10, whose user name is no secret; the database password of
        // case 11; the credentials of case 12).
        const scanned = s.metadata.name.endsWith('-generated-secrets')
          ? Object.values(s.data ?? {})
          : s.metadata.labels?.['harbor-operator.test/scan'] === 'true'
            ? Object.entries(s.data ?? {})
                .filter(([k]) => k !== 'username')
                .map(([, v]) => v)
            : [];
        for (const v of scanned) {
          const text = Buffer.from(v, 'base64').toString('utf8');
          for (const line of text.split('\n')) if (line.trim().length >= 8) values.add(line.trim());
        }
      }
      assert.ok(values.size > 100, `generated values collected: ${values.size}`);
      for (const v of referencedValues) values.add(v);
      const events = JSON.stringify(await raw().request('GET', '/api/v1/events'));
      const statuses = JSON.stringify(
        (await raw().request<{ items: { status?: unknown }[] }>('GET', '/apis/harbor-operator.dev/v1alpha1/harborclusters')).items.map((h) => h.status),
      );
      const logs = processes.map((p) => p.output.join('')).join('\n');
      const texts = { logs, events, statuses };
      for (const [where, text] of Object.entries(texts)) {
        for (const v of values) assert.ok(!text.includes(v), `a secret value appears in ${where}`);
      }
      return `${values.size} secret values × ${(logs.length / 1e6).toFixed(1)} MB of logs, ${(events.length / 1e6).toFixed(1)} MB of events, ${(statuses.length / 1e3).toFixed(0)} kB of status: 0 found`;
    });
  });
});

