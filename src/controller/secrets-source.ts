// Where a reconcile's secret values come from: the values the operator
// generated (kept in <name>-generated-secrets, completed, never rotated) and
// the Secrets the spec references (read again when the spec's generation
// changes or, through the watch of referenced-secrets.ts, when one of them
// changed). The decisions are pure (secrets/generate.ts, secrets/recovery.ts,
// desired.ts); this file reads and, to keep the generated Secret, writes it:
//
// - gone, or lacking keys: the values are recovered from the component
//   Secrets that hold copies; a value whose copies are gone too is made anew
//   only if nothing stored depends on it, or the cluster never ran. Otherwise
//   the reconcile stops (GeneratedSecretLost) and nothing is written.
// - deleted and held by its finalizer (kubectl delete): its values are
//   copied into a new Secret of the same name and the old one let go.
// - its HarborCluster gone: the finalizer is removed when the Secret goes
//   with it (deleteClaimsWithCluster), or when someone deleted it and no
//   database claim its values unlock is left.
import type { HarborCluster } from '../api/types.generated.ts';
import { ADOPT_ANNOTATION } from '../diff/ownership.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { ObjectReader, ObjectWriter, SecretKeeper, SecretReader } from '../kube/writer.ts';
import type { KubeObject } from '../model/object.ts';
import type { HarborSecrets } from '../render/secrets-input.ts';
import { completeSecrets, type GeneratedSecrets, type RandomBytes } from '../secrets/generate.ts';
import {
  COPY_COMPONENTS,
  decideRecovery,
  missingKeys,
  recoveryMessage,
  refusalMessage,
  runEvidence,
  type RecoveryDecision,
} from '../secrets/recovery.ts';
import { assembleSecrets, desiredObjects, secretNeeds, type UserSecrets } from './desired.ts';
import {
  controllerUid,
  GENERATED_SECRET_FINALIZER,
  generatedSecretName,
  heldByFinalizer,
  readGenerated,
} from './generated-secret.ts';
import type { ClusterCache, Logger, ReferencedSecretVersions } from './ports.ts';
import type { Result } from './queue.ts';
import { ReconcileFailure } from './reconcile-failure.ts';
import { secretRefs, valueOf } from './secret-refs.ts';

/** How often a held Secret of a deleted HarborCluster is looked at again (the database claim sends no event). */
export const HELD_RECHECK_MS = 30_000;

/**
 * The generated values are lost for a cluster that has run: the reconcile
 * stops (Degraded, reason GeneratedSecretLost). Retrying cannot help until
 * someone restores the Secret, whose event brings the cluster back at once:
 * permanent, so the queue retries it only slowly meanwhile.
 */
export class GeneratedSecretLost extends ReconcileFailure {
  constructor(message: string, secretName: string) {
    super('GeneratedSecretLost', message, { permanent: true, objects: [`Secret/${secretName}`] });
    this.name = 'GeneratedSecretLost';
  }
}

export interface ResolvedSecrets {
  /** Every value the chart needs. */
  secrets: HarborSecrets;
  /** The values kept in the generated Secret. */
  generated: GeneratedSecrets;
}

interface Memo {
  generation: number;
  user: UserSecrets;
  /** resourceVersion of each referenced Secret as read. */
  read: Map<string, string>;
}

export interface SecretsSourceDeps {
  cache: ClusterCache;
  store: SecretReader & SecretKeeper & ObjectWriter & ObjectReader;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
  random: RandomBytes;
  /** The watch of referenced Secrets; without it they are read again only on a new generation. */
  watch?: ReferencedSecretVersions;
}

/** The in-cluster database's claim (StatefulSet <name>-database, volumeClaimTemplate data). */
const databaseClaimName = (cluster: string): string => `data-${cluster}-database-0`;

const claimRef = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace } });

export class SecretsSource {
  /** Referenced values by cluster key, read at one generation of its spec. */
  private readonly memo = new Map<string, Memo>();
  /** Values of a held Secret copied but not yet written again, by cluster key. */
  private readonly pending = new Map<string, GeneratedSecrets>();
  /** The last recovery announced, by cluster key (a reconcile resolves twice). */
  private readonly announced = new Map<string, string>();
  /** uids of held Secrets of deleted HarborClusters whose hold was announced (once, not every recheck). */
  private readonly heldAnnounced = new Set<string>();

  private readonly d: SecretsSourceDeps;

  constructor(deps: SecretsSourceDeps) {
    this.d = deps;
  }

  /**
   * Throws SecretRefError when a referenced Secret or key is missing, and
   * GeneratedSecretLost when generated values are lost for good.
   */
  async resolve(key: string, cr: HarborCluster, live: KubeObject, checkHtpasswd: boolean): Promise<ResolvedSecrets> {
    const namespace = live.metadata.namespace ?? '';
    const name = live.metadata.name;
    const uid = live.metadata.uid ?? '';
    const refs = secretRefs(cr);
    const user = await this.referenced(key, namespace, live.metadata.generation ?? 0, refs, provisionAdminSecret(cr));
    const needs = secretNeeds(refs, (cr.spec.cache?.type ?? 'InCluster') === 'InCluster');
    const secretName = generatedSecretName(name);

    // The cache may lag a Secret created a moment ago: ask the server before
    // generating anything, so values are never made twice.
    let stored = this.d.cache.getChild('v1', 'Secret', namespace, secretName) ?? (await this.d.store.readSecret(namespace, secretName));
    let held: KubeObject | undefined;
    if (stored?.metadata.deletionTimestamp) {
      if (heldByFinalizer(stored)) stored = await this.d.store.readSecret(namespace, secretName); // as it is now
      const owner = stored && controllerUid(stored);
      if (heldByFinalizer(stored) && (owner === undefined || owner === uid)) {
        held = stored;
      } else {
        // Going with an earlier HarborCluster of this name, or deleted with
        // the finalizer removed by hand: it is not this cluster's any more.
        if (heldByFinalizer(stored)) await this.d.store.removeFinalizer(stored, GENERATED_SECRET_FINALIZER);
        stored = undefined;
      }
    }

    let values = readGenerated(stored);
    const pending = this.pending.get(key);
    if (!stored && pending) values = pending;
    else this.pending.delete(key);

    let recovery: Extract<RecoveryDecision, { kind: 'complete' }> | undefined;
    if (missingKeys(values, needs).length > 0) {
      const evidence = await this.evidence(cr, live);
      const d = decideRecovery({ stored: values, copies: this.copies(namespace, name, uid), needs, hasRun: evidence.length > 0 });
      if (d.kind === 'refused') {
        this.announced.delete(key);
        const context = { namespace, secret: secretName, storedWasThere: stored !== undefined, adopt: `${ADOPT_ANNOTATION}=${name}` };
        throw new GeneratedSecretLost(refusalMessage(context, d, evidence), secretName);
      }
      values = d.values;
      if (evidence.length > 0) recovery = d;
      checkHtpasswd = true; // a recovered line is checked against the password
    }
    const { values: complete, added } = await completeSecrets(values, needs, this.d.random, this.d.now(), { checkHtpasswd });

    if (held) await this.rescue(key, live, held, complete, cr.spec.persistence?.deleteClaimsWithCluster === true);
    if (recovery) {
      const message = recoveryMessage(`${namespace}/${secretName}`, recovery);
      if (this.announced.get(key) !== message) {
        this.announced.set(key, message);
        this.d.log.warn(
          { key, recovered: recovery.recovered.map((r) => r.key), made: recovery.mint, derived: recovery.derive },
          'generated secret values were missing: recovered',
        );
        this.d.events.event(live, 'Warning', 'GeneratedSecretRecovered', message);
      }
    } else {
      this.announced.delete(key);
      if (added.length > 0 && stored) this.d.log.info({ key, keys: added }, 'generated missing secret values');
    }
    return { secrets: assembleSecrets(user, complete), generated: complete };
  }

  /**
   * The HarborCluster is gone or being deleted: lets its generated Secret go
   * when it should (see the top of this file); a Secret held for a database
   * claim is looked at again later.
   */
  async settle(namespace: string, name: string): Promise<Result> {
    const secret = this.d.cache.getChild('v1', 'Secret', namespace, generatedSecretName(name));
    if (!heldByFinalizer(secret)) return {};
    if (controllerUid(secret) !== undefined) {
      // deleteClaimsWithCluster: it goes with its HarborCluster, like the claims.
      await this.d.store.removeFinalizer(secret, GENERATED_SECRET_FINALIZER);
      return {};
    }
    const claim = await this.d.store.read(claimRef(namespace, databaseClaimName(name)));
    const uid = secret.metadata.uid ?? '';
    if (!claim || claim.metadata.deletionTimestamp) {
      await this.d.store.removeFinalizer(secret, GENERATED_SECRET_FINALIZER);
      this.heldAnnounced.delete(uid);
      this.d.log.info({ namespace, secret: secret.metadata.name }, 'deleted generated Secret let go: its HarborCluster and database claim are gone');
      return {};
    }
    if (this.heldAnnounced.has(uid)) return { requeueAfter: HELD_RECHECK_MS };
    if (this.heldAnnounced.size > 10_000) this.heldAnnounced.clear();
    this.heldAnnounced.add(uid);
    this.d.log.warn({ namespace, secret: secret.metadata.name, claim: claim.metadata.name }, 'deleted generated Secret held: its database claim exists');
    this.d.events.event(
      secret,
      'Warning',
      'GeneratedSecretHeld',
      `kept while the claim ${claim.metadata.name} holds the database these values unlock (HarborCluster ${name} is gone; ` +
        `re-create it to use them again). Delete the claim first, or remove the finalizer ${GENERATED_SECRET_FINALIZER} to delete the Secret anyway`,
    );
    return { requeueAfter: HELD_RECHECK_MS };
  }

  /** The cluster is gone: drop what was read for it. */
  forget(key: string): void {
    this.memo.delete(key);
    this.pending.delete(key);
    this.announced.delete(key);
    this.d.watch?.forget(key);
  }

  /** The referenced values: read again on a new generation or when a referenced Secret's version moved. */
  private async referenced(
    key: string,
    namespace: string,
    generation: number,
    refs: ReturnType<typeof secretRefs>,
    /** Watched too, not read here (the database provisioner reads it when it runs). */
    alsoWatched: string | undefined,
  ): Promise<UserSecrets> {
    const w = this.d.watch;
    const memo = this.memo.get(key);
    if (memo?.generation === generation && (!w || [...memo.read].every(([n, rv]) => w.versionOf(namespace, n) === rv))) {
      return memo.user;
    }
    const names = [...new Set(Object.values(refs).flatMap((r) => (r ? [r.name] : [])))];
    // Watched before they are read: a Secret created or changed from now on
    // brings this cluster back (also one not found yet).
    w?.track(key, namespace, alsoWatched === undefined ? names : [...names, alsoWatched]);
    const fetched = new Map<string, KubeObject | undefined>();
    const read = new Map<string, string>();
    for (const n of names) {
      const s = await this.d.store.readSecret(namespace, n);
      fetched.set(n, s);
      if (s) {
        read.set(n, s.metadata.resourceVersion ?? '');
        w?.seen(s);
      }
    }
    const user: UserSecrets = {};
    for (const [field, ref] of Object.entries(refs)) {
      if (ref) user[field as keyof UserSecrets] = valueOf(ref, fetched.get(ref.name), namespace);
    }
    this.memo.set(key, { generation, user, read });
    return user;
  }

  /** Decoded data of the component Secrets this HarborCluster controls (the cache keeps Secrets whole). */
  private copies(namespace: string, name: string, uid: string): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const c of COPY_COMPONENTS) {
      const s = this.d.cache.getChild('v1', 'Secret', namespace, `${name}-${c}`);
      if (!s || controllerUid(s) !== uid) continue;
      const data = (s['data'] ?? {}) as Record<string, string>;
      out[c] = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    }
    return out;
  }

  /** Why this HarborCluster counts as having run (empty: it never ran). */
  private async evidence(cr: HarborCluster, live: KubeObject): Promise<string[]> {
    const namespace = live.metadata.namespace ?? '';
    const name = live.metadata.name;
    const uid = live.metadata.uid ?? '';
    const status = (live['status'] ?? {}) as { observedGeneration?: number; appliedDigest?: string };
    const secretName = generatedSecretName(name);
    // Its own objects, and kept claims (no owner); not those of an earlier
    // HarborCluster of this name that the garbage collector is removing.
    const children = this.d.cache
      .childrenOf(namespace, name)
      .filter((o) => !(o.kind === 'Secret' && o.metadata.name === secretName) && !o.metadata.deletionTimestamp)
      .filter((o) => {
        const owner = controllerUid(o);
        return owner === undefined || owner === uid;
      })
      .map((o) => ({ kind: o.kind, name: o.metadata.name, created: o.metadata.creationTimestamp }));
    let databaseClaim: string | undefined;
    if ((cr.spec.database?.type ?? 'InCluster') === 'InCluster') {
      const claim = await this.d.store.read(claimRef(namespace, databaseClaimName(name)));
      if (claim && !claim.metadata.deletionTimestamp) databaseClaim = claim.metadata.name;
    }
    return runEvidence({
      observedGeneration: status.observedGeneration,
      appliedDigest: status.appliedDigest,
      created: live.metadata.creationTimestamp,
      children,
      databaseClaim,
    });
  }

  /**
   * Someone deleted the generated Secret and its finalizer holds it: its
   * values go into a new Secret of the same name. Until that is written they
   * are kept here, and the component Secrets hold copies.
   */
  private async rescue(key: string, live: KubeObject, held: KubeObject, values: GeneratedSecrets, deleteClaims: boolean): Promise<void> {
    const owner = {
      apiVersion: live.apiVersion,
      kind: live.kind,
      name: live.metadata.name,
      namespace: live.metadata.namespace ?? '',
      uid: live.metadata.uid ?? '',
    };
    const [secret] = desiredObjects([], owner, values, deleteClaims);
    if (!secret) return;
    this.pending.set(key, values);
    await this.d.store.removeFinalizer(held, GENERATED_SECRET_FINALIZER); // the old one is gone with this
    // Only a create: a Secret someone made of that name meanwhile is not overwritten.
    await this.d.store.apply(secret, { precondition: 'absent' });
    this.pending.delete(key);
    this.d.log.warn({ key, secret: secret.metadata.name }, 'generated Secret was deleted: its values were written into a new one');
    this.d.events.event(
      live,
      'Warning',
      'GeneratedSecretDeleted',
      `Secret ${secret.metadata.name} was deleted; its finalizer held it and its values were copied into a new Secret of the same name ` +
        '(the data of this Harbor depends on them). It goes for good only with the HarborCluster and spec.persistence.deleteClaimsWithCluster: true',
    );
  }
}

/**
 * The Secret of the administrative connection of database provisioning
 * (database-provisioner.ts): one created after the provisioner reported it
 * missing, or changed, brings the cluster back like the other references.
 */
function provisionAdminSecret(cr: HarborCluster): string | undefined {
  const db = cr.spec.database;
  return db?.type === 'External' ? db.external?.provision?.adminSecretRef.name : undefined;
}
