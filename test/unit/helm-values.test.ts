// valuesInput: the values as helm reads them (YAML), for any strings a user
// may give — also those plain JSON would not carry through a YAML reader.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { valuesInput } from '../../src/render/helm.ts';

const awkward = [
  'plain',
  'line\nbreak\r\n\ttab',
  'yaml line breaks \u0085 \u2028 \u2029',
  'controls \u0000 \u0007 \u007f \u0080 \u009f',
  'é 中文 😀 \ufeff',
  '"quotes" \'single\' \\ back',
  '{{ .Values }} # ; --- &a *a !tag',
];

test('every string comes back from a YAML reader as given, as key and as value', () => {
  for (const s of awkward) {
    const values = { a: s, [s]: [s, 1, true, null], nested: { [s]: { [s]: s } } };
    const text = valuesInput(values);
    assert.match(text, /^[\x20-\x7e]*$/, 'only printable ASCII');
    for (const version of ['1.1', '1.2'] as const) assert.deepEqual(parse(text, { version }), values, `${JSON.stringify(s)} (YAML ${version})`);
  }
});

test('a key longer than YAML allows for an implicit key is written as an explicit key', () => {
  const key = 'k'.repeat(1500);
  const text = valuesInput({ [key]: 'v', short: 'w' });
  assert.ok(text.includes(`? "${key}": "v"`));
  assert.ok(text.includes('"short": "w"'));
  assert.deepEqual(parse(text), { [key]: 'v', short: 'w' });
});

test('numbers, booleans, null and nesting are kept; undefined is left out as JSON does', () => {
  const values = { n: 30080, f: 0.5, b: false, z: null, list: [1, 'x', undefined], u: undefined };
  assert.deepEqual(parse(valuesInput(values)), JSON.parse(JSON.stringify(values)));
});
