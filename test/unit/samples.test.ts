// Every sample under deploy/samples maps to chart values. (That the API
// server accepts them is tested in test/integration/crd-validation.test.ts.)
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import type { HarborSecrets } from '../../src/render/secrets-input.ts';
import { toValues } from '../../src/render/values.ts';

const dir = new URL('../../deploy/samples/', import.meta.url);
const secrets: HarborSecrets = {
  adminPassword: 'a',
  coreSecret: 'c',
  jobserviceSecret: 'j',
  csrfKey: 'k',
  secretKey: 's',
  registryHttpSecret: 'h',
  registryUsername: 'harbor_registry_user',
  registryPassword: 'p',
  registryHtpasswd: 'harbor_registry_user:x',
  tokenKey: 'key',
  tokenCert: 'cert',
  databasePassword: 'd',
  cachePassword: '',
  s3AccessKey: 'ak',
  s3SecretKey: 'sk',
  oidcClientSecret: 'oidc',
};

const cases: { name: string; input: string; expected: { expose: string; database: string; cache: string; storage: string } }[] = [
  { name: 'minimal', input: 'minimal.yaml', expected: { expose: 'ingress', database: 'internal', cache: 'internal', storage: 'filesystem' } },
  {
    name: 'external services',
    input: 'external-services.yaml',
    expected: { expose: 'ingress', database: 'external', cache: 'external', storage: 's3' },
  },
  {
    name: 'ingress with cert-manager',
    input: 'ingress-cert-manager.yaml',
    expected: { expose: 'ingress', database: 'internal', cache: 'internal', storage: 'filesystem' },
  },
  { name: 'LoadBalancer', input: 'loadbalancer.yaml', expected: { expose: 'loadBalancer', database: 'internal', cache: 'internal', storage: 'filesystem' } },
  { name: 'OIDC and S3', input: 'oidc-s3.yaml', expected: { expose: 'ingress', database: 'internal', cache: 'internal', storage: 's3' } },
  { name: 'offline scanner', input: 'offline-scanner.yaml', expected: { expose: 'ingress', database: 'internal', cache: 'internal', storage: 'filesystem' } },
];

test('the OIDC and S3 sample: users log in with OIDC, the secret from its Secret, the cache layer on', async () => {
  const sample = parse(await readFile(new URL('oidc-s3.yaml', dir), 'utf8')) as HarborCluster;
  const values = toValues(sample, secrets);
  const settings = JSON.parse(values.configuration.overwriteJSON) as Record<string, unknown>;
  assert.equal(settings['auth_mode'], 'oidc_auth');
  assert.equal(settings['oidc_client_secret'], 'oidc');
  assert.equal(values.cacheLayer.enabled, true);
  assert.deepEqual(values.storage.secretParameters, { accesskey: 'ak', secretkey: 'sk' });
});

test('the offline scanner sample: mirrors, offline scan, images from the mirror', async () => {
  const sample = parse(await readFile(new URL('offline-scanner.yaml', dir), 'utf8')) as HarborCluster;
  const t = toValues(sample, secrets).components.trivy;
  assert.equal(t.offlineScan, true);
  assert.ok(t.dbRepositories.every((r) => r.startsWith('mirror.internal.example.com/')));
  assert.ok(t.javaDBRepositories.every((r) => r.startsWith('mirror.internal.example.com/')));
  assert.equal(toValues(sample, secrets).image.registry, 'mirror.internal.example.com');
});

test('every sample file has a case', async () => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual(files, cases.map((c) => c.input).sort());
});

for (const c of cases) {
  test(`sample ${c.name} (${c.input}) maps to chart values`, async () => {
    const sample = parse(await readFile(new URL(c.input, dir), 'utf8')) as HarborCluster;
    assert.equal(sample.kind, 'HarborCluster');
    const values = toValues(sample, secrets);
    assert.deepEqual(
      { expose: values.expose.type, database: values.database.type, cache: values.cache.type, storage: values.storage.type },
      c.expected,
    );
    assert.equal(values.commonLabels['harbor-operator.dev/cluster'], sample.metadata.name);
  });
}
