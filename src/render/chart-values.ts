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
}

/** An image under <image.registry>/<image.repository>/. */
export interface ImageRef {
  name: string;
  tag: string;
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
  githubToken: string;
}

export interface ExporterComponentValues extends ComponentValues {
  enabled: boolean;
}

export interface VolumeValues {
  size: string;
  /** Empty: the cluster's default StorageClass. */
  storageClass: string;
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

export interface ChartValues {
  /** The oldest release any component runs (the version label of objects of no component). */
  version: string;
  externalURL: string;
  logLevel: 'debug' | 'info' | 'warning' | 'error';
  /** Every image is <registry>/<repository>/<name>:<tag>; name and tag are the component's (components.<c>.image). */
  image: { registry: string; repository: string; pullPolicy: 'Always' | 'IfNotPresent' | 'Never' };
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
    internal: VolumeValues;
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
    internal: VolumeValues;
    external: { addr: string; sentinelMasterSet: string };
    /** Empty for no password. */
    password: string;
  };
  storage: {
    type: 'filesystem' | 's3';
    filesystem: VolumeValues & { existingClaim: string };
    s3: {
      bucket: string;
      region: string;
      regionendpoint: string;
      accesskey: string;
      secretkey: string;
      secure: boolean;
      v4auth: boolean;
      rootdirectory: string;
    };
    disableRedirect: boolean;
  };
  persistence: { jobserviceLogSize: string; trivySize: string; storageClass: string };
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
}
