// Issue 18 items 5 and 6 on the real API server: the CRD refuses bad
// spec.secrets and spec.components escape hatches with the field named; Harbor's
// own secrets brought from Secrets reach the pods that read them, a rotation
// of one rolls exactly those pods, and a value Harbor cannot use is reported
// in status (InvalidSecret, the field named, never the value) before anything
// is applied.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { apiVersion, ensureCrd, harborClusters, refusal } from '../harness/crd.ts';
import { createCluster, get, getCluster, harborCluster, list, raw, waitForCondition } from '../harness/harbor.ts';
import { clients, testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator } from '../harness/operator.ts';

const host = 'harbor.example.com';
const base: HarborClusterSpec = { externalURL: `https://${host}`, expose: { ingress: { host } } };
const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(3).toString('hex')}`;

const invalid: { name: string; spec: unknown; message: RegExp }[] = [
  { name: 'an env name that is no C identifier', spec: { ...base, components: { core: { env: [{ name: '1-BAD', value: 'x' }] } } }, message: /spec\.components\.core\.env\[0\]\.name: Invalid value/ },
  {
    name: 'an env entry with value and valueFrom',
    spec: { ...base, components: { jobservice: { env: [{ name: 'A', value: 'x', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] } } },
    message: /spec\.components\.jobservice\.env\[0\]: Invalid value.*spec\.components\.jobservice\.env: an entry has either value or valueFrom/,
  },
  {
    name: 'valueFrom with both sources',
    spec: { ...base, components: { trivy: { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' }, configMapKeyRef: { name: 'c', key: 'k' } } }] } } },
    message: /spec\.components\.trivy\.env\[0\]\.valueFrom: Invalid value.*valueFrom has exactly one of secretKeyRef and configMapKeyRef/,
  },
  {
    name: 'the same env name twice',
    spec: { ...base, components: { portal: { env: [{ name: 'TZ', value: 'UTC' }, { name: 'TZ', value: 'CET' }] } } },
    message: /spec\.components\.portal\.env\[1\]: Duplicate value/,
  },
  {
    name: 'a secretKeyRef without a key',
    spec: { ...base, components: { exporter: { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }] } } },
    message: /spec\.components\.exporter\.env\[0\]\.valueFrom\.secretKeyRef\.key: Required value/,
  },
  {
    name: 'an image reference with a tag beside it',
    spec: { ...base, components: { portal: { image: { reference: 'm.example.com/p:v1', tag: 'v2' } } } },
    message: /spec\.components\.portal\.image: Invalid value.*reference is a full image reference; it excludes repository and tag/,
  },
  { name: 'an empty image override', spec: { ...base, components: { core: { image: {} } } }, message: /spec\.components\.core\.image: Invalid value.*at least 1/ },
  { name: 'a tag with a space', spec: { ...base, components: { registry: { controllerImage: { tag: 'v 1' } } } }, message: /spec\.components\.registry\.controllerImage\.tag: Invalid value/ },
  { name: 'a pull policy Kubernetes does not know', spec: { ...base, components: { trivy: { imagePullPolicy: 'Sometimes' } } }, message: /spec\.components\.trivy\.imagePullPolicy: Unsupported value/ },
  { name: 'a ServiceAccount name that is no DNS name', spec: { ...base, components: { exporter: { serviceAccountName: 'Bad_Name' } } }, message: /spec\.components\.exporter\.serviceAccountName: Invalid value/ },
  { name: 'a secret reference without a name', spec: { ...base, secrets: { secretKeySecretRef: { key: 'k' } } }, message: /spec\.secrets\.secretKeySecretRef\.name: Required value/ },
];

function cr(name: string, spec: unknown): HarborCluster {
  return { apiVersion, kind: 'HarborCluster', metadata: { name }, spec: spec as HarborClusterSpec };
}

describe('spec.secrets and the escape hatches on the API server', () => {
  const c = clients();
  const api = harborClusters(c);
  const ns = uniqueName('t-own-secrets');
  before(async () => {
    await ensureCrd(c);
    await c.core.createNamespace({ body: { metadata: { name: ns, labels: { 'harbor-operator.test/ns': 'true' } } } });
  });
  after(async () => {
    await c.core.deleteNamespace({ name: ns }).catch(() => undefined);
  });
  const refused = async (attempt: Promise<unknown>): Promise<{ code: number; message: string }> => {
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    const r = refusal(err);
    if (!r) throw err instanceof Error ? err : new Error('the request was accepted, expected a refusal');
    return r;
  };

  for (const tc of invalid) {
    test(`refuses: ${tc.name}`, async () => {
      const r = await refused(api.create(ns, cr(uniqueName('bad'), tc.spec)));
      assert.equal(r.code, 422, r.message);
      assert.match(r.message, tc.message);
    });
  }

  test('accepts every escape hatch and every reference, with the default keys', async () => {
    const created = await api.create(
      ns,
      cr(uniqueName('ok'), {
        ...base,
        secrets: { secretKeySecretRef: { name: 'old' }, tokenKeySecretRef: { name: 'old' }, registryHttpSecretSecretRef: { name: 'old', key: 'http' } },
        components: {
          core: {
            env: [{ name: 'HTTP_PROXY', value: 'http://p:3128' }, { name: 'T', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } }],
            serviceAccountName: 'harbor-core',
            imagePullPolicy: 'Always',
            image: { repository: 'mirror.example.com:5000/goharbor/harbor-core', tag: 'v2.15.2' },
          },
          registry: { image: { reference: `m.example.com/r@sha256:${'0'.repeat(64)}` }, controllerImage: { tag: 'v2.15.2' } },
        },
      }),
    );
    assert.deepEqual(created.spec.secrets, {
      secretKeySecretRef: { name: 'old', key: 'secretKey' },
      tokenKeySecretRef: { name: 'old', key: 'tls.key' },
      registryHttpSecretSecretRef: { name: 'old', key: 'http' },
    });
  });

  const updates: { name: string; before: HarborClusterSpec['secrets']; after: HarborClusterSpec['secrets']; refused: boolean }[] = [
    { name: 'secretKeySecretRef added after creation', before: undefined, after: { secretKeySecretRef: { name: 'k' } }, refused: true },
    { name: 'secretKeySecretRef removed', before: { secretKeySecretRef: { name: 'k' } }, after: {}, refused: true },
    { name: 'secretKeySecretRef pointed at another key', before: { secretKeySecretRef: { name: 'k' } }, after: { secretKeySecretRef: { name: 'k', key: 'other' } }, refused: true },
    { name: 'the token key changed (tokens are short-lived)', before: { tokenKeySecretRef: { name: 'a' } }, after: { tokenKeySecretRef: { name: 'b' } }, refused: false },
    { name: 'a core secret added later', before: {}, after: { coreSecretSecretRef: { name: 'c' } }, refused: false },
  ];
  for (const u of updates) {
    test(`update ${u.refused ? 'refused' : 'accepted'}: ${u.name}`, async () => {
      const created = await api.create(ns, cr(uniqueName('upd'), { ...base, ...(u.before ? { secrets: u.before } : {}) }));
      const changed = { ...created, spec: { ...created.spec, secrets: u.after ?? {} } };
      if (!u.refused) {
        assert.equal((await api.replace(ns, changed)).metadata.generation, 2);
        return;
      }
      const r = await refused(api.replace(ns, changed));
      assert.equal(r.code, 422, r.message);
      assert.match(r.message, /spec\.secrets: Invalid value.*spec\.secrets\.secretKeySecretRef cannot be added, removed or changed after creation/);
    });
  }
});

async function putSecret(ns: string, name: string, data: Record<string, string>): Promise<KubeObject> {
  return raw().request<KubeObject>('PATCH', `/api/v1/namespaces/${ns}/secrets/${name}`, {
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: data },
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'test-user', force: true },
  });
}

const decoded = (o: KubeObject | undefined, key: string): string =>
  Buffer.from(((o?.['data'] ?? {}) as Record<string, string>)[key] ?? '', 'base64').toString('utf8');

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

const tokenKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const brought = {
  secretkey: 'moved-harbor-key',
  CORE_SECRET: 'moved-core-secret-0001',
  JOBSERVICE_SECRET: 'moved-jobservice-secret-01',
  REGISTRY_HTTP_SECRET: 'moved-registry-http-secret-01',
};
const secretsSpec = {
  secretKeySecretRef: { name: 'old-harbor', key: 'secretkey' },
  tokenKeySecretRef: { name: 'old-harbor-token' },
  coreSecretSecretRef: { name: 'old-harbor', key: 'CORE_SECRET' },
  jobserviceSecretSecretRef: { name: 'old-harbor', key: 'JOBSERVICE_SECRET' },
  registryHttpSecretSecretRef: { name: 'old-harbor-registry' },
};

describe('Harbor secrets brought from Secrets', () => {
  test('each reaches the pods that read it; a rotated registry HTTP secret rolls the registry only, without a spec change', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await putSecret(ns, 'old-harbor', brought);
    await putSecret(ns, 'old-harbor-token', { 'tls.key': tokenKey });
    await putSecret(ns, 'old-harbor-registry', { secret: brought.REGISTRY_HTTP_SECRET });
    // A long resync: only the watch can bring the rotation.
    const op = await startOperator(t, ns, { resyncMs: 600_000 });
    await createCluster(ns, harborCluster('byo', { secrets: secretsSpec }));
    await waitForCondition(ns, 'byo', 'Ready', 'True');

    const core = await get(ns, 'Secret', 'byo-core');
    assert.deepEqual(
      [decoded(core, 'key'), decoded(core, 'private_key.pem'), decoded(core, 'CORE_SECRET'), decoded(core, 'JOBSERVICE_SECRET')],
      [brought.secretkey, tokenKey, brought.CORE_SECRET, brought.JOBSERVICE_SECRET],
    );
    const jobservice = await get(ns, 'Secret', 'byo-jobservice');
    assert.deepEqual([decoded(jobservice, 'CORE_SECRET'), decoded(jobservice, 'JOBSERVICE_SECRET')], [brought.CORE_SECRET, brought.JOBSERVICE_SECRET]);
    assert.equal(decoded(await get(ns, 'Secret', 'byo-registry'), 'REGISTRY_HTTP_SECRET'), brought.REGISTRY_HTTP_SECRET);
    // The generated values are kept beside them, unused.
    const generated = await get(ns, 'Secret', 'byo-generated-secrets');
    assert.equal(decoded(generated, 'secretKey').length, 16);
    assert.notEqual(decoded(generated, 'secretKey'), brought.secretkey);
    const generatedHttp = decoded(generated, 'registryHttpSecret');

    const before = await podChecksums(ns);
    const t0 = Date.now();
    await putSecret(ns, 'old-harbor-registry', { secret: 'rotated-registry-http-secret-02' });
    await waitUntil('the registry Secret holds the rotated value', async () => decoded(await get(ns, 'Secret', 'byo-registry'), 'REGISTRY_HTTP_SECRET') === 'rotated-registry-http-secret-02', {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const ms = Date.now() - t0;
    const after = await waitUntil('the registry pod template rolled', async () => {
      const now = await podChecksums(ns);
      return now.get('Deployment/byo-registry') !== before.get('Deployment/byo-registry') ? now : undefined;
    });
    // The reconcile that rolled the registry applied every workload it changed at once (one phase).
    const rolled = [...before.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
    assert.deepEqual(rolled, ['Deployment/byo-registry'], 'exactly the pods that read the registry HTTP secret');
    assert.equal((await getCluster(ns, 'byo')).metadata.generation, 1, 'no spec change');
    assert.equal(decoded(await get(ns, 'Secret', 'byo-generated-secrets'), 'registryHttpSecret'), generatedHttp, 'the generated value is not touched');
    const status = JSON.stringify((await getCluster(ns, 'byo')).status);
    for (const v of [...Object.values(brought), 'rotated-registry-http-secret-02']) {
      assert.ok(!status.includes(v), 'no brought value in status');
      assert.ok(!op.logs.join('').includes(v), 'no brought value in the logs');
    }
    t.diagnostic(`rotated value in the registry Secret ${ms} ms after the user's Secret changed; rolled ${rolled.join(', ')} of ${before.size} workloads`);
  });

  test('a secret key Harbor cannot use: InvalidSecret names the field, not the value, and nothing is applied; fixed, it applies', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const bad = 'fifteen-chars-k';
    await putSecret(ns, 'old-harbor', { secretkey: bad });
    const op = await startOperator(t, ns, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await createCluster(ns, harborCluster('inv', { secrets: { secretKeySecretRef: { name: 'old-harbor', key: 'secretkey' } } }));
    const degraded = await waitForCondition(ns, 'inv', 'Degraded', 'True', 'InvalidSecret', 30_000);
    const message = degraded.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '';
    assert.match(message, /spec\.secrets\.secretKeySecretRef: Secret \S+\/old-harbor key "secretkey" holds 15 bytes; Harbor's secret key is exactly 16/);
    assert.ok(!JSON.stringify(degraded.status).includes(bad), 'the value is not in status');
    assert.ok(!op.logs.join('').includes(bad), 'the value is not in the logs');
    assert.deepEqual(
      (await list(ns, 'Deployment')).map((d) => d.metadata.name),
      [],
      'nothing applied',
    );
    // Fixed in the Secret: the watch brings the cluster back (retries are 60 s apart).
    const t0 = Date.now();
    await putSecret(ns, 'old-harbor', { secretkey: 'sixteen-chars-k!' });
    await waitUntil('core holds the key', async () => decoded(await get(ns, 'Secret', 'inv-core'), 'key') === 'sixteen-chars-k!', { timeoutMs: 15_000, intervalMs: 100 });
    t.diagnostic(`applied ${Date.now() - t0} ms after the Secret was fixed`);
  });
});
