// The values of the embedded chart (charts/harbor/values.yaml, checked by
// charts/harbor/values.schema.json), as the operator sends them: every
// section, also those the chosen types do not use, so that nothing falls back
// to the chart's placeholder defaults. Only resources may be left out (the
// chart's default requests then apply).
import type { Toleration, TopologySpreadConstraint } from '../api/types.generated.ts';

export type Quantity = number | string;

export interface ResourceValues {
  requests?: Record<string, Quantity>;
  limits?: Record<string, Quantity>;
}

/** Settings every component accepts. */
export interface ComponentValues {
  replicas: number;
  /** Left out when the HarborCluster sets none: the chart's defaults apply. */
  resources?: ResourceValues;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  affinity: Record<string, unknown>;
  topologySpreadConstraints: TopologySpreadConstraint[];
  priorityClassName: string;
  podAnnotations: Record<string, string>;
  podLabels: Record<string, string>;
  /** The escape hatches below are left out when the HarborCluster sets none (spec.components.<c>). */
  /** Extra variables of the main container, after the operator's (the chart refuses a name it sets from a Secret). */
  env?: EnvValue[];
  serviceAccountName?: string;
  /** Of every container of the component; else image.pullPolicy. */
  imagePullPolicy?: PullPolicy;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** A core/v1 EnvVar: a value, or a key of a Secret or ConfigMap. */
export interface EnvValue {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: KeyRefValue;
    configMapKeyRef?: KeyRefValue;
  };
}

export interface KeyRefValue {
  name: string;
  key: string;
  optional?: boolean;
}

/** An image under <image.registry>/<image.repository>/, or `reference` when the HarborCluster overrides it. */
export interface ImageRef {
  name: string;
  tag: string;
  /** The whole reference the container runs (spec.components.<c>.image); name and tag are then the release's, unused. */
  reference?: string;
}

/** The release a component runs (its own during an upgrade) and its image from that release's row. */
export interface ReleasedValues {
  /** The app.kubernetes.io/version label of the component's objects. */
  version: string;
  image: ImageRef;
}

export interface RegistryComponentValues extends ComponentValues {
  /** Resources of the registryctl container. */
  controllerResources?: ResourceValues;
}

export interface JobserviceComponentValues extends ComponentValues {
  workers: number;
  /** jobservice's own logger names; only FILE renders the job-log claim (and Recreate). */
  jobLogger: 'DB' | 'FILE' | 'STD_OUTPUT';
}

export interface TrivyComponentValues extends ComponentValues {
  enabled: boolean;
  skipUpdate: boolean;
  skipJavaDBUpdate: boolean;
  offlineScan: boolean;
  /** OCI repositories of the vulnerability database; empty: Trivy's own. */
  dbRepositories: string[];
  /** OCI repositories of the Java index database; empty: Trivy's own. */
  javaDBRepositories: string[];
  insecure: boolean;
  /** Severities reported, as SCANNER_TRIVY_SEVERITY lists them. */
  severities: string[];
  ignoreUnfixed: boolean;
  /** A Go duration. */
  timeout: string;
  /** Empty for none. */
  githubToken: string;
}

export interface ExporterComponentValues extends ComponentValues {
  enabled: boolean;
}

/** One parameter of a storage driver in the registry's config.yml. */
export type StorageParameter = string | number | boolean | string[];

export interface StorageValues {
  /** The distribution registry's driver name (also core's REGISTRY_STORAGE_PROVIDER_NAME). */
  type: 'filesystem' | 's3' | 'azure' | 'gcs' | 'swift' | 'oss';
  filesystem: VolumeValues & { existingClaim: string };
  /**
   * The driver's parameters as it reads them, in the order config.yml lists
   * them, without secrets and without the paths the chart mounts (the
   * filesystem driver's rootdirectory, the GCS key file).
   */
  parameters: { name: string; value: StorageParameter }[];
  /** Secret parameters of the driver by name: REGISTRY_STORAGE_<DRIVER>_<NAME> from the registry's Secret. */
  secretParameters: Record<string, string>;
  /** JSON key of a GCS service account, mounted as the driver's keyfile; empty for none. */
  gcsKeyFile: string;
  /** The cloudfront storage middleware (S3): its options without the key, and the PEM key the chart mounts. */
  cloudFront: { enabled: boolean; options: Record<string, string>; privateKey: string };
  disableRedirect: boolean;
}

export interface VolumeValues {
  size: string;
  /** Empty: the cluster's default StorageClass. */
  storageClass: string;
}

/** The volume of an in-cluster StatefulSet (database, cache). */
export interface InternalStoreValues extends VolumeValues {
  /** A claim to mount instead of the StatefulSet's own template; empty for none. */
  existingClaim: string;
}

export interface IngressValues {
  host: string;
  className: string;
  annotations: Record<string, string>;
  tls: {
    source: 'none' | 'issuer' | 'secret';
    /** The Secret holding tls.crt/tls.key (source secret) or the one cert-manager writes (source issuer). */
    secretName: string;
    /** Used with source issuer only. */
    issuerRef: { name: string; kind: 'Issuer' | 'ClusterIssuer'; group: string };
  };
}

export interface ServiceValues {
  annotations: Record<string, string>;
  loadBalancerClass: string;
  httpPort: number;
  nodePort: number | null;
}

/** IP families of every Service (spec.network); a field left out is the API server's default. */
export interface NetworkValues {
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  ipFamilies?: ('IPv4' | 'IPv6')[];
}

export interface ChartValues {
  /** The oldest release any component runs (the version label of objects of no component). */
  version: string;
  externalURL: string;
  logLevel: 'debug' | 'info' | 'warning' | 'error';
  /** Every image is <registry>/<repository>/<name>:<tag>; name and tag are the component's (components.<c>.image). */
  image: { registry: string; repository: string; pullPolicy: PullPolicy };
  /** Names of Secrets of type kubernetes.io/dockerconfigjson. */
  imagePullSecrets: string[];
  commonLabels: Record<string, string>;
  expose: {
    type: 'ingress' | 'loadBalancer' | 'nodePort' | 'clusterIP';
    /** Used with type ingress. */
    ingress: IngressValues;
    /** Used with the other types: the Service in front of the routing proxy. */
    service: ServiceValues;
  };
  database: {
    type: 'internal' | 'external';
    internal: InternalStoreValues;
    external: {
      host: string;
      port: number;
      database: string;
      username: string;
      sslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
    };
    password: string;
    maxIdleConns: number;
    maxOpenConns: number;
  };
  cache: {
    type: 'internal' | 'external';
    /** The server its image runs (the image's CMD), from the cache's release row. */
    server: 'redis-server' | 'valkey-server';
    internal: InternalStoreValues;
    external: { addr: string; sentinelMasterSet: string };
    /** Empty for no password. */
    password: string;
  };
  storage: StorageValues;
  /** Harbor's cache layer (core and jobservice: CACHE_ENABLED, CACHE_EXPIRE_HOURS, its Redis database). */
  cacheLayer: { enabled: boolean; expireHours: number };
  /** spec.configuration as core's CONFIG_OVERWRITE_JSON; empty: not set. */
  configuration: { overwriteJSON: string };
  persistence: {
    jobserviceLogSize: string;
    trivySize: string;
    storageClass: string;
    /** Claims to use instead of the chart's own (empty: none). */
    jobserviceLogExistingClaim: string;
    trivyExistingClaim: string;
  };
  /** Registry types core offers, from core's release row (src/api/releases.ts). */
  registryTypes: {
    /** REPLICATION_ADAPTER_WHITELIST; empty: not rendered (the release does not read it). */
    replicationAdapterWhitelist: string[];
    /** PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE. */
    proxyCache: string[];
  };
  secrets: {
    adminPassword: string;
    coreSecret: string;
    jobserviceSecret: string;
    csrfKey: string;
    secretKey: string;
    registryHttpSecret: string;
    registryUsername: string;
    registryPassword: string;
    registryHtpasswd: string;
    /** RSA private key, PKCS#1 PEM: core signs registry tokens with it. */
    tokenKey: string;
  };
  /** Each with the release it runs and its image (ReleasedValues). */
  components: {
    core: ComponentValues & ReleasedValues;
    portal: ComponentValues & ReleasedValues;
    /** image: the registry's; controllerImage: registryctl's, of the same release (one pod). */
    registry: RegistryComponentValues & ReleasedValues & { controllerImage: ImageRef };
    jobservice: JobserviceComponentValues & ReleasedValues;
    trivy: TrivyComponentValues & ReleasedValues;
    exporter: ExporterComponentValues & ReleasedValues;
    /** The routing proxy (expose types other than ingress); the HarborCluster has no settings for it. */
    proxy: ComponentValues & ReleasedValues;
    /** The in-cluster PostgreSQL (replicas 0 or 1); the HarborCluster has no settings for it. */
    database: ComponentValues & ReleasedValues;
    /** The in-cluster Redis/Valkey (replicas 0 or 1); the HarborCluster has no settings for it. */
    redis: ComponentValues & ReleasedValues;
  };
  metrics: { enabled: boolean };
  /** Components that get a PodDisruptionBudget (src/render/disruption.ts). */
  disruptionBudgets: (keyof ChartValues['components'])[];
  network: NetworkValues;
}
