// What upstream's Harbor chart (goharbor/harbor-helm) installs, as far as
// taking an installation over needs to know it: the labels that find a
// release's objects, its workloads, and where each workload keeps the values
// and the data the operator must keep. Facts only, each checked against
// harbor-helm v1.18.4 (Harbor 2.14.4) and the 1.19.0 branch at 1.19.2
// (Harbor 2.15.2), the releases of ../shared/fixtures/harbor-helm/.
//
// Values are read back through the pods' own references (env, envFrom,
// mounted files), not through the chart's default names, so a release that
// used core.existingSecret, existingSecretSecretKey, registry.credentials.
// existingSecret, … is read just the same.

/**
 * Labels on every object of a release. harbor-helm v1.18.4 and 1.19.2
 * templates/_helpers.tpl, "harbor.labels": heritage (.Release.Service,
 * "Helm"), release (.Release.Name), chart, app ("harbor.name": "harbor" or
 * nameOverride), and the app.kubernetes.io/ instance, name, managed-by,
 * part-of, version labels. Claims made from volumeClaimTemplates carry only
 * the first four ("harbor.legacy.labels").
 */
export const RELEASE_LABEL = 'release';
export const HERITAGE_LABEL = 'heritage';
export const APP_LABEL = 'app';
export const COMPONENT_LABEL = 'component';
export const HELM_HERITAGE = 'Helm';

/** Labels and annotations Helm or upstream's chart put on objects; a kept object loses them. */
export const HELM_LABELS = [
  'heritage',
  'release',
  'chart',
  'app',
  'component',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/name',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/version',
  'app.kubernetes.io/component',
] as const;
/** helm install/upgrade annotate every object with the release (helm v4.3.1 pkg/action/validate.go). */
export const HELM_ANNOTATION_PREFIX = 'meta.helm.sh/';

/**
 * The release's workloads, by their `component` label (templates/*: core,
 * portal, registry, jobservice, exporter and nginx are Deployments; database,
 * redis and trivy StatefulSets), and the container that matters in each.
 */
export const WORKLOADS = {
  core: { kind: 'Deployment', container: 'core' },
  portal: { kind: 'Deployment', container: 'portal' },
  registry: { kind: 'Deployment', container: 'registry' },
  jobservice: { kind: 'Deployment', container: 'jobservice' },
  exporter: { kind: 'Deployment', container: 'exporter' },
  nginx: { kind: 'Deployment', container: 'nginx' },
  database: { kind: 'StatefulSet', container: 'database' },
  redis: { kind: 'StatefulSet', container: 'redis' },
  trivy: { kind: 'StatefulSet', container: 'trivy' },
} as const;
export type Component = keyof typeof WORKLOADS;

/**
 * The data volumes, by the name of the pod volume (or volumeClaimTemplate)
 * each workload mounts them as. harbor-helm v1.18.4 and 1.19.2:
 * templates/database/database-ss.yaml "database-data" at
 * /var/lib/postgresql/data (PGDATA /var/lib/postgresql/data/pgdata, as the
 * operator's chart); templates/redis/statefulset.yaml "data" at
 * /var/lib/redis; templates/trivy/trivy-sts.yaml "data" at
 * /home/scanner/.cache; templates/jobservice/jobservice-dpl.yaml "job-logs"
 * at /var/log/jobs; templates/registry/registry-dpl.yaml "registry-data" at
 * persistence.imageChartStorage.filesystem.rootdirectory (/storage). Each
 * is a volumeClaimTemplate (the StatefulSets), a claim (existingClaim or the
 * chart's own PVC) or, with persistence.enabled false, an emptyDir; each
 * mount may have a subPath (persistence.persistentVolumeClaim.<c>.subPath).
 * The operator's chart mounts the same paths, at the root of the volume.
 */
export const DATA_VOLUMES = {
  database: 'database-data',
  redis: 'data',
  trivy: 'data',
  jobservice: 'job-logs',
  registry: 'registry-data',
} as const;
export type DataComponent = keyof typeof DATA_VOLUMES;

/**
 * Environment variables of core's container and what they hold
 * (templates/core/core-cm.yaml, core-secret.yaml and core-dpl.yaml: envFrom
 * the core ConfigMap and Secret, env for CORE_SECRET, JOBSERVICE_SECRET and
 * the existingSecret variants).
 */
export const CORE_ENV = {
  coreSecret: 'CORE_SECRET',
  jobserviceSecret: 'JOBSERVICE_SECRET',
  csrfKey: 'CSRF_KEY',
  adminPassword: 'HARBOR_ADMIN_PASSWORD',
  registryPassword: 'REGISTRY_CREDENTIAL_PASSWORD',
  registryUsername: 'REGISTRY_CREDENTIAL_USERNAME',
  databasePassword: 'POSTGRESQL_PASSWORD',
  databaseHost: 'POSTGRESQL_HOST',
  databasePort: 'POSTGRESQL_PORT',
  databaseUsername: 'POSTGRESQL_USERNAME',
  databaseName: 'POSTGRESQL_DATABASE',
  databaseSslMode: 'POSTGRESQL_SSLMODE',
  externalURL: 'EXT_ENDPOINT',
  logLevel: 'LOG_LEVEL',
  /** scheme://[user:password@]addr/0?… or redis+sentinel://addr,addr/master/0 ("harbor.redis.urlForCore"). */
  redisURL: '_REDIS_URL_CORE',
  /** persistence.imageChartStorage.type: filesystem, s3, azure, gcs, swift, oss. */
  storageProvider: 'REGISTRY_STORAGE_PROVIDER_NAME',
  httpProxy: 'HTTP_PROXY',
  httpsProxy: 'HTTPS_PROXY',
  internalTLS: 'INTERNAL_TLS_ENABLED',
  userSettings: 'CONFIG_OVERWRITE_JSON',
} as const;

/**
 * Files core reads: the secret key (existingSecretSecretKey or the core
 * Secret's `secretKey`, mounted with subPath key) and the token service's
 * private key (core.secretName or the core Secret, key `tls.key`; the same
 * Secret holds the certificate as `tls.crt`).
 */
export const CORE_FILES = {
  secretKey: '/etc/core/key',
  tokenKey: '/etc/core/private_key.pem',
} as const;
export const TOKEN_CERT_KEY = 'tls.crt';

/** The registry container: REGISTRY_HTTP_SECRET and the S3 keys by env, htpasswd and config by file (registry-dpl.yaml, registry-secret.yaml). */
export const REGISTRY_ENV = {
  httpSecret: 'REGISTRY_HTTP_SECRET',
  s3AccessKey: 'REGISTRY_STORAGE_S3_ACCESSKEY',
  s3SecretKey: 'REGISTRY_STORAGE_S3_SECRETKEY',
} as const;
export const REGISTRY_FILES = { htpasswd: '/etc/registry/passwd', config: '/etc/registry/config.yml' } as const;

/** The in-cluster database's password (database-secret.yaml, envFrom in database-ss.yaml). */
export const DATABASE_PASSWORD_ENV = 'POSTGRES_PASSWORD';

/** jobservice's configuration file: worker_pool.workers and job_loggers[].name (FILE, DB, STD_OUTPUT); jobservice-cm.yaml. */
export const JOBSERVICE_CONFIG = '/etc/jobservice/config.yml';

/** Trivy's env (trivy-sts.yaml). */
export const TRIVY_SKIP_UPDATE_ENV = 'SCANNER_TRIVY_SKIP_UPDATE';

/** The nginx proxy's Service (templates/nginx/service.yaml): ports http (→ 8080) and, with expose.tls.enabled, https (→ 8443). */
export const NGINX_TLS_PORT = 'https';

/**
 * Where Helm keeps the record of a release: one Secret per revision (the
 * default driver; a ConfigMap with HELM_DRIVER=configmap) labelled
 * owner=helm, name=<release>. `helm uninstall`, `upgrade`, `history` and
 * `list` find a release only by these labels (helm v4.3.1
 * pkg/storage/storage.go History and DeployedAll; pkg/storage/driver/
 * secrets.go List and Query). `helm uninstall` deletes every object of the
 * release's manifest except those annotated helm.sh/resource-policy: keep,
 * also with --keep-history (pkg/action/uninstall.go: KeepHistory keeps only
 * the records).
 */
export const RECORD_OWNER_LABEL = 'owner';
export const RECORD_OWNER = 'helm';
export const RECORD_NAME_LABEL = 'name';
/** What adopt sets the owner label to: Helm no longer finds the release; the record stays, for the history. */
export const RECORD_HIDDEN_OWNER = 'harbor-operator-adopted';
