// What goharbor/harbor builds and configures at each release tag, written down from its own
// files, independently of src/api/releases.ts so that a wrong row there fails
// test/unit/releases.test.ts:
// - images: the targets of make/photon/Makefile's `build` (v2.13.0–v2.13.2;
//   prepare and harbor-log are installer-only and left out) or of `buildcompt`
//   with BUILD_INSTALLER=false (v2.13.3 on), each the `-t $(DOCKERIMAGENAME_*)`
//   of its target, under goharbor/;
// - cacheCmd: CMD of make/photon/redis/Dockerfile (make/photon/valkey/Dockerfile
//   in v2.15.2);
// - dbEntrypoint: ENTRYPOINT of make/photon/db/Dockerfile;
// - coreEnv: PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE and REPLICATION_ADAPTER_WHITELIST
//   in make/photon/prepare/templates/core/env.jinja (absent: the template has no such line).
// Read with `git -C <mirror> show <tag>:<file>` on 2026-12-01 (the mirror at /work/.mirror/goharbor+harbor).

export interface UpstreamBuild {
  images: readonly string[];
  cacheCmd: readonly string[];
  dbEntrypoint: readonly string[];
  coreEnv: Readonly<Record<string, string>>;
}

const common = [
  'harbor-core',
  'harbor-db',
  'harbor-exporter',
  'harbor-jobservice',
  'harbor-portal',
  'harbor-registryctl',
  'nginx-photon',
  'registry-photon',
  'trivy-adapter-photon',
];
const withRedis = [...common, 'redis-photon'].sort();
const withValkey = [...common, 'valkey-photon'].sort();
const redisCmd = ['redis-server', '/etc/redis.conf'];
const valkeyCmd = ['valkey-server', '/etc/redis.conf'];
const db1415 = ['/docker-entrypoint.sh', '14', '15'];
const db1518 = ['/docker-entrypoint.sh', '15', '18'];
const env213 = {
  PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE: 'docker-hub,harbor,azure-acr,ali-acr,aws-ecr,google-gcr,quay,docker-registry,github-ghcr,jfrog-artifactory',
};
const env214 = {
  PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE: 'docker-hub,harbor,azure-acr,ali-acr,aws-ecr,google-gcr,docker-registry,github-ghcr,jfrog-artifactory',
  REPLICATION_ADAPTER_WHITELIST:
    'ali-acr,aws-ecr,azure-acr,docker-hub,docker-registry,github-ghcr,google-gcr,harbor,huawei-SWR,jfrog-artifactory,tencent-tcr,volcengine-cr',
};

/** By tag. */
export const upstreamBuilds: Readonly<Record<string, UpstreamBuild>> = {
  'v2.13.0': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env213 },
  'v2.13.1': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env213 },
  'v2.13.2': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env213 },
  'v2.13.3': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env213 },
  'v2.13.4': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env213 },
  'v2.13.5': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env213 },
  'v2.14.0': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env214 },
  'v2.14.1': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env214 },
  'v2.14.2': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env214 },
  'v2.14.3': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env214 },
  'v2.14.4': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env214 },
  'v2.15.0': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env214 },
  'v2.15.1': { images: withRedis, cacheCmd: redisCmd, dbEntrypoint: db1415, coreEnv: env214 },
  // "replace redis with valkey" and PostgreSQL 18.
  'v2.15.2': { images: withValkey, cacheCmd: valkeyCmd, dbEntrypoint: db1518, coreEnv: env214 },
};
