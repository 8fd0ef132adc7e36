// spec.secrets: Harbor's own secrets brought by the user. Which Secret keys
// the spec references (part of secretRefs()), that a referenced value wins
// over the generated one (assembleSecrets), and what Harbor needs of each
// value (ownSecretProblem), told without the value.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import { assembleSecrets } from '../../src/controller/desired.ts';
import { ownSecretRefs } from '../../src/controller/own-secret-refs.ts';
import { secretRefs } from '../../src/controller/secret-refs.ts';
import { ownSecretProblem, type OwnSecretField } from '../../src/secrets/own-secrets.ts';
import { fixedSecrets } from '../harness/golden-cases.ts';

function cr(secrets: HarborClusterSpec['secrets']): HarborCluster {
  return { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name: 'h', namespace: 'team' }, spec: { externalURL: 'https://h.example.com', ...(secrets ? { secrets } : {}) } };
}

const refCases: { name: string; secrets: HarborClusterSpec['secrets']; expected: ReturnType<typeof ownSecretRefs> }[] = [
  { name: 'none', secrets: undefined, expected: {} },
  { name: 'an empty section', secrets: {}, expected: {} },
  {
    name: 'every reference, with the default keys',
    secrets: {
      secretKeySecretRef: { name: 'old-harbor' },
      tokenKeySecretRef: { name: 'old-token' },
      coreSecretSecretRef: { name: 'old-core' },
      jobserviceSecretSecretRef: { name: 'old-jobs' },
      registryHttpSecretSecretRef: { name: 'old-registry' },
    },
    expected: {
      secretKey: { field: 'spec.secrets.secretKeySecretRef', name: 'old-harbor', key: 'secretKey' },
      tokenKey: { field: 'spec.secrets.tokenKeySecretRef', name: 'old-token', key: 'tls.key' },
      coreSecret: { field: 'spec.secrets.coreSecretSecretRef', name: 'old-core', key: 'secret' },
      jobserviceSecret: { field: 'spec.secrets.jobserviceSecretSecretRef', name: 'old-jobs', key: 'secret' },
      registryHttpSecret: { field: 'spec.secrets.registryHttpSecretSecretRef', name: 'old-registry', key: 'secret' },
    },
  },
  {
    name: 'one Secret, keys named',
    secrets: { secretKeySecretRef: { name: 'harbor', key: 'secretkey' }, coreSecretSecretRef: { name: 'harbor', key: 'CORE_SECRET' } },
    expected: {
      secretKey: { field: 'spec.secrets.secretKeySecretRef', name: 'harbor', key: 'secretkey' },
      coreSecret: { field: 'spec.secrets.coreSecretSecretRef', name: 'harbor', key: 'CORE_SECRET' },
    },
  },
];

for (const c of refCases) {
  test(`ownSecretRefs: ${c.name}`, () => {
    assert.deepEqual(ownSecretRefs(cr(c.secrets)), c.expected);
  });
}

test('secretRefs includes them, so they are read and watched like the others', () => {
  const refs = secretRefs(cr({ registryHttpSecretSecretRef: { name: 'r' } }));
  assert.deepEqual(refs.registryHttpSecret, { field: 'spec.secrets.registryHttpSecretSecretRef', name: 'r', key: 'secret' });
  assert.equal(refs.secretKey, undefined);
});

test('assembleSecrets: a referenced value wins over the generated one; unreferenced ones stay generated', () => {
  const generated = {
    secretKey: 'generated-key-16',
    tokenKey: 'generated token key',
    coreSecret: 'generated-core-01',
    jobserviceSecret: 'generated-jobs-01',
    registryHttpSecret: 'generated-registry-http',
    csrfKey: 'c'.repeat(32),
  };
  const s = assembleSecrets({ secretKey: 'brought-key-0016', coreSecret: 'brought-core-secret', registryHttpSecret: 'brought-registry-http' }, generated);
  assert.deepEqual(
    [s.secretKey, s.tokenKey, s.coreSecret, s.jobserviceSecret, s.registryHttpSecret, s.csrfKey],
    ['brought-key-0016', 'generated token key', 'brought-core-secret', 'generated-jobs-01', 'brought-registry-http', 'c'.repeat(32)],
  );
  const all = assembleSecrets({ tokenKey: 'brought token key', jobserviceSecret: 'brought-jobs-secret' }, generated);
  assert.deepEqual([all.tokenKey, all.jobserviceSecret, all.secretKey], ['brought token key', 'brought-jobs-secret', 'generated-key-16']);
});

const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs1 = rsa.export({ type: 'pkcs1', format: 'pem' }).toString();
const pkcs8 = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
const ecPem = ec.export({ type: 'sec1', format: 'pem' }).toString();
const bodyOf = (pem: string): string => pem.split('\n').slice(1, -2).join('\n');

const valueCases: { name: string; field: OwnSecretField; value: string; problem: RegExp | undefined }[] = [
  { name: '16 ASCII characters', field: 'secretKey', value: 'abcdefghijklmnop', problem: undefined },
  { name: 'the golden fixture', field: 'secretKey', value: fixedSecrets.secretKey, problem: undefined },
  { name: '15 characters', field: 'secretKey', value: 'abcdefghijklmno', problem: /holds 15 bytes; Harbor's secret key is exactly 16/ },
  { name: '16 characters and a newline (kubectl create secret --from-file of an echo)', field: 'secretKey', value: 'abcdefghijklmnop\n', problem: /holds 17 bytes/ },
  { name: '16 characters of which one is two bytes in UTF-8', field: 'secretKey', value: 'abcdefghijklmnoé', problem: /holds 17 bytes/ },
  { name: '32 characters (an AES-256 key, which Harbor refuses)', field: 'secretKey', value: 'a'.repeat(32), problem: /holds 32 bytes/ },
  { name: 'a PKCS#1 RSA key', field: 'tokenKey', value: pkcs1, problem: undefined },
  { name: 'the golden fixture key', field: 'tokenKey', value: fixedSecrets.tokenKey, problem: undefined },
  { name: 'a PKCS#8 RSA key (libtrust does not read it)', field: 'tokenKey', value: pkcs8, problem: /not a PKCS#1 PEM RSA private key/ },
  { name: 'an EC key', field: 'tokenKey', value: ecPem, problem: /not a PKCS#1 PEM RSA private key/ },
  { name: 'an EC key under an RSA header', field: 'tokenKey', value: `-----BEGIN RSA PRIVATE KEY-----\n${bodyOf(ecPem)}\n-----END RSA PRIVATE KEY-----\n`, problem: /not a readable PEM RSA private key/ },
  { name: 'a cut RSA key', field: 'tokenKey', value: pkcs1.slice(0, 200), problem: /not a readable PEM RSA private key/ },
  { name: 'core: 16 characters', field: 'coreSecret', value: 'a'.repeat(16), problem: undefined },
  { name: 'core: 15 characters', field: 'coreSecret', value: 'a'.repeat(15), problem: /holds 15 characters; at least 16/ },
  { name: 'jobservice: 40 characters', field: 'jobserviceSecret', value: 'j'.repeat(40), problem: undefined },
  { name: 'jobservice: a trailing newline', field: 'jobserviceSecret', value: `${'j'.repeat(16)}\n`, problem: /line break/ },
  { name: 'registry: 8 characters', field: 'registryHttpSecret', value: 'r'.repeat(8), problem: /holds 8 characters/ },
];

for (const c of valueCases) {
  test(`ownSecretProblem ${c.field}: ${c.name}`, () => {
    const problem = ownSecretProblem(c.field, c.value);
    if (c.problem === undefined) assert.equal(problem, undefined);
    else {
      assert.match(problem ?? '', c.problem);
      assert.ok(!problem?.includes(c.value.trim()), 'the value is not in the message');
    }
  });
}
