// storageValues: spec.storage → the registry's driver name, the parameters of
// its config.yml (names and types as goharbor/distribution release/2.8's
// drivers read them), its secret parameters and files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HarborClusterSpec, Storage } from '../../src/api/types.generated.ts';
import type { StorageParameter, StorageValues } from '../../src/render/chart-values.ts';
import type { HarborSecrets } from '../../src/render/secrets-input.ts';
import { storageValues } from '../../src/render/storage.ts';

const secrets: HarborSecrets = {
  adminPassword: 'a',
  coreSecret: 'c',
  jobserviceSecret: 'j',
  csrfKey: 'k',
  secretKey: 's',
  registryHttpSecret: 'h',
  registryUsername: 'harbor_registry_user',
  registryPassword: 'p',
  registryHtpasswd: 'x',
  tokenKey: 't',
  tokenCert: 'c',
  databasePassword: 'd',
  cachePassword: '',
};
const all: HarborSecrets = {
  ...secrets,
  s3AccessKey: 'AKIA',
  s3SecretKey: 's3-secret',
  cloudFrontPrivateKey: '-----BEGIN RSA PRIVATE KEY-----\n',
  azureAccountKey: 'azure==',
  gcsKeyFile: '{"type":"service_account"}',
  swiftPassword: 'swift-pw',
  swiftSecretKey: 'temp-url-key',
  swiftAccessKey: 'temp-url-access',
  ossAccessKeyId: 'LTAI',
  ossAccessKeySecret: 'oss-secret',
};
const volume = { size: '5Gi', storageClass: '' };
/** Parameters in the order written (the order of config.yml). */
const params = (o: Record<string, StorageParameter>): StorageValues['parameters'] => Object.entries(o).map(([name, value]) => ({ name, value }));
const spec = (storage: Storage | undefined): HarborClusterSpec => ({ externalURL: 'https://h.example.com', ...(storage ? { storage } : {}) });
const base: Omit<StorageValues, 'type' | 'parameters'> = {
  filesystem: { size: '5Gi', storageClass: '', existingClaim: '' },
  secretParameters: {},
  gcsKeyFile: '',
  cloudFront: { enabled: false, options: {}, privateKey: '' },
  disableRedirect: false,
};

const cases: { name: string; storage: Storage | undefined; secrets?: HarborSecrets; expected: StorageValues }[] = [
  { name: 'no storage section: filesystem (the chart sets its path)', storage: undefined, expected: { ...base, type: 'filesystem', parameters: [] } },
  {
    name: 'filesystem with an existing claim',
    storage: { type: 'Filesystem', filesystem: { existingClaim: 'data' } },
    expected: { ...base, type: 'filesystem', filesystem: { ...base.filesystem, existingClaim: 'data' }, parameters: [] },
  },
  {
    name: 'S3 with every setting and CloudFront',
    storage: {
      type: 'S3',
      s3: {
        bucket: 'images',
        region: 'eu-west-1',
        endpoint: 'https://s3.eu-west-1.amazonaws.com',
        credentialsSecretRef: { name: 's3' },
        secure: true,
        rootDirectory: '/harbor',
        encrypt: true,
        keyID: 'arn:aws:kms:eu-west-1:1:key/abc',
        skipVerify: true,
        v4Auth: true,
        chunkSize: 10485760,
        storageClass: 'REDUCED_REDUNDANCY',
        objectACL: 'bucket-owner-full-control',
        multipartCopyChunkSize: 33554432,
        multipartCopyMaxConcurrency: 50,
        multipartCopyThresholdSize: 0,
        cloudFront: {
          baseURL: 'https://d1.cloudfront.net',
          keyPairID: 'K1',
          privateKeySecretRef: { name: 'cf' },
          duration: '30m',
          ipFilteredBy: 'AWSRegion',
          awsRegions: ['eu-west-1', 'eu-central-1'],
        },
      },
    },
    secrets: all,
    expected: {
      ...base,
      type: 's3',
      parameters: params({
        bucket: 'images',
        region: 'eu-west-1',
        regionendpoint: 'https://s3.eu-west-1.amazonaws.com',
        secure: true,
        v4auth: true,
        rootdirectory: '/harbor',
        encrypt: true,
        keyid: 'arn:aws:kms:eu-west-1:1:key/abc',
        skipverify: true,
        chunksize: 10485760,
        storageclass: 'REDUCED_REDUNDANCY',
        objectacl: 'bucket-owner-full-control',
        multipartcopychunksize: 33554432,
        multipartcopymaxconcurrency: 50,
        // 0 is a value of its own here (copy every object in parts), not "unset"
        multipartcopythresholdsize: 0,
      }),
      secretParameters: { accesskey: 'AKIA', secretkey: 's3-secret' },
      cloudFront: {
        enabled: true,
        options: { baseurl: 'https://d1.cloudfront.net', keypairid: 'K1', duration: '30m', ipfilteredby: 'awsregion', awsregion: 'eu-west-1,eu-central-1' },
        privateKey: '-----BEGIN RSA PRIVATE KEY-----\n',
      },
    },
  },
  {
    name: 'S3 with ambient credentials: no secret parameters',
    storage: { type: 'S3', s3: { bucket: 'b', region: 'us-east-1' } },
    secrets: all,
    expected: { ...base, type: 's3', parameters: params({ bucket: 'b', region: 'us-east-1', secure: true, v4auth: true }) },
  },
  {
    name: 'Azure',
    storage: { type: 'Azure', azure: { accountName: 'harborimages', accountKeySecretRef: { name: 'az' }, container: 'registry', realm: 'core.chinacloudapi.cn', disableRedirect: true } },
    secrets: all,
    expected: {
      ...base,
      type: 'azure',
      parameters: params({ accountname: 'harborimages', container: 'registry', realm: 'core.chinacloudapi.cn' }),
      secretParameters: { accountkey: 'azure==' },
      disableRedirect: true,
    },
  },
  {
    name: 'GCS with a key file',
    storage: { type: 'GCS', gcs: { bucket: 'images', keyFileSecretRef: { name: 'gcs' }, rootDirectory: 'harbor', chunkSize: 5242880 } },
    secrets: all,
    expected: { ...base, type: 'gcs', parameters: params({ bucket: 'images', rootdirectory: 'harbor', chunksize: 5242880 }), gcsKeyFile: '{"type":"service_account"}' },
  },
  {
    name: 'GCS with workload identity: no key file',
    storage: { type: 'GCS', gcs: { bucket: 'images' } },
    secrets: all,
    expected: { ...base, type: 'gcs', parameters: params({ bucket: 'images' }) },
  },
  {
    name: 'Swift with every setting and both TempURL keys',
    storage: {
      type: 'Swift',
      swift: {
        authURL: 'https://keystone.example.com/v3',
        username: 'harbor',
        credentialsSecretRef: { name: 'sw', secretKeyKey: 'tempurl', accessKeyKey: 'access' },
        container: 'registry',
        region: 'RegionOne',
        tenant: 'images',
        tenantID: '42',
        domain: 'Default',
        domainID: 'default',
        trustID: 't',
        authVersion: 3,
        endpointType: 'internal',
        insecureSkipVerify: true,
        chunkSize: 1048576,
        prefix: '/harbor',
        tempURLContainerKey: true,
        tempURLMethods: ['GET', 'HEAD'],
      },
    },
    secrets: all,
    expected: {
      ...base,
      type: 'swift',
      parameters: params({
        authurl: 'https://keystone.example.com/v3',
        username: 'harbor',
        container: 'registry',
        region: 'RegionOne',
        tenant: 'images',
        tenantid: '42',
        domain: 'Default',
        domainid: 'default',
        trustid: 't',
        authversion: 3,
        endpointtype: 'internal',
        insecureskipverify: true,
        chunksize: 1048576,
        prefix: '/harbor',
        tempurlcontainerkey: true,
        tempurlmethods: ['GET', 'HEAD'],
      }),
      secretParameters: { password: 'swift-pw', secretkey: 'temp-url-key', accesskey: 'temp-url-access' },
    },
  },
  {
    name: 'Swift with the password only',
    storage: { type: 'Swift', swift: { authURL: 'https://k.example.com/v3', username: 'u', credentialsSecretRef: { name: 'sw' }, container: 'c' } },
    secrets: all,
    expected: {
      ...base,
      type: 'swift',
      parameters: params({ authurl: 'https://k.example.com/v3', username: 'u', container: 'c', insecureskipverify: false, tempurlcontainerkey: false }),
      secretParameters: { password: 'swift-pw' },
    },
  },
  {
    name: 'OSS',
    storage: {
      type: 'OSS',
      oss: {
        bucket: 'images',
        region: 'oss-cn-hangzhou',
        credentialsSecretRef: { name: 'oss' },
        endpoint: 'images.oss-cn-hangzhou-internal.aliyuncs.com',
        internal: true,
        encrypt: true,
        secure: false,
        chunkSize: 5242880,
        rootDirectory: 'harbor',
      },
    },
    secrets: all,
    expected: {
      ...base,
      type: 'oss',
      parameters: params({
        bucket: 'images',
        region: 'oss-cn-hangzhou',
        endpoint: 'images.oss-cn-hangzhou-internal.aliyuncs.com',
        internal: true,
        encrypt: true,
        secure: false,
        chunksize: 5242880,
        rootdirectory: 'harbor',
      }),
      secretParameters: { accesskeyid: 'LTAI', accesskeysecret: 'oss-secret' },
    },
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(storageValues(spec(c.storage), c.secrets ?? secrets, volume), c.expected);
  });
}

const errors: { name: string; storage: Storage; expected: RegExp }[] = [
  { name: 'Azure without section', storage: { type: 'Azure' }, expected: /spec\.storage\.azure is required when spec\.storage\.type is Azure/ },
  { name: 'GCS without section', storage: { type: 'GCS' }, expected: /spec\.storage\.gcs is required/ },
  { name: 'Swift without section', storage: { type: 'Swift' }, expected: /spec\.storage\.swift is required/ },
  { name: 'OSS without section', storage: { type: 'OSS' }, expected: /spec\.storage\.oss is required/ },
  {
    name: 'Azure key not read',
    storage: { type: 'Azure', azure: { accountName: 'a12', accountKeySecretRef: { name: 'az' }, container: 'c12' } },
    expected: /spec\.storage\.azure\.accountKeySecretRef is set but its Secret was not read/,
  },
  { name: 'GCS key file not read', storage: { type: 'GCS', gcs: { bucket: 'b', keyFileSecretRef: { name: 'g' } } }, expected: /spec\.storage\.gcs\.keyFileSecretRef/ },
  {
    name: 'Swift TempURL key named but not read',
    storage: { type: 'Swift', swift: { authURL: 'https://k/v3', username: 'u', credentialsSecretRef: { name: 'sw', secretKeyKey: 'k' }, container: 'c' } },
    expected: /spec\.storage\.swift\.credentialsSecretRef is set but its Secret was not read/,
  },
  {
    name: 'CloudFront key not read',
    storage: { type: 'S3', s3: { bucket: 'b', region: 'r', cloudFront: { baseURL: 'https://d', keyPairID: 'k', privateKeySecretRef: { name: 'cf' } } } },
    expected: /spec\.storage\.s3\.cloudFront\.privateKeySecretRef/,
  },
];

for (const c of errors) {
  test(`refuses: ${c.name}`, () => {
    const withSwiftPassword = { ...secrets, swiftPassword: 'pw' };
    assert.throws(() => storageValues(spec(c.storage), withSwiftPassword, volume), c.expected);
  });
}

test('no secret value is among the parameters of config.yml', () => {
  for (const c of cases) {
    const v = storageValues(spec(c.storage), c.secrets ?? secrets, volume);
    const text = JSON.stringify([v.parameters, v.cloudFront.options]);
    assert.ok(v.parameters.every((x) => /^[a-z][a-z0-9]*$/.test(x.name)), 'names as the chart schema takes them');
    for (const [k, value] of Object.entries(all)) {
      if (typeof value === 'string' && value.length > 2 && !['registryUsername'].includes(k)) assert.ok(!text.includes(value), `${c.name}: ${k}`);
    }
  }
});
