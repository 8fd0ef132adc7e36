// Harbor's settings (spec.configuration), the storage drivers, the offline
// scanner and the cache layer against the real API server and the operator:
// the referenced Secrets are read, everything applies and becomes Ready, and a
// change rolls only the pods that read it. No referenced value reaches status,
// events or the operator's logs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, get, getCluster, harborCluster, list, patchCluster, raw, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';

const WORKLOADS = ['Deployment', 'StatefulSet'];

async function createSecret(ns: string, name: string, data: Record<string, string>): Promise<void> {
  await raw().request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: data } });
}

async function replaceSecretData(ns: string, name: string, data: Record<string, string>): Promise<void> {
  await raw().request('PATCH', `/api/v1/namespaces/${ns}/secrets/${name}`, {
    body: { stringData: data },
    contentType: 'application/merge-patch+json',
  });
}

const decoded = (o: KubeObject | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries((o?.['data'] ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

type Template = { metadata: { annotations?: Record<string, string> } };
const template = (o: KubeObject): Template => (o['spec'] as { template: Template }).template;

/** Pod template of every workload, by kind/name. */
async function templates(ns: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of WORKLOADS) for (const w of await list(ns, k)) out.set(`${k}/${w.metadata.name}`, JSON.stringify(template(w)));
  return out;
}

/** The workloads whose pod template differs between two snapshots. */
function rolled(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** The pod templates and the HarborCluster's status.appliedDigest before a change. */
interface Snapshot {
  templates: Map<string, string>;
  digest: string | undefined;
}

async function snapshot(ns: string, cluster: string): Promise<Snapshot> {
  const digest = (await getCluster(ns, cluster)).status?.appliedDigest;
  assert.ok(digest, `${cluster}: a complete apply recorded before the change`);
  return { templates: await templates(ns), digest };
}

/**
 * Waits until the workloads of `expected` have new pod templates and a new
 * complete apply is recorded (status.appliedDigest is removed before a
 * reconcile changes a child and set again once every write is done, so no
 * workload of that apply is still on its way), then returns every one that changed.
 */
async function rollOf(ns: string, cluster: string, before: Snapshot, expected: string[]): Promise<string[]> {
  return waitUntil(`${expected.join(', ')} rolled`, async () => {
    const digest = (await getCluster(ns, cluster)).status?.appliedDigest;
    if (!digest || digest === before.digest) return undefined;
    const changed = rolled(before.templates, await templates(ns));
    return expected.every((e) => changed.includes(e)) ? changed : undefined;
  });
}

/** No referenced value in the HarborCluster's status, its events or the operator's log lines. */
async function noLeak(ns: string, name: string, op: RunningOperator, values: string[]): Promise<void> {
  const status = JSON.stringify((await getCluster(ns, name)).status ?? {});
  const events = JSON.stringify(await raw().request('GET', `/api/v1/namespaces/${ns}/events`));
  const logs = op.logs.join('');
  for (const v of values) {
    assert.ok(!status.includes(v), 'a secret value in status');
    assert.ok(!events.includes(v), 'a secret value in an event');
    assert.ok(!logs.includes(v), 'a secret value in the logs');
  }
}

const oidcConfiguration = (secret: string) => ({
  auth: { mode: 'OIDC', oidc: { endpoint: 'https://id.example.test/realms/harbor', clientID: 'harbor', clientSecretSecretRef: { name: secret } } },
  projectCreationRestriction: 'AdminOnly',
  settings: { session_timeout: 90 },
});

describe("Harbor's settings, storage drivers, scanner and cache layer", () => {
  test('spec.configuration reaches core only; a new OIDC client secret rolls core only; status names the items', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    const first = 'oidc-client-secret-0001';
    await createSecret(ns, 'oidc', { clientSecret: first });
    await createCluster(ns, harborCluster('c1', { configuration: oidcConfiguration('oidc') }));
    const ready = await waitForCondition(ns, 'c1', 'Ready', 'True');
    assert.deepEqual(ready.status?.configuration?.managed, ['auth_mode', 'oidc_client_id', 'oidc_client_secret', 'oidc_endpoint', 'project_creation_restriction', 'session_timeout']);
    const core = decoded(await get(ns, 'Secret', 'c1-core'));
    const settings = JSON.parse(core['CONFIG_OVERWRITE_JSON'] ?? '{}') as Record<string, unknown>;
    assert.equal(settings['oidc_client_secret'], first);
    assert.equal(settings['auth_mode'], 'oidc_auth');
    assert.equal(settings['session_timeout'], 90);
    for (const s of await list(ns, 'Secret')) {
      if (s.metadata.name !== 'c1-core') assert.equal(decoded(s)['CONFIG_OVERWRITE_JSON'], undefined, `${s.metadata.name} has no overwrite`);
    }

    // The client secret is rotated in its Secret, with no spec change: the
    // watch of referenced Secrets brings it.
    const before = await snapshot(ns, 'c1');
    const second = 'oidc-client-secret-0002';
    await replaceSecretData(ns, 'oidc', { clientSecret: second });
    const changed = await rollOf(ns, 'c1', before, ['Deployment/c1-core']);
    assert.deepEqual(changed, ['Deployment/c1-core'], 'only core reads the overwrite');
    assert.equal((JSON.parse(decoded(await get(ns, 'Secret', 'c1-core'))['CONFIG_OVERWRITE_JSON'] ?? '{}') as Record<string, unknown>)['oidc_client_secret'], second);

    // A setting changes: core again, and nothing else.
    const before2 = await snapshot(ns, 'c1');
    await patchCluster(ns, 'c1', { spec: { configuration: { readOnly: true } } });
    assert.deepEqual(await rollOf(ns, 'c1', before2, ['Deployment/c1-core']), ['Deployment/c1-core']);
    const now = await waitUntil('read_only managed', async () => {
      const c = await getCluster(ns, 'c1');
      return c.status?.configuration?.managed.includes('read_only') ? c : undefined;
    });
    assert.ok(now.status?.configuration?.managed.includes('read_only'));
    await waitForCondition(ns, 'c1', 'Ready', 'True');
    await noLeak(ns, 'c1', op, [first, second]);
  });

  test('the cache layer rolls core and jobservice only; Trivy settings roll Trivy only', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns);
    await createCluster(ns, harborCluster('c2'));
    await waitForCondition(ns, 'c2', 'Ready', 'True');
    const before = await snapshot(ns, 'c2');
    await patchCluster(ns, 'c2', { spec: { cache: { layer: { enabled: true, expireHours: 6 } } } });
    assert.deepEqual(await rollOf(ns, 'c2', before, ['Deployment/c2-core', 'Deployment/c2-jobservice']), ['Deployment/c2-core', 'Deployment/c2-jobservice']);
    const coreEnv = (await get(ns, 'ConfigMap', 'c2-core'))?.['data'] as Record<string, string>;
    assert.deepEqual([coreEnv['CACHE_ENABLED'], coreEnv['CACHE_EXPIRE_HOURS']], ['true', '6']);
    assert.match(decoded(await get(ns, 'Secret', 'c2-jobservice'))['_REDIS_URL_CACHE_LAYER'] ?? '', /^redis:\/\/:[^@]+@c2-redis:6379\/7$/);

    const token = 'ghp_integration_token_0001';
    await createSecret(ns, 'gh', { token });
    const before2 = await snapshot(ns, 'c2');
    await patchCluster(ns, 'c2', {
      spec: {
        components: {
          trivy: {
            offlineScan: true,
            skipJavaDBUpdate: true,
            dbRepositories: ['mirror.example.test/aquasecurity/trivy-db:2'],
            javaDBRepositories: ['mirror.example.test/aquasecurity/trivy-java-db:1'],
            insecure: true,
            severities: ['HIGH', 'CRITICAL'],
            githubTokenSecretRef: { name: 'gh' },
          },
        },
      },
    });
    assert.deepEqual(await rollOf(ns, 'c2', before2, ['StatefulSet/c2-trivy']), ['StatefulSet/c2-trivy']);
    const trivyEnv = (await get(ns, 'ConfigMap', 'c2-trivy'))?.['data'] as Record<string, string>;
    assert.equal(trivyEnv['SCANNER_TRIVY_OFFLINE_SCAN'], 'true');
    assert.equal(trivyEnv['SCANNER_TRIVY_SKIP_JAVA_DB_UPDATE'], 'true');
    assert.equal(trivyEnv['SCANNER_TRIVY_DB_REPOSITORY'], 'mirror.example.test/aquasecurity/trivy-db:2');
    assert.equal(trivyEnv['SCANNER_TRIVY_SEVERITY'], 'HIGH,CRITICAL');
    assert.equal(decoded(await get(ns, 'Secret', 'c2-trivy'))['SCANNER_TRIVY_GITHUB_TOKEN'], token);
    await waitForCondition(ns, 'c2', 'Ready', 'True');
    await noLeak(ns, 'c2', op, [token]);
  });

  test('every storage driver applies with its credentials from Secrets and becomes Ready', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const op = await startOperator(t, ns, { workers: 4 });
    const secrets = {
      azure: { accountKey: 'azure-account-key-0001==' },
      gcs: { 'key.json': '{"type":"service_account","private_key":"gcs-private-key-0001"}' },
      swift: { password: 'swift-password-0001', tempURLKey: 'swift-tempurl-key-0001' },
      oss: { accessKeyId: 'OSSACCESSKEYID0001', accessKeySecret: 'oss-access-key-secret-0001' },
      cf: { privateKey: '-----BEGIN RSA PRIVATE KEY-----\ncloudfront-key-0001\n-----END RSA PRIVATE KEY-----\n' },
      s3: { accessKey: 'S3ACCESSKEY0001', secretKey: 's3-secret-key-0001' },
    };
    for (const [name, data] of Object.entries(secrets)) await createSecret(ns, name, data);
    const storages: Record<string, unknown> = {
      azure: { type: 'Azure', azure: { accountName: 'harborimages', accountKeySecretRef: { name: 'azure' }, container: 'registry' } },
      gcs: { type: 'GCS', gcs: { bucket: 'images', keyFileSecretRef: { name: 'gcs' } } },
      swift: { type: 'Swift', swift: { authURL: 'https://keystone.example.test/v3', username: 'harbor', credentialsSecretRef: { name: 'swift', secretKeyKey: 'tempURLKey' }, container: 'registry' } },
      oss: { type: 'OSS', oss: { bucket: 'images', region: 'oss-cn-hangzhou', credentialsSecretRef: { name: 'oss' } } },
      s3: {
        type: 'S3',
        s3: { bucket: 'images', region: 'eu-west-1', credentialsSecretRef: { name: 's3' }, cloudFront: { baseURL: 'https://d1.cloudfront.net', keyPairID: 'K1', privateKeySecretRef: { name: 'cf' } } },
      },
    };
    for (const [driver, storage] of Object.entries(storages)) await createCluster(ns, harborCluster(`d-${driver}`, { storage, components: { trivy: { enabled: false } } }));
    for (const driver of Object.keys(storages)) {
      await waitForCondition(ns, `d-${driver}`, 'Ready', 'True', undefined, 120_000);
      const env = (await get(ns, 'ConfigMap', `d-${driver}-core`))?.['data'] as Record<string, string>;
      assert.equal(env['REGISTRY_STORAGE_PROVIDER_NAME'], driver);
      assert.equal(await get(ns, 'PersistentVolumeClaim', `d-${driver}-registry`), undefined, `${driver}: no registry volume`);
    }
    const registry = decoded(await get(ns, 'Secret', 'd-swift-registry'));
    assert.equal(registry['REGISTRY_STORAGE_SWIFT_PASSWORD'], '"swift-password-0001"', 'YAML-quoted for the registry\'s parser');
    assert.equal(decoded(await get(ns, 'Secret', 'd-gcs-registry'))['gcs-key.json'], secrets.gcs['key.json']);
    assert.equal(decoded(await get(ns, 'Secret', 'd-s3-registry'))['cloudfront-key.pem'], secrets.cf.privateKey);
    for (const driver of Object.keys(storages)) {
      await noLeak(ns, `d-${driver}`, op, Object.values(secrets).flatMap((d) => Object.values(d).flatMap((v) => v.split('\n').filter((l) => l.length >= 8))));
    }
  });

  test('a missing Secret of a storage driver or a setting is reported with its field, and the cluster recovers once it exists', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    await createCluster(
      ns,
      harborCluster('m1', {
        storage: { type: 'Azure', azure: { accountName: 'harborimages', accountKeySecretRef: { name: 'azure-missing' }, container: 'registry' } },
        configuration: { auth: { mode: 'LDAP', ldap: { url: 'ldaps://ldap.example.test', baseDN: 'dc=example,dc=test', searchDN: 'cn=harbor', searchPasswordSecretRef: { name: 'ldap' } } } },
      }),
    );
    const degraded = await waitForCondition(ns, 'm1', 'Degraded', 'True', 'SecretNotFound');
    const message = degraded.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '';
    assert.match(message, /spec\.(storage\.azure\.accountKeySecretRef|configuration\.auth\.ldap\.searchPasswordSecretRef): Secret .* not found/);
    assert.equal(await get(ns, 'Deployment', 'm1-core'), undefined, 'nothing of Harbor applied without its secrets');
    await createSecret(ns, 'azure-missing', { accountKey: 'azure-account-key-0002==' });
    await createSecret(ns, 'ldap', { password: 'ldap-search-password-0002' });
    await waitForCondition(ns, 'm1', 'Ready', 'True');
    const settings = JSON.parse(decoded(await get(ns, 'Secret', 'm1-core'))['CONFIG_OVERWRITE_JSON'] ?? '{}') as Record<string, unknown>;
    assert.equal(settings['ldap_search_password'], 'ldap-search-password-0002');
  });
});
