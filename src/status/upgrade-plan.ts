// An upgrade as status records it (status.upgrade), and which release each
// component runs in each of its phases. Pure.
//
// The order is the one Harbor needs. A backup first, while every component
// still runs `from`. Then the in-cluster database alone at `to`: harbor-db's
// entrypoint upgrades the data directory to its PostgreSQL major at its first
// start (goharbor/harbor v2.15.2 make/photon/db/docker-entrypoint.sh and
// upgrade.sh; see database-upgrade.ts). Then core at `to`: core migrates the
// schema at its start (v2.15.2 src/core/main.go calls migration.Migrate, which
// runs golang-migrate's Up over make/migrations/postgresql/*.up.sql: every
// script after the schema's version, src/common/dao/pgsql.go UpgradeSchema).
// Then the rest, which read the migrated schema or talk to core.
import { uniformVersions, type ComponentVersions } from '../api/component-versions.ts';

export const UPGRADE_PHASES = ['BackingUp', 'UpgradingDatabase', 'UpgradingCore', 'Rolling', 'Done', 'Failed'] as const;

export type UpgradePhase = (typeof UPGRADE_PHASES)[number];

/** When a phase began and, once left, when it ended. */
export interface PhaseTime {
  name: UpgradePhase;
  startedAt: string;
  finishedAt?: string;
}

/** status.upgrade: the last change of spec.version and where it stands. */
export interface UpgradeStatus {
  /** The release the cluster ran when the upgrade began. */
  from: string;
  /** spec.version the upgrade moves to. */
  to: string;
  phase: UpgradePhase;
  startedAt: string;
  /** Every phase entered, in order, with its times. */
  phases: PhaseTime[];
  /** What the phase is doing or waiting for (Done: how it went; Failed: why it stopped). */
  message: string;
  /** Set while the upgrade is stopped (Failed) or a phase is overdue: Degraded carries it. */
  reason?: string;
  /** The backup taken before anything changed (an entry of status.backups, copied as it is). */
  backup?: Record<string, unknown>;
}

/** Whether an upgrade is under way (or stopped before any change): components may run different releases. */
export function upgradeActive(u: UpgradeStatus | undefined): u is UpgradeStatus {
  return u !== undefined && u.phase !== 'Done';
}

/** The release of every component in a phase of the upgrade from → to. */
export function upgradePlan(from: string, to: string, phase: UpgradePhase): ComponentVersions {
  switch (phase) {
    // A backup, and a stopped backup: nothing has changed.
    case 'BackingUp':
    case 'Failed':
      return uniformVersions(from);
    case 'UpgradingDatabase':
      return { ...uniformVersions(from), database: to };
    case 'UpgradingCore':
      return { ...uniformVersions(from), database: to, core: to };
    case 'Rolling':
    case 'Done':
      return uniformVersions(to);
  }
}

/** What each component runs now: the upgrade's phase while one is under way, else spec.version. */
export function plannedVersions(specVersion: string, upgrade: UpgradeStatus | undefined): ComponentVersions {
  return upgradeActive(upgrade) ? upgradePlan(upgrade.from, upgrade.to, upgrade.phase) : uniformVersions(specVersion);
}
