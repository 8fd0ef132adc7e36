// The settings of a release of upstream's chart → the HarborCluster's spec
// and the secret values it needs: every value read where the pods read it.
// Pure; part of map.ts.
import { parse as parseYaml } from 'yaml';
import { harborClusterDefaults as D, type HarborClusterSpec } from '../api/types.generated.ts';
import { supportedVersions } from '../api/releases.ts';
import type { KubeObject } from '../model/object.ts';
import { REGISTRY_USER, type GeneratedKey, type GeneratedSecrets } from '../secrets/generate.ts';
import { adoptedFrom, ADOPTED_FROM_ANNOTATION, describeSource, foreignAnnotations, mine, replicasOf, workloadOf, type Adoption } from './adoption.ts';
import { containerOf, envOf, fileOf, fileSource, podSpecOf, splitImage, type Objects, type Resolved, type Source } from './pod.ts';
import { isReleaseObject, type Snapshot } from './snapshot.ts';
import {
  COMPONENT_LABEL,
  CORE_ENV,
  CORE_FILES,
  DATABASE_PASSWORD_ENV,
  JOBSERVICE_CONFIG,
  NGINX_TLS_PORT,
  REGISTRY_ENV,
  REGISTRY_FILES,
  TOKEN_CERT_KEY,
  TRIVY_SKIP_UPDATE_ENV,
  WORKLOADS,
  type Component,
} from './upstream.ts';

export interface MappedSpec {
  spec: HarborClusterSpec;
  generated: GeneratedSecrets;
}

export function mapSpec(snapshot: Snapshot, objects: Objects, name: string, out: Adoption): MappedSpec {
  const w = (c: Component): KubeObject | undefined => workloadOf(snapshot, c);
  const core = w('core');
  const coreC = containerOf(core, WORKLOADS.core.container);
  const registry = w('registry');
  const registryC = containerOf(registry, WORKLOADS.registry.container);
  const env = (k: keyof typeof CORE_ENV): Resolved | undefined => envOf(objects, coreC, CORE_ENV[k]);
  const generated: GeneratedSecrets = {};
  const isOwn = (s: Source): boolean =>
    s.kind === 'literal' || mine(snapshot, s.kind, s.name);
  const keep = (key: GeneratedKey, r: Resolved | undefined, what: string, required = true): void => {
    if (!r || r.value === '') {
      if (required) out.refusals.push(`${what} not found (${key}): the release's pods reference no value for it`);
      return;
    }
    generated[key] = r.value;
    out.copied.push({ to: key, from: describeSource(r.source) });
  };

  keep('coreSecret', env('coreSecret'), `core's ${CORE_ENV.coreSecret}`);
  keep('jobserviceSecret', env('jobserviceSecret'), `core's ${CORE_ENV.jobserviceSecret}`);
  keep('csrfKey', env('csrfKey'), `core's ${CORE_ENV.csrfKey}`);
  keep('secretKey', fileOf(objects, core, coreC, CORE_FILES.secretKey), `core's secret key (${CORE_FILES.secretKey})`);
  const tokenKey = fileOf(objects, core, coreC, CORE_FILES.tokenKey);
  keep('tokenKey', tokenKey, `core's token service key (${CORE_FILES.tokenKey})`);
  const tokenSrc = fileSource(core, coreC, CORE_FILES.tokenKey);
  if (tokenSrc?.kind === 'Secret') {
    const cert = objects.secret(tokenSrc.name)?.['data'] as Record<string, string> | undefined;
    if (cert?.[TOKEN_CERT_KEY]) {
      generated.tokenCert = Buffer.from(cert[TOKEN_CERT_KEY], 'base64').toString('utf8');
      out.copied.push({ to: 'tokenCert', from: `Secret ${tokenSrc.name} key ${TOKEN_CERT_KEY}` });
    }
  }
  keep('registryHttpSecret', envOf(objects, registryC, REGISTRY_ENV.httpSecret), `the registry's ${REGISTRY_ENV.httpSecret}`);
  keep('registryPassword', env('registryPassword'), `core's ${CORE_ENV.registryPassword}`);
  const user = env('registryUsername')?.value ?? REGISTRY_USER;
  const htpasswd = fileOf(objects, registry, registryC, REGISTRY_FILES.htpasswd);
  if (user === REGISTRY_USER) {
    keep('registryHtpasswd', htpasswd, `the registry's htpasswd (${REGISTRY_FILES.htpasswd})`);
  } else {
    out.warnings.push(
      `the registry user is ${user}; the operator's is ${REGISTRY_USER}: the registry password is kept and a new htpasswd line is made for ${REGISTRY_USER} (nothing stored depends on it)`,
    );
  }

  const admin = env('adminPassword');
  let adminRef: HarborClusterSpec['adminPasswordSecretRef'];
  if (admin?.source.kind === 'Secret' && !isOwn(admin.source)) {
    adminRef = { name: admin.source.name, key: admin.source.key };
    const secret = objects.secret(admin.source.name);
    if (secret) out.kept.push({ object: secret, why: 'spec.adminPasswordSecretRef names it' });
  } else {
    keep('adminPassword', admin, `core's ${CORE_ENV.adminPassword}`);
  }

  const spec: HarborClusterSpec = { externalURL: env('externalURL')?.value ?? '' };
  if (!spec.externalURL) out.refusals.push(`core's ${CORE_ENV.externalURL} (externalURL) not found`);
  if (adminRef) spec.adminPasswordSecretRef = adminRef;

  // Version and images: every Harbor image of one release.
  const image = splitImage(coreC?.image ?? '');
  const version = image.tag.replace(/^v/, '');
  if (!supportedVersions().includes(version)) {
    out.refusals.push(`core runs ${coreC?.image ?? '(no image)'}: Harbor ${version || '?'} is not a release the operator runs (${supportedVersions().join(', ')})`);
  }
  spec.version = version;
  // The operator pulls <imageRegistry>/goharbor/<name>:v<version>; imageRegistry may carry a path.
  const prefix = image.path === 'goharbor' ? '' : image.path.endsWith('/goharbor') ? image.path.slice(0, -'/goharbor'.length) : undefined;
  const registryPath = prefix === undefined || prefix === '' ? image.registry : `${image.registry}/${prefix}`;
  if (prefix === undefined) {
    out.warnings.push(`core's image is ${coreC?.image ?? ''}; the operator pulls ${registryPath}/goharbor/<name>:v${version}`);
  }
  if (registryPath !== D['spec.imageRegistry']) spec.imageRegistry = registryPath;
  const pullSecrets = (podSpecOf(core).imagePullSecrets ?? []).map((s) => s.name).filter((n): n is string => !!n);
  if (pullSecrets.length > 0) spec.imagePullSecrets = pullSecrets.map((n) => ({ name: n }));

  const logLevel = env('logLevel')?.value;
  if (logLevel === 'debug' || logLevel === 'info' || logLevel === 'warning' || logLevel === 'error') {
    if (logLevel !== D['spec.logLevel']) spec.logLevel = logLevel;
  } else if (logLevel) {
    spec.logLevel = 'error';
    out.warnings.push(`log level ${logLevel} is not one the operator sets: error`);
  }
  for (const k of ['httpProxy', 'httpsProxy'] as const) {
    const v = env(k)?.value;
    if (v) out.warnings.push(`core's ${CORE_ENV[k]} is set; the operator sets no proxy: it is not kept`);
  }
  if (env('internalTLS')?.value === 'true') out.warnings.push('internal TLS is on; the operator\'s components talk HTTP inside the namespace: it is not kept');
  if (env('userSettings')) out.warnings.push(`core's ${CORE_ENV.userSettings} (configureUserSettings) is not kept; settings Harbor stored in its database stay`);

  spec.expose = mapExpose(snapshot, objects, name, spec.externalURL, out);
  const db = mapDatabase(snapshot, objects, name, coreC, out);
  spec.database = db.spec;
  if (db.password) {
    generated.databasePassword = db.password.value;
    out.copied.push({ to: 'databasePassword', from: describeSource(db.password.source) });
  }
  spec.cache = mapCache(snapshot, env('redisURL'), name, out);
  spec.storage = mapStorage(snapshot, objects, name, env('storageProvider')?.value ?? 'filesystem', registry, registryC, out);
  spec.components = mapComponents(snapshot, objects, out);
  return { spec, generated };
}

function mapExpose(snapshot: Snapshot, objects: Objects, name: string, externalURL: string, out: Adoption): NonNullable<HarborClusterSpec['expose']> {
  const ingress = snapshot.objects.find((o) => o.kind === 'Ingress' && isReleaseObject(o, snapshot.release));
  let urlHost = '';
  try {
    urlHost = new URL(externalURL).hostname;
  } catch {
    out.refusals.push(`externalURL ${externalURL} is not a URL`);
  }
  if (ingress) {
    const s = (ingress['spec'] ?? {}) as { ingressClassName?: string; rules?: { host?: string; http?: { paths?: { path?: string }[] } }[]; tls?: { secretName?: string }[] };
    const host = s.rules?.find((r) => r.host)?.host ?? '';
    if (!host) out.refusals.push(`Ingress ${ingress.metadata.name} serves no host; the operator's Ingress serves the host of externalURL`);
    else if (urlHost && host !== urlHost) out.refusals.push(`Ingress ${ingress.metadata.name} serves ${host} but externalURL is ${externalURL}: the operator serves the externalURL's host`);
    if ((s.rules ?? []).filter((r) => r.host).length > 1) out.warnings.push(`Ingress ${ingress.metadata.name} has more than one host; the operator's serves ${host} only`);
    const paths = (s.rules ?? []).flatMap((r) => r.http?.paths ?? []).map((p) => p.path ?? '');
    if (paths.some((p) => p.includes('*') || p.includes('.*'))) out.warnings.push(`Ingress ${ingress.metadata.name} uses controller-specific paths (${paths.join(' ')}); the operator's Ingress uses Prefix paths /, /api/, /service/, /v2/, /c/`);
    const out2: NonNullable<HarborClusterSpec['expose']> = { type: 'Ingress', ingress: { host } };
    if (s.ingressClassName && out2.ingress) out2.ingress.className = s.ingressClassName;
    const annotations = foreignAnnotations(ingress);
    if (Object.keys(annotations).length > 0 && out2.ingress) out2.ingress.annotations = annotations;
    const tlsSecret = s.tls?.find((t) => t.secretName)?.secretName;
    if (tlsSecret && out2.ingress) {
      out2.ingress.tls = { secretName: tlsSecret };
      const secret = objects.secret(tlsSecret) ?? snapshot.objects.find((o) => o.kind === 'Secret' && o.metadata.name === tlsSecret);
      if (secret) out.kept.push({ object: secret, why: 'spec.expose.ingress.tls.secretName names it' });
      else out.warnings.push(`the Ingress' TLS Secret ${tlsSecret} was not found; the operator's Ingress names it all the same`);
    }
    return out2;
  }
  const nginx = workloadOf(snapshot, 'nginx');
  const svc = snapshot.objects.find(
    (o) => o.kind === 'Service' && isReleaseObject(o, snapshot.release) && (o['spec'] as { selector?: Record<string, string> } | undefined)?.selector?.[COMPONENT_LABEL] === 'nginx',
  );
  if (!nginx || !svc) {
    out.refusals.push('the release has neither an Ingress nor the nginx proxy and its Service (expose type route, or a release without a way in): the operator exposes Harbor by Ingress or by a Service in front of its proxy');
    return { type: 'Ingress' };
  }
  const s = (svc['spec'] ?? {}) as { type?: string; ports?: { name?: string; port?: number; nodePort?: number }[]; loadBalancerClass?: string };
  if ((s.ports ?? []).some((p) => p.name === NGINX_TLS_PORT)) {
    out.refusals.push(`Service ${svc.metadata.name} serves HTTPS from upstream's nginx (expose.tls.enabled): the operator's proxy serves HTTP only (terminate TLS in front of it, or expose by Ingress)`);
  }
  const type = s.type === 'LoadBalancer' ? 'LoadBalancer' : s.type === 'NodePort' ? 'NodePort' : 'ClusterIP';
  const http = (s.ports ?? []).find((p) => p.name === 'http');
  if (http?.port !== undefined && http.port !== 80) out.warnings.push(`Service ${svc.metadata.name} listens on ${http.port}; the operator's proxy Service listens on 80`);
  const service: NonNullable<NonNullable<HarborClusterSpec['expose']>['service']> = {};
  const annotations = foreignAnnotations(svc);
  if (Object.keys(annotations).length > 0) service.annotations = annotations;
  if (type === 'LoadBalancer' && s.loadBalancerClass) service.loadBalancerClass = s.loadBalancerClass;
  if (type === 'NodePort' && http?.nodePort) service.nodePort = http.nodePort;
  if (svc.metadata.name === name && type !== 'ClusterIP') {
    out.handOver.push(svc);
  } else if (type !== 'ClusterIP') {
    out.warnings.push(`Service ${svc.metadata.name} is replaced by the operator's Service ${name}: its ${type === 'LoadBalancer' ? 'external address' : 'node port'} may change (name the HarborCluster ${svc.metadata.name} to keep the Service)`);
  }
  return { type, ...(Object.keys(service).length > 0 ? { service } : {}) };
}

function mapDatabase(
  snapshot: Snapshot,
  objects: Objects,
  name: string,
  coreC: ReturnType<typeof containerOf>,
  out: Adoption,
): { spec: NonNullable<HarborClusterSpec['database']>; password?: Resolved } {
  const password = envOf(objects, coreC, CORE_ENV.databasePassword);
  const database = workloadOf(snapshot, 'database');
  if (database) {
    const own = envOf(objects, containerOf(database, WORKLOADS.database.container), DATABASE_PASSWORD_ENV);
    if (own && password && own.value !== password.value) {
      out.warnings.push(`the database's ${DATABASE_PASSWORD_ENV} differs from core's ${CORE_ENV.databasePassword}: core's, the one Harbor connects with, is kept`);
    }
    if (!password?.value) out.refusals.push(`core's ${CORE_ENV.databasePassword} not found: the database password cannot be kept`);
    return { spec: { type: 'InCluster' }, ...(password?.value ? { password } : {}) };
  }
  const e = (k: keyof typeof CORE_ENV): string => envOf(objects, coreC, CORE_ENV[k])?.value ?? '';
  const sslMode = e('databaseSslMode') || 'disable';
  if (!['disable', 'require', 'verify-ca', 'verify-full'].includes(sslMode)) {
    out.refusals.push(`the external database's sslmode is ${sslMode}; the operator connects with disable, require, verify-ca or verify-full`);
  }
  const port = Number(e('databasePort') || '5432');
  const external: NonNullable<NonNullable<HarborClusterSpec['database']>['external']> = {
    host: e('databaseHost'),
    port,
    username: e('databaseUsername'),
    database: e('databaseName') || 'registry',
    sslMode: sslMode as 'disable',
    passwordSecretRef: credentialRef(snapshot, objects, password, `${name}-adopted-database`, 'password', 'the external database password', out),
  };
  if (!external.host || !external.username) out.refusals.push(`core's ${CORE_ENV.databaseHost} or ${CORE_ENV.databaseUsername} not found: the external database cannot be named`);
  return { spec: { type: 'External', external } };
}

/** A reference to a credential: the user's own Secret as it is, or a Secret adopt creates holding the value Helm's Secret held. */
function credentialRef(
  snapshot: Snapshot,
  objects: Objects,
  value: Resolved | undefined,
  newName: string,
  key: string,
  what: string,
  out: Adoption,
): { name: string; key: string } {
  if (value?.source.kind === 'Secret' && !mine(snapshot, 'Secret', value.source.name)) {
    const secret = objects.secret(value.source.name);
    if (secret) out.kept.push({ object: secret, why: `it holds ${what}` });
    return { name: value.source.name, key: value.source.key };
  }
  addCredential(snapshot, newName, { [key]: value?.value ?? '' }, out, what, value);
  return { name: newName, key };
}

function addCredential(snapshot: Snapshot, name: string, data: Record<string, string>, out: Adoption, what: string, from: Resolved | undefined): void {
  let secret = out.credentials.find((s) => s.metadata.name === name);
  if (!secret) {
    secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: snapshot.namespace, annotations: { [ADOPTED_FROM_ANNOTATION]: adoptedFrom(snapshot.namespace, snapshot.release) } },
      type: 'Opaque',
      data: {},
    };
    out.credentials.push(secret);
  }
  const d = secret['data'] as Record<string, string>;
  for (const [k, v] of Object.entries(data)) {
    d[k] = Buffer.from(v, 'utf8').toString('base64');
    out.copied.push({ to: `Secret ${name} key ${k}`, from: from ? describeSource(from.source) : what });
  }
}

/** The parts of a Redis URL as upstream writes it (templates/_helpers.tpl, "harbor.redis.url"). */
export function parseRedisURL(url: string): { scheme: string; username: string; password: string; addr: string; masterSet: string; db: string } | undefined {
  const m = /^([a-z+]+):\/\/(?:([^@/]*)@)?([^/?]+)(?:\/([^?]*))?/.exec(url);
  if (!m) return undefined;
  const [, scheme = '', userinfo = '', addr = '', path = ''] = m;
  // urlquery (Go's url.QueryEscape) writes a space as "+".
  const unescape = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
  const colon = userinfo.indexOf(':');
  const username = unescape(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? '' : unescape(userinfo.slice(colon + 1));
  const parts = path.split('/').filter((p) => p !== '');
  const sentinel = scheme.includes('sentinel');
  return { scheme, username, password, addr, masterSet: sentinel ? (parts[0] ?? '') : '', db: (sentinel ? parts[1] : parts[0]) ?? '' };
}

function mapCache(snapshot: Snapshot, url: Resolved | undefined, name: string, out: Adoption): NonNullable<HarborClusterSpec['cache']> {
  if (workloadOf(snapshot, 'redis')) return { type: 'InCluster' };
  const parsed = url ? parseRedisURL(url.value) : undefined;
  if (!parsed) {
    out.refusals.push(`core's ${CORE_ENV.redisURL} not found or not a Redis URL: the external Redis cannot be named`);
    return { type: 'InCluster' };
  }
  if (parsed.scheme.startsWith('rediss')) out.refusals.push('the external Redis is reached over TLS (rediss); the operator connects without TLS');
  if (parsed.username) out.refusals.push('the external Redis is reached with a user name; the operator connects with a password only');
  if (parsed.db !== '' && parsed.db !== '0') out.warnings.push(`core used Redis database ${parsed.db}; the operator's core uses 0 (cached data only)`);
  const external: NonNullable<NonNullable<HarborClusterSpec['cache']>['external']> = { address: parsed.addr };
  if (parsed.masterSet) external.sentinelMasterSet = parsed.masterSet;
  if (parsed.password) {
    addCredential(snapshot, `${name}-adopted-cache`, { password: parsed.password }, out, 'the external Redis password', url);
    external.passwordSecretRef = { name: `${name}-adopted-cache`, key: 'password' };
  }
  return { type: 'External', external };
}

function mapStorage(
  snapshot: Snapshot,
  objects: Objects,
  name: string,
  provider: string,
  registry: KubeObject | undefined,
  registryC: ReturnType<typeof containerOf>,
  out: Adoption,
): NonNullable<HarborClusterSpec['storage']> {
  if (provider === 'filesystem') return { type: 'Filesystem' };
  if (provider !== 's3') {
    out.refusals.push(`the registry stores images in ${provider}; the operator stores them on a volume or in S3`);
    return { type: 'Filesystem' };
  }
  const config = fileOf(objects, registry, registryC, REGISTRY_FILES.config);
  const parsed = (config ? parseYaml(config.value) : {}) as { storage?: { s3?: Record<string, unknown>; redirect?: { disable?: boolean } } };
  const s3 = parsed.storage?.s3 ?? {};
  const str = (k: string): string => {
    const v = s3[k];
    return typeof v === 'string' ? v : '';
  };
  const spec: NonNullable<NonNullable<HarborClusterSpec['storage']>['s3']> = { bucket: str('bucket'), region: str('region') };
  if (!spec.bucket || !spec.region) out.refusals.push(`the registry's configuration (${REGISTRY_FILES.config}) names no S3 bucket and region`);
  if (str('regionendpoint')) spec.endpoint = str('regionendpoint');
  if (str('rootdirectory')) spec.rootDirectory = str('rootdirectory');
  if (s3['secure'] === false) spec.secure = false;
  if (parsed.storage?.redirect?.disable === true) spec.disableRedirect = true;
  for (const k of ['encrypt', 'keyid', 'storageclass', 'multipartcopythresholdsize', 'skipverify', 'v4auth']) {
    if (s3[k] !== undefined && !(k === 'v4auth' && s3[k] === true) && !(k === 'encrypt' && s3[k] === false) && !(k === 'skipverify' && s3[k] === false)) {
      out.warnings.push(`the registry's S3 setting ${k} is not one the operator sets: it is not kept`);
    }
  }
  const access = envOf(objects, registryC, REGISTRY_ENV.s3AccessKey);
  const secret = envOf(objects, registryC, REGISTRY_ENV.s3SecretKey);
  if (access?.value && secret?.value) {
    const userOwned = (r: Resolved): boolean => r.source.kind === 'Secret' && !mine(snapshot, 'Secret', r.source.name);
    if (userOwned(access) && userOwned(secret) && access.source.kind === 'Secret' && secret.source.kind === 'Secret' && access.source.name === secret.source.name) {
      spec.credentialsSecretRef = { name: access.source.name, accessKeyKey: access.source.key, secretKeyKey: secret.source.key };
      const s = objects.secret(access.source.name);
      if (s) out.kept.push({ object: s, why: 'spec.storage.s3.credentialsSecretRef names it' });
    } else {
      const n = `${name}-adopted-s3`;
      addCredential(snapshot, n, { accessKey: access.value }, out, 'the S3 access key', access);
      addCredential(snapshot, n, { secretKey: secret.value }, out, 'the S3 secret key', secret);
      spec.credentialsSecretRef = { name: n };
    }
  }
  return { type: 'S3', s3: spec };
}

function mapComponents(snapshot: Snapshot, objects: Objects, out: Adoption): NonNullable<HarborClusterSpec['components']> {
  const w = (c: Component): KubeObject | undefined => workloadOf(snapshot, c);
  const components: NonNullable<HarborClusterSpec['components']> = {};
  for (const c of ['core', 'portal', 'registry'] as const) {
    const r = replicasOf(w(c));
    if (r !== 1) components[c] = { replicas: r };
  }
  const jobservice = w('jobservice');
  const jobC = containerOf(jobservice, WORKLOADS.jobservice.container);
  const config = fileOf(objects, jobservice, jobC, JOBSERVICE_CONFIG);
  const parsed = (config ? parseYaml(config.value) : {}) as { worker_pool?: { workers?: number }; job_loggers?: { name?: string }[] };
  const loggers = (parsed.job_loggers ?? []).map((l) => l.name ?? '');
  const jobLogger = loggers.includes('FILE') ? 'File' : loggers.includes('DB') ? 'Database' : loggers.includes('STD_OUTPUT') ? 'Stdout' : 'Database';
  if (loggers.length > 1) out.warnings.push(`jobservice logged jobs to ${loggers.join(' and ')}; the operator keeps one job logger: ${jobLogger}`);
  const js: NonNullable<typeof components.jobservice> = { jobLogger };
  let jr = replicasOf(jobservice);
  if (jobLogger === 'File' && jr > 1) {
    out.warnings.push(`jobservice ran ${jr} replicas with the FILE job logger; the operator runs the File logger with 1 replica`);
    jr = 1;
  }
  if (jr !== 1) js.replicas = jr;
  const workers = parsed.worker_pool?.workers;
  if (typeof workers === 'number' && workers !== D['spec.components.jobservice.workers']) js.workers = workers;
  components.jobservice = js;
  const trivy = w('trivy');
  if (trivy) {
    const t: NonNullable<typeof components.trivy> = {};
    const r = replicasOf(trivy);
    if (r !== 1) t.replicas = Math.min(r, 1);
    if (r > 1) out.warnings.push(`Trivy ran ${r} replicas; with its cache claim kept it runs 1 (the other replicas' caches are left unused)`);
    if (envOf(objects, containerOf(trivy, WORKLOADS.trivy.container), TRIVY_SKIP_UPDATE_ENV)?.value === 'true') t.skipUpdate = true;
    if (Object.keys(t).length > 0) components.trivy = t;
  } else {
    components.trivy = { enabled: false };
  }
  const exporter = w('exporter');
  if (!exporter) components.exporter = { enabled: false };
  else if (replicasOf(exporter) !== 1) components.exporter = { replicas: replicasOf(exporter) };
  return components;
}
