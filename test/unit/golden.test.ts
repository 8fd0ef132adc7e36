// The embedded chart's `helm template` output for a few HarborClusters,
// compared with the files under test/golden. After an intended change to the
// chart or to toValues, rewrite them and review the diff:
//
//   npm run test:update-golden
//
// Besides the comparison, a few facts are checked on the rendered objects
// themselves, so a golden file can never silently go empty or wrong.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/model/object.ts';
import { defaultVersion, releaseOf } from '../../src/api/releases.ts';
import { ingressTlsSecretName } from '../../src/render/values.ts';
import { ownSecretProblem, type OwnSecretField } from '../../src/secrets/own-secrets.ts';
import {
  fixedSecrets,
  goldenCases,
  goldenDir,
  goldenFile,
  goldenNamespace,
  parseObjects,
  broughtSecrets,
  releaseGoldenVersions,
  renderCase,
  serializeObjects,
  type GoldenCase,
} from '../harness/golden-cases.ts';

const update = process.env['UPDATE_GOLDEN'] === '1';

// One render per case, shared by the tests of that case.
const renders = new Map<string, Promise<KubeObject[]>>();
function rendered(c: GoldenCase): Promise<KubeObject[]> {
  let p = renders.get(c.name);
  if (!p) {
    p = renderCase(c);
    renders.set(c.name, p);
  }
  return p;
}

const componentLabel = 'app.kubernetes.io/component';
const instanceLabel = 'app.kubernetes.io/instance';

function describeObject(o: KubeObject | undefined): string {
  return o ? `${o.kind}/${o.metadata.name}` : '(none)';
}

/** Path of the first difference between two JSON-like values, with both sides. */
function firstDifferentPath(expected: unknown, actual: unknown, path = ''): string {
  if (isDeepStrictEqual(expected, actual)) return '';
  const bothObjects =
    typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null && Array.isArray(expected) === Array.isArray(actual);
  if (bothObjects) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (!isDeepStrictEqual(e[key], a[key])) return firstDifferentPath(e[key], a[key], `${path}.${key}`);
    }
  }
  const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 200));
  return `${path || '.'}: expected ${show(expected)}, got ${show(actual)}`;
}

/** undefined when equal, else which object differs first (and how many do). */
function goldenDifference(expected: readonly KubeObject[], actual: readonly KubeObject[]): string | undefined {
  if (isDeepStrictEqual(expected, actual)) return undefined;
  const lines: string[] = [];
  const keys = (objs: readonly KubeObject[]): string[] => objs.map((o) => `${o.apiVersion} ${describeObject(o)}`);
  const missing = keys(expected).filter((k) => !keys(actual).includes(k));
  const extra = keys(actual).filter((k) => !keys(expected).includes(k));
  if (missing.length > 0) lines.push(`missing from the render: ${missing.join(', ')}`);
  if (extra.length > 0) lines.push(`not in the golden file: ${extra.join(', ')}`);
  let differing = 0;
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = expected[i];
    const a = actual[i];
    if (isDeepStrictEqual(e, a)) continue;
    differing++;
    if (differing === 1) {
      const what = describeObject(e) === describeObject(a) ? describeObject(e) : `${describeObject(e)} (golden) vs ${describeObject(a)} (render)`;
      lines.unshift(`first differing object: #${i} ${what} at ${firstDifferentPath(e, a)}`);
    }
  }
  lines.push(`${differing} of ${expected.length} golden objects differ (${actual.length} rendered)`);
  return lines.join('\n');
}

async function readGolden(c: GoldenCase): Promise<KubeObject[]> {
  let text: string;
  try {
    text = await readFile(goldenFile(c), 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${goldenFile(c)}: run \`npm run test:update-golden\` to create it`, { cause: err });
  }
  return parseObjects(text);
}

for (const c of goldenCases) {
  test(`golden ${c.name}: helm template output ${update ? 'written to' : 'matches'} test/golden/${c.name}.yaml`, async () => {
    const objects = await rendered(c);
    const text = serializeObjects(objects);
    // The file's own form must give the objects back, or comparing it means nothing.
    assert.deepEqual(parseObjects(text), objects, 'the golden serialization does not round-trip');
    if (update) {
      await mkdir(goldenDir, { recursive: true });
      await writeFile(goldenFile(c), text);
      return;
    }
    const diff = goldenDifference(await readGolden(c), objects);
    if (diff !== undefined) {
      assert.fail(`${c.name}: the render differs from test/golden/${c.name}.yaml\n${diff}\n(if intended: npm run test:update-golden, then review the diff)`);
    }
  });
}

// --- facts checked on the render itself --------------------------------------

function ofKind(objects: readonly KubeObject[], apiVersion: string, kind: string): KubeObject[] {
  return objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind);
}

function components(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => o.metadata.labels?.[componentLabel] ?? `(no ${componentLabel}: ${o.metadata.name})`).sort();
}

const statefulSets = (objs: readonly KubeObject[]): KubeObject[] => ofKind(objs, 'apps/v1', 'StatefulSet');
const deployments = (objs: readonly KubeObject[]): KubeObject[] => ofKind(objs, 'apps/v1', 'Deployment');
const ingresses = (objs: readonly KubeObject[]): KubeObject[] => ofKind(objs, 'networking.k8s.io/v1', 'Ingress');
const certificates = (objs: readonly KubeObject[]): KubeObject[] => objs.filter((o) => o.kind === 'Certificate');
const claims = (objs: readonly KubeObject[]): KubeObject[] => ofKind(objs, 'v1', 'PersistentVolumeClaim');
const services = (objs: readonly KubeObject[]): KubeObject[] => ofKind(objs, 'v1', 'Service');

interface IngressSpec {
  tls?: { secretName?: string; hosts?: string[] }[];
}
interface CertificateSpec {
  secretName?: string;
}

const facts: Record<string, (objects: KubeObject[]) => void> = {
  minimal: (objs) => {
    assert.equal(ingresses(objs).length, 1, 'one Ingress');
    assert.deepEqual(certificates(objs), [], 'no Certificate');
    assert.deepEqual(components(statefulSets(objs)), ['database', 'redis', 'trivy']);
    assert.ok(components(deployments(objs)).includes('exporter'), 'the exporter Deployment');
  },
  'external-services': (objs) => {
    assert.deepEqual(components(statefulSets(objs)).filter((s) => s === 'database' || s === 'redis'), [], 'no database or redis StatefulSet');
    assert.deepEqual(components(claims(objs)).filter((s) => s === 'registry'), [], 'no registry PersistentVolumeClaim (S3)');
    assert.equal(ingresses(objs).length, 1, 'one Ingress');
    const tls = (ingresses(objs)[0]?.spec as IngressSpec | undefined)?.tls ?? [];
    assert.deepEqual(tls.map((t) => t.secretName), ['registry-example-com-tls'], 'the Ingress uses the user TLS Secret');
    assert.deepEqual(certificates(objs), [], 'no Certificate');
  },
  'ingress-cert-manager': (objs) => {
    const certs = certificates(objs);
    assert.equal(certs.length, 1, 'one Certificate');
    const cert = certs[0];
    assert.ok(cert);
    assert.equal(cert.apiVersion, 'cert-manager.io/v1');
    const secretName = (cert.spec as CertificateSpec | undefined)?.secretName;
    assert.equal(secretName, ingressTlsSecretName('harbor'));
    const ing = ingresses(objs);
    assert.equal(ing.length, 1, 'one Ingress');
    const tls = (ing[0]?.spec as IngressSpec | undefined)?.tls ?? [];
    assert.deepEqual(tls.map((t) => t.secretName), [secretName], "the Ingress serves the Certificate's Secret");
  },
  'loadbalancer-no-trivy-no-exporter': (objs) => {
    const lb = services(objs).filter((s) => (s.spec as { type?: string } | undefined)?.type === 'LoadBalancer');
    assert.equal(lb.length, 1, 'one Service of type LoadBalancer');
    assert.deepEqual(ingresses(objs), [], 'no Ingress');
    assert.deepEqual(certificates(objs), [], 'no Certificate');
    assert.ok(!components(statefulSets(objs)).includes('trivy'), 'no trivy StatefulSet');
    assert.ok(!components(deployments(objs)).includes('exporter'), 'no exporter Deployment');
    assert.deepEqual(components(statefulSets(objs)), ['database', 'redis']);
  },
};

// --- the storage drivers, Harbor's settings, the scanner and the cache layer --

interface Container {
  name: string;
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
const podContainers = (o: KubeObject | undefined): Container[] =>
  (o?.spec as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template?.spec?.containers ?? [];
const secretData = (objs: readonly KubeObject[], name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(data(named(objs, 'Secret', name))).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
const registryConfig = (objs: readonly KubeObject[]): Record<string, unknown> =>
  parse(data(named(objs, 'ConfigMap', 'harbor-registry'))['config.yml'] ?? '') as Record<string, unknown>;

/** The registry runs the driver with these parameters; its secrets come from the registry Secret, YAML-quoted. */
function storageFacts(objs: readonly KubeObject[], driver: string, secrets: Record<string, string>, files: { gcs?: boolean; cloudFront?: boolean }): void {
  const storage = registryConfig(objs)['storage'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(storage).filter((k) => !['cache', 'maintenance', 'delete', 'redirect'].includes(k)), [driver], 'exactly one driver');
  assert.equal(data(named(objs, 'ConfigMap', 'harbor-core'))['REGISTRY_STORAGE_PROVIDER_NAME'], driver);
  const env = secretData(objs, 'harbor-registry');
  for (const [param, value] of Object.entries(secrets)) {
    const name = `REGISTRY_STORAGE_${driver.toUpperCase()}_${param.toUpperCase()}`;
    // what distribution's configuration parser does with it: yaml.Unmarshal
    assert.equal(parse(env[name] ?? '', { version: '1.1' }), value, `${name} reads back as the secret`);
    for (const c of podContainers(named(objs, 'Deployment', 'harbor-registry'))) {
      assert.ok(c.env?.some((e) => e.name === name && e.valueFrom?.secretKeyRef?.name === 'harbor-registry'), `${c.name} reads ${name}`);
    }
  }
  assert.deepEqual(
    Object.keys(env).filter((k) => k.startsWith('REGISTRY_STORAGE_')).sort(),
    Object.keys(secrets).map((p) => `REGISTRY_STORAGE_${driver.toUpperCase()}_${p.toUpperCase()}`).sort(),
  );
  const [registry, registryctl] = podContainers(named(objs, 'Deployment', 'harbor-registry'));
  const mounts = (c: Container | undefined): string[] => (c?.volumeMounts ?? []).map((m) => m.mountPath);
  assert.equal(mounts(registry).includes('/etc/registry/gcs-key.json'), files.gcs === true, 'registry: the GCS key');
  assert.equal(mounts(registryctl).includes('/etc/registry/gcs-key.json'), files.gcs === true, 'registryctl: the GCS key');
  assert.equal(mounts(registry).includes('/etc/registry/pk.pem'), files.cloudFront === true, 'registry: the CloudFront key');
  assert.ok(!mounts(registryctl).includes('/etc/registry/pk.pem'), 'registryctl applies no middleware');
  assert.ok(!mounts(registry).includes('/storage'), 'no volume for a cloud driver');
  assert.equal(named(objs, 'PersistentVolumeClaim', 'harbor-registry'), undefined);
}

/** spec.configuration reaches core, and only core, as CONFIG_OVERWRITE_JSON in its Secret. */
function overwriteOf(objs: readonly KubeObject[]): Record<string, unknown> {
  const core = secretData(objs, 'harbor-core');
  const json = core['CONFIG_OVERWRITE_JSON'];
  assert.ok(json, 'CONFIG_OVERWRITE_JSON in the core Secret');
  const [container] = podContainers(named(objs, 'Deployment', 'harbor-core'));
  assert.ok(container?.env?.some((e) => e.name === 'CONFIG_OVERWRITE_JSON' && e.valueFrom?.secretKeyRef?.key === 'CONFIG_OVERWRITE_JSON'));
  for (const o of objs) {
    if (o.kind === 'Secret' && o.metadata.name !== 'harbor-core') assert.equal(secretData(objs, o.metadata.name)['CONFIG_OVERWRITE_JSON'], undefined, o.metadata.name);
    if (o.kind === 'ConfigMap') assert.ok(!JSON.stringify(o).includes('CONFIG_OVERWRITE_JSON'), `${o.metadata.name} has no overwrite`);
  }
  return JSON.parse(json) as Record<string, unknown>;
}

function cacheLayerFacts(objs: readonly KubeObject[], on: boolean, hours = '24'): void {
  for (const c of ['core', 'jobservice']) {
    const env = data(named(objs, 'ConfigMap', `harbor-${c}`));
    assert.equal(env['CACHE_ENABLED'], on ? 'true' : undefined, `${c} CACHE_ENABLED`);
    assert.equal(env['CACHE_EXPIRE_HOURS'], on ? hours : undefined, `${c} CACHE_EXPIRE_HOURS`);
    const url = secretData(objs, `harbor-${c}`)['_REDIS_URL_CACHE_LAYER'];
    assert.equal(url, on ? `redis://:${fixedSecrets.cachePassword}@harbor-redis:6379/7` : undefined, `${c} _REDIS_URL_CACHE_LAYER`);
  }
}

const trivyEnv = (objs: readonly KubeObject[]): Record<string, string> => data(named(objs, 'ConfigMap', 'harbor-trivy'));

Object.assign(facts, {
  'oidc-s3': (objs: KubeObject[]) => {
    const o = overwriteOf(objs);
    assert.equal(o['auth_mode'], 'oidc_auth');
    assert.equal(o['oidc_client_secret'], fixedSecrets.oidcClientSecret, 'the client secret from its Secret');
    assert.equal(o['oidc_scope'], 'openid,profile,email,offline_access');
    assert.equal(o['storage_per_project'], 107374182400, '100Gi in bytes');
    assert.equal(o['session_timeout'], 120);
    storageFacts(objs, 's3', { accesskey: fixedSecrets.s3AccessKey ?? '', secretkey: fixedSecrets.s3SecretKey ?? '' }, {});
    cacheLayerFacts(objs, true);
  },
  'offline-scanner': (objs: KubeObject[]) => {
    const env = trivyEnv(objs);
    assert.deepEqual(
      [env['SCANNER_TRIVY_OFFLINE_SCAN'], env['SCANNER_TRIVY_SKIP_UPDATE'], env['SCANNER_TRIVY_SKIP_JAVA_DB_UPDATE'], env['SCANNER_TRIVY_IGNORE_UNFIXED'], env['SCANNER_TRIVY_TIMEOUT']],
      // skip-Java-DB-update is written only when true (false is the adapter's default)
      ['true', 'false', undefined, 'true', '10m0s'],
    );
    assert.equal(env['SCANNER_TRIVY_DB_REPOSITORY'], 'mirror.internal.example.com/aquasecurity/trivy-db:2');
    assert.equal(env['SCANNER_TRIVY_JAVA_DB_REPOSITORY'], 'mirror.internal.example.com/aquasecurity/trivy-java-db:1');
    assert.equal(env['SCANNER_TRIVY_SEVERITY'], 'MEDIUM,HIGH,CRITICAL');
    assert.equal(secretData(objs, 'harbor-trivy')['SCANNER_TRIVY_GITHUB_TOKEN'], undefined, 'no token referenced');
    for (const w of [...statefulSets(objs), ...deployments(objs)]) {
      for (const c of podContainers(w)) assert.ok((c as unknown as { image: string }).image.startsWith('mirror.internal.example.com/goharbor/'));
    }
  },
  'storage-s3-cloudfront': (objs: KubeObject[]) => {
    storageFacts(objs, 's3', { accesskey: fixedSecrets.s3AccessKey ?? '', secretkey: fixedSecrets.s3SecretKey ?? '' }, { cloudFront: true });
    const middleware = (registryConfig(objs)['middleware'] as { storage: { name: string; options: Record<string, string> }[] }).storage;
    assert.deepEqual(middleware.map((m) => m.name), ['cloudfront']);
    assert.equal(middleware[0]?.options['privatekey'], '/etc/registry/pk.pem');
    assert.equal(secretData(objs, 'harbor-registry')['cloudfront-key.pem'], fixedSecrets.cloudFrontPrivateKey);
    const s3 = (registryConfig(objs)['storage'] as Record<string, Record<string, unknown>>)['s3'] ?? {};
    assert.equal(s3['chunksize'], 10485760, 'sizes are YAML integers');
    assert.equal(s3['encrypt'], true, 'booleans are YAML booleans');
  },
  'storage-azure': (objs: KubeObject[]) => {
    storageFacts(objs, 'azure', { accountkey: fixedSecrets.azureAccountKey ?? '' }, {});
  },
  'storage-gcs': (objs: KubeObject[]) => {
    storageFacts(objs, 'gcs', {}, { gcs: true });
    assert.equal(secretData(objs, 'harbor-registry')['gcs-key.json'], fixedSecrets.gcsKeyFile);
    assert.equal((registryConfig(objs)['storage'] as Record<string, Record<string, unknown>>)['gcs']?.['keyfile'], '/etc/registry/gcs-key.json');
  },
  'storage-swift': (objs: KubeObject[]) => {
    storageFacts(objs, 'swift', { password: fixedSecrets.swiftPassword ?? '', secretkey: fixedSecrets.swiftSecretKey ?? '' }, {});
    assert.equal((registryConfig(objs)['storage'] as Record<string, Record<string, unknown>>)['swift']?.['authversion'], 3, 'authversion is an integer (mapstructure)');
  },
  'storage-oss': (objs: KubeObject[]) => {
    storageFacts(objs, 'oss', { accesskeyid: fixedSecrets.ossAccessKeyId ?? '', accesskeysecret: fixedSecrets.ossAccessKeySecret ?? '' }, {});
    assert.equal((registryConfig(objs)['storage'] as Record<string, Record<string, unknown>>)['oss']?.['secure'], true, 'the oss driver takes only booleans');
  },
  'configuration-ldap-full': (objs: KubeObject[]) => {
    const o = overwriteOf(objs);
    assert.equal(o['auth_mode'], 'ldap_auth');
    assert.equal(o['ldap_search_password'], fixedSecrets.ldapSearchPassword);
    assert.equal(o['ldap_scope'], 2);
    assert.equal(o['ldap_group_attach_parallel'], true);
    assert.equal(Object.keys(o).length, 28, 'every item of the case');
    cacheLayerFacts(objs, true, '12');
  },
});

// Every escape hatch of spec.components (test/harness/golden-cases.ts escapeHatchesCase).
facts['escape-hatches'] = (objs) => {
  interface Env {
    name: string;
    value?: string;
    valueFrom?: unknown;
  }
  interface Pod {
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    containers: { name: string; image: string; imagePullPolicy: string; env?: Env[] }[];
  }
  const pod = (kind: string, name: string): Pod => {
    const w = named(objs, kind, name);
    assert.ok(w, `${kind}/${name}`);
    return (w.spec as { template: { spec: Pod } }).template.spec;
  };
  const want: [string, string, string, string, string][] = [
    ['Deployment', 'harbor-core', 'harbor-core', 'Always', 'mirror.example.com/goharbor/harbor-core:v2.15.2'],
    ['Deployment', 'harbor-portal', 'harbor-portal', 'Never', 'docker.io/goharbor/harbor-portal:v2.15.2-patched'],
    [
      'Deployment',
      'harbor-registry',
      'harbor-registry',
      'IfNotPresent',
      'mirror.example.com/goharbor/registry-photon:v2.15.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    ],
    ['Deployment', 'harbor-jobservice', 'harbor-jobservice', 'Always', 'docker.io/goharbor/harbor-jobservice:v2.15.2'],
    ['StatefulSet', 'harbor-trivy', 'harbor-trivy', 'Always', 'mirror.example.com/goharbor/trivy-adapter-photon:v2.15.2'],
    ['Deployment', 'harbor-exporter', 'harbor-exporter', 'Always', 'mirror.example.com/goharbor/harbor-exporter:v2.15.2'],
  ];
  for (const [kind, name, sa, policy, image] of want) {
    const p = pod(kind, name);
    assert.equal(p.serviceAccountName, sa, `${name} ServiceAccount`);
    assert.equal(p.automountServiceAccountToken, false, `${name}: still no API token`);
    assert.equal(p.containers[0]?.image, image, `${name} image`);
    for (const c of p.containers) assert.equal(c.imagePullPolicy, policy, `${name}/${c.name} pull policy`);
  }
  const registryctl = pod('Deployment', 'harbor-registry').containers.find((c) => c.name === 'registryctl');
  assert.equal(registryctl?.image, 'mirror.example.com/goharbor/harbor-registryctl:v2.15.2', 'controllerImage');
  assert.equal(registryctl.env?.some((e) => e.name === 'REGISTRY_LOG_LEVEL'), false, 'env is the main container only');
  // The operator's own variables first, the HarborCluster's after them, as given.
  const core = pod('Deployment', 'harbor-core').containers[0]?.env ?? [];
  assert.deepEqual(core.slice(-3), [
    { name: 'HTTP_PROXY', value: 'http://proxy.example.com:3128' },
    { name: 'LOG_LEVEL', value: 'debug' },
    { name: 'EXTRA_TOKEN', valueFrom: { secretKeyRef: { name: 'core-extra', key: 'token', optional: true } } },
  ]);
  assert.ok(core.some((e) => e.name === 'CORE_SECRET'), 'the operator keeps its own');
  assert.deepEqual(pod('Deployment', 'harbor-registry').containers[0]?.env?.at(-1), {
    name: 'REGISTRY_LOG_LEVEL',
    valueFrom: { configMapKeyRef: { name: 'registry-extra', key: 'level' } },
  });
  assert.deepEqual(pod('Deployment', 'harbor-portal').containers[0]?.env, [{ name: 'TZ', value: 'Europe/Paris' }]);
  // Components without settings keep the release table's images and the chart's policy.
  for (const [kind, name] of [['StatefulSet', 'harbor-database'], ['StatefulSet', 'harbor-redis']] as const) {
    const p = pod(kind, name);
    assert.equal(p.serviceAccountName, undefined, name);
    assert.match(p.containers[0]?.image ?? '', /^docker\.io\/goharbor\/[a-z-]+:v2\.15\.2$/, name);
    assert.equal(p.containers[0]?.imagePullPolicy, 'IfNotPresent', name);
  }
};

// spec.secrets (test/harness/golden-cases.ts byoSecretsCase): each brought value where Harbor reads it, no generated one.
facts['network-dual-stack'] = (objs) => {
  const services = objs.filter((o) => o.kind === 'Service');
  assert.ok(services.length > 0);
  for (const s of services) {
    const spec = s['spec'] as { ipFamilyPolicy?: string; ipFamilies?: string[] };
    assert.deepEqual([spec.ipFamilyPolicy, spec.ipFamilies], ['RequireDualStack', ['IPv6', 'IPv4']], s.metadata.name);
  }
};

facts['byo-secrets'] = (objs) => {
  for (const [field, value] of Object.entries(broughtSecrets)) assert.equal(ownSecretProblem(field as OwnSecretField, value), undefined, field);
  assert.equal(ownSecretProblem('tokenKey', fixedSecrets.tokenKey), undefined);
  const core = secretData(objs, 'harbor-core');
  assert.equal(core['key'], broughtSecrets.secretKey, "core's /etc/core/key");
  assert.equal(core['private_key.pem'], fixedSecrets.tokenKey, "core's token key");
  assert.equal(core['CORE_SECRET'], broughtSecrets.coreSecret);
  assert.equal(core['JOBSERVICE_SECRET'], broughtSecrets.jobserviceSecret);
  const jobservice = secretData(objs, 'harbor-jobservice');
  assert.deepEqual([jobservice['CORE_SECRET'], jobservice['JOBSERVICE_SECRET']], [broughtSecrets.coreSecret, broughtSecrets.jobserviceSecret]);
  const registry = secretData(objs, 'harbor-registry');
  assert.deepEqual(
    [registry['REGISTRY_HTTP_SECRET'], registry['CORE_SECRET'], registry['JOBSERVICE_SECRET']],
    [broughtSecrets.registryHttpSecret, broughtSecrets.coreSecret, broughtSecrets.jobserviceSecret],
  );
  const everything = JSON.stringify(objs.map((o) => ({ ...o, data: Object.values((o['data'] ?? {}) as Record<string, string>).map((v) => Buffer.from(v, 'base64').toString('utf8')) })));
  for (const generated of ['GENERATED-AND-UNUSED', fixedSecrets.secretKey, fixedSecrets.coreSecret, fixedSecrets.jobserviceSecret, fixedSecrets.registryHttpSecret]) {
    assert.ok(!everything.includes(generated), `the generated ${generated.slice(0, 12)}… is not rendered`);
  }
};

// The release cases: the minimal sample at that version, with the images upstream
// built for it (the row of src/api/releases.ts; test/unit/releases.test.ts checks
// every row against upstream's Makefile).
for (const version of releaseGoldenVersions) {
  facts[`release-${version}`] = (objs) => {
    const row = releaseOf(version);
    assert.ok(row, `${version} is in the release table`);
    const containers = [...statefulSets(objs), ...deployments(objs)].flatMap((w) => {
      const spec = (w.spec as { template: { spec: { containers: { name: string; image: string; command?: string[] }[] } } }).template.spec;
      return spec.containers.map((c) => ({ workload: w.metadata.labels?.[componentLabel], ...c }));
    });
    for (const c of containers) assert.ok(c.image.endsWith(`:v${version}`), `${c.workload}/${c.name} runs ${c.image}`);
    const cache = containers.find((c) => c.workload === 'redis');
    assert.equal(cache?.image, `docker.io/goharbor/${row.images.cache}:v${version}`);
    assert.deepEqual(cache.command, [row.cache.server]);
    assert.equal(containers.find((c) => c.workload === 'database')?.image, `docker.io/goharbor/harbor-db:v${version}`);
  };
}

// --- facts every case shares: what upstream's Harbor needs (each checked
// against goharbor/harbor's own sources, named in the chart's templates and
// in src/api/releases.ts) -----------------------------------------

const data = (o: KubeObject | undefined): Record<string, string> => (o?.['data'] as Record<string, string> | undefined) ?? {};
const named = (objs: readonly KubeObject[], kind: string, name: string): KubeObject | undefined =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);

interface PodTemplate {
  strategy?: { type?: string };
  template: { spec: { volumes: { name: string }[]; containers: { name: string; volumeMounts?: { mountPath: string }[] }[] } };
}

function sharedFacts(c: GoldenCase, objs: readonly KubeObject[]): void {
  const name = c.cr.metadata.name ?? '';
  const env = data(named(objs, 'ConfigMap', `${name}-core`));
  const row = releaseOf(c.cr.spec.version ?? defaultVersion);
  assert.ok(row, 'the case runs a release of the table');
  // goharbor/harbor v2.13.0 … v2.15.2 make/photon/prepare/templates/core/env.jinja
  if (row.version.startsWith('2.13.')) {
    assert.equal(env['REPLICATION_ADAPTER_WHITELIST'], undefined, '2.13 reads no adapter whitelist');
    assert.equal(env['PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE']?.split(',').includes('quay'), true, '2.13 permits quay proxy caches');
  } else {
    assert.equal(
      env['REPLICATION_ADAPTER_WHITELIST'],
      'ali-acr,aws-ecr,azure-acr,docker-hub,docker-registry,github-ghcr,google-gcr,harbor,huawei-SWR,jfrog-artifactory,tencent-tcr,volcengine-cr',
      'core offers the 12 replication adapters',
    );
    assert.equal(env['PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE']?.split(',').includes('quay'), false, 'no quay proxy cache from 2.14');
  }
  // v2.15.2 make/photon/prepare/templates/core/app.conf.jinja
  const appConf = data(named(objs, 'ConfigMap', `${name}-core-config`))['app.conf'] ?? '';
  assert.match(appConf, /^runmode = prod$/m, 'beego runs prod');
  assert.match(appConf, /^\[prod\]\nhttpport = 8080$/m, 'the port is in the [prod] section');
  assert.doesNotMatch(appConf, /dev/, 'no dev section');
  // jobservice logs jobs in the database by default: no volume, rolling updates
  const jobConfig = data(named(objs, 'ConfigMap', `${name}-jobservice-config`))['config.yml'] ?? '';
  assert.deepEqual((parse(jobConfig) as { job_loggers: { name: string }[] }).job_loggers.map((l) => l.name), ['DB']);
  assert.equal(named(objs, 'PersistentVolumeClaim', `${name}-jobservice`), undefined, 'no job-log claim');
  const jobservice = named(objs, 'Deployment', `${name}-jobservice`)?.spec as PodTemplate | undefined;
  assert.equal(jobservice?.strategy?.type, 'RollingUpdate');
  assert.deepEqual(jobservice.template.spec.volumes.map((v) => v.name), ['config'], 'jobservice mounts only its config');
  // the registry reads no token certificate (v2.15.2 registry/config.yml.jinja: htpasswd auth only)
  const registry = named(objs, 'Deployment', `${name}-registry`)?.spec as PodTemplate | undefined;
  const mounts = registry?.template.spec.containers.flatMap((ct) => (ct.volumeMounts ?? []).map((m) => m.mountPath)) ?? [];
  assert.ok(mounts.includes('/etc/registry/passwd'));
  assert.ok(!mounts.some((m) => m.endsWith('root.crt')), 'no root.crt');
  assert.ok(!Object.keys(data(named(objs, 'Secret', `${name}-registry`))).includes('root.crt'));
  // spec.configuration and the cache layer reach core only when set
  if (!c.cr.spec.configuration) assert.equal(secretData(objs, `${name}-core`)['CONFIG_OVERWRITE_JSON'], undefined, 'no overwrite without spec.configuration');
  if (!c.cr.spec.cache?.layer?.enabled) assert.equal(data(named(objs, 'ConfigMap', `${name}-core`))['CACHE_ENABLED'], undefined, 'the cache layer is off by default');
  // core signs tokens with a PKCS#1 key (what libtrust reads)
  const key = Buffer.from(data(named(objs, 'Secret', `${name}-core`))['private_key.pem'] ?? '', 'base64').toString();
  assert.equal(key, fixedSecrets.tokenKey, 'the token key reaches core byte for byte');
  assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----\n/);
}

/** The routing proxy of a non-Ingress exposure does what upstream's nginx.http.conf.jinja does (v2.15.2). */
function proxyFacts(c: GoldenCase, objs: readonly KubeObject[]): void {
  const conf = data(named(objs, 'ConfigMap', `${c.cr.metadata.name ?? ''}-proxy`))['nginx.conf'] ?? '';
  assert.match(conf, /location \/service\/notifications \{\s*return 404;\s*\}/, '404 on /service/notifications');
  assert.match(conf, /location \/v1\/ \{\s*return 404;\s*\}/, '404 on /v1/');
  assert.match(conf, /add_header X-Frame-Options DENY;/);
  assert.match(conf, /add_header Content-Security-Policy "frame-ancestors 'none'";/);
  const v2 = /location \/v2\/ \{([^}]*)\}/.exec(conf)?.[1] ?? '';
  assert.match(v2, /proxy_read_timeout 900;/, '/v2/ read timeout');
  assert.match(v2, /proxy_send_timeout 900;/, '/v2/ send timeout');
  assert.match(conf, /client_max_body_size 0;/, 'no body size limit');
  assert.match(conf, /proxy_request_buffering off;/);
  // no location may set its own add_header: it would drop the server's (nginx inheritance)
  assert.equal(conf.match(/add_header/g)?.length, 2, 'add_header only on the server');
}

test('every golden case has its facts', () => {
  assert.deepEqual(Object.keys(facts).sort(), goldenCases.map((c) => c.name).sort());
});

test('the loadbalancer case really disables trivy and the exporter', () => {
  const c = goldenCases.find((x) => x.name === 'loadbalancer-no-trivy-no-exporter');
  assert.ok(c);
  const { expose, components } = c.cr.spec;
  assert.deepEqual(
    { expose: expose?.type, trivy: components?.trivy?.enabled, exporter: components?.exporter?.enabled },
    { expose: 'LoadBalancer', trivy: false, exporter: false },
  );
});

for (const c of goldenCases) {
  describe(`golden ${c.name}: rendered objects`, () => {
    test('kinds present and absent', async () => {
      const check = facts[c.name];
      assert.ok(check, `no facts for ${c.name}`);
      check(await rendered(c));
    });

    test('core, jobservice and the registry as upstream runs them', async () => {
      sharedFacts(c, await rendered(c));
    });

    if (c.cr.spec.expose?.type !== undefined && c.cr.spec.expose.type !== 'Ingress') {
      test('the routing proxy has upstream hardening', async () => {
        proxyFacts(c, await rendered(c));
      });
    }

    test(`every object is in namespace ${goldenNamespace} with label ${instanceLabel}`, async () => {
      const objs = await rendered(c);
      assert.ok(objs.length > 10, `only ${objs.length} objects rendered`);
      for (const o of objs) {
        assert.equal(o.metadata.namespace, goldenNamespace, `${describeObject(o)} namespace`);
        assert.equal(o.metadata.labels?.[instanceLabel], c.cr.metadata.name, `${describeObject(o)} label ${instanceLabel}`);
      }
    });

    test('no secret value in any ConfigMap', async () => {
      const configMaps = ofKind(await rendered(c), 'v1', 'ConfigMap');
      assert.ok(configMaps.length > 0, 'no ConfigMap rendered');
      for (const cm of configMaps) {
        const entries = {
          ...(cm['data'] as Record<string, string> | undefined),
          ...(cm['binaryData'] as Record<string, string> | undefined),
        };
        for (const [secret, value] of Object.entries(c.secrets ?? fixedSecrets) as [string, string | undefined][]) {
          if (!value) continue;
          const forms = [value, Buffer.from(value).toString('base64')];
          for (const [key, text] of Object.entries(entries)) {
            for (const form of forms) {
              assert.ok(!text.includes(form), `${describeObject(cm)} data.${key} contains secrets.${secret}`);
            }
          }
        }
      }
    });
  });
}

test('rendering is deterministic: the minimal case rendered twice gives identical output', async () => {
  const c = goldenCases.find((x) => x.name === 'minimal');
  assert.ok(c);
  const first = await renderCase(c);
  const second = await renderCase(c);
  assert.equal(serializeObjects(second), serializeObjects(first));
  assert.deepEqual(second, first);
});
