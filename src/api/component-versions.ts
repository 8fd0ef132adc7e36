// The release each workload of a HarborCluster runs. Outside an upgrade every
// component runs spec.version; during one they run the release of their step
// (status/upgrade-plan.ts), and the chart renders each from its own row of
// the release table (render/values.ts).
import { releaseOf, supportedVersions, type Release } from './releases.ts';
import { compareVersions } from './versions.ts';

/**
 * The workloads an upgrade moves, by the steps it moves them in: the
 * in-cluster database, core, and the rest (registry and registryctl share a
 * pod, so they move together; the cache is the in-cluster Redis/Valkey).
 */
export const upgradeComponents = ['database', 'core', 'portal', 'jobservice', 'registry', 'trivy', 'exporter', 'proxy', 'cache'] as const;

export type UpgradeComponent = (typeof upgradeComponents)[number];

export type ComponentVersions = Readonly<Record<UpgradeComponent, string>>;

/** Every component at one release. */
export function uniformVersions(version: string): ComponentVersions {
  return Object.fromEntries(upgradeComponents.map((c) => [c, version])) as Record<UpgradeComponent, string>;
}

/** The release row of every component; throws naming the first version the table does not have. */
export function releasesOf(versions: ComponentVersions): Readonly<Record<UpgradeComponent, Release>> {
  const out = {} as Record<UpgradeComponent, Release>;
  for (const c of upgradeComponents) {
    const r = releaseOf(versions[c]);
    if (!r) throw new Error(`${c} would run Harbor ${versions[c]}, a release this operator does not know (${supportedVersions().join(', ')})`);
    out[c] = r;
  }
  return out;
}

/** The oldest release any component runs: what the cluster as a whole has reached. */
export function oldestVersion(versions: ComponentVersions): string {
  return upgradeComponents.map((c) => versions[c]).reduce((a, b) => (compareVersions(a, b) <= 0 ? a : b));
}
