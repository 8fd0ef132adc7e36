// HarborClusters whose `helm template` output is kept under test/golden, the
// fixed secrets they are rendered with, and the rendering itself. Used by
// test/unit/golden.test.ts (`npm run test:update-golden` rewrites the files).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { assembleSecrets } from '../../src/controller/desired.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import type { HarborSecrets } from '../../src/render/secrets-input.ts';
import { toValues } from '../../src/render/values.ts';
import { locate } from '../cluster/assets.ts';

/** Namespace every golden case is rendered into (the samples have none). */
export const goldenNamespace = 'golden';

export const chartDir = fileURLToPath(new URL('../../charts/harbor', import.meta.url));
export const goldenDir = fileURLToPath(new URL('../golden/', import.meta.url));

export interface GoldenCase {
  /** Also the file name: test/golden/<name>.yaml. */
  name: string;
  cr: HarborCluster;
  /** The resolved secrets it is rendered with; fixedSecrets when unset. */
  secrets?: HarborSecrets;
}

function sample(file: string): HarborCluster {
  const text = readFileSync(fileURLToPath(new URL(`../../deploy/samples/${file}`, import.meta.url)), 'utf8');
  const cr = parse(text) as HarborCluster;
  cr.metadata.namespace = goldenNamespace;
  return cr;
}

/** The LoadBalancer sample with trivy and the exporter disabled whatever the sample says. */
function loadBalancerWithoutTrivyAndExporter(): HarborCluster {
  const cr = sample('loadbalancer.yaml');
  const components = cr.spec.components ?? {};
  return {
    ...cr,
    spec: {
      ...cr.spec,
      components: {
        ...components,
        trivy: { ...components.trivy, enabled: false },
        exporter: { ...components.exporter, enabled: false },
      },
    },
  };
}

/** The minimal sample pinned to a release. */
function minimalAt(version: string): HarborCluster {
  const cr = sample('minimal.yaml');
  return { ...cr, spec: { ...cr.spec, version } };
}

/** The newest release of each line, and 2.15.1 (the last with redis-photon and PostgreSQL 15). */
export const releaseGoldenVersions = ['2.13.5', '2.14.4', '2.15.1', '2.15.2'] as const;

/** The minimal sample with these fields of the spec replaced. */
function minimalWith(spec: Partial<HarborCluster['spec']>): HarborCluster {
  const cr = sample('minimal.yaml');
  return { ...cr, spec: { ...cr.spec, ...spec } };
}

/** One case per storage driver besides filesystem (minimal) and S3 (external-services, oidc-s3). */
export const storageGoldenCases: readonly GoldenCase[] = [
  {
    name: 'storage-s3-cloudfront',
    cr: minimalWith({
      storage: {
        type: 'S3',
        s3: {
          bucket: 'images',
          region: 'eu-west-1',
          credentialsSecretRef: { name: 's3' },
          encrypt: true,
          keyID: 'arn:aws:kms:eu-west-1:111122223333:key/golden',
          skipVerify: false,
          chunkSize: 10485760,
          storageClass: 'REDUCED_REDUNDANCY',
          objectACL: 'bucket-owner-full-control',
          multipartCopyChunkSize: 33554432,
          multipartCopyMaxConcurrency: 50,
          multipartCopyThresholdSize: 33554432,
          rootDirectory: '/harbor',
          cloudFront: {
            baseURL: 'https://d111111abcdef8.cloudfront.net',
            keyPairID: 'K2JCJMDEHXQW5F',
            privateKeySecretRef: { name: 'cloudfront' },
            duration: '20m',
            ipFilteredBy: 'AWSRegion',
            awsRegions: ['eu-west-1', 'eu-central-1'],
          },
        },
      },
    }),
  },
  {
    name: 'storage-azure',
    cr: minimalWith({ storage: { type: 'Azure', azure: { accountName: 'goldenimages', accountKeySecretRef: { name: 'azure' }, container: 'registry', realm: 'core.windows.net' } } }),
  },
  {
    name: 'storage-gcs',
    cr: minimalWith({ storage: { type: 'GCS', gcs: { bucket: 'golden-images', keyFileSecretRef: { name: 'gcs' }, rootDirectory: 'harbor', chunkSize: 5242880 } } }),
  },
  {
    name: 'storage-swift',
    cr: minimalWith({
      storage: {
        type: 'Swift',
        swift: {
          authURL: 'https://keystone.example.com/v3',
          username: 'harbor',
          credentialsSecretRef: { name: 'swift', secretKeyKey: 'tempURLKey' },
          container: 'registry',
          region: 'RegionOne',
          tenant: 'images',
          domain: 'Default',
          authVersion: 3,
          endpointType: 'internal',
          chunkSize: 20971520,
          tempURLMethods: ['GET', 'HEAD'],
        },
      },
    }),
  },
  {
    name: 'storage-oss',
    cr: minimalWith({
      storage: {
        type: 'OSS',
        oss: {
          bucket: 'golden-images',
          region: 'oss-cn-hangzhou',
          credentialsSecretRef: { name: 'oss' },
          endpoint: 'golden-images.oss-cn-hangzhou-internal.aliyuncs.com',
          internal: true,
          encrypt: true,
          chunkSize: 10485760,
          rootDirectory: 'harbor',
        },
      },
    }),
  },
];

/** spec.configuration with every typed field of the LDAP mode, the others besides auth and free-form items. */
export const fullConfigurationCase: GoldenCase = {
  name: 'configuration-ldap-full',
  cr: minimalWith({
    cache: { layer: { enabled: true, expireHours: 12 } },
    configuration: {
      auth: {
        mode: 'LDAP',
        ldap: {
          url: 'ldaps://ldap.example.com:636',
          baseDN: 'ou=people,dc=example,dc=com',
          searchDN: 'cn=harbor,ou=services,dc=example,dc=com',
          searchPasswordSecretRef: { name: 'ldap' },
          filter: '(objectClass=person)',
          uid: 'uid',
          scope: 'Subtree',
          timeoutSeconds: 10,
          verifyCert: true,
          group: {
            baseDN: 'ou=groups,dc=example,dc=com',
            filter: '(objectClass=groupOfNames)',
            attributeName: 'cn',
            scope: 'Subtree',
            adminDN: 'cn=harbor-admins,ou=groups,dc=example,dc=com',
            membershipAttribute: 'memberof',
            attachParallel: true,
          },
        },
      },
      selfRegistration: false,
      projectCreationRestriction: 'AdminOnly',
      robotAccounts: { tokenDurationDays: 30, namePrefix: 'robot$' },
      defaultProjectQuota: '50Gi',
      readOnly: false,
      auditLog: { forwardEndpoint: 'syslog.logging.svc:514', skipDatabase: false },
      settings: { banner_message: '{"message":"golden","type":"info","closable":true}', session_timeout: 60, notification_enable: 'true' },
    },
  }),
};

/** Every escape hatch of spec.components: extra variables (a value, a Secret key, a ConfigMap key), a ServiceAccount, a pull policy and image overrides (repository, tag, a whole reference). */
export const escapeHatchesCase: GoldenCase = {
  name: 'escape-hatches',
  cr: minimalWith({
    components: {
      core: {
        env: [
          { name: 'HTTP_PROXY', value: 'http://proxy.example.com:3128' },
          { name: 'LOG_LEVEL', value: 'debug' },
          { name: 'EXTRA_TOKEN', valueFrom: { secretKeyRef: { name: 'core-extra', key: 'token', optional: true } } },
        ],
        serviceAccountName: 'harbor-core',
        imagePullPolicy: 'Always',
        image: { repository: 'mirror.example.com/goharbor/harbor-core' },
      },
      portal: { env: [{ name: 'TZ', value: 'Europe/Paris' }], serviceAccountName: 'harbor-portal', imagePullPolicy: 'Never', image: { tag: 'v2.15.2-patched' } },
      registry: {
        env: [{ name: 'REGISTRY_LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'registry-extra', key: 'level' } } }],
        serviceAccountName: 'harbor-registry',
        imagePullPolicy: 'IfNotPresent',
        image: { reference: 'mirror.example.com/goharbor/registry-photon:v2.15.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
        controllerImage: { repository: 'mirror.example.com/goharbor/harbor-registryctl', tag: 'v2.15.2' },
      },
      jobservice: { env: [{ name: 'NO_PROXY', value: '.svc,.cluster.local' }], serviceAccountName: 'harbor-jobservice', imagePullPolicy: 'Always', image: { tag: 'v2.15.2' } },
      trivy: { env: [{ name: 'SCANNER_LOG_LEVEL', value: 'debug' }], serviceAccountName: 'harbor-trivy', imagePullPolicy: 'Always', image: { repository: 'mirror.example.com/goharbor/trivy-adapter-photon', tag: 'v2.15.2' } },
      exporter: { env: [{ name: 'GOMAXPROCS', value: '2' }], serviceAccountName: 'harbor-exporter', imagePullPolicy: 'Always', image: { reference: 'mirror.example.com/goharbor/harbor-exporter:v2.15.2' } },
    },
  }),
};

/**
 * The values in the Secrets spec.secrets names in the byo-secrets case (each
 * one Harbor can use: secrets/own-secrets.ts); the token key is the fixture's
 * real PKCS#1 key, while the generated one of that case is a marker that must
 * not be rendered.
 */
export const broughtSecrets = {
  secretKey: 'brought-key-0016',
  coreSecret: 'brought-core-secret-01',
  jobserviceSecret: 'brought-jobs-secret-01',
  registryHttpSecret: 'brought-registry-http-secret',
} as const;
export const generatedTokenKeyMarker = '-----BEGIN RSA PRIVATE KEY-----\nGENERATED-AND-UNUSED\n-----END RSA PRIVATE KEY-----\n';

/** A HarborCluster bringing every secret of spec.secrets (as an existing Harbor moved under the operator). */
export const byoSecretsCase: GoldenCase = {
  name: 'byo-secrets',
  cr: minimalWith({
    secrets: {
      secretKeySecretRef: { name: 'old-harbor', key: 'secretkey' },
      tokenKeySecretRef: { name: 'old-harbor-token' },
      coreSecretSecretRef: { name: 'old-harbor', key: 'CORE_SECRET' },
      jobserviceSecretSecretRef: { name: 'old-harbor', key: 'JOBSERVICE_SECRET' },
      registryHttpSecretSecretRef: { name: 'old-harbor', key: 'REGISTRY_HTTP_SECRET' },
    },
  }),
  // Assembled as the reconciler does (controller/desired.ts): referenced values over generated ones.
  get secrets(): HarborSecrets {
    return assembleSecrets({ ...broughtSecrets, tokenKey: fixedSecrets.tokenKey }, { ...fixedSecrets, tokenKey: generatedTokenKeyMarker });
  },
};

/** Every Service dual-stack, IPv6 first (spec.network). */
export const dualStackCase: GoldenCase = {
  name: 'network-dual-stack',
  cr: minimalWith({ network: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] } }),
};

export const goldenCases: readonly GoldenCase[] = [
  { name: 'minimal', cr: sample('minimal.yaml') },
  { name: 'external-services', cr: sample('external-services.yaml') },
  { name: 'ingress-cert-manager', cr: sample('ingress-cert-manager.yaml') },
  { name: 'loadbalancer-no-trivy-no-exporter', cr: loadBalancerWithoutTrivyAndExporter() },
  ...releaseGoldenVersions.map((v) => ({ name: `release-${v}`, cr: minimalAt(v) })),
  { name: 'oidc-s3', cr: sample('oidc-s3.yaml') },
  { name: 'offline-scanner', cr: sample('offline-scanner.yaml') },
  ...storageGoldenCases,
  fullConfigurationCase,
  escapeHatchesCase,
  byoSecretsCase,
  dualStackCase,
];

/**
 * Fixed secrets of the golden renders: the lengths the chart's schema demands,
 * each value distinct and recognisable, so a leak into a ConfigMap can be
 * found; the htpasswd line and the key pair are real (see below).
 */
export const fixedSecrets: HarborSecrets = {
  adminPassword: 'golden-admin-password',
  coreSecret: 'golden-core-secr', // 16
  jobserviceSecret: 'golden-jobs-secr', // 16
  csrfKey: 'golden-csrf-key-0123456789abcdef', // 32
  secretKey: 'golden-secretkey', // 16
  registryHttpSecret: 'golden-registry-http-secret', // >= 16
  registryUsername: 'harbor_registry_user',
  registryPassword: 'golden-registry-password',
  // TEST DATA, not secret and never used outside tests: made once (2026-12-01)
  // with the operator's own generator (bcryptjs at HTPASSWD_COST and
  // createTokenKeyPair in src/secrets/), so they have the exact shape of what a
  // cluster gets. test/unit/fixtures.test.ts checks that they parse and match.
  // bcrypt of registryPassword ('golden-registry-password'):
  registryHtpasswd: 'harbor_registry_user:$2b$05$gdcYUcPR1dpAP9BA77Yldu5C4So8.X6hYG8o0Fa0cha3aTlKdeSnG',
  // PKCS#1 RSA key (the PEM type core's token library accepts):
  tokenKey: [
    '-----BEGIN RSA PRIVATE KEY-----',
    'MIIEpAIBAAKCAQEAnc3lRVIzI5dW+8cckKkTFTl3D5FjLzMmeMw5vd0xF4GhRQn0',
    'Djw3htYacfbqqX7h0VSggU1dbsxgJqw04LIJBUm4NdwQ90iw88eATVehEFp0dRlt',
    'QywZ7Mv9I061g0cKU06E4iym9dIAjOB4I1BEAgJa6/4jCSaYAswt+byowLAxVunF',
    'V0W7ui7sThMmAhHyvFpBwanpN69/5RXFPP5WXi/sNX9kpCtgVYOCeG7zOkiuM4bZ',
    'fiNj56eG/3ZUez6ACbJnqRKa3ZfDsZxoVOjaym/wictML10FvIpiOgFI10TmqvTN',
    'ffNt1lH034Wth7s8tSDB+h5b8uV9BOCidUPTXwIDAQABAoIBABo/N02m5OucDfM1',
    'xHoJLSvgEX4M5A7jNphr+4SpaDNtM7osdCPz/xZVwTNIavKDMKMlLMck64/0vV9h',
    'UDA5XIe9Ib8PmeDPfeMmQSBcHWV/bhRWBNbh3HQG39VCD63EoKKHklGeNKz5X28P',
    'HNxeytj8tEvBSumIOkto05LQvs7BnKLtyl8iHupUbvZw+M4RIH3DnUHoahWQuEMi',
    'xlm0h3BUC9A27TMEUfavPyL6udegHrwg3LtYFxxMv40N9q/Xl4LGvmnnNcrwgTja',
    'yIed9s9S2wNXa6o5kQ6LY+cwF3rdXd82ue2rAqIabHtHDXd7UDWUu7oxTOKhubC8',
    'Omt3kYECgYEA0JjfviuCwtUvKBUQ3tu0+UgASgztIZm1GcU3Jjmp/L6s4ym0u3wx',
    'htSzO8t6eZD2nZda7LiiH6PFrQVd9HvFGm2RK2liszmv//5qilH5N7qiw8KZx7z5',
    'MdeD9kyunvisxJ3E02exisFrDlHlwH5TXI28Qpkz7Pop1Hkn/+j0ooECgYEAwaom',
    'IfgkMx2LDNR7cZ8yKNyig0QcPEGyod/HGeBH3UXDf6/ddnD3p3rL43gO0WrNz7z6',
    'Yt+f53RS3ZYnXVZBz5z+J+I5mwExcgKZFlTLM5Im51/0R5fm7VCQnAjY/qbnHqry',
    'WTdQbdRN/5tu5RkTVhZL9cffwfVBL/xSn56dxd8CgYAsqY6+WPKWZK7EFj6WeNQ2',
    'y4PEVyAuoYp1ChTUymPrCahauwNHYT/5bnExzE9c1/z1oQKGzMFppNceRJfpUNbS',
    '4cLDWL0ZQrC8Tuzg0MxbckqHP5NNgNiaI1rN0X1R7EyRjHYoDXumCeOyHTbkECgp',
    'GO/GEqdbhfSO2aIG2QoIAQKBgQCLZrSIIxu7h3p9w70Prm3mp9p67l38qbWxe2jP',
    'oXdZOUxd7vNUvEAn1+ZHWDYiW+TFsdvxq9JoQn0bb2fqcZpxnSn8/4RDpPo4fNJB',
    'Fswl1QAX8CPgHOFm1WUiS+QWeYFHu/kyavSD+hwi73lFg2U9xFLtGfBgpu9DYTcA',
    'GqaqtQKBgQCyqYITqgTEN0HvOVn3eqItfWof1nFT+kzGaqL0hocpkn6QrrDcv1r/',
    'e6DptP/i3UZHsFVhIYqlwOgm/z+G4RUc0Bw5E5B/wq4UySTUPo/A2l3iDQrjT7ps',
    '7Busj7TddNQsPTGtN7vZDKA9fJinBU8+M5mNMXfvBKvg+o9OwiPA6Q==',
    '-----END RSA PRIVATE KEY-----',
    '',
  ].join('\n'),
  // Self-signed certificate of that key, CN harbor-token-issuer, 2026-01-01 + 10 years:
  tokenCert: [
    '-----BEGIN CERTIFICATE-----',
    'MIIC1zCCAb+gAwIBAgIRALypzEIA/HF71aGfeE5LuEAwDQYJKoZIhvcNAQELBQAw',
    'HjEcMBoGA1UEAwwTaGFyYm9yLXRva2VuLWlzc3VlcjAeFw0yNjAxMDEwMDAwMDBa',
    'Fw0zNTEyMzAwMDAwMDBaMB4xHDAaBgNVBAMME2hhcmJvci10b2tlbi1pc3N1ZXIw',
    'ggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCdzeVFUjMjl1b7xxyQqRMV',
    'OXcPkWMvMyZ4zDm93TEXgaFFCfQOPDeG1hpx9uqpfuHRVKCBTV1uzGAmrDTgsgkF',
    'Sbg13BD3SLDzx4BNV6EQWnR1GW1DLBnsy/0jTrWDRwpTToTiLKb10gCM4HgjUEQC',
    'Alrr/iMJJpgCzC35vKjAsDFW6cVXRbu6LuxOEyYCEfK8WkHBqek3r3/lFcU8/lZe',
    'L+w1f2SkK2BVg4J4bvM6SK4zhtl+I2Pnp4b/dlR7PoAJsmepEprdl8OxnGhU6NrK',
    'b/CJy0wvXQW8imI6AUjXROaq9M19823WUfTfha2Huzy1IMH6Hlvy5X0E4KJ1Q9Nf',
    'AgMBAAGjEDAOMAwGA1UdEwEB/wQCMAAwDQYJKoZIhvcNAQELBQADggEBAB7cVM9Q',
    'cgVHklQid/Zs63fZnFdYRgCYuex8gvzDIlNyuZouxfhvkC9rMq6PV75vDU/CTv5P',
    'kQpASoK9E5LsDkXJG4FMAH7BQNHPeizsntQZyyZGaflL0Xn8cznwbOfNvzdOqNz5',
    'ZqoRGCUDLN/h9/Blx9sIPPjIpyxRjRiCHHisoRl5jUTllt6mC+ha81S1/xgSQ5ur',
    '4q8I08JEql+nMF+y9KqkoR9o6e2g+x3rD7NqGACtAluAOvxLp1W+tNeToldgvEIS',
    'Lg0JO7wrUMkLdcJj2FX+FvNU3UIViTeSulFiCHrceGtz/ABh+wiwACjiSziJRGOp',
    'P8OfC7PCShHDyOg=',
    '-----END CERTIFICATE-----',
    '',
  ].join('\n'),
  databasePassword: 'golden-database-password',
  cachePassword: 'golden-cache-password',
  s3AccessKey: 'GOLDENACCESSKEYID000',
  s3SecretKey: 'golden-s3-secret-access-key-0000000000000',
  // Not real keys: the chart only carries them (the registry parses them).
  cloudFrontPrivateKey: '-----BEGIN RSA PRIVATE KEY-----\ngolden-cloudfront-private-key\n-----END RSA PRIVATE KEY-----\n',
  azureAccountKey: 'golden-azure-account-key==',
  gcsKeyFile: '{"type":"service_account","client_email":"golden@example.iam.gserviceaccount.com","private_key":"golden-gcs-private-key"}\n',
  swiftPassword: 'golden-swift-password',
  swiftSecretKey: 'golden-swift-tempurl-key',
  swiftAccessKey: 'golden-swift-tempurl-access-key',
  ossAccessKeyId: 'GOLDENOSSACCESSKEYID',
  ossAccessKeySecret: 'golden-oss-access-key-secret',
  trivyGithubToken: 'golden-github-token',
  oidcClientSecret: 'golden-oidc-client-secret',
  ldapSearchPassword: 'golden-ldap-search-password',
  uaaClientSecret: 'golden-uaa-client-secret',
};

/** helm from `npm test` (HARBOR_TEST_HELM), HELM_BIN or the build cache. */
export function goldenHelm(): string {
  const helm = process.env['HARBOR_TEST_HELM'] ?? locate().found.helm;
  if (!helm) throw new Error('no helm binary: run `npm run cluster:build` (or set HELM_BIN)');
  return helm;
}

export async function renderCase(c: GoldenCase, helm: string = goldenHelm()): Promise<KubeObject[]> {
  const values = toValues(c.cr, c.secrets ?? fixedSecrets);
  const release = c.cr.metadata.name;
  if (!release) throw new Error(`golden case ${c.name}: the HarborCluster has no metadata.name`);
  return helmTemplate({ helm, chartDir, timeoutMs: 60_000 }, release, goldenNamespace, values);
}

/** test/golden/<case>.yaml */
export function goldenFile(c: GoldenCase): string {
  return `${goldenDir}${c.name}.yaml`;
}

/** The form of a golden file: each object stringified, in render order, joined with `---`. */
export function serializeObjects(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

export function parseObjects(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message ?? 'YAML error');
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value as KubeObject);
  }
  return out;
}
