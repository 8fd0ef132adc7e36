// The Secrets spec.configuration, the storage drivers, CloudFront and Trivy
// reference: part of secretRefs(), only those in use, and read into the
// values the chart gets (assembleSecrets).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import { assembleSecrets } from '../../src/controller/desired.ts';
import { moreSecretFields, moreSecretRefs } from '../../src/controller/more-secret-refs.ts';
import { secretRefs } from '../../src/controller/secret-refs.ts';

function cr(spec: Partial<HarborClusterSpec>): HarborCluster {
  return { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name: 'harbor', namespace: 'team' }, spec: { externalURL: 'https://h.example.com', ...spec } };
}

const oidc = { endpoint: 'https://id', clientID: 'c', clientSecretSecretRef: { name: 'oidc' } };
const ldap = { url: 'ldap://l', baseDN: 'dc=x', searchPasswordSecretRef: { name: 'ldap', key: 'pw' } };
const uaa = { endpoint: 'https://u', clientID: 'c', clientSecretSecretRef: { name: 'uaa' } };

const cases: { name: string; spec: Partial<HarborClusterSpec>; expected: ReturnType<typeof moreSecretRefs> }[] = [
  { name: 'nothing referenced', spec: {}, expected: {} },
  {
    name: 'OIDC client secret, default key',
    spec: { configuration: { auth: { mode: 'OIDC', oidc } } },
    expected: { oidcClientSecret: { field: 'spec.configuration.auth.oidc.clientSecretSecretRef', name: 'oidc', key: 'clientSecret' } },
  },
  {
    name: 'LDAP search password, own key',
    spec: { configuration: { auth: { mode: 'LDAP', ldap } } },
    expected: { ldapSearchPassword: { field: 'spec.configuration.auth.ldap.searchPasswordSecretRef', name: 'ldap', key: 'pw' } },
  },
  { name: 'LDAP without a search password', spec: { configuration: { auth: { mode: 'LDAP', ldap: { url: 'ldap://l', baseDN: 'dc=x' } } } }, expected: {} },
  {
    name: 'UAA client secret',
    spec: { configuration: { auth: { mode: 'UAA', uaa } } },
    expected: { uaaClientSecret: { field: 'spec.configuration.auth.uaa.clientSecretSecretRef', name: 'uaa', key: 'clientSecret' } },
  },
  { name: 'a section of another mode: not read', spec: { configuration: { auth: { mode: 'Database', oidc, ldap, uaa } } }, expected: {} },
  {
    name: 'CloudFront key',
    spec: { storage: { type: 'S3', s3: { bucket: 'b', region: 'r', cloudFront: { baseURL: 'https://d', keyPairID: 'k', privateKeySecretRef: { name: 'cf' } } } } },
    expected: { cloudFrontPrivateKey: { field: 'spec.storage.s3.cloudFront.privateKeySecretRef', name: 'cf', key: 'privateKey' } },
  },
  {
    name: 'Azure account key',
    spec: { storage: { type: 'Azure', azure: { accountName: 'a12', accountKeySecretRef: { name: 'az' }, container: 'c12' } } },
    expected: { azureAccountKey: { field: 'spec.storage.azure.accountKeySecretRef', name: 'az', key: 'accountKey' } },
  },
  {
    name: 'GCS key file',
    spec: { storage: { type: 'GCS', gcs: { bucket: 'b', keyFileSecretRef: { name: 'gcs' } } } },
    expected: { gcsKeyFile: { field: 'spec.storage.gcs.keyFileSecretRef', name: 'gcs', key: 'key.json' } },
  },
  { name: 'GCS with ambient credentials', spec: { storage: { type: 'GCS', gcs: { bucket: 'b' } } }, expected: {} },
  {
    name: 'Swift password only',
    spec: { storage: { type: 'Swift', swift: { authURL: 'https://k', username: 'u', credentialsSecretRef: { name: 'sw' }, container: 'c' } } },
    expected: { swiftPassword: { field: 'spec.storage.swift.credentialsSecretRef', name: 'sw', key: 'password' } },
  },
  {
    name: 'Swift with both TempURL keys',
    spec: { storage: { type: 'Swift', swift: { authURL: 'https://k', username: 'u', credentialsSecretRef: { name: 'sw', passwordKey: 'p', secretKeyKey: 's', accessKeyKey: 'a' }, container: 'c' } } },
    expected: {
      swiftPassword: { field: 'spec.storage.swift.credentialsSecretRef', name: 'sw', key: 'p' },
      swiftSecretKey: { field: 'spec.storage.swift.credentialsSecretRef', name: 'sw', key: 's' },
      swiftAccessKey: { field: 'spec.storage.swift.credentialsSecretRef', name: 'sw', key: 'a' },
    },
  },
  {
    name: 'OSS AccessKey pair',
    spec: { storage: { type: 'OSS', oss: { bucket: 'b', region: 'r', credentialsSecretRef: { name: 'oss' } } } },
    expected: {
      ossAccessKeyId: { field: 'spec.storage.oss.credentialsSecretRef', name: 'oss', key: 'accessKeyId' },
      ossAccessKeySecret: { field: 'spec.storage.oss.credentialsSecretRef', name: 'oss', key: 'accessKeySecret' },
    },
  },
  {
    name: 'a driver section the type does not use: not read',
    spec: { storage: { type: 'S3', s3: { bucket: 'b', region: 'r' }, azure: { accountName: 'a12', accountKeySecretRef: { name: 'az' }, container: 'c12' } } },
    expected: {},
  },
  {
    name: 'Trivy GitHub token',
    spec: { components: { trivy: { githubTokenSecretRef: { name: 'gh' } } } },
    expected: { trivyGithubToken: { field: 'spec.components.trivy.githubTokenSecretRef', name: 'gh', key: 'token' } },
  },
  { name: 'Trivy disabled: its token is not read', spec: { components: { trivy: { enabled: false, githubTokenSecretRef: { name: 'gh' } } } }, expected: {} },
];

for (const c of cases) {
  test(`moreSecretRefs: ${c.name}`, () => {
    assert.deepEqual(moreSecretRefs(cr(c.spec)), c.expected);
  });
}

test('secretRefs includes them, so the secrets source reads (and watches) them like the others', () => {
  const refs = secretRefs(cr({ configuration: { auth: { mode: 'OIDC', oidc } }, components: { trivy: { githubTokenSecretRef: { name: 'gh' } } } }));
  assert.equal(refs.oidcClientSecret?.name, 'oidc');
  assert.equal(refs.trivyGithubToken?.name, 'gh');
  assert.equal(refs.adminPassword, undefined);
});

test('every value read reaches the chart values under its name', () => {
  const user = Object.fromEntries(moreSecretFields.map((f) => [f, `value-of-${f}`]));
  const assembled = assembleSecrets(user, {}) as unknown as Record<string, unknown>;
  for (const f of moreSecretFields) assert.equal(assembled[f], `value-of-${f}`, f);
  const none = assembleSecrets({}, {}) as unknown as Record<string, unknown>;
  for (const f of moreSecretFields) assert.ok(!(f in none), `${f} absent when not referenced`);
});
