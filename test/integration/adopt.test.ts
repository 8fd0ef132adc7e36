// `harbor-operator adopt` against the real API server: upstream chart's
// output (../shared/fixtures/harbor-helm) applied as `helm install` leaves it,
// with a Helm release record, then taken over by the operator. After the
// take-over and a reconcile: every secret value the pods see is the one the
// release's pods saw, every claim is the same object bound to the same
// volume, nothing the pods read is Helm's any more, and Helm no longer knows
// the release. A run interrupted half-way resumes; a dry run writes nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { containerOf, envOf, fileOf, objectsOf, podSpecOf, type Objects } from '../../src/adopt/pod.ts';
import { CORE_ENV, CORE_FILES, DATABASE_PASSWORD_ENV, REGISTRY_ENV, REGISTRY_FILES } from '../../src/adopt/upstream.ts';
import { readGenerated } from '../../src/controller/generated-secret.ts';
import { objectPath, typeOf } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { clusterLabel } from '../../src/render/values.ts';
import { ensureCrd } from '../harness/crd.ts';
import { condition, get, list, raw, waitForCondition } from '../harness/harbor.ts';
import { fixtureObjects, fixtureValue, helmFixtures, type FixtureChart } from '../harness/helm-fixture.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { chartDir, helmBinary, startOperator } from '../harness/operator.ts';

const run = promisify(execFile);
const main = new URL('../../src/main.ts', import.meta.url).pathname;

async function adopt(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [main, 'adopt', ...args, '--helm', helmBinary(), '--chart-dir', chartDir], { maxBuffer: 32 << 20 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(helmBinary(), [...args, '--kubeconfig', process.env['KUBECONFIG'] ?? ''], { maxBuffer: 8 << 20 });
  return stdout;
}

/** The fixture applied as `helm install` (helm v4: server-side apply, field manager helm) leaves it, and the release's record. */
async function install(ns: string, chart: FixtureChart): Promise<KubeObject[]> {
  const objects = fixtureObjects(chart, ns);
  for (const o of objects) {
    const body: KubeObject = {
      ...o,
      metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'meta.helm.sh/release-name': 'harbor', 'meta.helm.sh/release-namespace': ns } },
    };
    await raw().request('PATCH', objectPath(typeOf(o), ns, o.metadata.name), {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'helm', force: true },
    });
  }
  // helm's Secrets driver: data.release is base64(gzip(JSON of the release)) (helm v4.3.1 pkg/storage/driver/util.go).
  const now = new Date().toISOString();
  const release = {
    name: 'harbor',
    namespace: ns,
    version: 1,
    info: { first_deployed: now, last_deployed: now, status: 'deployed', description: 'Install complete' },
    chart: { metadata: { apiVersion: 'v2', name: 'harbor', version: chart, appVersion: helmFixtures[chart].harbor } },
    manifest: '',
  };
  const encoded = gzipSync(JSON.stringify(release)).toString('base64');
  await raw().request('POST', `/api/v1/namespaces/${ns}/secrets`, {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sh.helm.release.v1.harbor.v1', labels: { owner: 'helm', name: 'harbor', status: 'deployed', version: '1' } },
      type: 'helm.sh/release.v1',
      data: { release: Buffer.from(encoded).toString('base64') },
    },
  });
  return objects;
}

interface Claim {
  name: string;
  uid: string;
  volume: string;
}

const claimNames = ['database-data-harbor-database-0', 'data-harbor-redis-0', 'data-harbor-trivy-0', 'harbor-registry', 'harbor-jobservice'];

/** Waits until the release's claims (its own and its StatefulSets') are bound; returns them. */
async function boundClaims(ns: string): Promise<Claim[]> {
  return waitUntil(
    'the release\'s 5 claims bound',
    async () => {
      const claims = (await list(ns, 'PersistentVolumeClaim')).filter((c) => claimNames.includes(c.metadata.name));
      const bound = claims.filter((c) => (c['status'] as { phase?: string } | undefined)?.phase === 'Bound');
      if (bound.length !== claimNames.length) return undefined;
      return bound.map((c) => ({ name: c.metadata.name, uid: c.metadata.uid ?? '', volume: (c['spec'] as { volumeName: string }).volumeName })).sort((a, b) => a.name.localeCompare(b.name));
    },
    { timeoutMs: 60_000 },
  );
}

async function volume(name: string): Promise<{ policy: string | undefined; claim: string | undefined; claimUid: string | undefined } | undefined> {
  try {
    const pv = await raw().request<{ spec: { persistentVolumeReclaimPolicy?: string; claimRef?: { name?: string; uid?: string } } }>('GET', `/api/v1/persistentvolumes/${name}`);
    return { policy: pv.spec.persistentVolumeReclaimPolicy, claim: pv.spec.claimRef?.name, claimUid: pv.spec.claimRef?.uid };
  } catch {
    return undefined;
  }
}

/** The Retain volumes outlive the namespace: delete them after it (and wait), so the test leaves nothing behind. */
function removeVolumesAfter(t: TestContext, claims: () => Claim[]): void {
  t.after(async () => {
    for (const c of claims()) await raw().request('DELETE', `/api/v1/persistentvolumes/${c.volume}`).catch(() => undefined);
    await waitUntil('the test\'s volumes deleted', async () => {
      for (const c of claims()) if (await volume(c.volume)) return false;
      return true;
    }, { timeoutMs: 60_000 });
  });
}

async function pods(ns: string, selector: string): Promise<KubeObject[]> {
  return (await raw().request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: selector } })).items;
}

/** Every object of the namespace adopt could touch, with its resourceVersion (and volumes, by name). */
async function everything(ns: string, claims: Claim[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of ['ConfigMap', 'Secret', 'Service', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'Ingress', 'PodDisruptionBudget']) {
    for (const o of await list(ns, kind)) out.set(`${kind}/${o.metadata.name}`, o.metadata.resourceVersion ?? '');
  }
  for (const c of claims) out.set(`PersistentVolume/${c.volume}`, JSON.stringify(await volume(c.volume)));
  const hcs = await raw().request<{ items: KubeObject[] }>('GET', `/apis/harbor-operator.dev/v1alpha1/namespaces/${ns}/harborclusters`);
  for (const o of hcs.items) out.set(`HarborCluster/${o.metadata.name}`, o.metadata.resourceVersion ?? '');
  return out;
}

/** What the secret values are as the pods of these workloads see them. */
function seen(objects: Objects, workloads: KubeObject[]): Record<string, string | undefined> {
  const w = (kind: string, name: string): KubeObject | undefined => workloads.find((o) => o.kind === kind && o.metadata.name === name);
  const core = w('Deployment', 'harbor-core');
  const coreC = containerOf(core, 'core');
  const registry = w('Deployment', 'harbor-registry');
  const registryC = containerOf(registry, 'registry');
  const jobC = containerOf(w('Deployment', 'harbor-jobservice'), 'jobservice');
  const dbC = containerOf(w('StatefulSet', 'harbor-database'), 'database');
  return {
    'core CORE_SECRET': envOf(objects, coreC, CORE_ENV.coreSecret)?.value,
    'core JOBSERVICE_SECRET': envOf(objects, coreC, CORE_ENV.jobserviceSecret)?.value,
    'core CSRF_KEY': envOf(objects, coreC, CORE_ENV.csrfKey)?.value,
    'core HARBOR_ADMIN_PASSWORD': envOf(objects, coreC, CORE_ENV.adminPassword)?.value,
    'core REGISTRY_CREDENTIAL_PASSWORD': envOf(objects, coreC, CORE_ENV.registryPassword)?.value,
    'core POSTGRESQL_PASSWORD': envOf(objects, coreC, CORE_ENV.databasePassword)?.value,
    'core secret key file': fileOf(objects, core, coreC, CORE_FILES.secretKey)?.value,
    'core token key file': fileOf(objects, core, coreC, CORE_FILES.tokenKey)?.value,
    'registry REGISTRY_HTTP_SECRET': envOf(objects, registryC, REGISTRY_ENV.httpSecret)?.value,
    'registry htpasswd file': fileOf(objects, registry, registryC, REGISTRY_FILES.htpasswd)?.value,
    'jobservice JOBSERVICE_SECRET': envOf(objects, jobC, CORE_ENV.jobserviceSecret)?.value,
    'database POSTGRES_PASSWORD': envOf(objects, dbC, DATABASE_PASSWORD_ENV)?.value,
  };
}

const configKinds = ['ConfigMap', 'Secret', 'Service', 'Ingress'];

/** uid of every object of the namespace of these kinds, by kind/name. */
async function uids(ns: string, kinds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of kinds) for (const o of await list(ns, kind)) out.set(`${kind}/${o.metadata.name}`, o.metadata.uid ?? '');
  return out;
}

async function workloads(ns: string): Promise<KubeObject[]> {
  return [...(await list(ns, 'Deployment')), ...(await list(ns, 'StatefulSet'))];
}

describe('adopt', () => {
  test('takes over chart 1.19.2 (Harbor 2.15.2): every secret value and claim kept, Helm gone from what the pods read', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    let claims: Claim[] = [];
    removeVolumesAfter(t, () => claims);
    const fixture = await install(ns, '1.19.2');
    claims = await boundClaims(ns);
    await waitUntil('the release\'s pods', async () => (await pods(ns, 'heritage=Helm,release=harbor')).length >= 7 || undefined);
    const before = seen(objectsOf([...(await list(ns, 'Secret')), ...(await list(ns, 'ConfigMap'))]), await workloads(ns));
    console.log(`before: ${Object.entries(before).filter(([, v]) => v).length} of ${Object.keys(before).length} values seen by Helm's pods; claims ${claims.map((c) => `${c.name}=${c.uid}`).join(' ')}`);
    assert.ok(Object.values(before).every((v) => v !== undefined && v !== ''), 'every value is seen by the release\'s pods');
    assert.equal(before['core CORE_SECRET'], fixtureValue(fixture, 'harbor-core', 'secret'));
    assert.match(await helm('list', '-n', ns), /^harbor\s/m, 'helm knows the release');
    const release = new Set(fixture.map((o) => `${o.kind}/${o.metadata.name}`));
    const configBefore = new Map([...(await uids(ns, configKinds))].filter(([k]) => release.has(k)));
    const workloadsBefore = await uids(ns, ['Deployment', 'StatefulSet']);
    assert.equal(configBefore.size, 21);

    // The operator runs already, as it would when someone adopts into a cluster that has it.
    const op = await startOperator(t, ns);
    // A pod of Helm's that does not go at once: the first run stops while waiting for it.
    const [held] = await pods(ns, 'heritage=Helm,release=harbor,component=portal');
    assert.ok(held);
    await raw().request('PATCH', `/api/v1/namespaces/${ns}/pods/${held.metadata.name}`, {
      body: { metadata: { finalizers: ['harbor-operator.test/hold'] } },
      contentType: 'application/merge-patch+json',
    });
    const kubeconfig = `--kubeconfig=${process.env['KUBECONFIG'] ?? ''}`;
    const first = await adopt('harbor', '-n', ns, '--apply', '--pod-timeout', '3', kubeconfig);
    console.log(first.out.split('\n').filter((l) => l.includes('done') || l.includes('failed')).join('\n'));
    assert.equal(first.code, 1, first.out);
    assert.match(first.out, /step +\d+\. wait +until the release's pods are gone .* failed: 1 pods of the release are still there after 3 s: harbor-portal-.*run adopt again to resume/);
    assert.doesNotMatch(first.out, /done +\d+\. (delete|hand) +(ConfigMap|Secret|Service|Ingress) /, 'no configuration touched before the pods are gone');
    const paused = await waitForCondition(ns, 'harbor', 'Progressing', 'False', 'Paused');
    assert.equal(paused.metadata.annotations?.['harbor-operator.dev/paused'], 'true');
    assert.ok(await get(ns, 'ConfigMap', 'harbor-core'), "Helm's configuration still there");
    assert.deepEqual((await list(ns, 'Deployment')).filter((d) => d.metadata.labels?.[clusterLabel] === 'harbor'), [], 'the operator left the paused HarborCluster alone');
    for (const c of claims) assert.equal((await volume(c.volume))?.policy, 'Retain', `${c.volume} retained first`);

    await raw().request('PATCH', `/api/v1/namespaces/${ns}/pods/${held.metadata.name}`, {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    const second = await adopt('harbor', '-n', ns, '--apply', kubeconfig);
    console.log(second.out.split('\n').filter((l) => /resuming|done|Steps|HarborCluster/.test(l)).slice(0, 12).join('\n'));
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /HarborCluster harbor exists \(made by adopt from this release\): resuming\./);
    assert.doesNotMatch(second.out, /^ +\d+\. (retain|create|hide) /m, 'what was done is not done again');
    const text = `${first.out}${second.out}`;
    for (const v of Object.values(before)) for (const part of (v ?? '').split('\n').filter((p) => p.length >= 8)) assert.ok(!text.includes(part), 'no secret value printed');

    // Helm no longer knows the release (so `helm uninstall` deletes nothing); its record is kept.
    assert.doesNotMatch(await helm('list', '-n', ns), /^harbor\s/m);
    const uninstall = await helm('uninstall', 'harbor', '-n', ns).then(
      (out) => ({ ok: true, out }),
      (err: unknown) => ({ ok: false, out: String((err as { stderr?: string }).stderr ?? err) }),
    );
    console.log(`helm uninstall harbor: ${uninstall.out.trim()}`);
    assert.equal(uninstall.ok, false);
    assert.match(uninstall.out, /not found/);
    const record = await get(ns, 'Secret', 'sh.helm.release.v1.harbor.v1');
    assert.equal(record?.metadata.labels?.['owner'], 'harbor-operator-adopted');

    const ready = await waitForCondition(ns, 'harbor', 'Ready', 'True', undefined, 120_000);
    console.log(`Ready: ${condition(ready, 'Ready')?.message ?? ''}; operator writes ${op.writes.length}`);
    assert.equal(ready.metadata.annotations?.['harbor-operator.dev/paused'], undefined);
    assert.equal(condition(ready, 'Degraded')?.status, 'False', condition(ready, 'Degraded')?.message);

    // No value changed: what the operator's pods see is what Helm's pods saw.
    const secrets = await list(ns, 'Secret');
    const configMaps = await list(ns, 'ConfigMap');
    const ours = await workloads(ns);
    const after = seen(objectsOf([...secrets, ...configMaps]), ours);
    assert.deepEqual(after, before);
    const generated = readGenerated(secrets.find((s) => s.metadata.name === 'harbor-generated-secrets'));
    assert.equal(generated.tokenCert, fixtureValue(fixture, 'harbor-core', 'tls.crt'));
    assert.equal(generated.secretKey, fixtureValue(fixture, 'harbor-core', 'secretKey'));

    // The configuration the operator renders is the same objects (uid), now the HarborCluster's; only what it has not is gone.
    const configAfter = await uids(ns, configKinds);
    const kept = [...configBefore].filter(([k, uid]) => configAfter.get(k) === uid).map(([k]) => k);
    const gone = [...configBefore.keys()].filter((k) => !configAfter.has(k)).sort();
    console.log(`Helm's configuration: ${kept.length} of ${configBefore.size} objects kept (same uid), gone: ${gone.join(', ')}`);
    assert.deepEqual(gone, ['ConfigMap/harbor-jobservice-env', 'ConfigMap/harbor-registryctl', 'Secret/harbor-registry-htpasswd', 'Secret/harbor-registryctl']);
    assert.equal(kept.length, configBefore.size - gone.length, 'nothing re-created under the same name');
    for (const k of kept) {
      const [kind = '', name = ''] = k.split('/');
      const o = await get(ns, kind, name);
      assert.equal(o?.metadata.ownerReferences?.find((r) => r.controller)?.uid, ready.metadata.uid, `${k} is the HarborCluster's child`);
      assert.equal(o?.metadata.annotations?.['harbor-operator.dev/adopt'], 'harbor', `${k} marked for adoption`);
    }
    // The workloads cannot be (their selectors are immutable): re-created, with the same names.
    const workloadsAfter = await uids(ns, ['Deployment', 'StatefulSet']);
    for (const [k, uid] of workloadsBefore) assert.notEqual(workloadsAfter.get(k) ?? uid, uid, `${k} re-created by the operator`);

    // Every claim is the same object, bound to the same volume, mounted by the operator's workloads; no claim was made.
    const claimsNow = (await list(ns, 'PersistentVolumeClaim')).map((c) => ({ name: c.metadata.name, uid: c.metadata.uid ?? '', volume: (c['spec'] as { volumeName: string }).volumeName }));
    assert.deepEqual(claimsNow.sort((a, b) => a.name.localeCompare(b.name)), claims);
    for (const c of claims) assert.deepEqual(await volume(c.volume), { policy: 'Retain', claim: c.name, claimUid: c.uid });
    const mounted = ours.flatMap((w) => (podSpecOf(w).volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => !!n)).sort();
    assert.deepEqual(mounted, [...claimNames].sort());
    assert.ok(ours.every((w) => w.metadata.labels?.[clusterLabel] === 'harbor'), 'every workload is the operator\'s');

    // The pods' configuration is the operator's: no Helm label, no field Helm wrote, every key the operator's.
    const read = new Set<string>();
    for (const w of ours) {
      const spec = podSpecOf(w);
      for (const c of spec.containers ?? []) {
        for (const e of c.env ?? []) {
          if (e.valueFrom?.secretKeyRef?.name) read.add(`Secret/${e.valueFrom.secretKeyRef.name}`);
          if (e.valueFrom?.configMapKeyRef?.name) read.add(`ConfigMap/${e.valueFrom.configMapKeyRef.name}`);
        }
        for (const f of c.envFrom ?? []) {
          if (f.secretRef?.name) read.add(`Secret/${f.secretRef.name}`);
          if (f.configMapRef?.name) read.add(`ConfigMap/${f.configMapRef.name}`);
        }
      }
      for (const v of spec.volumes ?? []) {
        if (v.secret?.secretName) read.add(`Secret/${v.secret.secretName}`);
        if (v.configMap?.name) read.add(`ConfigMap/${v.configMap.name}`);
      }
    }
    for (const ref of [...read].sort()) {
      const [kind = '', name = ''] = ref.split('/');
      const o = (kind === 'Secret' ? secrets : configMaps).find((x) => x.metadata.name === name);
      assert.ok(o, `${ref} exists`);
      assert.equal(o.metadata.labels?.['heritage'], undefined, `${ref}: no Helm label`);
      const entries = (o.metadata.managedFields ?? []) as { manager?: string; operation?: string; fieldsV1?: { 'f:data'?: object } }[];
      // Besides the operator, only adopt's own entry, owning only the annotation it set (the objects adopt made have none).
      const others = entries.filter((e) => e.manager !== 'harbor-operator');
      assert.deepEqual(others.map((e) => e.manager).filter((m) => m !== 'harbor-operator-adopt'), [], `${ref}: written by the operator only`);
      for (const e of others) assert.deepEqual(e.fieldsV1, { 'f:metadata': { 'f:annotations': { 'f:harbor-operator.dev/adopt': {} } } }, `${ref}: adopt owns its annotation only`);
      const owned = new Set(Object.keys(entries.find((e) => e.operation === 'Apply')?.fieldsV1?.['f:data'] ?? {}).map((k) => k.replace(/^f:/, '')));
      const keys = Object.keys((o['data'] ?? {}));
      assert.deepEqual(keys.filter((k) => !owned.has(k)), [], `${ref}: every key is one the operator set`);
    }
    console.log(`the pods read ${read.size} ConfigMaps and Secrets, all the operator's; core ConfigMap keys: ${Object.keys(configMaps.find((c) => c.metadata.name === 'harbor-core')?.['data'] ?? {}).length}`);
    const helmLeft = [];
    for (const kind of ['ConfigMap', 'Secret', 'Service', 'Deployment', 'StatefulSet', 'Ingress']) {
      helmLeft.push(...(await list(ns, kind)).filter((o) => o.metadata.labels?.['heritage'] === 'Helm').map((o) => `${kind}/${o.metadata.name}`));
    }
    assert.deepEqual(helmLeft, [], "nothing of Helm's is left but its claims");
    const third = await adopt('harbor', '-n', ns, kubeconfig);
    assert.equal(third.code, 0, third.out);
    assert.match(third.out, /Nothing left to do: the take-over is complete\./);
  });

  test('expose loadBalancer: the proxy Service is kept (same uid, its address with it) and handed over clean', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    let claims: Claim[] = [];
    removeVolumesAfter(t, () => claims);
    await install(ns, '1.19.2');
    await raw().request('DELETE', `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/harbor-ingress`);
    // What templates/nginx/deployment.yaml and service.yaml of harbor-helm 1.19.2 make for expose.type loadBalancer.
    const labels = { heritage: 'Helm', release: 'harbor', chart: 'harbor', app: 'harbor' };
    const selector = { release: 'harbor', app: 'harbor', component: 'nginx' };
    await raw().request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'harbor-nginx', labels: { ...labels, component: 'nginx' } },
        spec: { replicas: 1, selector: { matchLabels: selector }, template: { metadata: { labels: { ...labels, component: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'docker.io/goharbor/nginx-photon:v2.15.2' }] } } },
      },
      query: { fieldManager: 'helm' },
    });
    const lb = await raw().request<KubeObject>('POST', `/api/v1/namespaces/${ns}/services`, {
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'harbor', labels, annotations: { 'example.com/lb': 'kept', 'meta.helm.sh/release-name': 'harbor' } },
        spec: { type: 'LoadBalancer', selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
      query: { fieldManager: 'helm' },
    });
    claims = await boundClaims(ns);
    await startOperator(t, ns);
    const res = await adopt('harbor', '-n', ns, '--apply', `--kubeconfig=${process.env['KUBECONFIG'] ?? ''}`);
    assert.equal(res.code, 0, res.out);
    assert.match(res.out, /done +\d+\. hand +Service harbor to HarborCluster harbor/);
    await waitForCondition(ns, 'harbor', 'Ready', 'True', undefined, 120_000);
    const svc = await get(ns, 'Service', 'harbor');
    assert.ok(svc);
    const spec = svc['spec'] as { type?: string; selector?: Record<string, string>; clusterIP?: string };
    console.log(`Service harbor: uid ${svc.metadata.uid ?? ''} (was ${lb.metadata.uid ?? ''}), type ${spec.type ?? ''}, selector ${JSON.stringify(spec.selector)}`);
    assert.equal(svc.metadata.uid, lb.metadata.uid, 'the same Service');
    assert.equal(spec.clusterIP, (lb['spec'] as { clusterIP?: string }).clusterIP);
    assert.equal(spec.type, 'LoadBalancer');
    assert.deepEqual(['release', 'app', 'component'].filter((k) => spec.selector?.[k] !== undefined), [], "Helm's selector keys are gone");
    assert.ok(Object.keys(spec.selector ?? {}).length > 0, "the operator's selector is set");
    assert.equal(svc.metadata.ownerReferences?.find((r) => r.controller)?.name, 'harbor', 'controlled by the HarborCluster');
    assert.equal(svc.metadata.labels?.['heritage'], undefined);
    assert.equal(svc.metadata.annotations?.['example.com/lb'], 'kept');
    const managers = ((svc.metadata.managedFields ?? []) as { manager?: string }[]).map((e) => e.manager);
    assert.ok(!managers.includes('helm') && !managers.includes('before-first-apply'), `no field of Helm's left, none co-owned (${managers.join(', ')})`);
  });

  test('dry run (the default) on chart 1.18.4 (Harbor 2.14.4): the plan, and nothing written', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    let claims: Claim[] = [];
    removeVolumesAfter(t, () => claims);
    await install(ns, '1.18.4');
    claims = await boundClaims(ns);
    await waitUntil('the release\'s pods', async () => (await pods(ns, 'heritage=Helm,release=harbor')).length >= 7 || undefined);
    const before = await everything(ns, claims);
    const res = await adopt('-n', ns, `--kubeconfig=${process.env['KUBECONFIG'] ?? ''}`);
    assert.equal(res.code, 0, res.out);
    console.log(res.out.split('\n').slice(0, 3).join('\n'));
    assert.match(res.out, /^Helm release .*\/harbor → HarborCluster .*\/harbor$/m, 'the release found by its labels');
    assert.match(res.out, /The HarborCluster \(Harbor 2\.14\.4, http:\/\/harbor\.example\.com, expose Ingress/);
    assert.match(res.out, /Dry run: nothing was changed\./);
    assert.equal((res.out.match(/^ +\d+\. /gm) ?? []).length, 38, 'every step listed');
    const afterwards = await everything(ns, claims);
    assert.deepEqual(afterwards, before);
  });
});
