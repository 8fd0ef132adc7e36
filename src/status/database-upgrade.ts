// Whether a version change moves the in-cluster database to another
// PostgreSQL major, and what status says about it. Pure: plain data in, a
// decision out; the reconciler writes the condition before it applies the
// changed database StatefulSet, so it is in status before the pod rolls.
//
// What harbor-db does with its data (goharbor/harbor, make/photon/db/ at
// v2.15.1 and v2.15.2: Dockerfile, docker-entrypoint.sh, upgrade.sh, initdb.sh):
// - ENTRYPOINT ["/docker-entrypoint.sh", "<old>", "<new>"] ("14", "15" up to
//   v2.15.1, "15", "18" in v2.15.2). The data of major N lives in
//   $PGDATA/pgN; postgres runs on $PGDATA/pg<new>.
// - When $PGDATA/pg<new>/PG_VERSION is missing and $PGDATA/pg<old>/PG_VERSION
//   exists, it initdb's pg<new> (v2.15.2: with --no-data-checksums when the old
//   cluster has none), starts and stops the old cluster once (port 5433),
//   then runs pg_upgrade without --link or --clone: a copy, so the volume must
//   hold the old and the new data at once; pg<old> is deleted only after
//   success, pg<new> after a failure. v2.15.2 also refreshes the collation
//   version of every database and keeps the old pg_hba.conf (md5); a fresh
//   initdb there uses scram-sha-256.
// - When neither exists it initialises an empty database: data of any other
//   major would be ignored, which is why a change the image cannot upgrade
//   from is refused here ('unsupported') rather than applied.
// - pg_upgrade runs in /tmp and the servers use /run/postgresql: both on the
//   container's writable root filesystem. The image's health check (psql on
//   localhost) fails until the upgraded server listens, so the whole upgrade
//   must fit in the StatefulSet's startup probe (10 minutes,
//   charts/harbor/templates/database/statefulset.yaml); a restart in the
//   middle finds pg<new>/PG_VERSION and starts on the partial copy.
import { releaseOf, type Release } from '../api/releases.ts';
import type { HarborCluster } from '../api/types.generated.ts';
import { harborClusterDefaults as D } from '../api/types.generated.ts';
import type { KubeObject } from '../model/object.ts';
import { setCondition, type Condition } from './conditions.ts';

export const DATABASE_UPGRADE = 'DatabaseUpgrade';

/** The live database StatefulSet, as far as the decision needs it. */
export interface LiveDatabase {
  /** Image of its container "database". */
  image: string;
  /** Every replica runs the current template and is ready. */
  rolledOut: boolean;
}

export interface DatabaseUpgradeInput {
  inCluster: boolean;
  /** spec.version. */
  desiredVersion: string;
  /** status.version: the release last seen Ready. */
  statusVersion: string | undefined;
  live: LiveDatabase | undefined;
  /** The DatabaseUpgrade condition in status, if any. */
  condition: Condition | undefined;
  /** spec.database.inCluster.storageSize, for the message (a request, not a measurement). */
  storageSize: string;
}

export interface Majors {
  from: number;
  to: number;
  /** The release the database runs now (when known) and the one it moves to. */
  fromVersion: string | undefined;
  toVersion: string;
  storageSize: string;
}

export type DatabaseUpgrade =
  /** Nothing to say: no in-cluster database, a first install, or the same major. */
  | { kind: 'none' }
  /** The change ahead crosses a major: say so before the StatefulSet changes. */
  | ({ kind: 'pending' } & Majors)
  /** Announced; the StatefulSet runs the new image but is not ready yet. */
  | ({ kind: 'rolling' } & Majors)
  /** Announced; the new image is rolled out and ready. */
  | ({ kind: 'done' } & Majors)
  /** The new image cannot upgrade from the major the data is in (it upgrades only from upgradesFrom). */
  | ({ kind: 'unsupported'; upgradesFrom: number } & Majors);

type Lookup = (version: string) => Release | undefined;

/** The version an image reference is tagged with: ".../harbor-db:v2.15.1" → "2.15.1". */
export function versionOfImage(image: string): string | undefined {
  const m = /:v(\d+\.\d+\.\d+)$/.exec(image);
  return m?.[1];
}

const reasonSyntax = /^PostgreSQL(\d+)To(\d+)$/;

export function upgradeReason(from: number, to: number): string {
  return `PostgreSQL${from}To${to}`;
}

export function decideDatabaseUpgrade(input: DatabaseUpgradeInput, lookup: Lookup = releaseOf): DatabaseUpgrade {
  const desired = lookup(input.desiredVersion);
  if (!input.inCluster || !desired) return { kind: 'none' };
  const to = desired.database.postgresMajor;
  // What the data is in: the live StatefulSet's image, else the last Ready release.
  const liveVersion = input.live ? versionOfImage(input.live.image) : undefined;
  const liveRelease = liveVersion !== undefined ? lookup(liveVersion) : undefined;
  const statusRelease = input.statusVersion ? lookup(input.statusVersion) : undefined;
  const running = liveRelease ?? statusRelease;
  if (!running) return { kind: 'none' };
  const from = running.database.postgresMajor;
  if (from !== to) {
    const majors = { from, to, fromVersion: running.version, toVersion: desired.version, storageSize: input.storageSize };
    const upgradesFrom = desired.database.upgradesFromMajor;
    return upgradesFrom === from ? { kind: 'pending', ...majors } : { kind: 'unsupported', upgradesFrom, ...majors };
  }
  // Same major as what runs: finishing an announced upgrade, or nothing.
  const c = input.condition;
  const m = c?.status === 'True' ? reasonSyntax.exec(c.reason) : null;
  if (!m || Number(m[2]) !== to) return { kind: 'none' };
  const majors = { from: Number(m[1]), to, fromVersion: statusRelease?.version, toVersion: desired.version, storageSize: input.storageSize };
  const rolled = liveRelease?.version === desired.version && input.live?.rolledOut === true;
  return rolled ? { kind: 'done', ...majors } : { kind: 'rolling', ...majors };
}

/** The condition a decision sets; undefined leaves the condition as it is. */
export function databaseUpgradeCondition(d: DatabaseUpgrade): Pick<Condition, 'status' | 'reason' | 'message'> | undefined {
  switch (d.kind) {
    case 'none':
    case 'unsupported':
      return undefined;
    case 'pending':
    case 'rolling':
      return { status: 'True', reason: upgradeReason(d.from, d.to), message: upgradeMessage(d) };
    case 'done':
      return {
        status: 'False',
        reason: `UpgradedToPostgreSQL${d.to}`,
        message: `the in-cluster database was upgraded from PostgreSQL ${d.from} to ${d.to}: harbor-db v${d.toVersion} is rolled out and ready`,
      };
  }
}

/** What the condition and the event say while an upgrade is ahead or under way. */
export function upgradeMessage(d: Majors): string {
  const from = d.fromVersion ? ` (Harbor ${d.fromVersion})` : '';
  return (
    `the in-cluster database moves from PostgreSQL ${d.from}${from} to PostgreSQL ${d.to} (Harbor ${d.toVersion}): ` +
    `at its first start harbor-db v${d.toVersion} copies $PGDATA/pg${d.from} into $PGDATA/pg${d.to} with pg_upgrade and then deletes pg${d.from}, ` +
    `so its volume (spec.database.inCluster.storageSize ${d.storageSize}) needs room for a second copy of the data meanwhile, ` +
    'and the upgrade must finish within the startup probe (10 minutes); it cannot be undone'
  );
}

/** Why a change is refused when the new image cannot upgrade the data. */
export function unsupportedMessage(d: Majors & { upgradesFrom: number }): string {
  return (
    `harbor-db v${d.toVersion} runs PostgreSQL ${d.to} and upgrades only from PostgreSQL ${d.upgradesFrom}; ` +
    `the in-cluster database holds PostgreSQL ${d.from} data (Harbor ${d.fromVersion ?? 'unknown'}), which it would ignore and start empty: ` +
    'upgrade through a release in between first'
  );
}

interface StatefulSetShape {
  metadata: { generation?: number; labels?: Record<string, string> };
  spec?: { replicas?: number; template?: { spec?: { containers?: { name: string; image?: string }[] } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** The in-cluster database among a cluster's workloads (component label "database"). */
export function liveDatabase(workloads: readonly KubeObject[], componentLabel: string): LiveDatabase | undefined {
  const sts = workloads.find((o) => o.kind === 'StatefulSet' && o.metadata.labels?.[componentLabel] === 'database');
  if (!sts) return undefined;
  const s = sts as unknown as StatefulSetShape;
  const image = s.spec?.template?.spec?.containers?.find((c) => c.name === 'database')?.image;
  if (!image) return undefined;
  const want = s.spec?.replicas ?? 1;
  const st = s.status ?? {};
  const rolledOut =
    want > 0 &&
    (st.observedGeneration ?? 0) >= (s.metadata.generation ?? 0) &&
    st.replicas === want &&
    st.updatedReplicas === want &&
    st.readyReplicas === want &&
    (st.updateRevision === undefined || st.currentRevision === st.updateRevision);
  return { image, rolledOut };
}

/** The decision for a HarborCluster, its status and its live workloads. */
export function databaseUpgradeOf(
  cr: HarborCluster,
  status: { version?: string; conditions?: Condition[] } | undefined,
  workloads: readonly KubeObject[],
  componentLabel: string,
  /** The release the database is to run now (its upgrade step's); spec.version by default. */
  databaseVersion?: string,
): DatabaseUpgrade {
  return decideDatabaseUpgrade({
    inCluster: (cr.spec.database?.type ?? D['spec.database.type']) === 'InCluster',
    desiredVersion: databaseVersion || (cr.spec.version ?? D['spec.version']),
    statusVersion: status?.version || undefined,
    live: liveDatabase(workloads, componentLabel),
    condition: status?.conditions?.find((c) => c.type === DATABASE_UPGRADE),
    storageSize: cr.spec.database?.inCluster?.storageSize ?? D['spec.database.inCluster.storageSize'],
  });
}

/** Conditions with the DatabaseUpgrade condition a decision sets (unchanged when it sets none). */
export function withDatabaseUpgrade(
  conditions: readonly Condition[],
  d: DatabaseUpgrade,
  generation: number,
  now: string,
): Condition[] {
  const c = databaseUpgradeCondition(d);
  if (!c) return [...conditions];
  return setCondition(conditions, { type: DATABASE_UPGRADE, ...c, observedGeneration: generation }, now);
}
