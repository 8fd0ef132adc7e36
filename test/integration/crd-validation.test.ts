// The HarborCluster CRD on the real API server: schema defaults, OpenAPI
// validation and CEL rules (including transition rules on update) accept
// what they should and refuse the rest with a message naming the field.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import { defaultVersion, supportedVersions } from '../../src/api/releases.ts';
import { apiVersion, ensureCrd, harborClusters, refusal, type CreateOptions } from '../harness/crd.ts';
import { clients } from '../harness/kube.ts';

const host = 'harbor.example.com';
const base: HarborClusterSpec = { externalURL: `https://${host}`, expose: { ingress: { host } } };
const externalDb = { host: 'db.example.com', username: 'harbor', passwordSecretRef: { name: 'db' } };
const externalCache = { address: 'redis.example.com:6379' };
const s3 = { bucket: 'images', region: 'eu-west-1' };
/** The refusal of an unknown version: the field and every release of the table. */
const knownVersions = /spec\.version must be a Harbor release this operator knows: 2\.13\.0, 2\.13\.1, 2\.13\.2, 2\.13\.3, 2\.13\.4, 2\.13\.5, 2\.14\.0, 2\.14\.1, 2\.14\.2, 2\.14\.3, 2\.14\.4, 2\.15\.0, 2\.15\.1, 2\.15\.2/;

const oidc = { endpoint: 'https://id.example.com', clientID: 'harbor', clientSecretSecretRef: { name: 'oidc' } };
const ldap = { url: 'ldaps://ldap.example.com', baseDN: 'dc=example,dc=com' };
const azure = { accountName: 'harborimages', accountKeySecretRef: { name: 'az' }, container: 'registry' };
const swift = { authURL: 'https://keystone.example.com/v3', username: 'u', credentialsSecretRef: { name: 'sw' }, container: 'c' };
const oss = { bucket: 'b', region: 'oss-cn-hangzhou', credentialsSecretRef: { name: 'oss' } };
const cloudFront = { baseURL: 'https://d1.cloudfront.net', keyPairID: 'K1', privateKeySecretRef: { name: 'cf' } };

function cr(name: string, spec: unknown): HarborCluster {
  return { apiVersion, kind: 'HarborCluster', metadata: { name }, spec: spec as HarborClusterSpec };
}

interface ValidCase {
  name: string;
  spec: unknown;
}

const valid: ValidCase[] = [
  { name: 'minimal Ingress', spec: base },
  ...supportedVersions().map((version) => ({ name: `release ${version}`, spec: { ...base, version } })),
  { name: 'http URL with port and trailing slash', spec: { ...base, externalURL: `http://${host}:8080/` } },
  { name: 'LoadBalancer needs no ingress host', spec: { externalURL: 'http://10.0.0.1', expose: { type: 'LoadBalancer' } } },
  { name: 'NodePort with a fixed port', spec: { externalURL: 'http://node:30080', expose: { type: 'NodePort', service: { nodePort: 30080 } } } },
  {
    name: 'ingress with issuerRef',
    spec: { ...base, expose: { ingress: { host, tls: { issuerRef: { name: 'le', kind: 'ClusterIssuer' } } } } },
  },
  { name: 'ingress with secretName', spec: { ...base, expose: { ingress: { host, tls: { secretName: 'tls' } } } } },
  {
    name: 'external database, cache and S3',
    spec: {
      ...base,
      database: { type: 'External', external: { ...externalDb, sslMode: 'verify-full' } },
      cache: { type: 'External', external: { address: 's1:26379,s2:26379', sentinelMasterSet: 'mymaster' } },
      storage: { type: 'S3', s3: { ...s3, endpoint: 'https://minio.example.com', credentialsSecretRef: { name: 's3' } } },
    },
  },
  { name: 'replicas 0 stops a component', spec: { ...base, components: { core: { replicas: 0 } } } },
  {
    name: 'scheduling fields of a component',
    spec: {
      ...base,
      components: {
        jobservice: {
          resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: 2 } },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'harbor', effect: 'NoSchedule' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }],
          priorityClassName: 'high',
          podAnnotations: { a: 'b' },
          podLabels: { c: 'd' },
        },
      },
    },
  },
  { name: 'imageRegistry mirror with port and path', spec: { ...base, imageRegistry: 'mirror.example.com:5000/dockerhub' } },
  { name: 'jobservice File logger with 1 replica', spec: { ...base, components: { jobservice: { jobLogger: 'File', replicas: 1 } } } },
  { name: 'jobservice File logger stopped (0 replicas)', spec: { ...base, components: { jobservice: { jobLogger: 'File', replicas: 0 } } } },
  { name: 'jobservice Database logger with 3 replicas', spec: { ...base, components: { jobservice: { jobLogger: 'Database', replicas: 3 } } } },
  { name: 'jobservice Stdout logger with 2 replicas', spec: { ...base, components: { jobservice: { jobLogger: 'Stdout', replicas: 2 } } } },
  { name: 'jobservice with 2 replicas and the default logger', spec: { ...base, components: { jobservice: { replicas: 2 } } } },
  { name: 'configuration: OIDC with the required fields', spec: { ...base, configuration: { auth: { mode: 'OIDC', oidc } } } },
  {
    name: 'configuration: every typed field besides auth, and free-form items',
    spec: {
      ...base,
      configuration: {
        auth: { mode: 'Database' },
        selfRegistration: true,
        projectCreationRestriction: 'AdminOnly',
        robotAccounts: { tokenDurationDays: 90, namePrefix: 'bot$' },
        defaultProjectQuota: '1024Ti',
        readOnly: false,
        auditLog: { forwardEndpoint: 'syslog.example.com:514', skipDatabase: true },
        settings: { session_timeout: 120, notification_enable: 'false', banner_message: '{"message":"hi"}' },
      },
    },
  },
  {
    name: 'configuration: LDAP with groups',
    spec: { ...base, configuration: { auth: { mode: 'LDAP', ldap: { ...ldap, searchPasswordSecretRef: { name: 'l' }, scope: 'OneLevel', group: { filter: '(objectClass=group)', attributeName: 'cn' } } } } },
  },
  { name: 'configuration: UAA', spec: { ...base, configuration: { auth: { mode: 'UAA', uaa: { endpoint: 'https://uaa.example.com', clientID: 'c', clientSecretSecretRef: { name: 'u' } } } } } },
  { name: 'configuration: HTTP auth proxy', spec: { ...base, configuration: { auth: { mode: 'HTTPAuthProxy', httpAuthProxy: { endpoint: 'https://auth.example.com', adminGroups: ['a', 'b'] } } } } },
  { name: 'configuration: quota Unlimited', spec: { ...base, configuration: { defaultProjectQuota: 'Unlimited' } } },
  { name: 'configuration: empty', spec: { ...base, configuration: {} } },
  {
    name: 'S3 with every setting and CloudFront',
    spec: {
      ...base,
      storage: {
        type: 'S3',
        s3: {
          ...s3,
          encrypt: true,
          keyID: 'k',
          skipVerify: true,
          v4Auth: true,
          chunkSize: 5242880,
          storageClass: 'NONE',
          objectACL: 'private',
          multipartCopyChunkSize: 5368709120,
          multipartCopyMaxConcurrency: 1,
          multipartCopyThresholdSize: 0,
          cloudFront: { ...cloudFront, duration: '1h30m', ipFilteredBy: 'AWSRegion', awsRegions: ['eu-west-1'] },
        },
      },
    },
  },
  { name: 'S3 signature version 2 at an S3-compatible endpoint', spec: { ...base, storage: { type: 'S3', s3: { ...s3, endpoint: 'https://minio.example.com', v4Auth: false } } } },
  { name: 'Azure', spec: { ...base, storage: { type: 'Azure', azure } } },
  { name: 'GCS with workload identity', spec: { ...base, storage: { type: 'GCS', gcs: { bucket: 'b', chunkSize: 524288 } } } },
  { name: 'GCS with a key file', spec: { ...base, storage: { type: 'GCS', gcs: { bucket: 'b', keyFileSecretRef: { name: 'g' } } } } },
  { name: 'Swift', spec: { ...base, storage: { type: 'Swift', swift: { ...swift, authVersion: 3, tempURLMethods: ['GET', 'HEAD'] } } } },
  { name: 'OSS', spec: { ...base, storage: { type: 'OSS', oss: { ...oss, endpoint: 'b.oss-cn-hangzhou-internal.aliyuncs.com', internal: true } } } },
  {
    name: 'Trivy offline-ready',
    spec: {
      ...base,
      components: {
        trivy: {
          skipUpdate: true,
          skipJavaDBUpdate: true,
          offlineScan: true,
          dbRepositories: ['mirror.example.com/aquasecurity/trivy-db:2'],
          javaDBRepositories: ['mirror.example.com/aquasecurity/trivy-java-db:1'],
          insecure: true,
          githubTokenSecretRef: { name: 'gh' },
          severities: ['HIGH', 'CRITICAL'],
          ignoreUnfixed: true,
          timeout: '10m',
        },
      },
    },
  },
  { name: 'the cache layer', spec: { ...base, cache: { layer: { enabled: true, expireHours: 6 } } } },
  {
    name: 'podLabels and podAnnotations of other keys (also app.kubernetes.io/part-of)',
    spec: {
      ...base,
      components: {
        core: { podLabels: { 'app.kubernetes.io/part-of': 'harbor', team: 'a' }, podAnnotations: { 'example.com/checksum': 'x', 'prometheus.io/scrape': 'true' } },
      },
    },
  },
  { name: 'network: dual stack, IPv6 primary', spec: { ...base, network: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] } } },
];

interface InvalidCase {
  name: string;
  spec: unknown;
  /** metadata.name; a generated one when unset. */
  crName?: string;
  opts?: CreateOptions;
  code?: number;
  message: RegExp;
}

const invalid: InvalidCase[] = [
  { name: 'URL scheme ftp', spec: { ...base, externalURL: `ftp://${host}` }, message: /spec\.externalURL must start with http:\/\/ or https:\/\// },
  { name: 'URL without scheme', spec: { ...base, externalURL: host }, message: /spec\.externalURL must start with http:\/\/ or https:\/\// },
  { name: 'URL with a path', spec: { ...base, externalURL: `https://${host}/harbor` }, message: /spec\.externalURL must be scheme and host only/ },
  { name: 'version 2.12.0 (too old)', spec: { ...base, version: '2.12.0' }, message: knownVersions },
  { name: 'version 2.16.0 (not yet)', spec: { ...base, version: '2.16.0' }, message: knownVersions },
  { name: 'version 2.15.3 (a patch the table does not have)', spec: { ...base, version: '2.15.3' }, message: knownVersions },
  { name: 'version 2.13.6 (beyond the line)', spec: { ...base, version: '2.13.6' }, message: knownVersions },
  { name: 'version 3.0.0', spec: { ...base, version: '3.0.0' }, message: knownVersions },
  { name: 'version latest', spec: { ...base, version: 'latest' }, message: knownVersions },
  { name: 'version with v prefix', spec: { ...base, version: 'v2.15.2' }, message: knownVersions },
  {
    name: 'both TLS sources',
    spec: { ...base, expose: { ingress: { host, tls: { issuerRef: { name: 'le' }, secretName: 'tls' } } } },
    message: /spec\.expose\.ingress\.tls\.issuerRef and spec\.expose\.ingress\.tls\.secretName are mutually exclusive/,
  },
  { name: 'issuer kind unknown', spec: { ...base, expose: { ingress: { host, tls: { issuerRef: { name: 'le', kind: 'Vault' } } } } }, message: /spec\.expose\.ingress\.tls\.issuerRef\.kind: Unsupported value/ },
  { name: 'negative replicas', spec: { ...base, components: { core: { replicas: -1 } } }, message: /spec\.components\.core\.replicas must be 0 or more/ },
  { name: 'replicas of the wrong type', spec: { ...base, components: { portal: { replicas: 'two' } } }, message: /spec\.components\.portal\.replicas: Invalid value: "string".*must be of type integer/ },
  { name: 'Ingress without host (type defaulted)', spec: { externalURL: `https://${host}` }, message: /spec\.expose\.ingress\.host is required when spec\.expose\.type is Ingress/ },
  { name: 'Ingress without host (type explicit)', spec: { externalURL: `https://${host}`, expose: { type: 'Ingress', ingress: { className: 'nginx' } } }, message: /spec\.expose\.ingress\.host is required/ },
  { name: 'ingress host not the URL host', spec: { ...base, expose: { ingress: { host: 'other.example.com' } } }, message: /spec\.expose\.ingress\.host must be the host of spec\.externalURL/ },
  { name: 'unknown expose type', spec: { ...base, expose: { type: 'Route', ingress: { host } } }, message: /spec\.expose\.type: Unsupported value: "Route"/ },
  { name: 'External database without external section', spec: { ...base, database: { type: 'External' } }, message: /spec\.database\.external is required when spec\.database\.type is External/ },
  { name: 'external database without host', spec: { ...base, database: { type: 'External', external: { username: 'u', passwordSecretRef: { name: 'db' } } } }, message: /spec\.database\.external\.host: Required value/ },
  { name: 'bad sslMode', spec: { ...base, database: { type: 'External', external: { ...externalDb, sslMode: 'prefer' } } }, message: /spec\.database\.external\.sslMode: Unsupported value: "prefer"/ },
  { name: 'External cache without external section', spec: { ...base, cache: { type: 'External' } }, message: /spec\.cache\.external is required when spec\.cache\.type is External/ },
  { name: 'cache address without port', spec: { ...base, cache: { type: 'External', external: { address: 'redis' } } }, message: /spec\.cache\.external\.address in body should match/ },
  { name: 'S3 without s3 section', spec: { ...base, storage: { type: 'S3' } }, message: /spec\.storage\.s3 is required when spec\.storage\.type is S3/ },
  { name: 'S3 without bucket', spec: { ...base, storage: { type: 'S3', s3: { region: 'eu-west-1' } } }, message: /spec\.storage\.s3\.bucket: Required value/ },
  { name: 'imageRegistry with a scheme', spec: { ...base, imageRegistry: 'https://mirror.example.com' }, message: /spec\.imageRegistry in body should match/ },
  { name: 'logLevel unknown', spec: { ...base, logLevel: 'trace' }, message: /spec\.logLevel: Unsupported value: "trace"/ },
  { name: 'missing externalURL', spec: { expose: { type: 'ClusterIP' } }, message: /spec\.externalURL: Required value/ },
  { name: 'name starting with a digit', crName: '1harbor', spec: base, message: /metadata\.name must be a DNS label of at most 40 characters/ },
  { name: 'name longer than 40', crName: `h${'a'.repeat(40)}`, spec: base, message: /metadata\.name must be a DNS label of at most 40 characters/ },
  {
    name: 'imagePullSecrets name that is no Secret name',
    spec: { ...base, imagePullSecrets: [{ name: 'creds\n---\nkind: Secret' }] },
    message: /spec\.imagePullSecrets\[0\]\.name in body should match/,
  },
  {
    name: 'jobservice File logger with 2 replicas',
    spec: { ...base, components: { jobservice: { jobLogger: 'File', replicas: 2 } } },
    message: /spec\.components\.jobservice\.jobLogger File keeps job logs on one ReadWriteOnce volume and allows at most 1 replica/,
  },
  {
    name: 'jobservice File logger with 5 replicas',
    spec: { ...base, components: { jobservice: { jobLogger: 'File', replicas: 5, workers: 4 } } },
    message: /spec\.components\.jobservice\.jobLogger File/,
  },
  { name: 'jobservice logger unknown', spec: { ...base, components: { jobservice: { jobLogger: 'DB' } } }, message: /spec\.components\.jobservice\.jobLogger: Unsupported value: "DB"/ },
  ...(['core', 'portal', 'registry', 'jobservice', 'trivy', 'exporter'] as const).map((component) => ({
    name: `${component} podLabels overriding the component selector label`,
    spec: { ...base, components: { [component]: { podLabels: { 'app.kubernetes.io/component': 'other' } } } },
    message: new RegExp(`spec\\.components\\.${component}\\.podLabels cannot set app\\.kubernetes\\.io/name`),
  })),
  ...['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'harbor-operator.dev/cluster'].map((key) => ({
    name: `podLabels setting ${key}`,
    spec: { ...base, components: { core: { podLabels: { team: 'a', [key]: 'x' } } } },
    message: /spec\.components\.core\.podLabels cannot set .*: the operator sets these labels on every pod/,
  })),
  {
    name: 'podAnnotations setting a checksum/ annotation',
    spec: { ...base, components: { registry: { podAnnotations: { 'checksum/registry-config': 'frozen' } } } },
    message: /spec\.components\.registry\.podAnnotations cannot set checksum\/ annotations/,
  },
  { name: 'configuration: OIDC section with mode LDAP', spec: { ...base, configuration: { auth: { mode: 'LDAP', ldap, oidc } } }, message: /spec\.configuration\.auth\.oidc is used only with spec\.configuration\.auth\.mode OIDC/ },
  { name: 'configuration: mode OIDC without its section', spec: { ...base, configuration: { auth: { mode: 'OIDC' } } }, message: /spec\.configuration\.auth\.oidc is required when spec\.configuration\.auth\.mode is OIDC/ },
  { name: 'configuration: mode LDAP without its section', spec: { ...base, configuration: { auth: { mode: 'LDAP' } } }, message: /spec\.configuration\.auth\.ldap is required when spec\.configuration\.auth\.mode is LDAP/ },
  { name: 'configuration: UAA section with mode Database', spec: { ...base, configuration: { auth: { mode: 'Database', uaa: { endpoint: 'https://u', clientID: 'c', clientSecretSecretRef: { name: 'u' } } } } }, message: /spec\.configuration\.auth\.uaa is used only with spec\.configuration\.auth\.mode UAA/ },
  { name: 'configuration: HTTP auth proxy section with mode OIDC', spec: { ...base, configuration: { auth: { mode: 'OIDC', oidc, httpAuthProxy: { endpoint: 'https://a' } } } }, message: /spec\.configuration\.auth\.httpAuthProxy is used only with spec\.configuration\.auth\.mode HTTPAuthProxy/ },
  { name: 'configuration: auth without mode', spec: { ...base, configuration: { auth: { oidc } } }, message: /spec\.configuration\.auth\.mode: Required value/ },
  { name: 'configuration: the OIDC client secret as a string', spec: { ...base, configuration: { auth: { mode: 'OIDC', oidc: { ...oidc, clientSecret: 'x' } } } }, opts: { fieldValidation: 'Strict' }, code: 400, message: /unknown field "spec\.configuration\.auth\.oidc\.clientSecret"/ },
  { name: 'configuration: OIDC without a client secret reference', spec: { ...base, configuration: { auth: { mode: 'OIDC', oidc: { endpoint: 'https://id', clientID: 'c' } } } }, message: /spec\.configuration\.auth\.oidc\.clientSecretSecretRef: Required value/ },
  { name: 'configuration: LDAP URL of another scheme', spec: { ...base, configuration: { auth: { mode: 'LDAP', ldap: { ...ldap, url: 'https://ldap' } } } }, message: /spec\.configuration\.auth\.ldap\.url in body should match/ },
  { name: 'configuration: a blank LDAP base DN', spec: { ...base, configuration: { auth: { mode: 'LDAP', ldap: { ...ldap, baseDN: '  ' } } } }, message: /spec\.configuration\.auth\.ldap\.baseDN in body should match/ },
  { name: 'configuration: LDAP group filter without the name attribute', spec: { ...base, configuration: { auth: { mode: 'LDAP', ldap: { ...ldap, group: { filter: '(objectClass=group)' } } } } }, message: /spec\.configuration\.auth\.ldap\.group\.filter needs attributeName/ },
  { name: 'configuration: self-registration with LDAP', spec: { ...base, configuration: { auth: { mode: 'LDAP', ldap }, selfRegistration: true } }, message: /spec\.configuration\.selfRegistration is only for spec\.configuration\.auth\.mode Database/ },
  { name: 'configuration: skip the audit log database without an endpoint', spec: { ...base, configuration: { auditLog: { skipDatabase: true } } }, message: /spec\.configuration\.auditLog\.skipDatabase needs forwardEndpoint/ },
  { name: 'configuration: quota 0', spec: { ...base, configuration: { defaultProjectQuota: '0' } }, message: /spec\.configuration\.defaultProjectQuota must be Unlimited or more than 0 and at most 1024Ti/ },
  { name: 'configuration: quota 2Pi', spec: { ...base, configuration: { defaultProjectQuota: '2Pi' } }, message: /spec\.configuration\.defaultProjectQuota must be Unlimited or more than 0 and at most 1024Ti/ },
  { name: 'configuration: quota with a fraction', spec: { ...base, configuration: { defaultProjectQuota: '1.5Gi' } }, message: /spec\.configuration\.defaultProjectQuota in body should match/ },
  { name: 'configuration: robot tokens valid for 0 days', spec: { ...base, configuration: { robotAccounts: { tokenDurationDays: 0 } } }, message: /spec\.configuration\.robotAccounts\.tokenDurationDays: Invalid value: 0/ },
  { name: 'configuration: a free-form item a typed field covers', spec: { ...base, configuration: { settings: { read_only: 'true' } } }, message: /spec\.configuration\.settings takes only these Harbor items: banner_message/ },
  { name: 'configuration: a secret as a free-form item', spec: { ...base, configuration: { settings: { oidc_client_secret: 'x' } } }, message: /spec\.configuration\.settings takes only these Harbor items/ },
  { name: 'configuration: a system item as a free-form item', spec: { ...base, configuration: { settings: { cache_enabled: 'true' } } }, message: /spec\.configuration\.settings takes only these Harbor items/ },
  { name: 'configuration: a free-form boolean', spec: { ...base, configuration: { settings: { notification_enable: true } } }, message: /spec\.configuration\.settings\.notification_enable/ },
  { name: 'configuration: a free-form object', spec: { ...base, configuration: { settings: { scan_all_policy: { type: 'daily' } } } }, message: /spec\.configuration\.settings\.scan_all_policy/ },
  { name: 'Azure without its section', spec: { ...base, storage: { type: 'Azure' } }, message: /spec\.storage\.azure is required when spec\.storage\.type is Azure/ },
  { name: 'GCS without its section', spec: { ...base, storage: { type: 'GCS' } }, message: /spec\.storage\.gcs is required when spec\.storage\.type is GCS/ },
  { name: 'Swift without its section', spec: { ...base, storage: { type: 'Swift' } }, message: /spec\.storage\.swift is required when spec\.storage\.type is Swift/ },
  { name: 'OSS without its section', spec: { ...base, storage: { type: 'OSS' } }, message: /spec\.storage\.oss is required when spec\.storage\.type is OSS/ },
  { name: 'two drivers: S3 settings with type Azure', spec: { ...base, storage: { type: 'Azure', azure, s3 } }, message: /spec\.storage\.s3 is used only with spec\.storage\.type S3: the registry has one storage driver/ },
  { name: 'two drivers: OSS settings with type Filesystem', spec: { ...base, storage: { oss } }, message: /spec\.storage\.oss is used only with spec\.storage\.type OSS/ },
  { name: 'Azure without the account key', spec: { ...base, storage: { type: 'Azure', azure: { accountName: 'harborimages', container: 'registry' } } }, message: /spec\.storage\.azure\.accountKeySecretRef: Required value/ },
  { name: 'Swift without credentials', spec: { ...base, storage: { type: 'Swift', swift: { authURL: 'https://k/v3', username: 'u', container: 'c' } } }, message: /spec\.storage\.swift\.credentialsSecretRef: Required value/ },
  { name: 'OSS without credentials', spec: { ...base, storage: { type: 'OSS', oss: { bucket: 'b', region: 'r' } } }, message: /spec\.storage\.oss\.credentialsSecretRef: Required value/ },
  { name: 'S3 access key as a string', spec: { ...base, storage: { type: 'S3', s3: { ...s3, accessKey: 'AKIA' } } }, opts: { fieldValidation: 'Strict' }, code: 400, message: /unknown field "spec\.storage\.s3\.accessKey"/ },
  { name: 'S3 keyID without encrypt', spec: { ...base, storage: { type: 'S3', s3: { ...s3, keyID: 'k' } } }, message: /spec\.storage\.s3\.keyID needs encrypt true/ },
  { name: 'S3 signature version 2 on AWS', spec: { ...base, storage: { type: 'S3', s3: { ...s3, v4Auth: false } } }, message: /spec\.storage\.s3\.v4Auth false needs an endpoint of an S3-compatible server/ },
  { name: 'S3 chunk below 5 MiB', spec: { ...base, storage: { type: 'S3', s3: { ...s3, chunkSize: 1048576 } } }, message: /spec\.storage\.s3\.chunkSize: Invalid value: 1048576/ },
  { name: 'S3 storage class of the newer SDK', spec: { ...base, storage: { type: 'S3', s3: { ...s3, storageClass: 'INTELLIGENT_TIERING' } } }, message: /spec\.storage\.s3\.storageClass: Unsupported value/ },
  { name: 'CloudFront with redirects disabled', spec: { ...base, storage: { type: 'S3', s3: { ...s3, disableRedirect: true, cloudFront } } }, message: /spec\.storage\.s3\.cloudFront needs disableRedirect false/ },
  { name: 'CloudFront without its key', spec: { ...base, storage: { type: 'S3', s3: { ...s3, cloudFront: { baseURL: 'https://d', keyPairID: 'k' } } } }, message: /spec\.storage\.s3\.cloudFront\.privateKeySecretRef: Required value/ },
  { name: 'CloudFront regions without AWSRegion', spec: { ...base, storage: { type: 'S3', s3: { ...s3, cloudFront: { ...cloudFront, awsRegions: ['eu-west-1'] } } } }, message: /spec\.storage\.s3\.cloudFront\.awsRegions is set exactly when ipFilteredBy is AWSRegion/ },
  { name: 'CloudFront AWSRegion without regions', spec: { ...base, storage: { type: 'S3', s3: { ...s3, cloudFront: { ...cloudFront, ipFilteredBy: 'AWSRegion' } } } }, message: /awsRegions is set exactly when ipFilteredBy is AWSRegion/ },
  { name: 'GCS chunk not a multiple of 256 KiB', spec: { ...base, storage: { type: 'GCS', gcs: { bucket: 'b', chunkSize: 300000 } } }, message: /spec\.storage\.gcs\.chunkSize must be a multiple of 262144/ },
  { name: 'Swift identity version 4', spec: { ...base, storage: { type: 'Swift', swift: { ...swift, authVersion: 4 } } }, message: /spec\.storage\.swift\.authVersion: Invalid value: 4/ },
  { name: 'Trivy database repositories with a comma', spec: { ...base, components: { trivy: { dbRepositories: ['a:2,b:2'] } } }, message: /spec\.components\.trivy\.dbRepositories\[0\] in body should match/ },
  { name: 'Trivy severity unknown', spec: { ...base, components: { trivy: { severities: ['SEVERE'] } } }, message: /spec\.components\.trivy\.severities\[0\]: Unsupported value/ },
  { name: 'Trivy timeout that is no duration', spec: { ...base, components: { trivy: { timeout: '5 minutes' } } }, message: /spec\.components\.trivy\.timeout in body should match/ },
  { name: 'Trivy GitHub token as a string', spec: { ...base, components: { trivy: { githubToken: 'ghp' } } }, opts: { fieldValidation: 'Strict' }, code: 400, message: /unknown field "spec\.components\.trivy\.githubToken"/ },
  { name: 'cache layer expiring after 0 hours', spec: { ...base, cache: { layer: { enabled: true, expireHours: 0 } } }, message: /spec\.cache\.layer\.expireHours: Invalid value: 0/ },
  {
    name: "Trivy's existing claim with 2 replicas",
    spec: { ...base, persistence: { trivyCacheExistingClaim: 'data-harbor-trivy-0' }, components: { trivy: { replicas: 2 } } },
    message: /spec\.persistence\.trivyCacheExistingClaim is one volume for one pod/,
  },
  { name: 'an existing claim that is no claim name', spec: { ...base, database: { inCluster: { existingClaim: 'Data_0' } } }, message: /spec\.database\.inCluster\.existingClaim in body should match/ },
  {
    name: 'unknown field with fieldValidation Strict',
    spec: { ...base, replica: 2 },
    opts: { fieldValidation: 'Strict' },
    code: 400,
    message: /strict decoding error: unknown field "spec\.replica"/,
  },
  {
    name: 'network: two families with SingleStack',
    spec: { ...base, network: { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] } },
    message: /spec\.network\.ipFamilyPolicy must be PreferDualStack or RequireDualStack/,
  },
  { name: 'network: unknown family', spec: { ...base, network: { ipFamilies: ['IPv5'] } }, message: /spec\.network\.ipFamilies\[0\]: Unsupported value/ },
  { name: 'network: a family twice', spec: { ...base, network: { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv4'] } }, message: /spec\.network\.ipFamilies\[1\]: Duplicate value/ },
];

interface UpdateCase {
  name: string;
  before: unknown;
  after: (spec: HarborClusterSpec) => HarborClusterSpec;
  /** Undefined: the update is accepted. */
  message?: RegExp;
}

const updates: UpdateCase[] = [
  { name: 'upgrade 2.14.4 → 2.15.2', before: { ...base, version: '2.14.4' }, after: (s) => ({ ...s, version: '2.15.2' }) },
  { name: 'patch upgrade 2.15.1 → 2.15.2', before: { ...base, version: '2.15.1' }, after: (s) => ({ ...s, version: '2.15.2' }) },
  // Upstream's migrator and harbor-db skip no supported line (test/unit/upgrade-paths.test.ts).
  { name: 'upgrade over two lines 2.13.0 → 2.15.2', before: { ...base, version: '2.13.0' }, after: (s) => ({ ...s, version: '2.15.2' }) },
  { name: 'upgrade to a version the table does not know', before: { ...base, version: '2.15.2' }, after: (s) => ({ ...s, version: '2.15.3' }), message: knownVersions },
  { name: 'other fields change freely', before: base, after: (s) => ({ ...s, logLevel: 'debug', components: { core: { replicas: 3 } } }) },
  {
    name: 'downgrade 2.15.2 → 2.14.4',
    before: { ...base, version: '2.15.2' },
    after: (s) => ({ ...s, version: '2.14.4' }),
    message: /spec\.version cannot be lowered/,
  },
  {
    name: 'patch downgrade 2.15.2 → 2.15.1',
    before: { ...base, version: '2.15.2' },
    after: (s) => ({ ...s, version: '2.15.1' }),
    message: /spec\.version cannot be lowered/,
  },
  {
    name: 'database InCluster → External',
    before: base,
    after: (s) => ({ ...s, database: { type: 'External', external: externalDb } }),
    message: /spec\.database\.type cannot change after creation/,
  },
  {
    name: 'database External → InCluster',
    before: { ...base, database: { type: 'External', external: externalDb } },
    after: (s) => ({ ...s, database: { type: 'InCluster' } }),
    message: /spec\.database\.type cannot change after creation/,
  },
  {
    name: 'cache InCluster → External',
    before: base,
    after: (s) => ({ ...s, cache: { type: 'External', external: externalCache } }),
    message: /spec\.cache\.type cannot change after creation/,
  },
  ...(
    [
      ['S3', { type: 'S3', s3 }],
      ['Azure', { type: 'Azure', azure }],
      ['GCS', { type: 'GCS', gcs: { bucket: 'b' } }],
      ['Swift', { type: 'Swift', swift }],
      ['OSS', { type: 'OSS', oss }],
    ] as const
  ).flatMap(([to, storage]) => [
    {
      name: `storage Filesystem → ${to}`,
      before: base,
      after: (s: HarborClusterSpec): HarborClusterSpec => ({ ...s, storage }),
      message: /spec\.storage\.type cannot change after creation/,
    },
    {
      name: `storage ${to} → Filesystem`,
      before: { ...base, storage },
      after: (s: HarborClusterSpec): HarborClusterSpec => ({ ...s, storage: { type: 'Filesystem' } }),
      message: /spec\.storage\.type cannot change after creation/,
    },
  ]),
  {
    name: 'storage Azure → GCS',
    before: { ...base, storage: { type: 'Azure', azure } },
    after: (s) => ({ ...s, storage: { type: 'GCS', gcs: { bucket: 'b' } } }),
    message: /spec\.storage\.type cannot change after creation/,
  },
  {
    name: 'OIDC settings change freely (a new client ID, mode kept)',
    before: { ...base, configuration: { auth: { mode: 'OIDC', oidc } } },
    after: (s) => ({ ...s, configuration: { auth: { mode: 'OIDC', oidc: { ...oidc, clientID: 'other', scopes: ['openid'] } } } }),
  },
  // Volumes grow, never shrink; their StorageClass is fixed at creation.
  {
    name: 'database volume 1Gi → 2Gi',
    before: { ...base, database: { inCluster: { storageSize: '1Gi' } } },
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageSize: '2Gi' } } }),
  },
  {
    name: 'database volume 1Gi → 1024Mi (the same size)',
    before: { ...base, database: { inCluster: { storageSize: '1Gi' } } },
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageSize: '1024Mi' } } }),
  },
  {
    name: 'database volume unset (1Gi) → 2Gi',
    before: base,
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageSize: '2Gi' } } }),
  },
  {
    name: 'database volume 2Gi → 1Gi',
    before: { ...base, database: { inCluster: { storageSize: '2Gi' } } },
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageSize: '1Gi' } } }),
    message: /spec\.database\.inCluster\.storageSize: Invalid value.*spec\.database\.inCluster\.storageSize cannot be made smaller/,
  },
  {
    name: 'database volume unset (1Gi) → 500Mi',
    before: base,
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageSize: '500Mi' } } }),
    message: /spec\.database\.inCluster\.storageSize cannot be made smaller/,
  },
  {
    name: 'database volume 2Gi → unset (1Gi)',
    before: { ...base, database: { inCluster: { storageSize: '2Gi' } } },
    after: (s) => ({ ...s, database: { type: 'InCluster' } }),
    message: /spec\.database\.inCluster\.storageSize cannot be made smaller/,
  },
  {
    name: 'an external database ignores the in-cluster size',
    before: { ...base, database: { type: 'External', external: externalDb, inCluster: { storageSize: '2Gi' } } },
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageSize: '1Gi' } } }),
  },
  {
    name: 'cache volume 2Gi → 1Gi',
    before: { ...base, cache: { inCluster: { storageSize: '2Gi' } } },
    after: (s) => ({ ...s, cache: { ...s.cache, inCluster: { storageSize: '1Gi' } } }),
    message: /spec\.cache\.inCluster\.storageSize cannot be made smaller/,
  },
  {
    name: 'registry volume unset (5Gi) → 10Gi',
    before: base,
    after: (s) => ({ ...s, storage: { ...s.storage, filesystem: { size: '10Gi' } } }),
  },
  {
    name: 'registry volume 5Gi → 4Gi',
    before: { ...base, storage: { filesystem: { size: '5Gi' } } },
    after: (s) => ({ ...s, storage: { ...s.storage, filesystem: { size: '4Gi' } } }),
    message: /spec\.storage\.filesystem\.size: Invalid value.*spec\.storage\.filesystem\.size cannot be made smaller/,
  },
  {
    name: 'job log volume 1Gi → 512Mi',
    before: base,
    after: (s) => ({ ...s, persistence: { ...s.persistence, jobserviceLogSize: '512Mi' } }),
    message: /spec\.persistence\.jobserviceLogSize cannot be made smaller/,
  },
  {
    name: 'Trivy cache 5Gi → 10Gi',
    before: base,
    after: (s) => ({ ...s, persistence: { ...s.persistence, trivyCacheSize: '10Gi' } }),
  },
  {
    name: 'Trivy cache 5Gi → 5G (smaller: 5G < 5Gi)',
    before: base,
    after: (s) => ({ ...s, persistence: { ...s.persistence, trivyCacheSize: '5G' } }),
    message: /spec\.persistence\.trivyCacheSize cannot be made smaller/,
  },
  {
    name: 'database StorageClass fast → slow',
    before: { ...base, database: { inCluster: { storageClassName: 'fast' } } },
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageClassName: 'slow' } } }),
    message: /spec\.database\.inCluster\.storageClassName: Invalid value.*spec\.database\.inCluster\.storageClassName cannot change after creation/,
  },
  {
    name: 'database StorageClass unset → fast',
    before: base,
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageClassName: 'fast' } } }),
    message: /spec\.database\.inCluster\.storageClassName cannot change after creation/,
  },
  {
    name: 'cache StorageClass fast → unset',
    before: { ...base, cache: { inCluster: { storageClassName: 'fast' } } },
    after: (s) => ({ ...s, cache: { type: 'InCluster' } }),
    message: /spec\.cache\.inCluster\.storageClassName cannot change after creation/,
  },
  {
    name: 'registry StorageClass fast → slow',
    before: { ...base, storage: { filesystem: { storageClassName: 'fast' } } },
    after: (s) => ({ ...s, storage: { ...s.storage, filesystem: { storageClassName: 'slow' } } }),
    message: /spec\.storage\.filesystem\.storageClassName cannot change after creation/,
  },
  {
    name: 'default StorageClass unset → fast',
    before: base,
    after: (s) => ({ ...s, persistence: { ...s.persistence, storageClassName: 'fast' } }),
    message: /spec\.persistence\.storageClassName: Invalid value.*spec\.persistence\.storageClassName cannot change after creation/,
  },
  {
    name: 'database existing claim unset → set',
    before: base,
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { existingClaim: 'database-data-harbor-database-0' } } }),
    message: /spec\.database\.inCluster\.existingClaim cannot change after creation/,
  },
  {
    name: 'cache existing claim a → b',
    before: { ...base, cache: { inCluster: { existingClaim: 'a' } } },
    after: (s) => ({ ...s, cache: { ...s.cache, inCluster: { existingClaim: 'b' } } }),
    message: /spec\.cache\.inCluster\.existingClaim cannot change after creation/,
  },
  {
    name: "Trivy's existing claim set → unset",
    before: { ...base, persistence: { trivyCacheExistingClaim: 'data-harbor-trivy-0' } },
    after: (s) => ({ ...s, persistence: { jobserviceLogSize: '1Gi' } }),
    message: /spec\.persistence\.trivyCacheExistingClaim cannot change after creation/,
  },
  {
    name: 'the existing claims kept and a replica count changed',
    before: { ...base, database: { inCluster: { existingClaim: 'db' } }, persistence: { trivyCacheExistingClaim: 't' } },
    after: (s) => ({ ...s, components: { core: { replicas: 2 } } }),
  },
  {
    name: 'the same StorageClass and a bigger size together',
    before: { ...base, persistence: { storageClassName: 'fast' }, database: { inCluster: { storageClassName: 'fast', storageSize: '1Gi' } } },
    after: (s) => ({ ...s, database: { ...s.database, inCluster: { storageClassName: 'fast', storageSize: '3Gi' } } }),
  },
];

const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(3).toString('hex')}`;

describe('HarborCluster CRD validation', () => {
  const c = clients();
  const api = harborClusters(c);
  const ns = uniqueName('t-crd-validation');

  before(async () => {
    await ensureCrd(c);
    await c.core.createNamespace({ body: { metadata: { name: ns, labels: { 'harbor-operator.test/ns': 'true' } } } });
  });
  after(async () => {
    await c.core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  const refused = async (attempt: Promise<unknown>): Promise<{ code: number; message: string }> => {
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    const r = refusal(err);
    if (!r) throw err instanceof Error ? err : new Error('the request was accepted, expected a refusal');
    return r;
  };

  for (const tc of valid) {
    test(`accepts: ${tc.name}`, async () => {
      const created = await api.create(ns, cr(uniqueName('ok'), tc.spec));
      assert.equal(created.kind, 'HarborCluster');
    });
  }

  for (const tc of invalid) {
    test(`refuses: ${tc.name}`, async () => {
      const r = await refused(api.create(ns, cr(tc.crName ?? uniqueName('bad'), tc.spec), tc.opts));
      assert.equal(r.code, tc.code ?? 422, r.message);
      assert.match(r.message, tc.message);
    });
  }

  for (const tc of updates) {
    test(`update ${tc.message ? 'refused' : 'accepted'}: ${tc.name}`, async () => {
      const created = await api.create(ns, cr(uniqueName('upd'), tc.before));
      const changed = { ...created, spec: tc.after(created.spec) };
      if (!tc.message) {
        const updated = await api.replace(ns, changed);
        assert.equal(updated.metadata.generation, 2, 'the spec changed');
        return;
      }
      const r = await refused(api.replace(ns, changed));
      assert.equal(r.code, 422, r.message);
      assert.match(r.message, tc.message);
    });
  }

  test('applies the schema defaults', async () => {
    const created = await api.create(ns, cr(uniqueName('defaults'), base));
    const s = created.spec;
    assert.equal(s.version, defaultVersion);
    assert.equal(s.version, '2.15.2');
    assert.equal(s.expose?.type, 'Ingress');
    assert.equal(s.database?.type, 'InCluster');
    assert.equal(s.cache?.type, 'InCluster');
    assert.equal(s.storage?.type, 'Filesystem');
    assert.equal(s.imageRegistry, 'docker.io');
    assert.equal(s.logLevel, 'info');
    assert.equal(s.persistence?.deleteClaimsWithCluster, false);
    assert.deepEqual(s.components?.trivy, {
      enabled: true,
      replicas: 1,
      skipUpdate: false,
      skipJavaDBUpdate: false,
      offlineScan: false,
      insecure: false,
      ignoreUnfixed: false,
      timeout: '5m0s',
    });
    assert.equal(s.configuration, undefined, 'no configuration unless given');
    assert.equal(s.cache.layer, undefined, 'no cache layer unless given');
    assert.deepEqual(s.components.jobservice, { replicas: 1, workers: 10, jobLogger: 'Database' });
  });

  test('prunes an unknown field without fieldValidation Strict', async () => {
    const created = await api.create(ns, cr(uniqueName('prune'), { ...base, replica: 2 }));
    assert.equal((created.spec as unknown as Record<string, unknown>)['replica'], undefined);
  });

  test('ignores status written on the main resource (status subresource)', async () => {
    const created = await api.create(ns, cr(uniqueName('status'), base));
    // status is ignored on the main resource: the subresource is enabled.
    const withStatus = { ...created, status: { version: '2.15.1' } };
    const updated = await api.replace(ns, withStatus);
    assert.equal(updated.status, undefined);
  });
});

describe('deploy/samples', async () => {
  const dir = new URL('../../deploy/samples/', import.meta.url);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const c = clients();
  const api = harborClusters(c);

  test('the four documented samples exist', () => {
    for (const f of ['minimal.yaml', 'external-services.yaml', 'ingress-cert-manager.yaml', 'loadbalancer.yaml']) {
      assert.ok(files.includes(f), `deploy/samples/${f}`);
    }
  });

  for (const file of files) {
    test(`the API server accepts ${file} (server-side dry run)`, async () => {
      await ensureCrd(c);
      const sample = parse(await readFile(new URL(file, dir), 'utf8')) as HarborCluster;
      const created = await api.create('default', sample, { dryRun: true, fieldValidation: 'Strict' });
      assert.equal(created.metadata.name, sample.metadata.name);
    });
  }
});
