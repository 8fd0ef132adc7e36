// Settings of Harbor core that differ between releases: which registry types
// core offers for replication endpoints and which of them may back a
// proxy-cache project. Keyed by minor line: every patch release of a line was
// checked and has the same lists (goharbor/harbor v2.13.0–v2.13.5,
// v2.14.0–v2.14.4, v2.15.0–v2.15.2, make/photon/prepare/templates/core/env.jinja;
// checked 2026-12-01).
//
// The release table (src/api/versions.ts) may refer to a line's entry here
// (registryTypesByLine[line]) instead of copying the lists; registryTypes()
// is what the values mapping calls.

export interface RegistryTypes {
  /**
   * REPLICATION_ADAPTER_WHITELIST of core: the adapters core offers. Empty:
   * the release does not read the variable (it offers every adapter it has)
   * and the chart does not render it.
   */
  replicationAdapterWhitelist: readonly string[];
  /** PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE of core, in upstream's order. */
  proxyCacheRegistryTypes: readonly string[];
}

// The 12 adapters upstream allows, in upstream's order.
// goharbor/harbor v2.14.0 … v2.15.2 make/photon/prepare/templates/core/env.jinja
// (REPLICATION_ADAPTER_WHITELIST=…); also harbor-helm v1.18.4 and v1.19.1
// templates/core/core-cm.yaml. Read by core since 2.14:
// v2.14.0 src/lib/config/metadata/metadatalist.go (EnvKey REPLICATION_ADAPTER_WHITELIST,
// default "") and src/controller/registry/controller.go (getWhitelistedAdapters: an
// empty value leaves no adapter at all). v2.13.5 has neither the variable in
// env.jinja nor any reader of it in src/.
const whitelist214 = [
  'ali-acr',
  'aws-ecr',
  'azure-acr',
  'docker-hub',
  'docker-registry',
  'github-ghcr',
  'google-gcr',
  'harbor',
  'huawei-SWR',
  'jfrog-artifactory',
  'tencent-tcr',
  'volcengine-cr',
] as const;

export const registryTypesByLine: Readonly<Record<string, RegistryTypes>> = {
  '2.13': {
    replicationAdapterWhitelist: [],
    // goharbor/harbor v2.13.0 … v2.13.5 make/photon/prepare/templates/core/env.jinja
    // (with quay; harbor-helm v1.17.4 core-cm.yaml lists the same without ali-acr,
    // Harbor's own env.jinja is followed).
    proxyCacheRegistryTypes: [
      'docker-hub',
      'harbor',
      'azure-acr',
      'ali-acr',
      'aws-ecr',
      'google-gcr',
      'quay',
      'docker-registry',
      'github-ghcr',
      'jfrog-artifactory',
    ],
  },
  '2.14': {
    replicationAdapterWhitelist: whitelist214,
    // goharbor/harbor v2.14.0 … v2.14.4 make/photon/prepare/templates/core/env.jinja (no quay).
    proxyCacheRegistryTypes: [
      'docker-hub',
      'harbor',
      'azure-acr',
      'ali-acr',
      'aws-ecr',
      'google-gcr',
      'docker-registry',
      'github-ghcr',
      'jfrog-artifactory',
    ],
  },
  '2.15': {
    replicationAdapterWhitelist: whitelist214,
    // goharbor/harbor v2.15.0 … v2.15.2 make/photon/prepare/templates/core/env.jinja (no quay).
    proxyCacheRegistryTypes: [
      'docker-hub',
      'harbor',
      'azure-acr',
      'ali-acr',
      'aws-ecr',
      'google-gcr',
      'docker-registry',
      'github-ghcr',
      'jfrog-artifactory',
    ],
  },
};

/** The registry types of the line a release belongs to; throws for a line this table does not know. */
export function registryTypes(version: string): RegistryTypes {
  const m = /^([0-9]+\.[0-9]+)\.[0-9]+$/.exec(version);
  const entry = m?.[1] !== undefined ? registryTypesByLine[m[1]] : undefined;
  if (!entry) throw new Error(`no registry types known for Harbor ${version}`);
  return entry;
}
