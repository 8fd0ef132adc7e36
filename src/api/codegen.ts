// Generates src/api/types.generated.ts from the HarborCluster CRD, the single
// source of truth of the API: `npm run gen:types`. No dependency beyond `yaml`.
//
// Every object schema with properties becomes an interface, named after its
// path below spec (`expose.ingress.tls` → ExposeIngressTls) or status
// (`status.conditions[]` → StatusCondition). Subschemas that repeat verbatim
// (resources, tolerations, ...) share one interface named after the field.
// Descriptions become doc comments, enums string-literal unions, and schema
// defaults are emitted as one table keyed by field path.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

export const crdFile = new URL('../../crds/harborclusters.harbor-operator.dev.yaml', import.meta.url);
export const typesFile = new URL('./types.generated.ts', import.meta.url);

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; storage: boolean; schema: { openAPIV3Schema: Schema } }[];
  };
}

interface Occurrence {
  schema: Schema;
  /** Field names from the root; array items and map values use the singular of their field. */
  path: string[];
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const singular = (s: string): string => (s.endsWith('s') && s.length > 1 ? s.slice(0, -1) : s);
const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Canonical JSON: keys sorted, so equal subschemas compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A TypeScript literal of a default value (single-quoted strings). */
function literal(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => `${quote(k)}: ${literal(x)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(v);
}

function docComment(lines: string[], indent: string): string {
  const words = lines.join('\n').replace(/\*\//g, '*\\/').split('\n');
  const out: string[] = [];
  for (const line of words) {
    let current = '';
    for (const word of line.split(' ')) {
      if (current && current.length + word.length + 1 > 96) {
        out.push(current);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    out.push(current);
  }
  if (out.length === 1) return `${indent}/** ${out[0] ?? ''} */\n`;
  return `${indent}/**\n${out.map((l) => `${indent} *${l ? ` ${l}` : ''}\n`).join('')}${indent} */\n`;
}

function childOccurrences(o: Occurrence): Occurrence[] {
  const children: Occurrence[] = [];
  const visit = (schema: Schema, path: string[]): void => {
    if (schema.properties) children.push({ schema, path });
    else if (schema.items) visit(schema.items, [...path.slice(0, -1), singular(path.at(-1) ?? '')]);
    else if (typeof schema.additionalProperties === 'object')
      visit(schema.additionalProperties, [...path.slice(0, -1), singular(path.at(-1) ?? '')]);
  };
  for (const [name, prop] of Object.entries(o.schema.properties ?? {})) visit(prop, [...o.path, name]);
  return children;
}

/** Assigns an interface name to every object schema with properties. */
function nameObjects(root: Schema, kind: string): { order: Schema[]; names: Map<Schema, string> } {
  const all: Occurrence[] = [];
  const walk = (o: Occurrence): void => {
    all.push(o);
    for (const c of childOccurrences(o)) walk(c);
  };
  walk({ schema: root, path: [] });
  const groups = new Map<string, Occurrence[]>();
  for (const o of all) {
    const key = canonical(o.schema);
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const pathName = ({ path }: Occurrence): string => {
    const [top, ...rest] = path;
    if (top === undefined) return kind;
    if (rest.length === 0) return `${kind}${pascal(top)}`;
    return (top === 'spec' ? '' : pascal(top)) + rest.map(pascal).join('');
  };
  const names = new Map<Schema, string>();
  const taken = new Set<string>();
  const order: Schema[] = [];
  for (const occurrences of groups.values()) {
    const first = occurrences[0];
    if (!first) continue;
    const shared = occurrences.length > 1 ? pascal(first.path.at(-1) ?? '') : undefined;
    const name = shared && !taken.has(shared) ? shared : pathName(first);
    if (taken.has(name)) throw new Error(`two schemas would both be named ${name}`);
    taken.add(name);
    for (const o of occurrences) names.set(o.schema, name);
    order.push(first.schema);
  }
  return { order, names };
}

function typeOf(schema: Schema, names: Map<Schema, string>): string {
  const named = names.get(schema);
  if (named) return named;
  if (schema['x-kubernetes-int-or-string']) return 'number | string';
  if (schema.enum) return schema.enum.map((v) => (typeof v === 'string' ? quote(v) : JSON.stringify(v))).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = schema.items ? typeOf(schema.items, names) : 'unknown';
      return item.includes(' ') ? `(${item})[]` : `${item}[]`;
    }
    default:
      if (typeof schema.additionalProperties === 'object')
        return `Record<string, ${typeOf(schema.additionalProperties, names)}>`;
      return 'Record<string, unknown>';
  }
}

function collectDefaults(schema: Schema, path: string[], out: [string, unknown][]): void {
  if (schema.default !== undefined && path.length > 0) out.push([path.join('.'), schema.default]);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) collectDefaults(prop, [...path, name], out);
  if (schema.items) collectDefaults(schema.items, [...path, '[]'], out);
  if (typeof schema.additionalProperties === 'object') collectDefaults(schema.additionalProperties, [...path, '*'], out);
}

/** The text of types.generated.ts for the CRD given as YAML. */
export function generateTypes(crdYaml: string): string {
  const crd = parse(crdYaml) as Crd;
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  if (!version) throw new Error('the CRD has no version');
  const { kind } = crd.spec.names;
  const root = version.schema.openAPIV3Schema;
  const { order, names } = nameObjects(root, kind);

  let out =
    `// Generated by src/api/codegen.ts from crds/harborclusters.harbor-operator.dev.yaml (${version.name}).\n` +
    '// Do not edit: change the CRD and run `npm run gen:types`.\n' +
    "import type { V1ObjectMeta } from '@kubernetes/client-node';\n";
  for (const schema of order) {
    const name = names.get(schema) ?? '';
    out += `\n${docComment([schema.description ?? name], '')}export interface ${name} {\n`;
    const required = new Set(schema.required ?? []);
    for (const [field, prop] of Object.entries(schema.properties ?? {})) {
      const doc = [prop.description ?? field];
      if (prop.default !== undefined) doc.push(`@defaultValue ${JSON.stringify(prop.default)}`);
      let type = typeOf(prop, names);
      let optional = !required.has(field);
      if (schema === root) {
        if (field === 'apiVersion') type = quote(`${crd.spec.group}/${version.name}`);
        if (field === 'kind') type = quote(kind);
        if (field === 'metadata') {
          // The API server forbids a description here; kubectl explain shows ObjectMeta's.
          type = 'V1ObjectMeta';
          doc[0] = 'Standard object metadata: name, namespace, labels, annotations.';
        }
        if (field !== 'status') optional = false;
      }
      out += `${docComment(doc, '  ')}  ${field}${optional ? '?' : ''}: ${type};\n`;
    }
    if (schema['x-kubernetes-preserve-unknown-fields']) out += '  [field: string]: unknown;\n';
    out += '}\n';
  }
  const defaults: [string, unknown][] = [];
  collectDefaults(root, [], defaults);
  out +=
    '\n/**\n * Defaults of the CRD schema by field path ([] = array item, * = map value): what the API\n' +
    ' * server fills in, for code that reads objects the server has not defaulted.\n */\n' +
    `export const ${kind.charAt(0).toLowerCase()}${kind.slice(1)}Defaults = {\n` +
    defaults.map(([path, value]) => `  ${quote(path)}: ${literal(value)},\n`).join('') +
    '} as const;\n';
  return out;
}

if (import.meta.main) {
  writeFileSync(typesFile, generateTypes(readFileSync(crdFile, 'utf8')));
  process.stdout.write(`wrote ${typesFile.pathname}\n`);
}
