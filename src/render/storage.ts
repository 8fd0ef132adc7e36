// spec.storage → the registry's storage driver: its name, the parameters of
// config.yml as the driver reads them, and its secret parameters. Pure.
//
// Facts:
// - The registry image of every supported release (goharbor/harbor v2.13.5,
//   v2.14.4, v2.15.2 Makefile: BUILDREG=true, DISTRIBUTION_SRC
//   goharbor/distribution at release/2.8 (2.13, 2.14) or v2.8.3-harbor.1
//   (2.15); make/photon/registry/Dockerfile.binary: BUILDTAGS include_oss
//   include_gcs) has the drivers filesystem, s3, azure, gcs, swift and oss
//   (goharbor/distribution release/2.8 cmd/registry/main.go; gcs and oss are
//   behind those build tags). registryctl reads the same config.yml with the
//   same drivers (v2.15.2 src/registryctl/main.go, src/registryctl/config/config.go;
//   .github/workflows/build-package.yml builds it with GOBUILDTAGS include_oss include_gcs).
// - The parameter names and types are what each driver's FromParameters reads
//   (goharbor/distribution release/2.8 registry/storage/driver/<driver>/).
//   Booleans are YAML booleans (oss refuses strings), sizes YAML integers.
// - core's REGISTRY_STORAGE_PROVIDER_NAME is the driver name
//   (v2.15.2 make/photon/prepare/utils/configs.py, templates/core/env.jinja).
import type { HarborClusterSpec, Storage } from '../api/types.generated.ts';
import { harborClusterDefaults as D } from '../api/types.generated.ts';
import type { StorageValues, VolumeValues } from './chart-values.ts';
import type { HarborSecrets } from './secrets-input.ts';

export type StorageDriver = StorageValues['type'];

const drivers = { Filesystem: 'filesystem', S3: 's3', Azure: 'azure', GCS: 'gcs', Swift: 'swift', OSS: 'oss' } as const;

/** cloudfront's ipfilteredby values (registry/storage/driver/middleware/cloudfront/middleware.go). */
const ipFilters = { None: 'none', AWS: 'aws', AWSRegion: 'awsregion' } as const;

type Param = StorageValues['parameters'][number]['value'];

/** The entries whose value is set, in order. */
function defined(entries: [string, Param | undefined][]): StorageValues['parameters'] {
  return entries.filter((e): e is [string, Param] => e[1] !== undefined && e[1] !== '').map(([name, value]) => ({ name, value }));
}

/** The same, as a map (the middleware's options). */
function definedMap(entries: [string, string | undefined][]): Record<string, string> {
  return Object.fromEntries(defined(entries).map((p) => [p.name, p.value as string]));
}

function need(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`${what} is set but its Secret was not read`);
  return value;
}

export function storageValues(spec: HarborClusterSpec, secrets: HarborSecrets, volume: VolumeValues): StorageValues {
  const storage: Storage = spec.storage ?? {};
  const kind = storage.type ?? D['spec.storage.type'];
  const type = drivers[kind];
  const base: StorageValues = {
    type,
    filesystem: { ...volume, existingClaim: storage.filesystem?.existingClaim ?? '' },
    parameters: [],
    secretParameters: {},
    gcsKeyFile: '',
    cloudFront: { enabled: false, options: {}, privateKey: '' },
    disableRedirect: false,
  };
  const missing = (section: string): Error => new Error(`spec.storage.${section} is required when spec.storage.type is ${kind}`);
  switch (type) {
    case 'filesystem':
      // The chart sets rootdirectory: the path it mounts the volume at.
      return base;
    case 's3': {
      const s = storage.s3;
      if (!s) throw missing('s3');
      const cf = s.cloudFront;
      const ref = s.credentialsSecretRef ? 'spec.storage.s3.credentialsSecretRef' : undefined;
      return {
        ...base,
        // The first six in the order of earlier releases of this chart, so
        // that an S3 registry's config.yml stays as it was (and its pods run on).
        parameters: defined([
          ['bucket', s.bucket],
          ['region', s.region],
          ['regionendpoint', s.endpoint],
          ['secure', s.secure ?? D['spec.storage.s3.secure']],
          ['v4auth', s.v4Auth ?? D['spec.storage.s3.v4Auth']],
          ['rootdirectory', s.rootDirectory],
          // Unset: the driver's default (false); not written, as before.
          ['encrypt', s.encrypt],
          ['keyid', s.keyID],
          ['skipverify', s.skipVerify],
          ['chunksize', s.chunkSize],
          ['storageclass', s.storageClass],
          ['objectacl', s.objectACL],
          ['multipartcopychunksize', s.multipartCopyChunkSize],
          ['multipartcopymaxconcurrency', s.multipartCopyMaxConcurrency],
          ['multipartcopythresholdsize', s.multipartCopyThresholdSize],
        ]),
        // Without a Secret the driver takes the pod's ambient AWS credentials.
        secretParameters: ref ? { accesskey: need(secrets.s3AccessKey, ref), secretkey: need(secrets.s3SecretKey, ref) } : {},
        cloudFront: cf
          ? {
              enabled: true,
              options: definedMap([
                ['baseurl', cf.baseURL],
                ['keypairid', cf.keyPairID],
                ['duration', cf.duration],
                ['ipfilteredby', cf.ipFilteredBy && ipFilters[cf.ipFilteredBy]],
                ['awsregion', cf.awsRegions?.join(',')],
              ]),
              privateKey: need(secrets.cloudFrontPrivateKey, 'spec.storage.s3.cloudFront.privateKeySecretRef'),
            }
          : base.cloudFront,
        disableRedirect: s.disableRedirect ?? D['spec.storage.s3.disableRedirect'],
      };
    }
    case 'azure': {
      const a = storage.azure;
      if (!a) throw missing('azure');
      return {
        ...base,
        parameters: defined([
          ['accountname', a.accountName],
          ['container', a.container],
          ['realm', a.realm],
        ]),
        secretParameters: { accountkey: need(secrets.azureAccountKey, 'spec.storage.azure.accountKeySecretRef') },
        disableRedirect: a.disableRedirect ?? D['spec.storage.azure.disableRedirect'],
      };
    }
    case 'gcs': {
      const g = storage.gcs;
      if (!g) throw missing('gcs');
      return {
        ...base,
        parameters: defined([
          ['bucket', g.bucket],
          ['rootdirectory', g.rootDirectory],
          ['chunksize', g.chunkSize],
        ]),
        // Without a key file the driver takes the pod's ambient Google credentials.
        gcsKeyFile: g.keyFileSecretRef ? need(secrets.gcsKeyFile, 'spec.storage.gcs.keyFileSecretRef') : '',
        disableRedirect: g.disableRedirect ?? D['spec.storage.gcs.disableRedirect'],
      };
    }
    case 'swift': {
      const w = storage.swift;
      if (!w) throw missing('swift');
      const ref = 'spec.storage.swift.credentialsSecretRef';
      return {
        ...base,
        parameters: defined([
          ['authurl', w.authURL],
          ['username', w.username],
          ['container', w.container],
          ['region', w.region],
          ['tenant', w.tenant],
          ['tenantid', w.tenantID],
          ['domain', w.domain],
          ['domainid', w.domainID],
          ['trustid', w.trustID],
          ['authversion', w.authVersion],
          ['endpointtype', w.endpointType],
          ['insecureskipverify', w.insecureSkipVerify ?? D['spec.storage.swift.insecureSkipVerify']],
          ['chunksize', w.chunkSize],
          ['prefix', w.prefix],
          ['tempurlcontainerkey', w.tempURLContainerKey ?? D['spec.storage.swift.tempURLContainerKey']],
          ['tempurlmethods', w.tempURLMethods && [...w.tempURLMethods]],
        ]),
        secretParameters: {
          password: need(secrets.swiftPassword, ref),
          ...(w.credentialsSecretRef.secretKeyKey ? { secretkey: need(secrets.swiftSecretKey, ref) } : {}),
          ...(w.credentialsSecretRef.accessKeyKey ? { accesskey: need(secrets.swiftAccessKey, ref) } : {}),
        },
        disableRedirect: w.disableRedirect ?? D['spec.storage.swift.disableRedirect'],
      };
    }
    case 'oss': {
      const o = storage.oss;
      if (!o) throw missing('oss');
      const ref = 'spec.storage.oss.credentialsSecretRef';
      return {
        ...base,
        parameters: defined([
          ['bucket', o.bucket],
          ['region', o.region],
          ['endpoint', o.endpoint],
          ['internal', o.internal ?? D['spec.storage.oss.internal']],
          ['encrypt', o.encrypt ?? D['spec.storage.oss.encrypt']],
          ['secure', o.secure ?? D['spec.storage.oss.secure']],
          ['chunksize', o.chunkSize],
          ['rootdirectory', o.rootDirectory],
        ]),
        secretParameters: { accesskeyid: need(secrets.ossAccessKeyId, ref), accesskeysecret: need(secrets.ossAccessKeySecret, ref) },
        disableRedirect: o.disableRedirect ?? D['spec.storage.oss.disableRedirect'],
      };
    }
  }
}
