// Properties of the CRD schema every field must have: a description (so
// `kubectl explain` teaches it), bounds that keep CEL costs predictable, and
// rule messages that name the field.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdFile } from '../../src/api/codegen.ts';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  enum?: unknown[];
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

interface Node {
  path: string;
  schema: Schema;
}

async function nodes(): Promise<Node[]> {
  const crd = parse(await readFile(crdFile, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
  assert.ok(root);
  const out: Node[] = [];
  const walk = (schema: Schema, path: string): void => {
    out.push({ path, schema });
    for (const [k, v] of Object.entries(schema.properties ?? {})) walk(v, path ? `${path}.${k}` : k);
    if (schema.items) walk(schema.items, `${path}[]`);
    if (schema.additionalProperties) walk(schema.additionalProperties, `${path}.*`);
  };
  walk(root, '');
  return out;
}

const checks: { name: string; applies: (n: Node) => boolean; holds: (n: Node) => boolean }[] = [
  {
    name: 'has a description',
    // The API server forbids anything but type on metadata.
    applies: (n) => n.path !== 'metadata',
    holds: (n) => (n.schema.description ?? '').length > 0,
  },
  {
    name: 'string of the spec is bounded (maxLength or enum)',
    applies: (n) => n.path.startsWith('spec.') && n.schema.type === 'string',
    holds: (n) => n.schema.maxLength !== undefined || n.schema.enum !== undefined,
  },
  {
    name: 'array is bounded (maxItems)',
    applies: (n) => n.schema.type === 'array',
    holds: (n) => n.schema.maxItems !== undefined,
  },
  {
    name: 'map is bounded (maxProperties)',
    applies: (n) => n.schema.additionalProperties !== undefined,
    holds: (n) => n.schema.maxProperties !== undefined,
  },
  {
    name: 'rules have a message naming a field',
    applies: (n) => (n.schema['x-kubernetes-validations'] ?? []).length > 0,
    holds: (n) => (n.schema['x-kubernetes-validations'] ?? []).every((r) => /^(spec|metadata)\.[A-Za-z]/.test(r.message ?? '')),
  },
];

for (const c of checks) {
  test(`every schema node that applies ${c.name}`, async () => {
    const failing = (await nodes()).filter((n) => c.applies(n) && !c.holds(n)).map((n) => n.path || '(root)');
    assert.deepEqual(failing, []);
  });
}
