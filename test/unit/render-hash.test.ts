// renderHash() and canonicalJson(): equal inputs hash equal, any change does not.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson } from '../../src/model/canonical-json.ts';
import { renderHash } from '../../src/render/renderer.ts';

const DIGEST = 'sha256:0123456789abcdef';

const values = {
  externalURL: 'https://harbor.example.com',
  core: { replicas: 1, resources: { limits: { cpu: '1', memory: '1Gi' } }, tolerations: [{ key: 'a', operator: 'Exists' }] },
  secrets: { csrfKey: 'k'.repeat(32), adminPassword: 'pw' },
  trivy: { enabled: true, skipUpdate: false },
  storage: { s3: null },
};

/** The same values, every object's keys in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
  return v;
}

interface Args {
  digest: string;
  release: string;
  namespace: string;
  values: unknown;
}

const base: Args = { digest: DIGEST, release: 'harbor', namespace: 'team', values };
const hash = (a: Args): string => renderHash(a.digest, a.release, a.namespace, a.values);

const cases: { name: string; other: Partial<Args>; same: boolean }[] = [
  { name: 'the very same inputs', other: {}, same: true },
  { name: 'a deep copy of the values', other: { values: structuredClone(values) }, same: true },
  { name: 'keys in another order, at every level', other: { values: reversed(values) }, same: true },
  { name: 'an undefined field added', other: { values: { ...values, extra: undefined } }, same: true },
  { name: 'an undefined field added deep down', other: { values: { ...values, core: { ...values.core, priorityClassName: undefined } } }, same: true },
  { name: 'another chart digest', other: { digest: 'sha256:0123456789abcdee' }, same: false },
  { name: 'another release', other: { release: 'harbor2' }, same: false },
  { name: 'another namespace', other: { namespace: 'team2' }, same: false },
  { name: 'release and namespace swapped', other: { release: 'team', namespace: 'harbor' }, same: false },
  { name: 'a top-level value changed', other: { values: { ...values, externalURL: 'https://harbor.example.org' } }, same: false },
  { name: 'a secret changed', other: { values: { ...values, secrets: { ...values.secrets, adminPassword: 'pw2' } } }, same: false },
  { name: 'a deep value changed', other: { values: { ...values, core: { ...values.core, resources: { limits: { cpu: '2', memory: '1Gi' } } } } }, same: false },
  { name: 'a number turned into a string', other: { values: { ...values, core: { ...values.core, replicas: '1' } } }, same: false },
  { name: 'a boolean flipped', other: { values: { ...values, trivy: { enabled: false, skipUpdate: false } } }, same: false },
  { name: 'null turned into an empty object', other: { values: { ...values, storage: { s3: {} } } }, same: false },
  { name: 'a field removed', other: { values: { ...values, trivy: { enabled: true } } }, same: false },
  { name: 'an array in another order', other: { values: { ...values, core: { ...values.core, tolerations: [{ operator: 'Exists', key: 'a' }, { key: 'b' }] } } }, same: false },
  { name: 'an element added to an array', other: { values: { ...values, core: { ...values.core, tolerations: [...values.core.tolerations, { key: 'b' }] } } }, same: false },
  { name: 'a key renamed, same value', other: { values: { ...values, trivy: { enabled: true, skipUpdates: false } } }, same: false },
];

for (const c of cases) {
  test(`renderHash: ${c.name} → ${c.same ? 'same' : 'another'} hash`, () => {
    const h = hash({ ...base, ...c.other });
    assert.match(h, /^[0-9a-f]{64}$/);
    if (c.same) assert.equal(h, hash(base));
    else assert.notEqual(h, hash(base));
  });
}

test('renderHash does not change the values it is given', () => {
  const v = structuredClone(values);
  hash({ ...base, values: v });
  assert.deepEqual(v, values);
});

test('renderHash is sha256 of digest, namespace/release and the canonical values, NUL-separated', () => {
  const expected = createHash('sha256').update('d\0ns/rel\0{"a":1,"b":[2]}').digest('hex');
  assert.equal(renderHash('d', 'rel', 'ns', { b: [2], a: 1 }), expected);
});

const jsonCases: { name: string; value: unknown; expected: string }[] = [
  { name: 'null', value: null, expected: 'null' },
  { name: 'a number', value: 1.5, expected: '1.5' },
  { name: 'a boolean', value: false, expected: 'false' },
  { name: 'a string with quotes and a newline', value: 'a"b\n', expected: '"a\\"b\\n"' },
  { name: 'an empty object', value: {}, expected: '{}' },
  { name: 'an empty array', value: [], expected: '[]' },
  { name: 'keys sorted', value: { b: 1, a: 2, c: 3 }, expected: '{"a":2,"b":1,"c":3}' },
  { name: 'keys sorted by code unit, upper case first', value: { a: 1, _: 2, B: 3, '1': 4 }, expected: '{"1":4,"B":3,"_":2,"a":1}' },
  { name: 'keys sorted at every level, inside arrays too', value: { z: { y: 1, x: [{ b: 1, a: 2 }] } }, expected: '{"z":{"x":[{"a":2,"b":1}],"y":1}}' },
  { name: 'arrays keep their order', value: [3, 1, 2], expected: '[3,1,2]' },
  { name: 'undefined fields left out', value: { a: undefined, b: 1, c: { d: undefined } }, expected: '{"b":1,"c":{}}' },
  { name: 'null fields kept', value: { a: null }, expected: '{"a":null}' },
  { name: 'a key that needs escaping', value: { 'a"b': 1 }, expected: '{"a\\"b":1}' },
];

for (const c of jsonCases) {
  test(`canonicalJson: ${c.name}`, () => {
    const out = canonicalJson(c.value);
    assert.equal(out, c.expected);
    assert.equal(out, JSON.stringify(JSON.parse(out)), 'valid JSON, without whitespace');
  });
}

test('canonicalJson of the values parses back to the values', () => {
  assert.deepEqual(JSON.parse(canonicalJson(values)), values);
  assert.equal(canonicalJson(reversed(values)), canonicalJson(values));
});

test('canonicalJson writes undefined inside arrays as null, like JSON.stringify', () => {
  assert.equal(canonicalJson([1, undefined]), '[1,null]');
  assert.notEqual(canonicalJson([undefined]), canonicalJson([]));
});
