// HarborCluster + resolved secrets → values of the embedded chart. Pure: no
// I/O, no clock, no randomness; the same inputs give the same values. Fields
// the API server would default are defaulted from the CRD's own defaults, so
// objects that never went through the server (samples, tests) map the same.
import {
  harborClusterDefaults as D,
  type Components,
  type ComponentsCore,
  type HarborCluster,
  type HarborClusterSpec,
} from '../api/types.generated.ts';
import { oldestVersion, releasesOf, uniformVersions, type ComponentVersions, type UpgradeComponent } from '../api/component-versions.ts';
import { releaseOf, supportedVersions, type ImageComponent, type Release } from '../api/releases.ts';
import type { ChartValues, ComponentValues, EnvValue, IngressValues, KeyRefValue, ReleasedValues, VolumeValues } from './chart-values.ts';
import { provisionNames } from '../provision/names.ts';
import { configOverwriteJSON } from './configuration.ts';
import { networkValues } from './network.ts';
import { storageValues } from './storage.ts';
import { disruptionBudgets } from './disruption.ts';
import type { HarborSecrets } from './secrets-input.ts';

/** Label on every object the chart renders for a HarborCluster. */
export const clusterLabel = 'harbor-operator.dev/cluster';

/** Secret cert-manager writes the Ingress certificate to when spec.expose.ingress.tls.issuerRef is set. */
export function ingressTlsSecretName(clusterName: string): string {
  return `${clusterName}-ingress-tls`;
}

/** spec.components.jobservice.jobLogger → the logger names of jobservice (src/jobservice/logger/known_loggers.go). */
const jobLoggers = { Database: 'DB', File: 'FILE', Stdout: 'STD_OUTPUT' } as const;

const exposeTypes = { Ingress: 'ingress', LoadBalancer: 'loadBalancer', NodePort: 'nodePort', ClusterIP: 'clusterIP' } as const;

/**
 * `versions`: the release each component runs (during an upgrade, its
 * step's: status/upgrade-plan.ts); every component at spec.version by default.
 * Each component's image and the settings that differ by release come from
 * the row of the component that uses them.
 */
export function toValues(cr: HarborCluster, secrets: HarborSecrets, versions?: ComponentVersions): ChartValues {
  const name = cr.metadata.name;
  if (!name) throw new Error('the HarborCluster has no metadata.name');
  const spec = cr.spec;
  const components = spec.components ?? {};
  const storageClass = spec.persistence?.storageClassName ?? '';
  const version = spec.version ?? D['spec.version'];
  // The API server refuses other versions; objects that never went through it are refused here.
  const release = releaseOf(version);
  if (!release) throw new Error(`spec.version ${version} is not a Harbor release this operator knows (${supportedVersions().join(', ')})`);
  const at = versions ?? uniformVersions(version);
  const rows = releasesOf(at);
  const registry = spec.imageRegistry ?? D['spec.imageRegistry'];
  const values: Omit<ChartValues, 'disruptionBudgets'> = {
    version: oldestVersion(at),
    externalURL: spec.externalURL,
    logLevel: spec.logLevel ?? D['spec.logLevel'],
    image: { registry, repository: 'goharbor', pullPolicy: 'IfNotPresent' },
    imagePullSecrets: (spec.imagePullSecrets ?? []).map((s) => s.name),
    commonLabels: { [clusterLabel]: name },
    expose: exposeValues(name, spec),
    database: databaseValues(cr, secrets, storageClass),
    cache: cacheValues(spec, secrets, storageClass, rows.cache),
    storage: storageValues(
      spec,
      secrets,
      volume(spec.storage?.filesystem?.size ?? D['spec.storage.filesystem.size'], spec.storage?.filesystem?.storageClassName, storageClass),
    ),
    cacheLayer: {
      enabled: spec.cache?.layer?.enabled ?? D['spec.cache.layer.enabled'],
      expireHours: spec.cache?.layer?.expireHours ?? D['spec.cache.layer.expireHours'],
    },
    configuration: { overwriteJSON: configOverwriteJSON(spec.configuration, secrets) },
    persistence: {
      jobserviceLogSize: spec.persistence?.jobserviceLogSize ?? D['spec.persistence.jobserviceLogSize'],
      trivySize: spec.persistence?.trivyCacheSize ?? D['spec.persistence.trivyCacheSize'],
      storageClass,
      jobserviceLogExistingClaim: spec.persistence?.jobserviceLogExistingClaim ?? '',
      trivyExistingClaim: spec.persistence?.trivyCacheExistingClaim ?? '',
    },
    // Read by core: core's release.
    registryTypes: {
      replicationAdapterWhitelist: rows.core.core.replicationAdapterWhitelist?.split(',') ?? [],
      proxyCache: rows.core.core.proxyCacheRegistryTypes.split(','),
    },
    secrets: {
      adminPassword: secrets.adminPassword,
      coreSecret: secrets.coreSecret,
      jobserviceSecret: secrets.jobserviceSecret,
      csrfKey: secrets.csrfKey,
      secretKey: secrets.secretKey,
      registryHttpSecret: secrets.registryHttpSecret,
      registryUsername: secrets.registryUsername,
      registryPassword: secrets.registryPassword,
      registryHtpasswd: secrets.registryHtpasswd,
      // tokenCert is not passed: no component reads a token certificate.
      tokenKey: secrets.tokenKey,
    },
    components: {
      core: { ...componentValues(components.core, D['spec.components.core.replicas']), ...released(rows, 'core', 'core', registry, components.core?.image) },
      portal: {
        ...componentValues(components.portal, D['spec.components.portal.replicas']),
        ...released(rows, 'portal', 'portal', registry, components.portal?.image),
      },
      registry: {
        ...componentValues(components.registry, D['spec.components.registry.replicas']),
        ...(components.registry?.controllerResources ? { controllerResources: components.registry.controllerResources } : {}),
        ...released(rows, 'registry', 'registry', registry, components.registry?.image),
        controllerImage: released(rows, 'registry', 'registryctl', registry, components.registry?.controllerImage).image,
      },
      jobservice: {
        ...componentValues(components.jobservice, D['spec.components.jobservice.replicas']),
        ...released(rows, 'jobservice', 'jobservice', registry, components.jobservice?.image),
        workers: components.jobservice?.workers ?? D['spec.components.jobservice.workers'],
        jobLogger: jobLoggers[components.jobservice?.jobLogger ?? D['spec.components.jobservice.jobLogger']],
      },
      trivy: { ...trivyValues(components.trivy, secrets), ...released(rows, 'trivy', 'trivy', registry, components.trivy?.image) },
      exporter: {
        enabled: components.exporter?.enabled ?? D['spec.components.exporter.enabled'],
        ...componentValues(components.exporter, D['spec.components.exporter.replicas']),
        ...released(rows, 'exporter', 'exporter', registry, components.exporter?.image),
      },
      // The routing proxy (no Ingress) is the only way in: as many as core.
      proxy: {
        ...componentValues(undefined, Math.max(1, components.core?.replicas ?? D['spec.components.core.replicas'])),
        ...released(rows, 'proxy', 'proxy'),
      },
      database: { ...componentValues(undefined, 1), ...released(rows, 'database', 'database') },
      redis: { ...componentValues(undefined, 1), ...released(rows, 'cache', 'cache') },
    },
    metrics: { enabled: true },
    network: networkValues(spec),
  };
  const c = values.components;
  const floors = (Object.keys(c) as (keyof typeof c)[]).map((component) => ({
    component,
    // The proxy runs only when nothing else routes (expose types other than Ingress).
    enabled: component === 'proxy' ? values.expose.type !== 'ingress' : ((c[component] as { enabled?: boolean }).enabled ?? true),
    minReplicas: c[component].replicas,
  }));
  return { ...values, disruptionBudgets: disruptionBudgets(floors) };
}

/** spec.components.<c>.image (or the registry's controllerImage): another image than the release table's. */
export interface ImageOverride {
  repository?: string;
  tag?: string;
  reference?: string;
}

/**
 * The release of a component and one of its images, from that release's row.
 * An override replaces the image (`reference`: the whole of it; repository or
 * tag: that part of <registry>/goharbor/<name>:<tag>); the version label stays
 * the release's.
 */
function released(
  rows: Readonly<Record<UpgradeComponent, Release>>,
  component: UpgradeComponent,
  image: ImageComponent,
  registry?: string,
  override?: ImageOverride,
): ReleasedValues {
  const r = rows[component];
  const ref = { name: r.images[image], tag: r.tag };
  const reference = override && (override.reference ?? `${override.repository ?? `${registry}/goharbor/${ref.name}`}:${override.tag ?? ref.tag}`);
  return { version: r.version, image: reference ? { ...ref, reference } : ref };
}

function componentValues(c: Components[keyof Components], defaultReplicas: number): ComponentValues {
  const s: ComponentsCore = c ?? {};
  return {
    replicas: s.replicas ?? defaultReplicas,
    ...(s.resources ? { resources: s.resources } : {}),
    nodeSelector: s.nodeSelector ?? {},
    tolerations: s.tolerations ?? [],
    affinity: s.affinity ?? {},
    topologySpreadConstraints: s.topologySpreadConstraints ?? [],
    priorityClassName: s.priorityClassName ?? '',
    podAnnotations: s.podAnnotations ?? {},
    podLabels: s.podLabels ?? {},
    ...(s.env?.length ? { env: s.env.map(envValue) } : {}),
    ...(s.serviceAccountName ? { serviceAccountName: s.serviceAccountName } : {}),
    ...(s.imagePullPolicy ? { imagePullPolicy: s.imagePullPolicy } : {}),
  };
}

/** An entry of spec.components.<c>.env, with only the fields it sets (the CRD keeps value and valueFrom apart). */
function envValue(e: NonNullable<ComponentsCore['env']>[number]): EnvValue {
  const from = e.valueFrom;
  const keyRef = (r: { name: string; key: string; optional?: boolean }): KeyRefValue => ({
    name: r.name,
    key: r.key,
    ...(r.optional !== undefined ? { optional: r.optional } : {}),
  });
  if (from?.secretKeyRef) return { name: e.name, valueFrom: { secretKeyRef: keyRef(from.secretKeyRef) } };
  if (from?.configMapKeyRef) return { name: e.name, valueFrom: { configMapKeyRef: keyRef(from.configMapKeyRef) } };
  return { name: e.name, value: e.value ?? '' };
}

function exposeValues(name: string, spec: HarborClusterSpec): ChartValues['expose'] {
  const expose = spec.expose ?? {};
  const type = exposeTypes[expose.type ?? D['spec.expose.type']];
  const ingress = expose.ingress ?? {};
  if (type === 'ingress' && !ingress.host) {
    throw new Error('spec.expose.ingress.host is required when spec.expose.type is Ingress');
  }
  const { issuerRef, secretName } = ingress.tls ?? {};
  let tls: IngressValues['tls'] = {
    source: 'none',
    secretName: '',
    issuerRef: { name: '', kind: D['spec.expose.ingress.tls.issuerRef.kind'], group: D['spec.expose.ingress.tls.issuerRef.group'] },
  };
  if (issuerRef) {
    tls = {
      source: 'issuer',
      secretName: ingressTlsSecretName(name),
      issuerRef: { name: issuerRef.name, kind: issuerRef.kind ?? tls.issuerRef.kind, group: issuerRef.group ?? tls.issuerRef.group },
    };
  } else if (secretName) {
    tls = { ...tls, source: 'secret', secretName };
  }
  const service = expose.service ?? {};
  return {
    type,
    ingress: { host: ingress.host ?? '', className: ingress.className ?? '', annotations: ingress.annotations ?? {}, tls },
    service: {
      annotations: service.annotations ?? {},
      loadBalancerClass: service.loadBalancerClass ?? '',
      httpPort: 80,
      nodePort: service.nodePort ?? null,
    },
  };
}

function volume(size: string, own: string | undefined, fallback: string): VolumeValues {
  return { size, storageClass: own ?? fallback };
}

function databaseValues(cr: HarborCluster, secrets: HarborSecrets, storageClass: string): ChartValues['database'] {
  const db = cr.spec.database ?? {};
  const type = (db.type ?? D['spec.database.type']) === 'InCluster' ? 'internal' : 'external';
  const ext = db.external;
  if (type === 'external' && !ext) throw new Error('spec.database.external is required when spec.database.type is External');
  // With provision the operator made the role and database: their names.
  const provisioned = type === 'external' && ext?.provision ? provisionNames(cr.metadata.namespace ?? '', cr.metadata.name ?? '', ext) : undefined;
  return {
    type,
    internal: {
      ...volume(db.inCluster?.storageSize ?? D['spec.database.inCluster.storageSize'], db.inCluster?.storageClassName, storageClass),
      existingClaim: db.inCluster?.existingClaim ?? '',
    },
    external: {
      host: ext?.host ?? '',
      port: ext?.port ?? D['spec.database.external.port'],
      database: provisioned?.database ?? ext?.database ?? 'registry',
      // The chart requires a user name even when the section is unused.
      username: provisioned?.role ?? ext?.username ?? 'postgres',
      sslmode: ext?.sslMode ?? D['spec.database.external.sslMode'],
    },
    password: secrets.databasePassword,
    maxIdleConns: 100,
    maxOpenConns: 900,
  };
}

function cacheValues(
  spec: HarborClusterSpec,
  secrets: HarborSecrets,
  storageClass: string,
  release: Release,
): ChartValues['cache'] {
  const cache = spec.cache ?? {};
  const type = (cache.type ?? D['spec.cache.type']) === 'InCluster' ? 'internal' : 'external';
  const ext = cache.external;
  if (type === 'external' && !ext) throw new Error('spec.cache.external is required when spec.cache.type is External');
  return {
    type,
    server: release.cache.server,
    internal: {
      ...volume(cache.inCluster?.storageSize ?? D['spec.cache.inCluster.storageSize'], cache.inCluster?.storageClassName, storageClass),
      existingClaim: cache.inCluster?.existingClaim ?? '',
    },
    external: { addr: ext?.address ?? '', sentinelMasterSet: ext?.sentinelMasterSet ?? '' },
    password: secrets.cachePassword,
  };
}

/** Severities of SCANNER_TRIVY_SEVERITY, in Trivy's order. */
const severityOrder = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** spec.components.trivy → the adapter's settings (its SCANNER_TRIVY_* variables, charts/harbor/templates/trivy/_data.tpl). */
function trivyValues(t: Components['trivy'], secrets: HarborSecrets): Omit<ChartValues['components']['trivy'], keyof ReleasedValues> {
  const s = t ?? {};
  const enabled = s.enabled ?? D['spec.components.trivy.enabled'];
  // A Trivy that is not deployed needs no token (its Secret is not read).
  const token = enabled && s.githubTokenSecretRef ? secrets.trivyGithubToken : '';
  if (token === undefined) throw new Error('spec.components.trivy.githubTokenSecretRef is set but its Secret was not read');
  const wanted = new Set<string>(s.severities ?? severityOrder);
  return {
    enabled,
    ...componentValues(t, D['spec.components.trivy.replicas']),
    skipUpdate: s.skipUpdate ?? D['spec.components.trivy.skipUpdate'],
    skipJavaDBUpdate: s.skipJavaDBUpdate ?? D['spec.components.trivy.skipJavaDBUpdate'],
    offlineScan: s.offlineScan ?? D['spec.components.trivy.offlineScan'],
    dbRepositories: s.dbRepositories ?? [],
    javaDBRepositories: s.javaDBRepositories ?? [],
    insecure: s.insecure ?? D['spec.components.trivy.insecure'],
    severities: severityOrder.filter((x) => wanted.has(x)),
    ignoreUnfixed: s.ignoreUnfixed ?? D['spec.components.trivy.ignoreUnfixed'],
    timeout: s.timeout ?? D['spec.components.trivy.timeout'],
    githubToken: token,
  };
}
