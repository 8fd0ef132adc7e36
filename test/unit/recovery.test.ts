// decideRecovery(), runEvidence() and the messages: what happens to the
// generated values when their Secret (or some keys) is lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeSecrets, GENERATED_KEYS, type GeneratedKey, type GeneratedSecrets, type SecretNeeds } from '../../src/secrets/generate.ts';
import {
  BOUND_KEYS,
  COPIES,
  decideRecovery,
  recoveryMessage,
  refusalMessage,
  runEvidence,
  type RecoveryInput,
} from '../../src/secrets/recovery.ts';
import { createTokenKeyPair } from '../../src/secrets/token-keypair.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const counter = (start = 0) => {
  let next = start;
  return (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => next++ % 256));
};
const pair = await createTokenKeyPair(NOW, counter(1));

const all: SecretNeeds = { adminPassword: true, databasePassword: true, cachePassword: true };
const external: SecretNeeds = { adminPassword: false, databasePassword: false, cachePassword: false };

const v: GeneratedSecrets = {
  adminPassword: 'admin-value-000000000',
  coreSecret: 'core-value-00000',
  jobserviceSecret: 'jobs-value-00000',
  csrfKey: 'csrf-value-000000000000000000000',
  secretKey: 'secretkey-value0',
  registryHttpSecret: 'registry-http-value-000000000000',
  registryPassword: 'registry-password-value0',
  registryHtpasswd: 'harbor_registry_user:$2a$05$abcdefghijklmnopqrstuuNq0Vq5Pp1o5Zq0z7m3Y2R1u2n6bY8oG',
  tokenKey: pair.key,
  tokenCert: pair.cert,
  databasePassword: 'database-password-value0',
  cachePassword: 'cache-password-value0000',
};

/** The component Secrets as the chart renders them from these values. */
function copiesOf(values: GeneratedSecrets, components = ['core', 'jobservice', 'registry', 'database', 'exporter', 'redis']): RecoveryInput['copies'] {
  const out: Record<string, Record<string, string>> = {};
  for (const [key, list] of Object.entries(COPIES) as [GeneratedKey, (typeof COPIES)[GeneratedKey]][]) {
    const value = values[key];
    if (value === undefined) continue;
    for (const c of list ?? []) {
      if (!components.includes(c.component)) continue;
      // The chart's copies of a PEM lose its final newline (toYaml/fromYaml).
      out[c.component] = { ...(out[c.component] ?? {}), [c.key]: value.replace(/\n$/, '') };
    }
  }
  // What else these Secrets hold (never taken for a generated value).
  if (out['core']) out['core'] = { ...out['core'], REGISTRY_CREDENTIAL_USERNAME: 'harbor_registry_user', _REDIS_URL_CORE: 'redis://x' };
  return out;
}

const without = (values: GeneratedSecrets, ...keys: GeneratedKey[]): GeneratedSecrets =>
  Object.fromEntries(Object.entries(values).filter(([k]) => !keys.includes(k as GeneratedKey)));

const randomKeys = GENERATED_KEYS.filter((k) => k !== 'registryHtpasswd' && k !== 'tokenCert');

interface Case {
  name: string;
  input: RecoveryInput;
  expected:
    | { kind: 'complete'; recovered: GeneratedKey[]; mint: GeneratedKey[]; derive: GeneratedKey[]; values?: GeneratedSecrets }
    | { kind: 'refused'; lost: GeneratedKey[]; conflicting?: GeneratedKey[] };
}

const cases: Case[] = [
  {
    name: 'a brand-new cluster: everything is made',
    input: { stored: {}, copies: {}, needs: all, hasRun: false },
    expected: { kind: 'complete', recovered: [], mint: randomKeys, derive: ['registryHtpasswd', 'tokenCert'] },
  },
  {
    name: 'a brand-new cluster without in-cluster database, cache or generated admin password',
    input: { stored: {}, copies: {}, needs: external, hasRun: false },
    expected: {
      kind: 'complete',
      recovered: [],
      mint: randomKeys.filter((k) => k !== 'adminPassword' && k !== 'databasePassword' && k !== 'cachePassword'),
      derive: ['registryHtpasswd', 'tokenCert'],
    },
  },
  {
    name: 'the Secret is gone, every component Secret is there: every value recovered, the certificate derived, nothing made',
    input: { stored: {}, copies: copiesOf(v), needs: all, hasRun: true },
    expected: { kind: 'complete', recovered: GENERATED_KEYS.filter((k) => k !== 'tokenCert'), mint: [], derive: ['tokenCert'], values: without(v, 'tokenCert') },
  },
  {
    name: 'only core and database are left: the bound values come back, the rest is made anew or derived',
    input: { stored: {}, copies: copiesOf(v, ['core', 'database']), needs: all, hasRun: true },
    expected: {
      kind: 'complete',
      recovered: ['adminPassword', 'coreSecret', 'jobserviceSecret', 'csrfKey', 'secretKey', 'registryPassword', 'tokenKey', 'databasePassword'],
      mint: ['registryHttpSecret', 'cachePassword'],
      derive: ['registryHtpasswd', 'tokenCert'],
    },
  },
  {
    name: 'a cluster that has run, no copy left: refused, naming the bound values',
    input: { stored: {}, copies: {}, needs: all, hasRun: true },
    expected: { kind: 'refused', lost: ['adminPassword', 'secretKey', 'tokenKey', 'databasePassword'] },
  },
  {
    name: 'a cluster that has run, external database: the database password is not the operator\'s to lose',
    input: { stored: {}, copies: {}, needs: { ...external, adminPassword: true }, hasRun: true },
    expected: { kind: 'refused', lost: ['adminPassword', 'secretKey', 'tokenKey'] },
  },
  {
    name: 'one key removed from the Secret by hand, its copy gone too: refused for that key',
    input: { stored: without(v, 'secretKey'), copies: copiesOf(v, ['registry', 'database']), needs: all, hasRun: true },
    expected: { kind: 'refused', lost: ['secretKey'] },
  },
  {
    name: 'one key removed from the Secret by hand: recovered from its copy, the rest kept',
    input: { stored: without(v, 'secretKey'), copies: copiesOf(v), needs: all, hasRun: true },
    expected: { kind: 'complete', recovered: ['secretKey'], mint: [], derive: [], values: v },
  },
  {
    name: 'an empty value counts as lost',
    input: { stored: { ...v, databasePassword: '' }, copies: copiesOf(v), needs: all, hasRun: true },
    expected: { kind: 'complete', recovered: ['databasePassword'], mint: [], derive: [], values: v },
  },
  {
    name: 'the copies of the database password differ: refused (which one the data has is unknown)',
    input: {
      stored: {},
      copies: { ...copiesOf(v), database: { POSTGRES_PASSWORD: 'edited-by-hand-000000000' } },
      needs: all,
      hasRun: true,
    },
    expected: { kind: 'refused', lost: [], conflicting: ['databasePassword'] },
  },
  {
    name: 'the copies of the core secret differ: the main reader\'s (core) wins, nothing is refused',
    input: { stored: {}, copies: { ...copiesOf(v), jobservice: { ...copiesOf(v)['jobservice'], CORE_SECRET: 'other-core-00000' } }, needs: all, hasRun: true },
    expected: { kind: 'complete', recovered: GENERATED_KEYS.filter((k) => k !== 'tokenCert'), mint: [], derive: ['tokenCert'], values: without(v, 'tokenCert') },
  },
  {
    name: 'the token certificate alone is lost: derived again (no component has a copy), the key kept',
    input: { stored: without(v, 'tokenCert'), copies: copiesOf(v), needs: all, hasRun: true },
    expected: { kind: 'complete', recovered: [], mint: [], derive: ['tokenCert'], values: without(v, 'tokenCert') },
  },
  {
    name: 'stored values win over copies that differ',
    input: { stored: v, copies: copiesOf({ ...v, secretKey: 'another-key-0000' }), needs: all, hasRun: true },
    expected: { kind: 'complete', recovered: [], mint: [], derive: [], values: v },
  },
  {
    name: 'a never-run cluster with a partial Secret: the bound values missing are made (nothing can depend on them)',
    input: { stored: without(v, 'secretKey', 'databasePassword'), copies: {}, needs: all, hasRun: false },
    expected: { kind: 'complete', recovered: [], mint: ['secretKey', 'databasePassword'], derive: [] },
  },
  {
    name: 'the admin password is referenced: core\'s copy (the user\'s value) is not taken as a generated one',
    input: { stored: without(v, 'adminPassword'), copies: copiesOf(v), needs: { ...all, adminPassword: false }, hasRun: true },
    expected: { kind: 'complete', recovered: [], mint: [], derive: [], values: without(v, 'adminPassword') },
  },
];

for (const c of cases) {
  test(`decideRecovery: ${c.name}`, () => {
    const d = decideRecovery(c.input);
    assert.equal(d.kind, c.expected.kind, JSON.stringify(d.kind === 'refused' ? d : { ...d, values: undefined }));
    if (d.kind === 'complete' && c.expected.kind === 'complete') {
      assert.deepEqual(d.recovered.map((r) => r.key).sort(), [...c.expected.recovered].sort(), 'recovered');
      assert.deepEqual([...d.mint].sort(), [...c.expected.mint].sort(), 'made anew');
      assert.deepEqual([...d.derive].sort(), [...c.expected.derive].sort(), 'derived');
      if (c.expected.values) assert.deepEqual(d.values, c.expected.values);
      for (const r of d.recovered) assert.equal(d.values[r.key], v[r.key], `${r.key} recovered as it was`);
      if (c.input.hasRun) for (const k of d.mint) assert.ok(!BOUND_KEYS.has(k), `${k} is never made anew for a cluster that has run`);
    }
    if (d.kind === 'refused' && c.expected.kind === 'refused') {
      assert.deepEqual(d.lost, c.expected.lost);
      assert.deepEqual(
        d.conflicting.map((x) => x.key),
        c.expected.conflicting ?? [],
      );
    }
  });
}

test('decideRecovery: recovered from several agreeing copies names them all', () => {
  const d = decideRecovery({ stored: without(v, 'coreSecret'), copies: copiesOf(v), needs: all, hasRun: true });
  assert.equal(d.kind, 'complete');
  assert.deepEqual(d.recovered, [{ key: 'coreSecret', from: ['core', 'jobservice', 'registry'] }]);
});

// For a cluster that has run, no bound value is ever made anew: whichever of
// them is missing with all its copies, the decision is a refusal; with one
// copy left, the value comes back as it was.
for (const key of BOUND_KEYS) {
  test(`decideRecovery: ${key} lost with every copy, for a cluster that has run, is refused; one copy brings it back`, async () => {
    const holders = (COPIES[key] ?? []).map((c) => c.component);
    const others = ['core', 'jobservice', 'registry', 'database', 'exporter', 'redis'].filter((c) => !holders.includes(c));
    const refused = decideRecovery({ stored: without(v, key), copies: copiesOf(v, others), needs: all, hasRun: true });
    assert.deepEqual(refused, { kind: 'refused', lost: [key], conflicting: [] });
    for (const holder of holders) {
      const d = decideRecovery({ stored: without(v, key), copies: copiesOf(v, [holder]), needs: all, hasRun: true });
      assert.equal(d.kind, 'complete');
      const done = await completeSecrets(d.values, all, counter(), NOW, { checkHtpasswd: false });
      assert.equal(done.values[key], v[key], `${key} from ${holder}`);
      assert.ok(!done.added.includes(key));
    }
  });
}

test('decideRecovery then completeSecrets: what is made is exactly mint + derive', async () => {
  const d = decideRecovery({ stored: {}, copies: copiesOf(v, ['core']), needs: all, hasRun: true });
  assert.equal(d.kind, 'complete');
  const done = await completeSecrets(d.values, all, counter(), NOW, { checkHtpasswd: true });
  assert.deepEqual([...done.added].sort(), [...d.mint, ...d.derive].sort());
});

const evidence: { name: string; input: Parameters<typeof runEvidence>[0]; count: number; includes?: string }[] = [
  { name: 'nothing: never ran', input: { children: [] }, count: 0 },
  { name: 'observedGeneration 0 alone: never ran', input: { observedGeneration: 0, children: [] }, count: 0 },
  { name: 'observed generation', input: { observedGeneration: 3, children: [] }, count: 1, includes: 'status.observedGeneration is 3' },
  { name: 'an applied digest', input: { appliedDigest: 'sha256:x', children: [] }, count: 1, includes: 'applied digest' },
  {
    name: 'workloads, the first three named',
    input: {
      children: [
        { kind: 'StatefulSet', name: 'a-database' },
        { kind: 'Deployment', name: 'a-core' },
        { kind: 'Deployment', name: 'a-portal' },
        { kind: 'Deployment', name: 'a-registry' },
        { kind: 'ConfigMap', name: 'a-core' },
      ],
    },
    count: 1,
    includes: '4 of its workloads exist (Deployment/a-core, Deployment/a-portal, Deployment/a-registry, …)',
  },
  {
    name: 'what a first apply stopped before the workloads leaves (ConfigMaps, a Secret, claims of this cluster): never ran',
    input: {
      created: '2026-12-01T10:00:00Z',
      children: [
        { kind: 'ConfigMap', name: 'a-core' },
        { kind: 'Secret', name: 'a-registry' },
        { kind: 'Service', name: 'a-core' },
        { kind: 'PersistentVolumeClaim', name: 'a-registry', created: '2026-12-01T10:00:01Z' },
        { kind: 'PersistentVolumeClaim', name: 'a-jobservice', created: '2026-12-01T10:00:00Z' },
      ],
    },
    count: 0,
  },
  {
    name: 'a claim older than the HarborCluster (kept from an earlier one of that name)',
    input: { created: '2026-12-01T10:00:00Z', children: [{ kind: 'PersistentVolumeClaim', name: 'a-registry', created: '2026-11-30T08:00:00Z' }] },
    count: 1,
    includes: 'claims older than the HarborCluster are kept (a-registry)',
  },
  { name: 'the database claim alone (a HarborCluster re-created over kept volumes)', input: { children: [], databaseClaim: 'data-a-database-0' }, count: 1, includes: 'data-a-database-0' },
];
for (const c of evidence) {
  test(`runEvidence: ${c.name}`, () => {
    const out = runEvidence(c.input);
    assert.equal(out.length, c.count, out.join('; '));
    if (c.includes) assert.ok(out.some((l) => l.includes(c.includes ?? '')), out.join('; '));
  });
}

test('refusalMessage names the Secret, the keys, why, and how to restore it; no value', () => {
  const d = decideRecovery({ stored: {}, copies: { ...copiesOf(v, ['jobservice']), database: { POSTGRES_PASSWORD: 'x-000000000000000000000' }, core: { POSTGRESQL_PASSWORD: v.databasePassword ?? '' } }, needs: all, hasRun: true });
  assert.equal(d.kind, 'refused');
  const msg = refusalMessage(
    { namespace: 'ns', secret: 'h-generated-secrets', storedWasThere: false, adopt: 'harbor-operator.dev/adopt=h' },
    d,
    ['status.observedGeneration is 2'],
  );
  assert.match(msg, /^Secret ns\/h-generated-secrets is gone and no copy of adminPassword, secretKey, tokenKey is left; the copies of databasePassword in the Secrets of core, database differ/);
  assert.match(msg, /status.observedGeneration is 2/);
  assert.match(msg, /kubectl apply -f <saved copy>, then kubectl annotate secret h-generated-secrets harbor-operator.dev\/adopt=h/);
  assert.match(msg, /create it so with the keys adminPassword, secretKey, tokenKey, databasePassword/);
  for (const value of Object.values(v)) assert.ok(!msg.includes(value), 'no value in the message');
  assert.ok(msg.length < 1024, `fits an event (${msg.length} characters)`);
});

test('recoveryMessage says what came from where and what was made; no value', () => {
  const d = decideRecovery({ stored: {}, copies: copiesOf(v, ['core']), needs: all, hasRun: true });
  assert.equal(d.kind, 'complete');
  const msg = recoveryMessage('ns/h-generated-secrets', d);
  assert.match(msg, /recovered adminPassword, coreSecret, jobserviceSecret, csrfKey, secretKey, registryPassword, tokenKey, databasePassword from the Secret\(s\) of core/);
  assert.match(msg, /made registryHttpSecret, cachePassword anew/);
  assert.match(msg, /derived registryHtpasswd, tokenCert again/);
  assert.match(msg, /kubectl get secret h-generated-secrets -o yaml/);
  for (const value of Object.values(v)) assert.ok(!msg.includes(value), 'no value in the message');
});
