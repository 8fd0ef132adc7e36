// Every Harbor release the operator runs, one row each, with what the chart
// needs to know of it. Nothing here is derived from a neighbouring row: each
// row names the upstream tag and files it was read from (goharbor/harbor at
// that tag; the harbor-helm chart of the same appVersion for the tags its
// values.yaml uses). The CRD's rule on spec.version lists exactly these
// versions (test/unit/versions.test.ts), so an unknown version is refused by
// the API server and never guessed.
//
// What the files say, and hold for the rows that cite them:
// - make/photon/Makefile, target `build` (v2.13.0–v2.13.2) or `buildcompt`
//   without the installer (v2.13.3+): the images built, under goharbor/,
//   tagged by the release pipeline; harbor-helm's values.yaml uses
//   docker.io/goharbor/<name>:v<release> for each of them.
// - make/photon/redis/Dockerfile: `CMD ["redis-server", "/etc/redis.conf"]`,
//   USER redis (uid 999, Dockerfile.base), data in /var/lib/redis.
//   make/photon/valkey/Dockerfile (first in v2.15.2, which has no redis
//   folder): `CMD ["valkey-server", "/etc/redis.conf"]`, USER valkey (uid 999),
//   data in /var/lib/redis.
// - make/photon/db/Dockerfile: `ENTRYPOINT ["/docker-entrypoint.sh", "<old>",
//   "<new>"]`; docker-entrypoint.sh runs PostgreSQL <new> on $PGDATA/pg<new>
//   and, when that is empty and $PGDATA/pg<old> holds data, pg_upgrade's it
//   from <old> first (see src/status/database-upgrade.ts).
// - make/photon/prepare/templates/core/env.jinja: the registry types core
//   permits for proxy-cache projects and, from v2.14.0, the replication
//   adapters it offers (REPLICATION_ADAPTER_WHITELIST, read through
//   src/lib/config/metadata/metadatalist.go; v2.13.x has no such setting).

/** The chart's components with an image of their own. */
export type ImageComponent =
  | 'core'
  | 'portal'
  | 'jobservice'
  | 'registry'
  | 'registryctl'
  | 'trivy'
  | 'exporter'
  | 'proxy'
  | 'database'
  | 'cache';

export interface Release {
  /** "<major>.<minor>.<patch>", the value of spec.version. */
  version: string;
  /** Tag of every image of the release. */
  tag: string;
  /** Image names under goharbor/, by component. */
  images: Readonly<Record<ImageComponent, string>>;
  /** The in-cluster cache: the server its image's CMD runs (with /etc/redis.conf). */
  cache: { server: 'redis-server' | 'valkey-server' };
  /** harbor-db: the PostgreSQL major it runs, and the one it upgrades $PGDATA from. */
  database: { postgresMajor: number; upgradesFromMajor: number };
  /** core's settings upstream's installer gives this release. */
  core: {
    /** PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE. */
    proxyCacheRegistryTypes: string;
    /** REPLICATION_ADAPTER_WHITELIST; undefined where core has no such setting. */
    replicationAdapterWhitelist: string | undefined;
  };
}

// make/photon/redis/Dockerfile (v2.13.0–v2.15.1) and make/photon/valkey/Dockerfile (v2.15.2).
const redis = { image: 'redis-photon', server: 'redis-server' } as const;
const valkey = { image: 'valkey-photon', server: 'valkey-server' } as const;

// make/photon/db/Dockerfile ENTRYPOINT: "14", "15" (v2.13.0–v2.15.1); "15", "18" (v2.15.2).
const pg15 = { postgresMajor: 15, upgradesFromMajor: 14 } as const;
const pg18 = { postgresMajor: 18, upgradesFromMajor: 15 } as const;

// make/photon/prepare/templates/core/env.jinja: v2.13.x permits quay and has no whitelist;
// v2.14.0 dropped quay and added the whitelist (unchanged through v2.15.2). Read by core since
// 2.14: v2.14.0 src/lib/config/metadata/metadatalist.go (EnvKey REPLICATION_ADAPTER_WHITELIST,
// default "") and src/controller/registry/controller.go (getWhitelistedAdapters: an empty value
// leaves no adapter at all); v2.13.5 has neither the variable in env.jinja nor a reader of it in
// src/. harbor-helm v1.17.4 core-cm.yaml lists 2.13's proxy-cache types without ali-acr; Harbor's
// own env.jinja is followed.
const core213 = {
  proxyCacheRegistryTypes: 'docker-hub,harbor,azure-acr,ali-acr,aws-ecr,google-gcr,quay,docker-registry,github-ghcr,jfrog-artifactory',
  replicationAdapterWhitelist: undefined,
} as const;
const core214 = {
  proxyCacheRegistryTypes: 'docker-hub,harbor,azure-acr,ali-acr,aws-ecr,google-gcr,docker-registry,github-ghcr,jfrog-artifactory',
  replicationAdapterWhitelist:
    'ali-acr,aws-ecr,azure-acr,docker-hub,docker-registry,github-ghcr,google-gcr,harbor,huawei-SWR,jfrog-artifactory,tencent-tcr,volcengine-cr',
} as const;

function release(
  version: string,
  cache: typeof redis | typeof valkey,
  database: typeof pg15 | typeof pg18,
  core: typeof core213 | typeof core214,
): Release {
  return {
    version,
    tag: `v${version}`,
    images: {
      core: 'harbor-core',
      portal: 'harbor-portal',
      jobservice: 'harbor-jobservice',
      registry: 'registry-photon',
      registryctl: 'harbor-registryctl',
      trivy: 'trivy-adapter-photon',
      exporter: 'harbor-exporter',
      proxy: 'nginx-photon',
      database: 'harbor-db',
      cache: cache.image,
    },
    cache: { server: cache.server },
    database,
    core,
  };
}

/** Oldest first. Each row: goharbor/harbor <tag> make/photon/Makefile, make/photon/{redis|valkey}/Dockerfile,
 *  make/photon/db/Dockerfile, make/photon/prepare/templates/core/env.jinja; and harbor-helm's values.yaml. */
export const releases: readonly Release[] = [
  release('2.13.0', redis, pg15, core213), // v2.13.0; harbor-helm v1.17.0
  release('2.13.1', redis, pg15, core213), // v2.13.1; harbor-helm v1.17.1
  release('2.13.2', redis, pg15, core213), // v2.13.2; harbor-helm v1.17.2
  release('2.13.3', redis, pg15, core213), // v2.13.3; harbor-helm v1.17.3
  release('2.13.4', redis, pg15, core213), // v2.13.4; harbor-helm v1.17.4
  release('2.13.5', redis, pg15, core213), // v2.13.5; harbor-helm 1.17.5 (branch 1.17.0, 5c824b53)
  release('2.14.0', redis, pg15, core214), // v2.14.0; harbor-helm v1.18.0
  release('2.14.1', redis, pg15, core214), // v2.14.1; harbor-helm v1.18.1
  release('2.14.2', redis, pg15, core214), // v2.14.2; harbor-helm v1.18.2
  release('2.14.3', redis, pg15, core214), // v2.14.3; harbor-helm v1.18.3
  release('2.14.4', redis, pg15, core214), // v2.14.4; harbor-helm v1.18.4
  release('2.15.0', redis, pg15, core214), // v2.15.0; harbor-helm v1.19.0
  release('2.15.1', redis, pg15, core214), // v2.15.1; harbor-helm v1.19.1
  release('2.15.2', valkey, pg18, core214), // v2.15.2 ("replace redis with valkey", PostgreSQL 18); harbor-helm 1.19.2 (branch 1.19.0, d84cec33)
];

/** The newest release: the default of spec.version. */
export const defaultVersion = '2.15.2';

/** The row of a version, if the table has one. */
export function releaseOf(version: string): Release | undefined {
  return releases.find((r) => r.version === version);
}

/** The versions of the table, oldest first. */
export function supportedVersions(): string[] {
  return releases.map((r) => r.version);
}
