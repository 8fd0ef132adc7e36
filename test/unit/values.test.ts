// toValues: HarborCluster + resolved secrets → chart values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniformVersions, type ComponentVersions } from '../../src/api/component-versions.ts';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import type { ChartValues, ComponentValues } from '../../src/render/chart-values.ts';
import type { HarborSecrets } from '../../src/render/secrets-input.ts';
import { toValues } from '../../src/render/values.ts';

const secrets: HarborSecrets = {
  adminPassword: 'admin-password',
  coreSecret: 'core-secret-0001',
  jobserviceSecret: 'jobs-secret-0001',
  csrfKey: 'csrf-key-0123456789abcdef0123456',
  secretKey: 'secret-key-00001',
  registryHttpSecret: 'registry-http-secret',
  registryUsername: 'harbor_registry_user',
  registryPassword: 'registry-password',
  registryHtpasswd: 'harbor_registry_user:$2y$10$hash',
  tokenKey: '-----BEGIN RSA PRIVATE KEY-----',
  tokenCert: '-----BEGIN CERTIFICATE-----',
  databasePassword: 'db-password',
  cachePassword: '',
};
const s3Secrets: HarborSecrets = { ...secrets, s3AccessKey: 'AKIA', s3SecretKey: 'shh', cachePassword: 'redis-password' };

function cr(spec: HarborClusterSpec, name = 'harbor'): HarborCluster {
  return { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name, namespace: 'registry' }, spec };
}

const component: ComponentValues = {
  replicas: 1,
  nodeSelector: {},
  tolerations: [],
  affinity: {},
  topologySpreadConstraints: [],
  priorityClassName: '',
  podAnnotations: {},
  podLabels: {},
};

/** The release of each component and its image (goharbor/harbor <tag> make/photon/Makefile; the cache
 *  is redis-photon up to v2.15.1, valkey-photon in v2.15.2: make/photon/{redis,valkey}/Dockerfile). */
function releasedAt(v: ComponentVersions) {
  const at = (version: string, name: string) => ({ version, image: { name, tag: `v${version}` } });
  return {
    core: at(v.core, 'harbor-core'),
    portal: at(v.portal, 'harbor-portal'),
    registry: { ...at(v.registry, 'registry-photon'), controllerImage: { name: 'harbor-registryctl', tag: `v${v.registry}` } },
    jobservice: at(v.jobservice, 'harbor-jobservice'),
    trivy: at(v.trivy, 'trivy-adapter-photon'),
    exporter: at(v.exporter, 'harbor-exporter'),
    proxy: at(v.proxy, 'nginx-photon'),
    database: at(v.database, 'harbor-db'),
    redis: at(v.cache, v.cache === '2.15.2' ? 'valkey-photon' : 'redis-photon'),
  };
}
const r2152 = releasedAt(uniformVersions('2.15.2'));

/** The components of the minimal CR at these releases. */
function componentsAt(v: ComponentVersions): ChartValues['components'] {
  const r = releasedAt(v);
  return {
    core: { ...component, ...r.core },
    portal: { ...component, ...r.portal },
    registry: { ...component, ...r.registry },
    jobservice: { ...component, workers: 10, jobLogger: 'DB', ...r.jobservice },
    trivy: { ...component, ...trivyDefaults, ...r.trivy },
    exporter: { ...component, enabled: true, ...r.exporter },
    proxy: { ...component, ...r.proxy },
    database: { ...component, ...r.database },
    redis: { ...component, ...r.redis },
  };
}

const host = 'harbor.example.com';
// What the sections the chosen types do not use hold (the chart's schema requires them all).
const unusedIssuer = { name: '', kind: 'Issuer' as const, group: 'cert-manager.io' };
const unusedService = { annotations: {}, loadBalancerClass: '', httpPort: 80, nodePort: null };
const unusedIngress = { host: '', className: '', annotations: {}, tls: { source: 'none' as const, secretName: '', issuerRef: unusedIssuer } };
const noCloudFront = { enabled: false, options: {}, privateKey: '' };
/** The storage values every driver shares; each case says its driver's parameters. */
const storageBase = { filesystem: { size: '5Gi', storageClass: '', existingClaim: '' }, secretParameters: {}, gcsKeyFile: '', cloudFront: noCloudFront, disableRedirect: false };
const minimalSpec: HarborClusterSpec = { externalURL: `https://${host}`, expose: { ingress: { host } } };

// Registry types core offers (goharbor/harbor make/photon/prepare/templates/core/env.jinja
// at v2.13.5, v2.14.4 and v2.15.2; the table is src/api/releases.ts).
const whitelist214 = [
  'ali-acr', 'aws-ecr', 'azure-acr', 'docker-hub', 'docker-registry', 'github-ghcr',
  'google-gcr', 'harbor', 'huawei-SWR', 'jfrog-artifactory', 'tencent-tcr', 'volcengine-cr',
];
const proxyCache214 = ['docker-hub', 'harbor', 'azure-acr', 'ali-acr', 'aws-ecr', 'google-gcr', 'docker-registry', 'github-ghcr', 'jfrog-artifactory'];
const registryTypes213 = {
  replicationAdapterWhitelist: [],
  proxyCache: ['docker-hub', 'harbor', 'azure-acr', 'ali-acr', 'aws-ecr', 'google-gcr', 'quay', 'docker-registry', 'github-ghcr', 'jfrog-artifactory'],
};

const trivyDefaults = {
  enabled: true,
  skipUpdate: false,
  skipJavaDBUpdate: false,
  offlineScan: false,
  dbRepositories: [],
  javaDBRepositories: [],
  insecure: false,
  severities: ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'],
  ignoreUnfixed: false,
  timeout: '5m0s',
  githubToken: '',
};

/** The values of the minimal CR, in full: every other case states how it differs. */
const minimal: ChartValues = {
  version: '2.15.2',
  externalURL: `https://${host}`,
  logLevel: 'info',
  image: { registry: 'docker.io', repository: 'goharbor', pullPolicy: 'IfNotPresent' },
  imagePullSecrets: [],
  commonLabels: { 'harbor-operator.dev/cluster': 'harbor' },
  expose: {
    type: 'ingress',
    ingress: { host, className: '', annotations: {}, tls: { source: 'none', secretName: '', issuerRef: unusedIssuer } },
    service: unusedService,
  },
  database: {
    type: 'internal',
    internal: { size: '1Gi', storageClass: '', existingClaim: '' },
    external: { host: '', port: 5432, database: 'registry', username: 'postgres', sslmode: 'disable' },
    password: 'db-password',
    maxIdleConns: 100,
    maxOpenConns: 900,
  },
  cache: { type: 'internal', server: 'valkey-server', internal: { size: '1Gi', storageClass: '', existingClaim: '' }, external: { addr: '', sentinelMasterSet: '' }, password: '' },
  storage: { ...storageBase, type: 'filesystem', parameters: [] },
  cacheLayer: { enabled: false, expireHours: 24 },
  configuration: { overwriteJSON: '' },
  persistence: { jobserviceLogSize: '1Gi', trivySize: '5Gi', storageClass: '', jobserviceLogExistingClaim: '', trivyExistingClaim: '' },
  registryTypes: { replicationAdapterWhitelist: whitelist214, proxyCache: proxyCache214 },
  secrets: {
    adminPassword: 'admin-password',
    coreSecret: 'core-secret-0001',
    jobserviceSecret: 'jobs-secret-0001',
    csrfKey: 'csrf-key-0123456789abcdef0123456',
    secretKey: 'secret-key-00001',
    registryHttpSecret: 'registry-http-secret',
    registryUsername: 'harbor_registry_user',
    registryPassword: 'registry-password',
    registryHtpasswd: 'harbor_registry_user:$2y$10$hash',
    tokenKey: '-----BEGIN RSA PRIVATE KEY-----',
  },
  components: componentsAt(uniformVersions('2.15.2')),
  metrics: { enabled: true },
  disruptionBudgets: [],
  network: {},
};

const scheduling = {
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi', cpu: 2 } },
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal' as const, value: 'harbor', effect: 'NoSchedule' as const }],
  affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' as const },
  ],
  priorityClassName: 'harbor-critical',
  podAnnotations: { 'example.com/scrape': 'true' },
  podLabels: { team: 'platform' },
};

interface Case {
  name: string;
  input: { cr: HarborCluster; secrets: HarborSecrets };
  expected: ChartValues;
}

const cases: Case[] = [
  { name: 'minimal CR (not defaulted by a server)', input: { cr: cr(minimalSpec), secrets }, expected: minimal },
  {
    name: 'minimal CR as the API server defaulted it',
    input: {
      cr: cr({
        ...minimalSpec,
        version: '2.15.2',
        expose: { type: 'Ingress', ingress: { host } },
        database: { type: 'InCluster' },
        cache: { type: 'InCluster' },
        storage: { type: 'Filesystem' },
        components: {
          core: { replicas: 1 },
          portal: { replicas: 1 },
          registry: { replicas: 1 },
          jobservice: { replicas: 1, workers: 10, jobLogger: 'Database' },
          trivy: { enabled: true, replicas: 1, skipUpdate: false, skipJavaDBUpdate: false, offlineScan: false, insecure: false, ignoreUnfixed: false, timeout: '5m0s' },
          exporter: { enabled: true, replicas: 1 },
        },
        imageRegistry: 'docker.io',
        logLevel: 'info',
        persistence: { deleteClaimsWithCluster: false, jobserviceLogSize: '1Gi', trivyCacheSize: '5Gi' },
      }),
      secrets,
    },
    expected: minimal,
  },
  {
    name: 'external database, cache and S3',
    input: {
      cr: cr({
        ...minimalSpec,
        database: {
          type: 'External',
          external: { host: 'pg.example.com', port: 6432, username: 'harbor', passwordSecretRef: { name: 'db' }, sslMode: 'verify-full' },
        },
        cache: { type: 'External', external: { address: 's1:26379,s2:26379', sentinelMasterSet: 'mymaster', passwordSecretRef: { name: 'r' } } },
        storage: {
          type: 'S3',
          s3: {
            bucket: 'images',
            region: 'eu-west-1',
            endpoint: 'https://minio.example.com',
            credentialsSecretRef: { name: 's3' },
            secure: false,
            rootDirectory: '/harbor',
            disableRedirect: true,
          },
        },
      }),
      secrets: s3Secrets,
    },
    expected: {
      ...minimal,
      database: {
        type: 'external',
        internal: minimal.database.internal,
        external: { host: 'pg.example.com', port: 6432, database: 'registry', username: 'harbor', sslmode: 'verify-full' },
        password: 'db-password',
        maxIdleConns: 100,
        maxOpenConns: 900,
      },
      cache: {
        type: 'external',
        server: 'valkey-server',
        internal: minimal.cache.internal,
        external: { addr: 's1:26379,s2:26379', sentinelMasterSet: 'mymaster' },
        password: 'redis-password',
      },
      storage: {
        ...storageBase,
        type: 's3',
        parameters: [
          { name: 'bucket', value: 'images' },
          { name: 'region', value: 'eu-west-1' },
          { name: 'regionendpoint', value: 'https://minio.example.com' },
          { name: 'secure', value: false },
          { name: 'v4auth', value: true },
          { name: 'rootdirectory', value: '/harbor' },
        ],
        secretParameters: { accesskey: 'AKIA', secretkey: 'shh' },
        disableRedirect: true,
      },
    },
  },
  {
    name: 'S3 with ambient credentials and defaults',
    input: { cr: cr({ ...minimalSpec, storage: { type: 'S3', s3: { bucket: 'images', region: 'us-east-1' } } }), secrets },
    expected: {
      ...minimal,
      storage: {
        ...storageBase,
        type: 's3',
        parameters: [
          { name: 'bucket', value: 'images' },
          { name: 'region', value: 'us-east-1' },
          { name: 'secure', value: true },
          { name: 'v4auth', value: true },
        ],
      },
    },
  },
  {
    name: 'ingress with issuerRef',
    input: {
      cr: cr({
        ...minimalSpec,
        expose: {
          ingress: { host, className: 'nginx', annotations: { a: 'b' }, tls: { issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } } },
        },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      expose: {
        type: 'ingress',
        ingress: {
          host,
          className: 'nginx',
          annotations: { a: 'b' },
          tls: {
            source: 'issuer',
            secretName: 'harbor-ingress-tls',
            issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
          },
        },
        service: unusedService,
      },
    },
  },
  {
    name: 'ingress with issuerRef, kind defaulted to Issuer',
    input: { cr: cr({ ...minimalSpec, expose: { ingress: { host, tls: { issuerRef: { name: 'ca' } } } } }), secrets },
    expected: {
      ...minimal,
      expose: {
        type: 'ingress',
        ingress: {
          host,
          className: '',
          annotations: {},
          tls: { source: 'issuer', secretName: 'harbor-ingress-tls', issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' } },
        },
        service: unusedService,
      },
    },
  },
  {
    name: 'ingress with secretName',
    input: { cr: cr({ ...minimalSpec, expose: { type: 'Ingress', ingress: { host, tls: { secretName: 'my-tls' } } } }), secrets },
    expected: {
      ...minimal,
      expose: {
        type: 'ingress',
        ingress: { host, className: '', annotations: {}, tls: { source: 'secret', secretName: 'my-tls', issuerRef: unusedIssuer } },
        service: unusedService,
      },
    },
  },
  {
    name: 'LoadBalancer with trivy and exporter off',
    input: {
      cr: cr({
        externalURL: 'http://10.0.0.1',
        expose: { type: 'LoadBalancer', service: { annotations: { lb: 'internal' }, loadBalancerClass: 'example.com/lb' } },
        components: { trivy: { enabled: false }, exporter: { enabled: false } },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      externalURL: 'http://10.0.0.1',
      expose: {
        type: 'loadBalancer',
        ingress: unusedIngress,
        service: { annotations: { lb: 'internal' }, loadBalancerClass: 'example.com/lb', httpPort: 80, nodePort: null },
      },
      components: {
        ...minimal.components,
        trivy: { ...minimal.components.trivy, enabled: false },
        exporter: { ...minimal.components.exporter, enabled: false },
      },
    },
  },
  {
    name: 'NodePort',
    input: { cr: cr({ externalURL: 'http://node.example.com:30080', expose: { type: 'NodePort', service: { nodePort: 30080 } } }), secrets },
    expected: {
      ...minimal,
      externalURL: 'http://node.example.com:30080',
      expose: { type: 'nodePort', ingress: unusedIngress, service: { ...unusedService, nodePort: 30080 } },
    },
  },
  {
    name: 'ClusterIP',
    input: { cr: cr({ externalURL: 'http://harbor.registry.svc', expose: { type: 'ClusterIP' } }), secrets },
    expected: {
      ...minimal,
      externalURL: 'http://harbor.registry.svc',
      expose: { type: 'clusterIP', ingress: unusedIngress, service: unusedService },
    },
  },
  {
    name: "components' scheduling fields carried over",
    input: {
      cr: cr({
        ...minimalSpec,
        components: {
          core: { replicas: 3, ...scheduling },
          registry: { replicas: 2, controllerResources: { requests: { cpu: '50m' } }, ...scheduling },
          jobservice: { replicas: 0, workers: 25, ...scheduling },
          trivy: { skipUpdate: true, ...scheduling },
        },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      components: {
        ...minimal.components,
        core: { ...scheduling, replicas: 3, ...r2152.core },
        // the routing proxy follows core's replica count
        proxy: { ...minimal.components.proxy, replicas: 3 },
        registry: { ...scheduling, replicas: 2, controllerResources: { requests: { cpu: '50m' } }, ...r2152.registry },
        jobservice: { ...scheduling, replicas: 0, workers: 25, jobLogger: 'DB', ...r2152.jobservice },
        trivy: { ...scheduling, ...trivyDefaults, replicas: 1, skipUpdate: true, ...r2152.trivy },
      },
      disruptionBudgets: ['core', 'registry'],
    },
  },
  {
    name: 'imageRegistry mirror, pull secrets, version and log level',
    input: {
      cr: cr({
        ...minimalSpec,
        version: '2.13.4',
        imageRegistry: 'mirror.example.com:5000/dockerhub',
        imagePullSecrets: [{ name: 'mirror-creds' }, { name: 'other' }],
        logLevel: 'debug',
      }),
      secrets,
    },
    expected: {
      ...minimal,
      version: '2.13.4',
      logLevel: 'debug',
      // 2.13.4 ran redis-photon (the release table, src/api/releases.ts)
      cache: { ...minimal.cache, server: 'redis-server' },
      components: componentsAt(uniformVersions('2.13.4')),
      // 2.13 reads no adapter whitelist and still permits quay for proxy caches
      registryTypes: registryTypes213,
      image: { registry: 'mirror.example.com:5000/dockerhub', repository: 'goharbor', pullPolicy: 'IfNotPresent' },
      imagePullSecrets: ['mirror-creds', 'other'],
    },
  },
  {
    name: '2.14 has the adapter whitelist and no quay',
    input: { cr: cr({ ...minimalSpec, version: '2.14.4' }), secrets },
    expected: {
      ...minimal,
      version: '2.14.4',
      components: componentsAt(uniformVersions('2.14.4')),
      cache: { ...minimal.cache, server: 'redis-server' },
    },
  },
  {
    name: 'jobservice job logger File',
    input: { cr: cr({ ...minimalSpec, components: { jobservice: { jobLogger: 'File' }, core: {} } }), secrets },
    expected: { ...minimal, components: { ...minimal.components, jobservice: { ...minimal.components.jobservice, jobLogger: 'FILE' } } },
  },
  {
    name: 'jobservice job logger Stdout with 3 replicas',
    input: { cr: cr({ ...minimalSpec, components: { jobservice: { jobLogger: 'Stdout', replicas: 3 } } }), secrets },
    expected: {
      ...minimal,
      components: { ...minimal.components, jobservice: { ...minimal.components.jobservice, replicas: 3, jobLogger: 'STD_OUTPUT' } },
      disruptionBudgets: ['jobservice'],
    },
  },
  {
    name: 'labels name the cluster',
    input: { cr: cr(minimalSpec, 'prod-registry'), secrets },
    expected: {
      ...minimal,
      commonLabels: { 'harbor-operator.dev/cluster': 'prod-registry' },
    },
  },
  {
    name: 'volumes: own storage class, shared storage class, sizes, existing claim',
    input: {
      cr: cr({
        ...minimalSpec,
        database: { inCluster: { storageSize: '10Gi', storageClassName: 'fast' } },
        cache: { inCluster: { storageSize: '2Gi' } },
        storage: { filesystem: { size: '100Gi', existingClaim: 'registry-data' } },
        persistence: { storageClassName: 'standard', jobserviceLogSize: '2Gi', trivyCacheSize: '10Gi', deleteClaimsWithCluster: true },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      database: { ...minimal.database, internal: { size: '10Gi', storageClass: 'fast', existingClaim: '' } },
      cache: { ...minimal.cache, internal: { size: '2Gi', storageClass: 'standard', existingClaim: '' } },
      storage: { ...minimal.storage, filesystem: { size: '100Gi', storageClass: 'standard', existingClaim: 'registry-data' } },
      persistence: { jobserviceLogSize: '2Gi', trivySize: '10Gi', storageClass: 'standard', jobserviceLogExistingClaim: '', trivyExistingClaim: '' },
    },
  },
  {
    name: 'existing claims (a Harbor taken over by adopt): every volume mounted, none made',
    input: {
      cr: cr({
        ...minimalSpec,
        database: { inCluster: { existingClaim: 'database-data-harbor-database-0' } },
        cache: { inCluster: { existingClaim: 'data-harbor-redis-0' } },
        storage: { filesystem: { existingClaim: 'harbor-registry' } },
        persistence: { jobserviceLogExistingClaim: 'harbor-jobservice', trivyCacheExistingClaim: 'data-harbor-trivy-0' },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      database: { ...minimal.database, internal: { size: '1Gi', storageClass: '', existingClaim: 'database-data-harbor-database-0' } },
      cache: { ...minimal.cache, internal: { size: '1Gi', storageClass: '', existingClaim: 'data-harbor-redis-0' } },
      storage: { ...minimal.storage, filesystem: { size: '5Gi', storageClass: '', existingClaim: 'harbor-registry' } },
      persistence: { ...minimal.persistence, jobserviceLogExistingClaim: 'harbor-jobservice', trivyExistingClaim: 'data-harbor-trivy-0' },
    },
  },
];

cases.push(
  {
    name: 'Trivy offline-ready: mirrors, no updates, offline scan, severities in Trivy\'s order, token from its Secret',
    input: {
      cr: cr({
        ...minimalSpec,
        components: {
          trivy: {
            skipUpdate: true,
            skipJavaDBUpdate: true,
            offlineScan: true,
            dbRepositories: ['mirror.example.com/aquasecurity/trivy-db:2', 'ghcr.io/aquasecurity/trivy-db:2'],
            javaDBRepositories: ['mirror.example.com/aquasecurity/trivy-java-db:1'],
            insecure: true,
            severities: ['CRITICAL', 'HIGH'],
            ignoreUnfixed: true,
            timeout: '15m',
            githubTokenSecretRef: { name: 'gh' },
          },
        },
      }),
      secrets: { ...secrets, trivyGithubToken: 'ghp_token' },
    },
    expected: {
      ...minimal,
      components: {
        ...minimal.components,
        trivy: {
          ...minimal.components.trivy,
          skipUpdate: true,
          skipJavaDBUpdate: true,
          offlineScan: true,
          dbRepositories: ['mirror.example.com/aquasecurity/trivy-db:2', 'ghcr.io/aquasecurity/trivy-db:2'],
          javaDBRepositories: ['mirror.example.com/aquasecurity/trivy-java-db:1'],
          insecure: true,
          severities: ['HIGH', 'CRITICAL'],
          ignoreUnfixed: true,
          timeout: '15m',
          githubToken: 'ghp_token',
        },
      },
    },
  },
  {
    name: 'a disabled Trivy needs no token (its Secret is not read)',
    input: { cr: cr({ ...minimalSpec, components: { trivy: { enabled: false, githubTokenSecretRef: { name: 'gh' } } } }), secrets },
    expected: { ...minimal, components: { ...minimal.components, trivy: { ...minimal.components.trivy, enabled: false } } },
  },
  {
    name: 'the cache layer on, with its expiry',
    input: { cr: cr({ ...minimalSpec, cache: { layer: { enabled: true, expireHours: 6 } } }), secrets },
    expected: { ...minimal, cacheLayer: { enabled: true, expireHours: 6 } },
  },
  {
    name: 'the cache layer on, default expiry (24 h)',
    input: { cr: cr({ ...minimalSpec, cache: { type: 'External', external: { address: 'r:6379' }, layer: { enabled: true } } }), secrets },
    expected: {
      ...minimal,
      cache: { ...minimal.cache, type: 'external', external: { addr: 'r:6379', sentinelMasterSet: '' } },
      cacheLayer: { enabled: true, expireHours: 24 },
    },
  },
  {
    name: 'spec.configuration becomes CONFIG_OVERWRITE_JSON with the OIDC secret from its Secret',
    input: {
      cr: cr({
        ...minimalSpec,
        configuration: {
          auth: { mode: 'OIDC', oidc: { endpoint: 'https://id.example.com', clientID: 'harbor', clientSecretSecretRef: { name: 'oidc' } } },
          readOnly: false,
        },
      }),
      secrets: { ...secrets, oidcClientSecret: 's3cr"et' },
    },
    expected: {
      ...minimal,
      configuration: {
        overwriteJSON: '{"auth_mode":"oidc_auth","oidc_client_id":"harbor","oidc_client_secret":"s3cr\\"et","oidc_endpoint":"https://id.example.com","read_only":false}',
      },
    },
  },
  {
    name: 'an empty spec.configuration: an empty overwrite (every setting read-only, none changed)',
    input: { cr: cr({ ...minimalSpec, configuration: {} }), secrets },
    expected: { ...minimal, configuration: { overwriteJSON: '{}' } },
  },
);

// spec.components.<c>: env, serviceAccountName, imagePullPolicy and image overrides.
const m = minimal.components;
cases.push(
  {
    name: 'env: a value, a Secret key and a ConfigMap key, each with only the fields given',
    input: {
      cr: cr({
        ...minimalSpec,
        components: {
          core: {
            env: [
              { name: 'HTTP_PROXY', value: 'http://proxy:3128' },
              { name: 'EMPTY' },
              { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'extra', key: 'token', optional: false } } },
              { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'extra', key: 'level' } } },
            ],
          },
        },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      components: {
        ...m,
        core: {
          ...m.core,
          env: [
            { name: 'HTTP_PROXY', value: 'http://proxy:3128' },
            { name: 'EMPTY', value: '' },
            { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'extra', key: 'token', optional: false } } },
            { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'extra', key: 'level' } } },
          ],
        },
      },
    },
  },
  {
    name: 'an empty env list, like none: no env in the values',
    input: { cr: cr({ ...minimalSpec, components: { portal: { env: [] } } }), secrets },
    expected: minimal,
  },
  {
    name: 'serviceAccountName and imagePullPolicy per component',
    input: {
      cr: cr({
        ...minimalSpec,
        components: {
          jobservice: { serviceAccountName: 'jobs', imagePullPolicy: 'Always' },
          trivy: { imagePullPolicy: 'Never' },
          exporter: { serviceAccountName: 'metrics' },
        },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      components: {
        ...m,
        jobservice: { ...m.jobservice, serviceAccountName: 'jobs', imagePullPolicy: 'Always' },
        trivy: { ...m.trivy, imagePullPolicy: 'Never' },
        exporter: { ...m.exporter, serviceAccountName: 'metrics' },
      },
    },
  },
  {
    name: "image overrides: a repository keeps the release's tag, a tag keeps <imageRegistry>/goharbor/<name>, a reference is taken whole; the version label stays the release's",
    input: {
      cr: cr({
        ...minimalSpec,
        imageRegistry: 'registry.example.com',
        components: {
          core: { image: { repository: 'mirror.example.com/h/core' } },
          portal: { image: { tag: 'v2.15.2-fix1' } },
          registry: { image: { reference: 'mirror.example.com/h/registry@sha256:' + 'a'.repeat(64) }, controllerImage: { repository: 'm.example.com/ctl', tag: 'x1' } },
        },
      }),
      secrets,
    },
    expected: {
      ...minimal,
      image: { ...minimal.image, registry: 'registry.example.com' },
      components: {
        ...m,
        core: { ...m.core, image: { ...m.core.image, reference: 'mirror.example.com/h/core:v2.15.2' } },
        portal: { ...m.portal, image: { ...m.portal.image, reference: 'registry.example.com/goharbor/harbor-portal:v2.15.2-fix1' } },
        registry: {
          ...m.registry,
          image: { ...m.registry.image, reference: 'mirror.example.com/h/registry@sha256:' + 'a'.repeat(64) },
          controllerImage: { ...m.registry.controllerImage, reference: 'm.example.com/ctl:x1' },
        },
      },
    },
  },
);

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(toValues(c.input.cr, c.input.secrets), c.expected);
  });
}

const errorCases: { name: string; input: { cr: HarborCluster; secrets: HarborSecrets }; expected: RegExp }[] = [
  {
    name: 'Trivy token referenced but not read',
    input: { cr: cr({ ...minimalSpec, components: { trivy: { githubTokenSecretRef: { name: 'gh' } } } }), secrets },
    expected: /spec\.components\.trivy\.githubTokenSecretRef is set but its Secret was not read/,
  },
  {
    name: 'OIDC client secret referenced but not read',
    input: {
      cr: cr({ ...minimalSpec, configuration: { auth: { mode: 'OIDC', oidc: { endpoint: 'https://id.example.com', clientID: 'h', clientSecretSecretRef: { name: 'o' } } } } }),
      secrets,
    },
    expected: /spec\.configuration\.auth\.oidc\.clientSecretSecretRef is set but its Secret was not read/,
  },
  { name: 'no name', input: { cr: { ...cr(minimalSpec), metadata: {} }, secrets }, expected: /metadata\.name/ },
  {
    name: 'a version the release table does not know',
    input: { cr: cr({ ...minimalSpec, version: '2.15.3' }), secrets },
    expected: /spec\.version 2\.15\.3 is not a Harbor release this operator knows \(2\.13\.0, .*, 2\.15\.2\)/,
  },
  { name: 'Ingress without host', input: { cr: cr({ externalURL: 'https://x' }), secrets }, expected: /spec\.expose\.ingress\.host is required/ },
  { name: 'External database without section', input: { cr: cr({ ...minimalSpec, database: { type: 'External' } }), secrets }, expected: /spec\.database\.external/ },
  { name: 'External cache without section', input: { cr: cr({ ...minimalSpec, cache: { type: 'External' } }), secrets }, expected: /spec\.cache\.external/ },
  { name: 'S3 without section', input: { cr: cr({ ...minimalSpec, storage: { type: 'S3' } }), secrets }, expected: /spec\.storage\.s3 is required/ },
  {
    name: 'S3 credentials referenced but not resolved',
    input: { cr: cr({ ...minimalSpec, storage: { type: 'S3', s3: { bucket: 'b', region: 'r', credentialsSecretRef: { name: 's3' } } } }), secrets },
    expected: /spec\.storage\.s3\.credentialsSecretRef is set but its Secret was not read/,
  },
];

for (const c of errorCases) {
  test(`refuses: ${c.name}`, () => {
    assert.throws(() => toValues(c.input.cr, c.input.secrets), c.expected);
  });
}

test('is pure: same input, same output, input untouched', () => {
  const input = cr({ ...minimalSpec, components: { core: scheduling } });
  const before = structuredClone(input);
  assert.deepEqual(toValues(input, secrets), toValues(input, secrets));
  assert.deepEqual(input, before);
});

// During an upgrade each component renders from the row of its own release
// (status/upgrade-plan.ts gives the releases of each phase).
const mixedCases: { name: string; spec: HarborClusterSpec; versions: ComponentVersions; expected: ChartValues }[] = [
  {
    name: '2.13.5 → 2.14.4, database first: core still reads 2.13.5 registry types',
    spec: { ...minimalSpec, version: '2.14.4' },
    versions: { ...uniformVersions('2.13.5'), database: '2.14.4' },
    expected: {
      ...minimal,
      version: '2.13.5',
      cache: { ...minimal.cache, server: 'redis-server' },
      registryTypes: registryTypes213,
      components: componentsAt({ ...uniformVersions('2.13.5'), database: '2.14.4' }),
    },
  },
  {
    name: '2.13.5 → 2.14.4, core next: core reads 2.14 registry types, the rest still 2.13.5',
    spec: { ...minimalSpec, version: '2.14.4' },
    versions: { ...uniformVersions('2.13.5'), database: '2.14.4', core: '2.14.4' },
    expected: {
      ...minimal,
      version: '2.13.5',
      cache: { ...minimal.cache, server: 'redis-server' },
      components: componentsAt({ ...uniformVersions('2.13.5'), database: '2.14.4', core: '2.14.4' }),
    },
  },
  {
    name: '2.15.1 → 2.15.2 before the rest rolls: the cache stays redis-photon with redis-server',
    spec: { ...minimalSpec, version: '2.15.2' },
    versions: { ...uniformVersions('2.15.1'), database: '2.15.2', core: '2.15.2' },
    expected: {
      ...minimal,
      version: '2.15.1',
      cache: { ...minimal.cache, server: 'redis-server' },
      components: componentsAt({ ...uniformVersions('2.15.1'), database: '2.15.2', core: '2.15.2' }),
    },
  },
  {
    name: 'during an upgrade a repository override follows the release of its component (core at 2.14.4, jobservice still 2.13.5)',
    spec: {
      ...minimalSpec,
      version: '2.14.4',
      components: { core: { image: { repository: 'mirror.example.com/core' } }, jobservice: { image: { repository: 'mirror.example.com/jobs' } } },
    },
    versions: { ...uniformVersions('2.13.5'), database: '2.14.4', core: '2.14.4' },
    expected: (() => {
      const c = componentsAt({ ...uniformVersions('2.13.5'), database: '2.14.4', core: '2.14.4' });
      return {
        ...minimal,
        version: '2.13.5',
        cache: { ...minimal.cache, server: 'redis-server' },
        components: {
          ...c,
          core: { ...c.core, image: { ...c.core.image, reference: 'mirror.example.com/core:v2.14.4' } },
          jobservice: { ...c.jobservice, image: { ...c.jobservice.image, reference: 'mirror.example.com/jobs:v2.13.5' } },
        },
      };
    })(),
  },
  {
    name: 'every component at spec.version is the same as no versions given',
    spec: { ...minimalSpec, version: '2.15.2' },
    versions: uniformVersions('2.15.2'),
    expected: minimal,
  },
];

for (const c of mixedCases) {
  test(`mixed releases: ${c.name}`, () => {
    assert.deepEqual(toValues(cr(c.spec), secrets, c.versions), c.expected);
  });
}

test('mixed releases: a component at a release the table does not have is refused, naming it', () => {
  assert.throws(
    () => toValues(cr({ ...minimalSpec, version: '2.15.2' }), secrets, { ...uniformVersions('2.15.2'), core: '2.12.0' }),
    /core would run Harbor 2\.12\.0, a release this operator does not know/,
  );
});
