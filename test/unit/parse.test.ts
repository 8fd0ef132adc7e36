// parseManifests: helm's multi-document output → Kubernetes objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { parseManifests } from '../../src/render/parse.ts';

const cm = (name: string, data?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  ...(data ? { data } : {}),
});

const parsed: { name: string; text: string; expected: KubeObject[] }[] = [
  { name: 'empty text', text: '', expected: [] },
  { name: 'only separators and comments', text: '---\n# Source: harbor/templates/empty.yaml\n---\n---\n', expected: [] },
  { name: 'one document', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n', expected: [cm('a')] },
  {
    name: 'helm output: leading separator, Source comments, an empty template in the middle',
    text: [
      '---',
      '# Source: harbor/templates/core/configmap.yaml',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: core # trailing comment',
      'data:',
      '  A: "1"',
      '---',
      '# Source: harbor/templates/disabled.yaml',
      '---',
      '# Source: harbor/templates/portal/configmap.yaml',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: portal}',
      '',
    ].join('\n'),
    expected: [cm('core', { A: '1' }), cm('portal')],
  },
  {
    name: 'order is kept, nested values are plain data',
    text: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: z, namespace: team, labels: {app: harbor}}',
      'spec: {replicas: 2, template: {spec: {containers: [{name: c, image: "i:1", args: [--a, "--b=2"]}]}}}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: a}',
      'data: {multi: "line1\\nline2\\n"}',
    ].join('\n'),
    expected: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'z', namespace: 'team', labels: { app: 'harbor' } },
        spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'i:1', args: ['--a', '--b=2'] }] } } },
      },
      cm('a', { multi: 'line1\nline2\n' }),
    ],
  },
  {
    name: 'a block scalar keeps its text',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  config.yml: |\n    a: 1\n    b: [2]\n',
    expected: [cm('c', { 'config.yml': 'a: 1\nb: [2]\n' })],
  },
  {
    name: 'a document ending with "..." and a separator with a comment',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n...\n--- # next\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
    expected: [cm('a'), cm('b')],
  },
];

for (const c of parsed) {
  test(`parses ${c.name}`, () => {
    assert.deepEqual(parseManifests(c.text), c.expected);
  });
}

const refused: { name: string; text: string; error: RegExp }[] = [
  { name: 'a list document', text: '- a\n- b\n', error: /^a document is not an object$/ },
  { name: 'a scalar document', text: 'hello\n', error: /^a document is not an object$/ },
  { name: 'a number document', text: '42\n', error: /^a document is not an object$/ },
  {
    name: 'a non-object document after a good one',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\njust text\n',
    error: /^a document is not an object$/,
  },
  { name: 'a document without kind', text: 'apiVersion: v1\nmetadata: {name: a}\n', error: /^a document lacks apiVersion, kind or metadata\.name: \{"apiVersion":"v1"/ },
  { name: 'a document without apiVersion', text: 'kind: ConfigMap\nmetadata: {name: a}\n', error: /lacks apiVersion, kind or metadata\.name/ },
  { name: 'a document without metadata', text: 'apiVersion: v1\nkind: ConfigMap\n', error: /lacks apiVersion, kind or metadata\.name/ },
  { name: 'a document without metadata.name', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: a}\n', error: /lacks apiVersion, kind or metadata\.name/ },
  { name: 'a kind that is not a string', text: 'apiVersion: v1\nkind: [ConfigMap]\nmetadata: {name: a}\n', error: /lacks apiVersion, kind or metadata\.name/ },
  { name: 'a name that is not a string', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 1}\n', error: /lacks apiVersion, kind or metadata\.name/ },
  { name: 'an unclosed flow sequence', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: [b\n', error: /Flow sequence.*at line \d+, column \d+/s },
  { name: 'an unclosed quote', text: 'apiVersion: "v1\n', error: /Missing closing "quote/ },
  { name: 'a duplicate key', text: 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n', error: /Map keys must be unique/ },
  { name: 'tab indentation', text: 'metadata:\n\tname: a\n', error: /Tabs are not allowed/ },
];

for (const c of refused) {
  test(`refuses ${c.name}`, () => {
    assert.throws(
      () => parseManifests(c.text),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.match(err.message, c.error);
        return true;
      },
    );
  });
}

test('a long offending document is cut in the message', () => {
  const text = `apiVersion: v1\nmetadata: {name: a}\ndata: {x: "${'y'.repeat(500)}"}\n`;
  assert.throws(
    () => parseManifests(text),
    (err: unknown) => {
      assert.ok(err instanceof Error);
      const prefix = 'a document lacks apiVersion, kind or metadata.name: ';
      assert.ok(err.message.startsWith(prefix));
      assert.equal(err.message.length, prefix.length + 120);
      return true;
    },
  );
});

test('YAML 1.1 as Helm writes it: a leading-zero mode is octal', () => {
  const [cm] = parseManifests('apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nspec:\n  mode: 0644\n');
  assert.equal((cm?.['spec'] as { mode: number }).mode, 0o644);
});
