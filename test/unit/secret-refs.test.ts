// secretRefs(), valueOf() and redact(): which Secrets a spec points at, their
// values, and keeping those values out of messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import { redact } from '../../src/controller/redact.ts';
import { SecretRefError, secretRefs, valueOf, type SecretRef } from '../../src/controller/secret-refs.ts';
import type { KubeObject } from '../../src/model/object.ts';

function cr(spec: Partial<HarborClusterSpec>): HarborCluster {
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: 'harbor', namespace: 'team' },
    spec: { externalURL: 'https://harbor.example.com', ...spec },
  };
}

type Refs = ReturnType<typeof secretRefs>;
const none: Refs = { adminPassword: undefined, databasePassword: undefined, cachePassword: undefined, s3AccessKey: undefined, s3SecretKey: undefined };
const external = { host: 'db.example.com', username: 'harbor' };

const refCases: { name: string; spec: Partial<HarborClusterSpec>; expected: Refs }[] = [
  { name: 'no references', spec: {}, expected: none },
  {
    name: 'in-cluster everything, filesystem storage',
    spec: { database: { type: 'InCluster' }, cache: { type: 'InCluster' }, storage: { type: 'Filesystem' } },
    expected: none,
  },
  {
    name: 'admin password with the default key',
    spec: { adminPasswordSecretRef: { name: 'admin' } },
    expected: { ...none, adminPassword: { field: 'spec.adminPasswordSecretRef', name: 'admin', key: 'password' } },
  },
  {
    name: 'admin password with its own key',
    spec: { adminPasswordSecretRef: { name: 'admin', key: 'HARBOR_ADMIN' } },
    expected: { ...none, adminPassword: { field: 'spec.adminPasswordSecretRef', name: 'admin', key: 'HARBOR_ADMIN' } },
  },
  {
    name: 'external database',
    spec: { database: { type: 'External', external: { ...external, passwordSecretRef: { name: 'pg' } } } },
    expected: { ...none, databasePassword: { field: 'spec.database.external.passwordSecretRef', name: 'pg', key: 'password' } },
  },
  {
    name: 'external database with its own key',
    spec: { database: { type: 'External', external: { ...external, passwordSecretRef: { name: 'pg', key: 'pgpass' } } } },
    expected: { ...none, databasePassword: { field: 'spec.database.external.passwordSecretRef', name: 'pg', key: 'pgpass' } },
  },
  {
    name: 'in-cluster database with a stale external section: ignored',
    spec: { database: { type: 'InCluster', external: { ...external, passwordSecretRef: { name: 'pg' } } } },
    expected: none,
  },
  {
    name: 'database type left to its default (InCluster) with an external section: ignored',
    spec: { database: { external: { ...external, passwordSecretRef: { name: 'pg' } } } },
    expected: none,
  },
  {
    name: 'external cache with a password',
    spec: { cache: { type: 'External', external: { address: 'redis:6379', passwordSecretRef: { name: 'redis' } } } },
    expected: { ...none, cachePassword: { field: 'spec.cache.external.passwordSecretRef', name: 'redis', key: 'password' } },
  },
  {
    name: 'external cache without a password',
    spec: { cache: { type: 'External', external: { address: 'redis:6379' } } },
    expected: none,
  },
  {
    name: 'in-cluster cache with a stale external section: ignored',
    spec: { cache: { type: 'InCluster', external: { address: 'redis:6379', passwordSecretRef: { name: 'redis' } } } },
    expected: none,
  },
  {
    name: 'S3 credentials with the default keys',
    spec: { storage: { type: 'S3', s3: { bucket: 'b', region: 'r', credentialsSecretRef: { name: 's3' } } } },
    expected: {
      ...none,
      s3AccessKey: { field: 'spec.storage.s3.credentialsSecretRef', name: 's3', key: 'accessKey' },
      s3SecretKey: { field: 'spec.storage.s3.credentialsSecretRef', name: 's3', key: 'secretKey' },
    },
  },
  {
    name: 'S3 credentials with custom keys',
    spec: {
      storage: { type: 'S3', s3: { bucket: 'b', region: 'r', credentialsSecretRef: { name: 's3', accessKeyKey: 'AWS_ACCESS_KEY_ID', secretKeyKey: 'AWS_SECRET_ACCESS_KEY' } } },
    },
    expected: {
      ...none,
      s3AccessKey: { field: 'spec.storage.s3.credentialsSecretRef', name: 's3', key: 'AWS_ACCESS_KEY_ID' },
      s3SecretKey: { field: 'spec.storage.s3.credentialsSecretRef', name: 's3', key: 'AWS_SECRET_ACCESS_KEY' },
    },
  },
  {
    name: 'S3 without credentials (instance role)',
    spec: { storage: { type: 'S3', s3: { bucket: 'b', region: 'r' } } },
    expected: none,
  },
  {
    name: 'filesystem storage with a stale S3 section: ignored',
    spec: { storage: { type: 'Filesystem', s3: { bucket: 'b', region: 'r', credentialsSecretRef: { name: 's3' } } } },
    expected: none,
  },
  {
    name: 'everything referenced at once',
    spec: {
      adminPasswordSecretRef: { name: 'admin' },
      database: { type: 'External', external: { ...external, passwordSecretRef: { name: 'shared', key: 'db' } } },
      cache: { type: 'External', external: { address: 'redis:6379', passwordSecretRef: { name: 'shared', key: 'redis' } } },
      storage: { type: 'S3', s3: { bucket: 'b', region: 'r', credentialsSecretRef: { name: 'shared' } } },
    },
    expected: {
      adminPassword: { field: 'spec.adminPasswordSecretRef', name: 'admin', key: 'password' },
      databasePassword: { field: 'spec.database.external.passwordSecretRef', name: 'shared', key: 'db' },
      cachePassword: { field: 'spec.cache.external.passwordSecretRef', name: 'shared', key: 'redis' },
      s3AccessKey: { field: 'spec.storage.s3.credentialsSecretRef', name: 'shared', key: 'accessKey' },
      s3SecretKey: { field: 'spec.storage.s3.credentialsSecretRef', name: 'shared', key: 'secretKey' },
    },
  },
];

for (const c of refCases) {
  test(`secretRefs: ${c.name}`, () => {
    assert.deepEqual(secretRefs(cr(c.spec)), c.expected);
  });
}

// --- valueOf ------------------------------------------------------------------

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function secret(name: string, data: Record<string, string> | undefined): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'team' }, ...(data ? { data } : {}) };
}

const dbRef: SecretRef = { field: 'spec.database.external.passwordSecretRef', name: 'pg', key: 'password' };
const sensitive = 'Sup3r-s3cret-value';

const valueCases: { name: string; ref: SecretRef; secret: KubeObject | undefined; expected: string }[] = [
  { name: 'decodes base64', ref: dbRef, secret: secret('pg', { password: b64('hunter2') }), expected: 'hunter2' },
  { name: 'decodes UTF-8', ref: dbRef, secret: secret('pg', { password: b64('pässwörd ✓') }), expected: 'pässwörd ✓' },
  { name: 'keeps a trailing newline', ref: dbRef, secret: secret('pg', { password: b64('line\n') }), expected: 'line\n' },
  { name: 'an empty value is a value', ref: dbRef, secret: secret('pg', { password: '' }), expected: '' },
  {
    name: 'picks the referenced key among others',
    ref: { ...dbRef, key: 'b' },
    secret: secret('pg', { a: b64('first'), b: b64('second') }),
    expected: 'second',
  },
];

for (const c of valueCases) {
  test(`valueOf: ${c.name}`, () => {
    assert.equal(valueOf(c.ref, c.secret, 'team'), c.expected);
  });
}

const errorCases: { name: string; ref: SecretRef; secret: KubeObject | undefined; message: string }[] = [
  {
    name: 'a missing Secret names the field and the Secret',
    ref: dbRef,
    secret: undefined,
    message: 'spec.database.external.passwordSecretRef: Secret team/pg not found',
  },
  {
    name: 'a missing key names the key, not the values there',
    ref: dbRef,
    secret: secret('pg', { pass: b64(sensitive), other: b64(sensitive) }),
    message: 'spec.database.external.passwordSecretRef: Secret team/pg has no key "password"',
  },
  {
    name: 'a Secret without data',
    ref: { field: 'spec.adminPasswordSecretRef', name: 'admin', key: 'password' },
    secret: secret('admin', undefined),
    message: 'spec.adminPasswordSecretRef: Secret team/admin has no key "password"',
  },
];

for (const c of errorCases) {
  test(`valueOf: ${c.name}`, () => {
    assert.throws(
      () => valueOf(c.ref, c.secret, 'team'),
      (err: unknown) => {
        assert.ok(err instanceof SecretRefError);
        assert.equal(err.name, 'SecretRefError');
        assert.equal(err.message, c.message);
        assert.ok(!err.message.includes(sensitive) && !err.message.includes(b64(sensitive)), 'no value in the message');
        return true;
      },
    );
  });
}

// --- redact -------------------------------------------------------------------

const redactCases: { name: string; text: string; secrets: (string | undefined)[]; expected: string }[] = [
  { name: 'nothing to hide', text: 'helm failed', secrets: [], expected: 'helm failed' },
  { name: 'one occurrence', text: 'password hunter2 rejected', secrets: ['hunter2'], expected: 'password [redacted] rejected' },
  { name: 'every occurrence', text: 'hunter2/hunter2 and hunter2', secrets: ['hunter2'], expected: '[redacted]/[redacted] and [redacted]' },
  { name: 'several secrets', text: 'user=alice pass=hunter2 key=AKIA1234', secrets: ['hunter2', 'AKIA1234'], expected: 'user=alice pass=[redacted] key=[redacted]' },
  { name: 'exactly four characters are replaced', text: 'pin abcd', secrets: ['abcd'], expected: 'pin [redacted]' },
  { name: 'shorter than four characters are not', text: 'a abc b', secrets: ['abc', 'a', 'b'], expected: 'a abc b' },
  { name: 'empty and undefined are ignored', text: 'value', secrets: ['', undefined], expected: 'value' },
  { name: 'regex characters are literal', text: 'p.s* and pass', secrets: ['p.s*'], expected: '[redacted] and pass' },
  { name: 'inside a longer word', text: 'xxhunter2xx', secrets: ['hunter2'], expected: 'xx[redacted]xx' },
  { name: 'case matters', text: 'HUNTER2', secrets: ['hunter2'], expected: 'HUNTER2' },
];

for (const c of redactCases) {
  test(`redact: ${c.name}`, () => {
    assert.equal(redact(c.text, c.secrets), c.expected);
  });
}

test('redact takes any iterable, a Set or a generator', () => {
  function* values(): Generator<string> {
    yield 'first-secret';
    yield 'second-secret';
  }
  assert.equal(redact('first-secret second-secret', new Set(['first-secret'])), '[redacted] second-secret');
  assert.equal(redact('first-secret second-secret', values()), '[redacted] [redacted]');
});

test('redact replaces the longest secret first, so none is half-replaced', () => {
  assert.equal(redact('pw=abcdef and abcd', ['abcd', 'abcdef']), 'pw=[redacted] and [redacted]');
});
