// What `render` and `diff` print: old → new values, and never a secret value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatChange, formatPlan, knownSecrets, lineDiff, maskValue, MASK } from '../../src/cli-output.ts';
import { changes } from '../../src/diff/changes.ts';
import { plan } from '../../src/diff/plan.ts';
import type { KubeObject } from '../../src/model/object.ts';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const secret = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'n' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
const configMap = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data });

test('knownSecrets: Secret data decoded and as written, and the given values in both forms', () => {
  const known = knownSecrets([secret({ password: 'hunter2-long' }), configMap({ a: 'not-a-secret' })], ['s3cr3t-value']);
  for (const v of ['hunter2-long', b64('hunter2-long'), 's3cr3t-value', b64('s3cr3t-value')]) assert.ok(known.has(v), v);
  assert.ok(!known.has('not-a-secret'));
});

const maskCases: { name: string; input: unknown; expected: unknown }[] = [
  { name: 'a value equal to a secret', input: 'abc', expected: MASK },
  { name: 'a secret inside a value', input: 'postgres://u:hunter2-long@db:5432', expected: `postgres://u:${MASK}@db:5432` },
  { name: 'a short secret inside a value stays (it would mask words)', input: 'xabcx', expected: 'xabcx' },
  { name: 'deep in objects and arrays', input: { env: [{ name: 'P', value: 'hunter2-long' }] }, expected: { env: [{ name: 'P', value: MASK }] } },
  { name: 'numbers and booleans', input: [1, true, null], expected: [1, true, null] },
];

for (const c of maskCases) {
  test(`maskValue: ${c.name}`, () => {
    assert.deepEqual(maskValue(c.input, new Set(['abc', 'hunter2-long'])), c.expected);
  });
}

test('formatChange: old → new', () => {
  assert.deepEqual(formatChange(configMap({}), { op: 'replace', path: '/spec/replicas', old: 1, new: 3 }, new Set()), ['replace /spec/replicas: 1 → 3']);
  assert.deepEqual(formatChange(configMap({}), { op: 'add', path: '/data/k', new: 'v' }, new Set()), ['add /data/k: (absent) → "v"']);
});

test('formatChange: text over several lines shows the lines that differ', () => {
  const lines = formatChange(configMap({}), { op: 'replace', path: '/data/config.yml', old: 'a: 1\nb: 2\nc: 3', new: 'a: 1\nb: 5\nc: 3' }, new Set());
  assert.deepEqual(lines, ['replace /data/config.yml:', '  - b: 2', '  + b: 5']);
});

test('formatChange: a Secret value is never shown, not even encoded', () => {
  const s = secret({ password: 'old-password-1' });
  const lines = formatChange(s, { op: 'replace', path: '/data/password', old: b64('old-password-1'), new: b64('new-password-2') }, new Set());
  assert.deepEqual(lines, [`replace /data/password: ${MASK} → ${MASK}`]);
  const whole = formatChange(s, { op: 'add', path: '/data', new: { password: b64('new-password-2') } }, new Set());
  assert.deepEqual(whole, [`add /data: (absent) → {"password":"${MASK}"}`]);
});

test('lineDiff: removed and added lines in order', () => {
  assert.deepEqual(lineDiff('a\nb\nc', 'a\nc\nd'), ['- b', '+ d']);
  assert.deepEqual(lineDiff('same', 'same'), []);
});

test('formatPlan: every object, each change old → new, and no secret value anywhere', () => {
  const password = 'generated-password-123';
  const desired: KubeObject[] = [
    { ...secret({ password }), metadata: { name: 'pw', namespace: 'n' } },
    { ...configMap({ url: `postgres://harbor:${password}@db/registry`, mode: 'new' }), metadata: { name: 'cfg', namespace: 'n' } },
    { ...configMap({ k: 'v' }), metadata: { name: 'fresh', namespace: 'n' } },
  ];
  const live: KubeObject[] = [
    { ...secret({ password: 'an-older-password-9' }), metadata: { name: 'pw', namespace: 'n' } },
    { ...configMap({ url: 'postgres://harbor:an-older-password-9@db/registry', mode: 'old' }), metadata: { name: 'cfg', namespace: 'n' } },
  ];
  const p = plan(desired, live, { uid: 'u' });
  const out = formatPlan(p, changes, knownSecrets([...desired, ...live], [password])).join('\n');
  assert.match(out, /^create {3}ConfigMap\/fresh$/m);
  assert.match(out, /^update {3}ConfigMap\/cfg\n {11}replace \/data\/mode: "old" → "new"$/m);
  assert.match(out, /^ {11}replace \/data\/url: "postgres:\/\/harbor:<secret>@db\/registry" → "postgres:\/\/harbor:<secret>@db\/registry"$/m);
  assert.match(out, /^ {11}replace \/data\/password: <secret> → <secret>$/m);
  assert.match(out, /^plan: 1 to create, 2 to update, 0 to prune, 0 unchanged$/m);
  for (const v of [password, 'an-older-password-9', b64(password), b64('an-older-password-9')]) assert.ok(!out.includes(v), `${v} printed:\n${out}`);
});
