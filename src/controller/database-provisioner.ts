// The reconcile step that provisions Harbor's role and database on an
// external PostgreSQL (spec.database.external.provision), before anything of
// Harbor is applied: a failure stops the reconcile, so core never starts
// against a database that is not there. Decisions are pure (src/provision/
// names, plan, mark); PostgreSQL is reached through src/provision/postgres.ts
// and the API server through narrow interfaces.
//
// The password is the generated Secret's databasePassword. It is set in the
// database when the role is created, when the Secret does not hold it (the
// Secret was lost: a new one was generated) and when the rotation annotation
// asks; the database is changed first, then the Secret is written by the
// apply that follows, so a crash in between makes the next reconcile set a
// password again rather than leave the two apart.
import { createHash } from 'node:crypto';
import type { DatabaseExternal, HarborCluster } from '../api/types.generated.ts';
import { harborClusterDefaults as D } from '../api/types.generated.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { FinalizerWriter } from '../kube/finalizers.ts';
import type { SecretReader } from '../kube/writer.ts';
import type { KubeObject } from '../model/object.ts';
import type { AdminConnection } from '../provision/connection.ts';
import { classify, type FailureReason } from '../provision/errors.ts';
import { markText } from '../provision/mark.ts';
import { InvalidNameError, provisionNames, type ProvisionNames } from '../provision/names.ts';
import { dropGivenUp, planDrop, planProvision, type Action } from '../provision/plan.ts';
import { pgConnector, type PostgresConnector, type PostgresSession } from '../provision/postgres.ts';
import { scramVerifier } from '../provision/scram.ts';
import { randomString, type GeneratedSecrets, type RandomBytes } from '../secrets/generate.ts';
import type { StepCondition } from '../status/observe.ts';
import { generatedSecretName, readGenerated } from './generated-secret.ts';
import type { ClusterCache, Logger } from './ports.ts';
import { redact } from './redact.ts';
import { SecretRefError, valueOf } from './secret-refs.ts';
import type { ResolvedSecrets } from './secrets-source.ts';

/** Set to a new value to have the database password rotated (in the database, then in Harbor). */
export const ROTATE_ANNOTATION = 'harbor-operator.dev/rotate-database-password';
/** Held on a HarborCluster whose database and role are dropped with it. */
export const DATABASE_FINALIZER = 'harbor-operator.dev/database';
/** How long a deleted HarborCluster waits for its database to be dropped before it is let go. */
export const DROP_TIMEOUT_MS = 10 * 60_000;
export const CONDITION = 'DatabaseProvisioned';

const PASSWORD_LENGTH = 24;
const ID_LENGTH = 20;

export type ProvisionReason = FailureReason | 'NotOwned' | 'InvalidName' | 'SecretNotFound';

/** Provisioning failed; the message names the cause (server's error, refusal) and carries no credential. */
export class DatabaseProvisionError extends Error {
  readonly reason: ProvisionReason;
  constructor(reason: ProvisionReason, message: string) {
    super(message);
    this.name = 'DatabaseProvisionError';
    this.reason = reason;
  }
}

export interface DatabaseProvisionerDeps {
  cache: ClusterCache;
  reader: SecretReader;
  finalizers: FinalizerWriter;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
  random: RandomBytes;
  postgres?: PostgresConnector;
  dropTimeoutMs?: number;
}

interface Pending {
  password: string;
  id: string;
  rotation: string | undefined;
}

type Provisioned = HarborCluster & { metadata: KubeObject['metadata'] };

function provisionOf(cr: HarborCluster): DatabaseExternal | undefined {
  const db = cr.spec.database;
  return db?.type === 'External' && db.external?.provision ? db.external : undefined;
}

export class DatabaseProvisioner {
  private readonly d: DatabaseProvisionerDeps;
  private readonly postgres: PostgresConnector;
  /** Fingerprint of the inputs last found provisioned, by cluster key: nothing to check again. */
  private readonly verified = new Map<string, string>();
  /** Set in the database, not yet seen in the generated Secret, by cluster key. */
  private readonly pending = new Map<string, Pending>();
  private readonly condition = new Map<string, StepCondition>();

  constructor(deps: DatabaseProvisionerDeps) {
    this.d = deps;
    this.postgres = deps.postgres ?? pgConnector;
  }

  /** The DatabaseProvisioned condition as this process last found it (none before it looked). */
  conditions(key: string): StepCondition[] {
    const c = this.condition.get(key);
    return c ? [c] : [];
  }

  /**
   * Makes the role and database exist (or refuses), and returns the secrets
   * with the password Harbor must use and the provisioning keys to store.
   * Throws DatabaseProvisionError.
   */
  async ensure(key: string, live: KubeObject, resolved: ResolvedSecrets): Promise<ResolvedSecrets> {
    const cr = live as unknown as Provisioned;
    const ext = provisionOf(cr);
    if (!ext?.provision) {
      this.forget(key);
      return resolved;
    }
    const ns = cr.metadata.namespace ?? '';
    const name = cr.metadata.name;
    const names = this.namesOf(key, cr, ext);
    const uid = cr.metadata.uid ?? '';
    // Dropping with the cluster needs the finalizer, in place before anything is created.
    const dropWithCluster = cr.spec.persistence?.deleteClaimsWithCluster === true;
    if (this.holdsFinalizer(live) !== dropWithCluster) await this.d.finalizers.setFinalizer(ns, name, uid, DATABASE_FINALIZER, dropWithCluster);

    const stored = await this.stored(ns, name);
    let pending = this.pending.get(key);
    if (
      pending &&
      stored.databasePassword === pending.password &&
      stored.databaseProvisionId === pending.id &&
      stored.databasePasswordRotation === pending.rotation
    ) {
      this.pending.delete(key);
      pending = undefined;
    }
    const id = pending?.id ?? stored.databaseProvisionId ?? randomString(ID_LENGTH, this.d.random);
    const annotation = cr.metadata.annotations?.[ROTATE_ANNOTATION] || undefined;
    const rotated = pending ? pending.rotation : stored.databasePasswordRotation;
    // The password the database has, as far as the operator knows.
    const known = pending?.password ?? stored.databasePassword;
    const rotate = known !== undefined && annotation !== undefined && annotation !== rotated;
    const password = rotate
      ? randomString(PASSWORD_LENGTH, this.d.random)
      : (known ?? resolved.generated.databasePassword ?? randomString(PASSWORD_LENGTH, this.d.random));
    const setPassword = rotate || known === undefined;
    const rotation = annotation ?? rotated;
    const result = this.withPassword(resolved, password, id, rotation);

    const print = fingerprint(uid, names, ext, id, password, rotation);
    if (!setPassword && this.verified.get(key) === print) return result;
    this.verified.delete(key);

    const conn = await this.adminConnection(key, ns, ext);
    const secrets = [conn.password, password, known];
    const where = `${conn.host}:${String(conn.port)}`;
    const actions = await this.session(key, conn, secrets, async (s) => {
      const obs = await s.observe(names);
      const decision = planProvision(obs, { names, id, comment: markText(ns, name, id), setPassword });
      if (decision.kind === 'refused') throw new DatabaseProvisionError('NotOwned', `PostgreSQL ${where}: ${decision.message}`);
      await s.run(decision.actions, () => scramVerifier(password, this.d.random(16)));
      return decision.actions;
    });
    if (setPassword || stored.databaseProvisionId !== id || stored.databasePasswordRotation !== rotation) {
      this.pending.set(key, { password, id, rotation });
    }
    this.verified.set(key, print);
    this.condition.set(key, {
      type: CONDITION,
      status: 'True',
      reason: 'Provisioned',
      message: `role ${JSON.stringify(names.role)} owns database ${JSON.stringify(names.database)} on ${where}`,
    });
    if (actions.length > 0) {
      const what = describe(actions);
      const reason = rotate ? 'DatabasePasswordRotated' : 'DatabaseProvisioned';
      this.d.events.event(live, 'Normal', reason, `PostgreSQL ${where}: ${what}`);
      this.d.log.info({ key, role: names.role, database: names.database, server: where, actions: actions.map((a) => a.kind) }, 'database provisioned');
    }
    return result;
  }

  holdsFinalizer(live: KubeObject): boolean {
    return live.metadata.finalizers?.includes(DATABASE_FINALIZER) === true;
  }

  /**
   * The HarborCluster is being deleted and holds the finalizer: drops the
   * database and role it created, then lets it go. After dropTimeoutMs of
   * failures since the deletion it lets go anyway, with a warning event.
   */
  async finalize(key: string, live: KubeObject): Promise<void> {
    const cr = live as unknown as Provisioned;
    const ns = live.metadata.namespace ?? '';
    const name = live.metadata.name;
    const release = async (): Promise<void> => {
      await this.d.finalizers.setFinalizer(ns, name, live.metadata.uid ?? '', DATABASE_FINALIZER, false);
      this.forget(key);
    };
    const ext = provisionOf(cr);
    const id = (await this.stored(ns, name)).databaseProvisionId;
    if (!ext || !id) {
      await release();
      return;
    }
    let names: ProvisionNames | undefined;
    let where = `${ext.host}:${String(ext.port ?? D['spec.database.external.port'])}`;
    try {
      names = this.namesOf(key, cr, ext);
      const n = names;
      const conn = await this.adminConnection(key, ns, ext);
      where = `${conn.host}:${String(conn.port)}`;
      const plan = await this.session(key, conn, [conn.password], async (s) => {
        const p = planDrop(await s.observe(n), { names: n, id });
        await s.run(p.actions, () => '');
        return p;
      });
      const dropped = plan.actions.filter((a) => a.kind === 'dropDatabase' || a.kind === 'dropRole');
      const parts = [dropped.length > 0 ? `dropped ${describe(dropped)}` : 'nothing of this HarborCluster was left to drop'];
      if (plan.kept.length > 0) parts.push(`kept ${plan.kept.join(' and ')} (not created for this HarborCluster)`);
      this.d.events.event(live, 'Normal', 'DatabaseDropped', `PostgreSQL ${where}: ${parts.join('; ')}`);
      this.d.log.info({ key, server: where, dropped: dropped.map((a) => a.kind) }, 'database dropped with the HarborCluster');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const timeout = this.d.dropTimeoutMs ?? DROP_TIMEOUT_MS;
      if (!dropGivenUp(live.metadata.deletionTimestamp ?? '', this.d.now(), timeout)) {
        this.d.events.event(live, 'Warning', 'DatabaseDropFailed', message);
        throw err;
      }
      const what = names ? `database ${JSON.stringify(names.database)} and role ${JSON.stringify(names.role)}` : 'the database and role';
      const text = `gave up dropping ${what} on ${where} after ${formatMs(timeout)} of failures (${message}); they are left on the server`;
      this.d.events.event(live, 'Warning', 'DatabaseNotDropped', text);
      this.d.log.warn({ key, server: where, err: message }, 'database not dropped; the HarborCluster is let go');
    }
    await release();
  }

  /** The cluster is gone: drop what was kept for it. */
  forget(key: string): void {
    this.verified.delete(key);
    this.pending.delete(key);
    this.condition.delete(key);
  }

  private fail(key: string, reason: ProvisionReason, message: string): DatabaseProvisionError {
    this.verified.delete(key);
    this.condition.set(key, { type: CONDITION, status: 'False', reason, message });
    return new DatabaseProvisionError(reason, message);
  }

  private namesOf(key: string, cr: Provisioned, ext: DatabaseExternal): ProvisionNames {
    try {
      return provisionNames(cr.metadata.namespace ?? '', cr.metadata.name, ext);
    } catch (err) {
      if (err instanceof InvalidNameError) throw this.fail(key, 'InvalidName', err.message);
      throw err;
    }
  }

  /** The values in the generated Secret: the cache, else the server (the cache may lag a Secret just written). */
  private async stored(ns: string, name: string): Promise<GeneratedSecrets> {
    const secretName = generatedSecretName(name);
    const cached = this.d.cache.getChild('v1', 'Secret', ns, secretName);
    const values = readGenerated(cached);
    if (cached && values.databaseProvisionId !== undefined && values.databasePassword !== undefined) return values;
    return readGenerated((await this.d.reader.readSecret(ns, secretName)) ?? cached);
  }

  private async adminConnection(key: string, ns: string, ext: DatabaseExternal): Promise<AdminConnection> {
    const ref = ext.provision?.adminSecretRef;
    const field = 'spec.database.external.provision.adminSecretRef';
    if (!ref) throw this.fail(key, 'SecretNotFound', `${field} is not set`);
    const sslMode = (ext.sslMode ?? D['spec.database.external.sslMode']);
    try {
      const secret = await this.d.reader.readSecret(ns, ref.name);
      const at = (k: string): { field: string; name: string; key: string } => ({ field, name: ref.name, key: k });
      const user = valueOf(at(ref.usernameKey ?? D['spec.database.external.provision.adminSecretRef.usernameKey']), secret, ns);
      const password = valueOf(at(ref.passwordKey ?? D['spec.database.external.provision.adminSecretRef.passwordKey']), secret, ns);
      const caKey = ref.caKey ?? D['spec.database.external.provision.adminSecretRef.caKey'];
      const caB64 = ((secret?.['data'] ?? {}) as Record<string, string>)[caKey];
      const ca = sslMode !== 'disable' && caB64 !== undefined ? Buffer.from(caB64, 'base64').toString('utf8') : undefined;
      return {
        host: ext.host,
        port: ext.port ?? D['spec.database.external.port'],
        database: ext.provision?.adminDatabase ?? D['spec.database.external.provision.adminDatabase'],
        user,
        password,
        sslMode,
        ...(ca !== undefined ? { ca } : {}),
      };
    } catch (err) {
      if (err instanceof SecretRefError) throw this.fail(key, 'SecretNotFound', err.message);
      throw err;
    }
  }

  /** One connection for `body`; every failure becomes a DatabaseProvisionError with the server's words, redacted. */
  private async session<T>(key: string, conn: AdminConnection, secrets: (string | undefined)[], body: (s: PostgresSession) => Promise<T>): Promise<T> {
    const where = `${conn.host}:${String(conn.port)}`;
    let s: PostgresSession | undefined;
    try {
      s = await this.postgres.connect(conn);
      return await body(s);
    } catch (err) {
      if (err instanceof DatabaseProvisionError) throw this.fail(key, err.reason, redact(err.message, secrets));
      const c = classify(err);
      throw this.fail(key, c.reason, redact(`PostgreSQL ${where} as ${JSON.stringify(conn.user)}: ${c.message}`, secrets));
    } finally {
      await s?.end();
    }
  }

  private withPassword(resolved: ResolvedSecrets, password: string, id: string, rotation: string | undefined): ResolvedSecrets {
    return {
      secrets: { ...resolved.secrets, databasePassword: password },
      generated: {
        ...resolved.generated,
        databasePassword: password,
        databaseProvisionId: id,
        ...(rotation !== undefined ? { databasePasswordRotation: rotation } : {}),
      },
    };
  }
}

/** What provisioning was last verified from: the same again needs no look at the server. */
function fingerprint(uid: string, names: ProvisionNames, ext: DatabaseExternal, id: string, password: string, rotation: string | undefined): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([uid, names, ext.host, ext.port, ext.sslMode, ext.provision, id, rotation ?? null]));
  h.update('\0').update(password);
  return h.digest('base64');
}

function describe(actions: readonly Action[]): string {
  const q = (s: string): string => JSON.stringify(s);
  const words = actions.flatMap((a): string[] => {
    switch (a.kind) {
      case 'createRole':
        return [`created role ${q(a.role)}`];
      case 'setPassword':
        return [`set a new password for role ${q(a.role)}`];
      case 'createDatabase':
        return [`created database ${q(a.database)} owned by ${q(a.owner)}`];
      case 'setOwner':
        return [`made ${q(a.owner)} the owner of database ${q(a.database)}`];
      case 'dropDatabase':
        return [`database ${q(a.database)}`];
      case 'dropRole':
        return [`role ${q(a.role)}`];
      case 'grantToAdmin':
      case 'commentDatabase':
        return [];
    }
  });
  return words.length > 0 ? words.join(', ') : 'marked database as created by harbor-operator';
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${String(ms / 60_000)} min` : `${String(Math.round(ms / 1000))} s`;
}

