// A user's string is data: whatever a HarborCluster's string fields hold, the
// chart renders the same objects (kind, name, namespace) and the string lands
// only where it is meant to, as a value — never as a key, a field, an object
// or a line of a configuration file it is not a value of.
//
// The test walks the CRD's schema and finds every string a user can set:
// string fields, the keys and values of string maps, strings in arrays, and
// the free-form objects (affinity, labelSelector). One field at a time, it
// puts a hostile string there (newlines, `---`, quotes, `{{ }}`, `#`, `;`,
// YAML indicators, control characters, and the longest the schema allows) in
// a few valid base specs, and renders it twice: with the hostile string and
// with a plain one in the same place. The two renders must have the same
// objects, and their contents must be the same tree, leaf for leaf, once the
// hostile string is replaced by the plain one (inside Secret data after
// base64, inside the YAML files of ConfigMaps after parsing them; checksums
// are hashes of the rest).
//
// Only values the API server would accept are fed: each candidate is checked
// against the field's schema (type, length, pattern, enum) and the whole spec
// against the CRD's CEL rules (reimplemented below; a rule the test does not
// know fails it). Fields whose pattern leaves no room for a hostile
// character get what the pattern allows that YAML would misread unquoted
// (`yes`, `null`, `0777`, `1e3`) and a value of the maximum length; the few that
// admit none of those are listed in `strictFields` with the reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdFile } from '../../src/api/codegen.ts';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { compareQuantity, parseQuantity } from '../../src/diff/quantity.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import { toValues } from '../../src/render/values.ts';
import { renderMany, type RenderResult } from '../harness/chart-batch.ts';
import { chartDir, fixedSecrets, goldenCases, goldenHelm } from '../harness/golden-cases.ts';

// --- the CRD's schema -------------------------------------------------------

interface Rule {
  rule: string;
  message?: string;
}
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  maxProperties?: number;
  default?: unknown;
  anyOf?: Schema[];
  'x-kubernetes-validations'?: Rule[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

const crd = parse(readFileSync(crdFile, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
const specSchema = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.['spec'];
if (!specSchema) throw new Error('the CRD has no spec schema');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

// --- CEL rules, as the API server evaluates them at creation -----------------

/** A CEL single-quoted string literal's escapes undone ('\\' → '\', "\'" → "'"). */
const celString = (s: string): string => s.replace(/\\(\\|')/g, '$1');
const has = (o: unknown, k: string): boolean => isObject(o) && o[k] !== undefined;
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (isObject(x) ? x[k] : undefined), o);

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Rules whose text is known here, by text. Transition rules (oldSelf) hold at creation. */
const knownRules: Record<string, (self: unknown) => boolean> = {
  // spec.network
  "!has(self.ipFamilies) || size(self.ipFamilies) < 2 || (has(self.ipFamilyPolicy) && self.ipFamilyPolicy != 'SingleStack')": (s) => {
    const families = get(s, 'ipFamilies');
    return !Array.isArray(families) || families.length < 2 || (has(s, 'ipFamilyPolicy') && get(s, 'ipFamilyPolicy') !== 'SingleStack');
  },
  // spec.components.<c>.env[] and its valueFrom; spec.components.<c>.image (and the registry's controllerImage).
  '!(has(self.value) && has(self.valueFrom))': (s) => !(has(s, 'value') && has(s, 'valueFrom')),
  'has(self.secretKeyRef) != has(self.configMapKeyRef)': (s) => has(s, 'secretKeyRef') !== has(s, 'configMapKeyRef'),
  '!has(self.reference) || (!has(self.repository) && !has(self.tag))': (s) => !has(s, 'reference') || (!has(s, 'repository') && !has(s, 'tag')),
  "(has(self.expose) && has(self.expose.type) && self.expose.type != 'Ingress') || (has(self.expose) && has(self.expose.ingress) && has(self.expose.ingress.host))":
    (s) => (has(get(s, 'expose'), 'type') && get(s, 'expose', 'type') !== 'Ingress') || has(get(s, 'expose', 'ingress'), 'host'),
  "!has(self.expose) || !has(self.expose.type) || self.expose.type != 'Ingress' || !has(self.expose.ingress) || !has(self.expose.ingress.host) || !isURL(self.externalURL) || url(self.externalURL).getHostname() == self.expose.ingress.host":
    (s) => {
      if (get(s, 'expose', 'type') !== 'Ingress' || !has(get(s, 'expose', 'ingress'), 'host')) return true;
      const host = hostOf(String(get(s, 'externalURL')));
      return host === undefined || host === get(s, 'expose', 'ingress', 'host');
    },
  '!(has(self.issuerRef) && has(self.secretName))': (s) => !(has(s, 'issuerRef') && has(s, 'secretName')),
  "!has(self.type) || self.type != 'External' || has(self.external)": (s) => get(s, 'type') !== 'External' || has(s, 'external'),
  "!has(self.type) || self.type != 'S3' || has(self.s3)": (s) => get(s, 'type') !== 'S3' || has(s, 's3'),
  "!has(self.jobLogger) || self.jobLogger != 'File' || !has(self.replicas) || self.replicas <= 1": (s) =>
    get(s, 'jobLogger') !== 'File' || !has(s, 'replicas') || Number(get(s, 'replicas')) <= 1,
  "!self.exists(k, k in ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'harbor-operator.dev/cluster'])":
    (s) =>
      !Object.keys(s as JsonObject).some((k) =>
        ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'harbor-operator.dev/cluster'].includes(k),
      ),
  "!self.exists(k, k.startsWith('checksum/'))": (s) => !Object.keys(s as JsonObject).some((k) => k.startsWith('checksum/')),
  'self >= 0': (s) => Number(s) >= 0,
  '!has(self.persistence) || !has(self.persistence.trivyCacheExistingClaim) || !has(self.components) || !has(self.components.trivy) || !has(self.components.trivy.replicas) || self.components.trivy.replicas <= 1':
    (s) => !has(get(s, 'persistence'), 'trivyCacheExistingClaim') || !has(get(s, 'components', 'trivy'), 'replicas') || Number(get(s, 'components', 'trivy', 'replicas')) <= 1,
  "!has(self.restoreFrom) || !has(self.type) || self.type == 'InCluster'": (s) => !has(s, 'restoreFrom') || get(s, 'type') === 'InCluster',
  '!has(self.claimName) || (!has(self.size) && !has(self.storageClassName))': (s) =>
    !has(s, 'claimName') || (!has(s, 'size') && !has(s, 'storageClassName')),
  "!has(self.external) || !has(self.external.provision) || (has(self.type) && self.type == 'External')": (s) =>
    !has(get(s, 'external'), 'provision') || get(s, 'type') === 'External',
  'has(self.provision) || (has(self.username) && has(self.passwordSecretRef))': (s) =>
    has(s, 'provision') || (has(s, 'username') && has(s, 'passwordSecretRef')),
  '!has(self.provision) || !has(self.passwordSecretRef)': (s) => !has(s, 'provision') || !has(s, 'passwordSecretRef'),
  '!has(self.chunkSize) || self.chunkSize % 262144 == 0': (s) => !has(s, 'chunkSize') || Number(get(s, 'chunkSize')) % 262144 === 0,
  '!has(self.cloudFront) || !has(self.disableRedirect) || !self.disableRedirect': (s) => !has(s, 'cloudFront') || get(s, 'disableRedirect') !== true,
  '!has(self.filter) || has(self.attributeName)': (s) => !has(s, 'filter') || has(s, 'attributeName'),
  '!has(self.keyID) || (has(self.encrypt) && self.encrypt)': (s) => !has(s, 'keyID') || get(s, 'encrypt') === true,
  "!has(self.selfRegistration) || !self.selfRegistration || !has(self.auth) || self.auth.mode == 'Database'": (s) =>
    get(s, 'selfRegistration') !== true || !has(s, 'auth') || get(s, 'auth', 'mode') === 'Database',
  '!has(self.skipDatabase) || !self.skipDatabase || has(self.forwardEndpoint)': (s) => get(s, 'skipDatabase') !== true || has(s, 'forwardEndpoint'),
  "!has(self.v4Auth) || self.v4Auth || (has(self.endpoint) && !self.endpoint.contains('amazonaws.com'))": (s) =>
    get(s, 'v4Auth') !== false || (has(s, 'endpoint') && !String(get(s, 'endpoint')).includes('amazonaws.com')),
  "(has(self.ipFilteredBy) && self.ipFilteredBy == 'AWSRegion') == has(self.awsRegions)": (s) => (get(s, 'ipFilteredBy') === 'AWSRegion') === has(s, 'awsRegions'),
  "self == 'Unlimited' || (isQuantity(self) && quantity(self).isGreaterThan(quantity('0')) && quantity(self).compareTo(quantity('1024Ti')) <= 0)": (s) => {
    if (s === 'Unlimited') return true;
    const q = parseQuantity(String(s));
    return q !== undefined && compareQuantity(q, { numerator: 0n, scale: 0 }) > 0 && compareQuantity(q, { numerator: 1024n ** 5n, scale: 0 }) <= 0;
  },
};

/** A rule as a predicate: known by text, or of a few generic forms on strings. */
function rulePredicate(rule: string): (self: unknown) => boolean {
  if (rule.includes('oldSelf')) return () => true;
  const known = knownRules[rule];
  if (known) return known;
  let m = /^self\.matches\('((?:[^'\\]|\\.)*)'\)$/.exec(rule);
  if (m?.[1] !== undefined) {
    const re = new RegExp(celString(m[1]), 'u');
    return (s) => re.test(String(s));
  }
  m = /^!self\.matches\('((?:[^'\\]|\\.)*)'\) \|\| self\.matches\('((?:[^'\\]|\\.)*)'\)$/.exec(rule);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    const a = new RegExp(celString(m[1]), 'u');
    const b = new RegExp(celString(m[2]), 'u');
    return (s) => !a.test(String(s)) || b.test(String(s));
  }
  // A section used only with one value of a sibling enum, and required with it.
  m = /^!has\(self\.(\w+)\) \|\| (?:\(has\(self\.(\w+)\) && )?self\.(\w+) == '(\w+)'\)?$/.exec(rule);
  if (m?.[1] !== undefined && m[3] !== undefined) {
    const [section, discriminator, value] = [m[1], m[3], m[4]];
    return (s) => !has(s, section) || get(s, discriminator) === value;
  }
  m = /^self\.(\w+) != '(\w+)' \|\| has\(self\.(\w+)\)$/.exec(rule);
  if (m?.[1] !== undefined && m[3] !== undefined) {
    const [discriminator, value, section] = [m[1], m[2], m[3]];
    return (s) => get(s, discriminator) !== value || has(s, section);
  }
  m = /^!has\(self\.type\) \|\| self\.type != '(\w+)' \|\| has\(self\.(\w+)\)$/.exec(rule);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    const [value, section] = [m[1], m[2]];
    return (s) => get(s, 'type') !== value || has(s, section);
  }
  // Map keys from a fixed list.
  m = /^self\.all\(k, k in \[((?:'[^']*'(?:, )?)+)\]\)$/.exec(rule);
  if (m?.[1] !== undefined) {
    const allowed = [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
    return (s) => Object.keys(s as JsonObject).every((k) => allowed.includes(k));
  }
  m = /^self in \[((?:'[^']*'(?:, )?)+)\]$/.exec(rule);
  if (m?.[1] !== undefined) {
    const allowed = [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
    return (s) => allowed.includes(String(s));
  }
  throw new Error(`the injection test does not know the CEL rule ${JSON.stringify(rule)}: teach it (knownRules)`);
}

// --- a small OpenAPI validator with the API server's defaulting -------------

/** The schema's defaults applied, as the API server does before validation. */
function withDefaults(value: Json, schema: Schema): Json {
  if (isObject(value) && schema.properties) {
    const out: JsonObject = { ...value };
    for (const [k, s] of Object.entries(schema.properties)) {
      if (out[k] === undefined && s.default !== undefined) out[k] = clone(s.default as Json);
      const child = out[k];
      if (child !== undefined) out[k] = withDefaults(child, s);
    }
    return out;
  }
  if (isObject(value) && schema.additionalProperties) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDefaults(v, schema.additionalProperties as Schema)]));
  }
  if (Array.isArray(value) && schema.items) return value.map((v) => withDefaults(v, schema.items as Schema));
  return value;
}

/** Length in code points, as the API server counts maxLength. */
const length = (s: string): number => Array.from(s).length;

/** Why the value breaks the schema, or [] if the API server would take it. */
function violations(value: Json, schema: Schema, path: string): string[] {
  const out: string[] = [];
  const isString = typeof value === 'string';
  const intOrString = schema['x-kubernetes-int-or-string'] === true || schema.anyOf !== undefined;
  if (schema.type === 'string' || (intOrString && isString)) {
    if (!isString) return [`${path}: not a string`];
    if (schema.minLength !== undefined && length(value) < schema.minLength) out.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && length(value) > schema.maxLength) out.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${path}: does not match ${schema.pattern}`);
  } else if (schema.type === 'integer' || (intOrString && typeof value === 'number')) {
    if (typeof value !== 'number' || !Number.isInteger(value)) return [`${path}: not an integer`];
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${path}: above ${schema.maximum}`);
  } else if (schema.type === 'boolean') {
    if (typeof value !== 'boolean') return [`${path}: not a boolean`];
  } else if (schema.type === 'array') {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${path}: more than ${schema.maxItems} items`);
    value.forEach((v, i) => out.push(...violations(v, schema.items ?? {}, `${path}[${i}]`)));
  } else if (schema.type === 'object') {
    if (!isObject(value)) return [`${path}: not an object`];
    for (const k of schema.required ?? []) if (value[k] === undefined) out.push(`${path}.${k}: required`);
    if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) out.push(`${path}: too many properties`);
    for (const [k, v] of Object.entries(value)) {
      const s = schema.properties?.[k] ?? schema.additionalProperties;
      if (s) out.push(...violations(v, s, `${path}.${k}`));
      else if (!schema['x-kubernetes-preserve-unknown-fields']) out.push(`${path}.${k}: unknown field`);
    }
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) out.push(`${path}: not one of the enum`);
  if (out.length === 0) {
    for (const r of schema['x-kubernetes-validations'] ?? []) {
      if (!rulePredicate(r.rule)(value)) out.push(`${path}: ${r.message ?? r.rule}`);
    }
  }
  return out;
}

/** The spec as the API server would store it, or why it refuses it. */
function admit(spec: Json): { spec: HarborClusterSpec } | { refused: string[] } {
  const defaulted = withDefaults(spec, specSchema as Schema);
  const why = violations(defaulted, specSchema as Schema, 'spec');
  return why.length === 0 ? { spec: defaulted as unknown as HarborClusterSpec } : { refused: why };
}

// --- where a user puts strings ----------------------------------------------

type Step = { prop: string } | { item: true } | { mapValue: true } | { mapKey: true } | { free: 'key' | 'value' };

interface Slot {
  /** Readable path: spec.a.b[].c, spec.m.* (a value), spec.m.<key> (a key), spec.f.<any> (free-form). */
  name: string;
  steps: Step[];
  /** Schema of the string put there (for a key or a free-form object: none). */
  schema: Schema;
  /** Schema of each level, parallel to steps (the container the step enters). */
  levels: Schema[];
}

function slotsOf(schema: Schema, name: string, steps: Step[], levels: Schema[]): Slot[] {
  const out: Slot[] = [];
  const isString = schema.type === 'string' || schema.anyOf?.some((s) => s.type === 'string') === true;
  if (isString && schema.enum === undefined) out.push({ name, steps, schema, levels });
  if (schema.type === 'object' && schema['x-kubernetes-preserve-unknown-fields'] && !schema.properties) {
    out.push({ name: `${name}.<any key>`, steps: [...steps, { free: 'key' }], schema: {}, levels: [...levels, schema] });
    out.push({ name: `${name}.<any value>`, steps: [...steps, { free: 'value' }], schema: {}, levels: [...levels, schema] });
  }
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    out.push(...slotsOf(s, `${name}.${k}`, [...steps, { prop: k }], [...levels, schema]));
  }
  if (schema.items) out.push(...slotsOf(schema.items, `${name}[]`, [...steps, { item: true }], [...levels, schema]));
  if (schema.additionalProperties) {
    out.push({ name: `${name}.<key>`, steps: [...steps, { mapKey: true }], schema: { type: 'string' }, levels: [...levels, schema] });
    out.push(...slotsOf(schema.additionalProperties, `${name}.*`, [...steps, { mapValue: true }], [...levels, schema]));
  }
  return out;
}

const slots = slotsOf(specSchema, 'spec', [], []);

/** A small valid value of a schema (required fields filled), for objects the placement creates. */
function minimal(schema: Schema): Json {
  if (schema.enum !== undefined) return schema.enum[0] as Json;
  switch (schema.type) {
    case 'object': {
      const o: JsonObject = {};
      for (const k of schema.required ?? []) o[k] = minimal(schema.properties?.[k] ?? {});
      return o;
    }
    case 'array':
      return [];
    case 'integer':
      return schema.minimum !== undefined && schema.minimum > 1 ? schema.minimum : 1;
    case 'boolean':
      return false;
    default:
      return plainFor(schema) ?? 'plain';
  }
}

/** The plain value of a field: short, letters and digits, and accepted by its schema. */
function plainFor(schema: Schema): string | undefined {
  const tries = ['plain', 'plain.example', 'https://plain.example', 'plain.example:6379', '1', '1Gi', '2.15.0', 'ldap://plain.example', '5m', 'plain.dump', '0 3 * * *'];
  return tries.find((t) => violations(t, schema, 'x').length === 0);
}

const plainKey = 'plain-key';
const plainMapValue = 'plain-value';

/** The spec with the value put at the slot, creating (minimal, valid) what the path needs. */
function place(spec: JsonObject, slot: Slot, value: string): JsonObject {
  const root: JsonObject = clone(spec);
  let here: Json = root;
  for (let i = 0; i < slot.steps.length; i++) {
    const step = slot.steps[i] as Step;
    const level = slot.levels[i] as Schema;
    const last = i === slot.steps.length - 1;
    if ('prop' in step) {
      const o = here as JsonObject;
      if (last) o[step.prop] = value;
      else o[step.prop] ??= minimal(level.properties?.[step.prop] ?? {});
      here = o[step.prop] as Json;
    } else if ('item' in step) {
      const a = here as Json[];
      if (last) a.splice(0, a.length, value);
      else if (a.length === 0) a.push(minimal(level.items ?? {}));
      here = a[0] as Json;
    } else if ('mapValue' in step) {
      const o = here as JsonObject;
      const key = Object.keys(o)[0] ?? allowedKeys(level)?.[0] ?? plainKey;
      if (last) o[key] = value;
      else o[key] ??= minimal(level.additionalProperties ?? {});
      here = o[key];
    } else if ('mapKey' in step) {
      const o = here as JsonObject;
      o[value] = minimal(level.additionalProperties ?? {});
    } else {
      const o = here as JsonObject;
      if (step.free === 'key') o[value] = plainMapValue;
      else o[plainKey] = value;
    }
  }
  return root;
}

/** The keys a map's CEL rule allows (self.all(k, k in [...])), if it has one. */
function allowedKeys(level: Schema): string[] | undefined {
  for (const r of level['x-kubernetes-validations'] ?? []) {
    const m = /^self\.all\(k, k in \[((?:'[^']*'(?:, )?)+)\]\)$/.exec(r.rule);
    if (m?.[1] !== undefined) return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1] ?? '');
  }
  return undefined;
}

const authModes: Record<string, string> = { oidc: 'OIDC', ldap: 'LDAP', uaa: 'UAA', httpAuthProxy: 'HTTPAuthProxy' };
const drivers: Record<string, string> = { s3: 'S3', azure: 'Azure', gcs: 'GCS', swift: 'Swift', oss: 'OSS' };

/** What else must change for the spec to stay valid when a slot changes (the CRD's cross-field rules). */
function companion(spec: JsonObject, slot: Slot): JsonObject {
  const s = clone(spec);
  // A mode's section goes with its mode; a driver's section with its driver, alone.
  const auth = get(s, 'configuration', 'auth');
  const mode = /^spec\.configuration\.auth\.(\w+)\./.exec(slot.name)?.[1];
  if (mode && authModes[mode] && isObject(auth)) auth['mode'] = authModes[mode];
  const storage = get(s, 'storage');
  const driver = /^spec\.storage\.(\w+)\./.exec(slot.name)?.[1];
  if (driver && drivers[driver] && isObject(storage)) {
    const only: JsonObject = Object.fromEntries(Object.entries(storage).filter(([k]) => k === driver || !(k in drivers)));
    only['type'] = drivers[driver];
    s['storage'] = only;
  }
  const group = get(s, 'configuration', 'auth', 'ldap', 'group');
  if (isObject(group) && has(group, 'filter') && !has(group, 'attributeName')) group['attributeName'] = 'cn';
  const s3 = get(s, 'storage', 's3');
  if (isObject(s3) && has(s3, 'keyID')) s3['encrypt'] = true;
  const cloudFront = get(s, 'storage', 's3', 'cloudFront');
  if (isObject(cloudFront) && has(cloudFront, 'awsRegions')) cloudFront['ipFilteredBy'] = 'AWSRegion';
  const tls = get(s, 'expose', 'ingress', 'tls');
  if (slot.name.startsWith('spec.expose.ingress.tls.secretName') && isObject(tls)) delete tls['issuerRef'];
  if (slot.name.startsWith('spec.expose.ingress.tls.issuerRef') && isObject(tls)) delete tls['secretName'];
  // In an Ingress, the URL's host is the Ingress host: a new host moves the URL along.
  const ingress = get(s, 'expose', 'ingress');
  if (get(s, 'expose', 'type') === 'Ingress' && slot.name === 'spec.expose.ingress.host' && isObject(ingress)) {
    const newHost = ingress['host'];
    if (typeof newHost === 'string') s['externalURL'] = `https://${newHost}`;
  }
  return s;
}

/** The value a base spec already has at a slot, if the slot is a plain field there. */
function valueAt(spec: JsonObject, slot: Slot): string | undefined {
  let here: unknown = spec;
  for (const step of slot.steps) {
    if (!('prop' in step)) return undefined;
    here = get(here, step.prop);
  }
  return typeof here === 'string' ? here : undefined;
}

// --- hostile strings --------------------------------------------------------

/** Everything YAML, a template, nginx or a shell might read as structure. */
const payload = [
  'x"',
  '  externalIPs: ["1.2.3.4"]',
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: injected',
  "# {{ .Release.Name }}{{ fail \"templated\" }} ; } server { listen 1; } 'q' \\\" \\n",
  '- &a *a !!str |> %@` [x, {y: z}] ~\t\r\u0000\u007f\u0085\u2028\u2029é中😀',
].join('\n');
/** The same on one line and without what host-like patterns refuse. */
const compact = "x\"'#{{.Values}};}{[&*!|>%@`~";
/** Plain scalars YAML 1.1 reads as something other than a string. */
const misread = ['yes', 'null', '0777', '1e3', 'true'];

const strip = (s: string): string => s.replace(/[\s/?#@,]/g, '');

function fill(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length === 0) return '';
  let out: string[] = [];
  while (out.length < max) out = out.concat(chars);
  return out.slice(0, max).join('');
}

/** Hostile values the field's schema accepts: up to two built from the payload, else misread words, and the longest. */
function hostileFor(slot: Slot, accepts: (v: string) => boolean): string[] {
  const max = slot.schema.maxLength ?? 2000;
  const shapes = (t: string): string[] => [t, `https://${strip(t)}`, `${strip(t)}:6379`, strip(t), `https://${t}`, `ldap://${strip(t)}`];
  const fromPayload = [payload, compact].flatMap(shapes).filter((v) => v !== '' && !v.endsWith('/') && accepts(v));
  const long = [...shapes(fill(`${payload}\n`, max)), ...shapes(fill(compact, max)).map((v) => Array.from(v).slice(0, max).join('')), fill('9', max)].filter(
    (v) => v !== '' && !v.endsWith('/') && length(v) > 8 && accepts(v),
  );
  const picked = [...new Set(fromPayload)].slice(0, 1);
  if (picked.length === 0) picked.push(...misread.filter(accepts).slice(0, 2));
  const longest = long.sort((a, b) => length(b) - length(a))[0];
  if (longest !== undefined && !picked.includes(longest)) picked.push(longest);
  return picked;
}

/**
 * Fields no hostile value reaches, and why: their schema admits only
 * characters YAML, templates and configuration files never misread.
 */
const strictFields: Record<string, string> = {
  'spec.version': 'a supported release, digits and dots (the CEL rule on spec.version)',
  'spec.backup.schedule': 'five fields without blanks inside them, or @daily and the like (its pattern); it reaches only the CronJob, not the chart',
  'spec.database.restoreFrom.persistentVolumeClaim.fileName': 'letters, digits, dot, dash and underscore ending in .dump (its pattern); it reaches only the restore Job, not the chart',
  'spec.configuration.settings.<key>': "one of the Harbor item names the CEL rule lists (lowercase letters and '_')",
  'spec.components.trivy.timeout': 'a Go duration: digits, dots and unit letters (its pattern)',
  'spec.storage.s3.cloudFront.duration': 'a Go duration: digits, dots and unit letters (its pattern)',
  'spec.storage.azure.realm': 'a DNS name with a dot (its pattern): lowercase letters, digits, dots and hyphens',
};

/**
 * Fields whose text never reaches the chart: toValues converts them, and
 * their conversion is table-tested where it is made.
 */
const convertedFields: Record<string, string> = {
  'spec.configuration.defaultProjectQuota': 'converted to a number of bytes (render/configuration.ts quotaBytes; test/unit/configuration.test.ts)',
};

// --- base specs -------------------------------------------------------------

const host = 'harbor.example.com';
const bases: Record<string, JsonObject> = {
  ingress: {
    externalURL: `https://${host}`,
    expose: {
      type: 'Ingress',
      ingress: { host, className: 'nginx', annotations: { a: 'b' }, tls: { issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } } },
    },
    components: { core: { replicas: 2 } },
  },
  loadBalancer: {
    externalURL: 'http://10.0.0.1',
    expose: { type: 'LoadBalancer', service: { annotations: { a: 'b' }, loadBalancerClass: 'example.com/lb', nodePort: 30080 } },
  },
  external: {
    externalURL: `https://${host}`,
    expose: { type: 'Ingress', ingress: { host, tls: { secretName: 'harbor-tls' } } },
    adminPasswordSecretRef: { name: 'admin' },
    database: { type: 'External', external: { host: 'pg.example.com', username: 'harbor', passwordSecretRef: { name: 'db' } } },
    cache: { type: 'External', external: { address: 's1:26379,s2:26379', sentinelMasterSet: 'mymaster', passwordSecretRef: { name: 'redis' } } },
    storage: { type: 'S3', s3: { bucket: 'images', region: 'eu-west-1', endpoint: 'https://minio.example.com', credentialsSecretRef: { name: 's3' } } },
  },
  // The database made by the operator on an external server (no password ref: it is generated).
  provision: {
    externalURL: `https://${host}`,
    expose: { type: 'Ingress', ingress: { host } },
    database: { type: 'External', external: { host: 'pg.example.com', provision: { adminSecretRef: { name: 'pg-admin' } } } },
  },
};

/** The bases a slot is tried in: where its section is in use (every base for the rest). */
function basesOf(slot: Slot): string[] {
  const n = slot.name;
  if (n.startsWith('spec.components.')) return ['ingress'];
  if (n.startsWith('spec.expose.service.')) return ['loadBalancer'];
  if (n.startsWith('spec.expose.ingress.')) return ['ingress', 'external'];
  if (n.startsWith('spec.database.external.provision.')) return ['provision'];
  if (/^spec\.(database|cache)\.external\.|^spec\.storage\.s3\.|^spec\.adminPasswordSecretRef\./.test(n)) return ['external'];
  if (/^spec\.(database|cache)\.inCluster\.|^spec\.database\.restoreFrom\.|^spec\.storage\.filesystem\./.test(n)) return ['ingress', 'loadBalancer'];
  return ['ingress', 'loadBalancer', 'external'];
}

// --- comparing a hostile render with its plain twin --------------------------

const yamlFile = /\.ya?ml$/;

/** The object a JSON text holds, or undefined when it holds none. */
function jsonObject(text: string): JsonObject | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Differences between the hostile tree and the plain one once hostile → plain. */
function compare(h: unknown, p: unknown, hostile: string, plain: string, path: string, out: string[]): void {
  if (out.length > 5) return;
  const sub = (s: string): string => s.split(hostile).join(plain);
  if (typeof h !== typeof p || Array.isArray(h) !== Array.isArray(p) || (h === null) !== (p === null)) {
    out.push(`${path}: ${typeof h} where the plain render has ${typeof p} (${JSON.stringify(h).slice(0, 120)})`);
    return;
  }
  if (typeof h === 'string' && typeof p === 'string') {
    if (h === p || sub(h) === p) return;
    if (/checksum\/[^.]+$/.test(path) && /^[0-9a-f]{64}$/.test(h) && /^[0-9a-f]{64}$/.test(p)) return;
    if (/^Secret \S+ \.data\./.test(path) && !path.endsWith(' (base64)') && !path.endsWith(' (JSON)')) {
      const [hd, pd] = [Buffer.from(h, 'base64').toString('utf8'), Buffer.from(p, 'base64').toString('utf8')];
      // A JSON document (CONFIG_OVERWRITE_JSON): compared as the tree core reads.
      const [hj, pj] = [jsonObject(hd), jsonObject(pd)];
      if (hj !== undefined && pj !== undefined) compare(hj, pj, hostile, plain, `${path} (JSON)`, out);
      else compare(hd, pd, hostile, plain, `${path} (base64)`, out);
      return;
    }
    if (/^ConfigMap \S+ \.data\./.test(path) && yamlFile.test(path)) {
      compare(parse(h, { version: '1.1' }) as unknown, parse(p, { version: '1.1' }) as unknown, hostile, plain, `${path} (YAML)`, out);
      return;
    }
    out.push(`${path}: ${JSON.stringify(h).slice(0, 160)} is not the plain ${JSON.stringify(p).slice(0, 80)} with the hostile string as data`);
    return;
  }
  if (Array.isArray(h) && Array.isArray(p)) {
    if (h.length !== p.length) out.push(`${path}: ${h.length} items where the plain render has ${p.length}`);
    else h.forEach((x, i) => {
      compare(x, p[i], hostile, plain, `${path}[${i}]`, out);
    });
    return;
  }
  if (isObject(h) && isObject(p)) {
    const hk = new Map(Object.keys(h).map((k) => [sub(k), k]));
    const missing = Object.keys(p).filter((k) => !hk.has(k));
    const extra = [...hk.keys()].filter((k) => !(k in p));
    if (missing.length > 0 || extra.length > 0) {
      out.push(`${path}: keys ${JSON.stringify(extra).slice(0, 160)} added, ${JSON.stringify(missing).slice(0, 80)} missing`);
      return;
    }
    for (const [k, original] of hk) compare(h[original], p[k], hostile, plain, `${path}.${k}`, out);
    return;
  }
  if (h !== p) out.push(`${path}: ${JSON.stringify(h)} where the plain render has ${JSON.stringify(p)}`);
}

const identity = (o: KubeObject, sub: (s: string) => string = (s) => s): string =>
  `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${sub(o.metadata.name)}`;

function differences(hostileObjects: KubeObject[], plainObjects: KubeObject[], hostile: string, plain: string): string[] {
  const sub = (s: string): string => s.split(hostile).join(plain);
  const h = hostileObjects.map((o) => identity(o, sub)).sort();
  const p = plainObjects.map((o) => identity(o)).sort();
  if (JSON.stringify(h) !== JSON.stringify(p)) {
    return [`objects differ: hostile render has ${JSON.stringify(h.filter((x) => !p.includes(x)))}, lacks ${JSON.stringify(p.filter((x) => !h.includes(x)))}`];
  }
  const out: string[] = [];
  const byId = new Map(plainObjects.map((o) => [identity(o), o]));
  for (const o of hostileObjects) {
    const twin = byId.get(identity(o, sub));
    compare(o, twin, hostile, plain, `${o.kind} ${o.metadata.name} `, out);
  }
  return out;
}

// --- the cases --------------------------------------------------------------

interface Case {
  slot: string;
  base: string;
  hostile: string;
  plain: string;
  hostileSpec: HarborClusterSpec;
  plainSpec: HarborClusterSpec;
}

const release = 'h';
const namespace = 'ns';

function cr(spec: HarborClusterSpec): HarborCluster {
  return { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name: release, namespace }, spec };
}

function buildCases(): { cases: Case[]; untested: string[]; refusedOnly: Map<string, string> } {
  const cases: Case[] = [];
  const untested: string[] = [];
  const refusedOnly = new Map<string, string>();
  for (const slot of slots) {
    let tried = 0;
    if (slot.name in convertedFields) {
      untested.push(slot.name);
      continue;
    }
    for (const baseName of basesOf(slot)) {
      const base = bases[baseName] as JsonObject;
      const attempt = (value: string): { spec: HarborClusterSpec } | { refused: string[] } => admit(companion(place(base, slot, value), slot));
      // The twin keeps what the base has there (so no other field must move with it), else a plain value
      // (for the key of a map whose keys come from a list: the first of them).
      const keyList = 'mapKey' in (slot.steps.at(-1) ?? {}) ? allowedKeys(slot.levels.at(-1) ?? {}) : undefined;
      const plain = valueAt(base, slot) ?? keyList?.[0] ?? plainFor(slot.schema) ?? 'plain';
      const plainAdmitted = attempt(plain);
      if ('refused' in plainAdmitted) {
        refusedOnly.set(`${slot.name} in ${baseName}`, plainAdmitted.refused.join('; '));
        continue;
      }
      for (const hostile of hostileFor(slot, (v) => !('refused' in attempt(v)))) {
        const admitted = attempt(hostile);
        if ('refused' in admitted) continue;
        cases.push({ slot: slot.name, base: baseName, hostile, plain, hostileSpec: admitted.spec, plainSpec: plainAdmitted.spec });
        tried++;
      }
    }
    if (tried === 0) untested.push(slot.name);
  }
  return { cases, untested, refusedOnly };
}

const built = buildCases();

test('every CEL rule of the CRD is known to this test', () => {
  const rules: string[] = [];
  const walk = (s: Schema): void => {
    for (const r of s['x-kubernetes-validations'] ?? []) rules.push(r.rule);
    for (const c of Object.values(s.properties ?? {})) walk(c);
    if (s.items) walk(s.items);
    if (s.additionalProperties) walk(s.additionalProperties);
  };
  walk(specSchema);
  assert.ok(rules.length > 10);
  for (const r of rules) assert.doesNotThrow(() => rulePredicate(r), r);
});

test('the base specs are valid and the string fields are found', () => {
  for (const [name, spec] of Object.entries(bases)) {
    const admitted = admit(spec);
    assert.ok(!('refused' in admitted), `base ${name}: ${JSON.stringify(admitted)}`);
  }
  // 45 outside the components, 20 in each component (24 in registry with controllerResources): a change here means the walk broke.
  assert.ok(slots.length > 150, `only ${slots.length} string slots found`);
  for (const expected of ['spec.expose.service.loadBalancerClass', 'spec.components.core.podLabels.<key>', 'spec.components.exporter.affinity.<any value>', 'spec.storage.s3.bucket']) {
    assert.ok(slots.some((s) => s.name === expected), `slot ${expected}`);
  }
});

test('every string field gets a hostile value, except the strict ones listed with their reason', () => {
  assert.deepEqual(built.refusedOnly, new Map(), 'slots whose plain value the base spec cannot take');
  assert.deepEqual(built.untested.sort(), [...Object.keys(strictFields), ...Object.keys(convertedFields)].sort());
  assert.ok(built.cases.length > 2 * slots.length * 0.9, `${built.cases.length} cases for ${slots.length} slots`);
});

test('the batch renderer gives what a render of its own gives', async () => {
  const helm = goldenHelm();
  const values = goldenCases.map((c) => toValues({ ...c.cr, metadata: { name: release, namespace } }, fixedSecrets));
  const batch = await renderMany({ helm, chartDir, release, namespace }, values);
  const key = (objs: KubeObject[]): string[] => objs.map((o) => JSON.stringify(o)).sort();
  for (const [i, v] of values.entries()) {
    const alone = await helmTemplate({ helm, chartDir, timeoutMs: 60_000 }, release, namespace, v);
    const got = batch[i] as RenderResult;
    assert.ok('objects' in got, `golden case ${i}: ${'error' in got ? got.error : ''}`);
    assert.deepEqual(key(got.objects), key(alone), `golden case ${goldenCases[i]?.name}`);
  }
});

test("the issue's loadBalancerClass payload renders as data (one Service, no ConfigMap injected)", async () => {
  const value = 'x\n  externalIPs: ["1.2.3.4"]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: injected';
  const slot = slots.find((x) => x.name === 'spec.expose.service.loadBalancerClass');
  assert.ok(slot);
  const admitted = admit(place(bases['loadBalancer'] as JsonObject, slot, value));
  assert.ok('spec' in admitted, 'the CRD accepts the payload (it is a valid string of 253 characters or less)');
  const objects = await helmTemplate({ helm: goldenHelm(), chartDir, timeoutMs: 60_000 }, release, namespace, toValues(cr(admitted.spec), fixedSecrets));
  assert.equal(objects.filter((o) => o.metadata.name === 'injected').length, 0);
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === release);
  assert.deepEqual(service?.spec && (service.spec as Record<string, unknown>)['loadBalancerClass'], value);
  assert.equal((service?.spec as Record<string, unknown>)['externalIPs'], undefined);
});

test('hostile strings in every string field render as data only', { timeout: 600_000 }, async () => {
  const helm = goldenHelm();
  const batchSize = 60;
  const failures: string[] = [];
  const work: { c: Case; plain: boolean }[] = built.cases.flatMap((c) => [
    { c, plain: false },
    { c, plain: true },
  ]);
  const results: RenderResult[] = new Array<RenderResult>(work.length);
  const batches: number[] = [];
  for (let i = 0; i < work.length; i += batchSize) batches.push(i);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const start = batches[next++];
      if (start === undefined) return;
      const slice = work.slice(start, start + batchSize);
      const values = slice.map((w) => toValues(cr(w.plain ? w.c.plainSpec : w.c.hostileSpec), fixedSecrets));
      const got = await renderMany({ helm, chartDir, release, namespace }, values);
      got.forEach((r, j) => (results[start + j] = r));
    }
  };
  await Promise.all([worker(), worker()]);
  for (let i = 0; i < work.length; i += 2) {
    const { c } = work[i] as { c: Case };
    const h = results[i] as RenderResult;
    const p = results[i + 1] as RenderResult;
    const where = `${c.slot} (base ${c.base}, hostile ${JSON.stringify(c.hostile).slice(0, 60)}…)`;
    if ('error' in p) failures.push(`${where}: the plain render failed: ${p.error}`);
    else if ('error' in h) failures.push(`${where}: render failed: ${h.error.slice(0, 300)}`);
    else for (const d of differences(h.objects, p.objects, c.hostile, c.plain)) failures.push(`${where}: ${d}`);
  }
  console.log(`chart injection: ${built.cases.length} hostile renders over ${slots.length} string fields, each against its plain twin`);
  assert.deepEqual(failures.slice(0, 40), [], `${failures.length} failures`);
});
