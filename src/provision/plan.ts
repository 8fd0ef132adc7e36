// What to do on the PostgreSQL server, decided from what is there: pure
// functions of an observation. A role or database of the wanted name that
// does not carry this HarborCluster's mark is refused before anything is
// done, never altered.
import { markIdOf } from './mark.ts';
import type { ProvisionNames } from './names.ts';

export interface Observation {
  /** The administrative user is a superuser (it needs no membership to own what it creates). */
  superuser: boolean;
  /** server_version_num, e.g. 150010. */
  serverVersion: number;
  role?: { comment: string | null };
  database?: { owner: string; comment: string | null };
}

export type Action =
  /** CREATE ROLE … LOGIN PASSWORD and COMMENT ON ROLE, in one transaction. */
  | { kind: 'createRole'; role: string; comment: string }
  | { kind: 'setPassword'; role: string }
  /** GRANT role TO current_user: a non-superuser may create or drop a database of a role only as its member. */
  | { kind: 'grantToAdmin'; role: string }
  | { kind: 'createDatabase'; database: string; owner: string }
  | { kind: 'setOwner'; database: string; owner: string }
  | { kind: 'commentDatabase'; database: string; comment: string }
  | { kind: 'dropDatabase'; database: string; force: boolean }
  | { kind: 'dropRole'; role: string };

export interface Want {
  names: ProvisionNames;
  /** The provisioning id of this HarborCluster (see mark.ts). */
  id: string;
  /** The comment to mark what is created with. */
  comment: string;
  /** The password the role must have is not known to be set (first creation, a lost Secret, a rotation). */
  setPassword: boolean;
}

export type Decision =
  | { kind: 'ok'; actions: Action[] }
  | { kind: 'refused'; message: string };

const q = (s: string): string => JSON.stringify(s);

function ownership(obs: Observation, want: Pick<Want, 'names' | 'id'>): { role: boolean; database: boolean } {
  const role = obs.role !== undefined && markIdOf(obs.role.comment) === want.id;
  const db = obs.database;
  // A database without a comment owned by this HarborCluster's role is one
  // the operator created and could not mark yet (CREATE DATABASE cannot run
  // in the transaction that marks it): only a member of that role could
  // have made it.
  const database =
    db !== undefined && (markIdOf(db.comment) === want.id || (db.comment === null && role && db.owner === want.names.role));
  return { role, database };
}

function foreign(what: string, name: string, comment: string | null): string {
  const why =
    markIdOf(comment) !== undefined
      ? "was created by harbor-operator with another provisioning id than the one in this HarborCluster's generated Secret (for another HarborCluster, or before that Secret was lost)"
      : 'was not created by harbor-operator';
  return `${what} ${q(name)} already exists and ${why}; it is left alone (give this HarborCluster other names in spec.database.external, or remove it on the server)`;
}

export function planProvision(obs: Observation, want: Want): Decision {
  const { role, database } = want.names;
  const ours = ownership(obs, want);
  if (obs.role && !ours.role) return { kind: 'refused', message: foreign('role', role, obs.role.comment) };
  if (obs.database && !ours.database) return { kind: 'refused', message: foreign('database', database, obs.database.comment) };

  const actions: Action[] = [];
  if (!obs.role) actions.push({ kind: 'createRole', role, comment: want.comment });
  else if (want.setPassword) actions.push({ kind: 'setPassword', role });
  const db = obs.database;
  const dbActions: Action[] = [];
  if (!db) {
    dbActions.push({ kind: 'createDatabase', database, owner: role }, { kind: 'commentDatabase', database, comment: want.comment });
  } else {
    if (db.owner !== role) dbActions.push({ kind: 'setOwner', database, owner: role });
    if (markIdOf(db.comment) !== want.id) dbActions.push({ kind: 'commentDatabase', database, comment: want.comment });
  }
  if (dbActions.length > 0 && !obs.superuser) actions.push({ kind: 'grantToAdmin', role });
  actions.push(...dbActions);
  return { kind: 'ok', actions };
}

export interface DropPlan {
  actions: Action[];
  /** What exists but is not this HarborCluster's, so is kept. */
  kept: string[];
}

/** Drops what carries this HarborCluster's mark; anything else of those names is kept. */
export function planDrop(obs: Observation, want: Pick<Want, 'names' | 'id'>): DropPlan {
  const { role, database } = want.names;
  const ours = ownership(obs, want);
  const actions: Action[] = [];
  const kept: string[] = [];
  if (obs.database) {
    if (ours.database) {
      if (!obs.superuser && ours.role && obs.database.owner === role) actions.push({ kind: 'grantToAdmin', role });
      // WITH (FORCE) ends Harbor's connections (PostgreSQL 13 and later).
      actions.push({ kind: 'dropDatabase', database, force: obs.serverVersion >= 130000 });
    } else kept.push(`database ${q(database)}`);
  }
  if (obs.role) {
    if (ours.role) actions.push({ kind: 'dropRole', role });
    else kept.push(`role ${q(role)}`);
  }
  return { actions, kept };
}

/** Whether a HarborCluster whose database cannot be dropped is let go: after timeoutMs of trying since its deletion. */
export function dropGivenUp(deletionTimestamp: string, now: Date, timeoutMs: number): boolean {
  const since = Date.parse(deletionTimestamp);
  return Number.isFinite(since) && now.getTime() - since >= timeoutMs;
}
