// One reconcile of one HarborCluster: secrets → values → render → normalize →
// diff against the cache → apply → prune → status. Level-based: it looks at
// the whole state each time and makes it so. Decisions are pure functions
// elsewhere; this file only sequences them and does the I/O through narrow
// interfaces.
import { randomBytes } from 'node:crypto';
import type { HarborCluster } from '../api/types.generated.ts';
import { plan, summarize, type Plan } from '../diff/plan.ts';
import type { EventRecorder } from '../kube/events.ts';
import { FIELD_MANAGER, type ObjectWriter, type SecretReader, type StatusWriter } from '../kube/writer.ts';
import { namespacedName, objectKey, type KubeObject } from '../model/object.ts';
import { RenderError } from '../render/render-error.ts';
import type { ChartValues } from '../render/chart-values.ts';
import type { Renderer } from '../render/renderer.ts';
import type { HarborSecrets } from '../render/secrets-input.ts';
import { toValues } from '../render/values.ts';
import { completeSecrets, type GeneratedSecrets, type RandomBytes } from '../secrets/generate.ts';
import { findCondition } from '../status/conditions.ts';
import { DATABASE_UPGRADE, databaseUpgradeOf, unsupportedMessage, withDatabaseUpgrade, type DatabaseUpgrade } from '../status/database-upgrade.ts';
import { COMPONENT_LABEL, observe, sameStatus, type HarborClusterStatus, type Outcome } from '../status/observe.ts';
import { inPhases } from './apply-order.ts';
import { appliedDigest, inputsDigest } from './applied-digest.ts';
import { decideRepair, lastOtherManager, type FightState } from './drift-fight.ts';
import { assembleSecrets, desiredObjects, secretNeeds, type UserSecrets } from './desired.ts';
import { generatedSecretName, readGenerated } from './generated-secret.ts';
import type { Result } from './queue.ts';
import { redact } from './redact.ts';
import { secretRefs, SecretRefError, valueOf } from './secret-refs.ts';

export const PAUSED_ANNOTATION = 'harbor-operator.dev/paused';
const CERT_KIND = 'cert-manager.io/v1/Certificate';

export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What the reconciler may read: caches filled by watches. */
export interface ClusterCache {
  getCluster(namespace: string, name: string): KubeObject | undefined;
  /** A child by identity (from the cache of its kind). */
  getChild(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
  /** Every cached child carrying the cluster label of this HarborCluster. */
  childrenOf(namespace: string, cluster: string): KubeObject[];
  /** Whether a kind installed by a CRD (cert-manager's Certificate) is served. */
  kindAvailable(apiVersion: string, kind: string): boolean;
}

export interface ReconcileMetrics {
  applied(kind: string, verb: 'create' | 'update' | 'delete'): void;
  driftRepaired(kind: string): void;
  /** A reconcile found the children as last applied and rendered nothing. */
  skippedRender?(): void;
}

export interface ReconcilerDeps {
  cache: ClusterCache;
  writer: ObjectWriter & StatusWriter & SecretReader;
  events: EventRecorder;
  renderer: Renderer;
  log: Logger;
  now?: () => Date;
  random?: RandomBytes;
  metrics?: ReconcileMetrics;
}

interface Applied {
  /** Set when repairs of some objects are paused: when to look again. */
  holdMs: number | undefined;
  /** The server's answer to each apply, by object key. */
  responses: Map<string, KubeObject>;
}

interface Memo {
  generation: number;
  user: UserSecrets;
  /** Hash of the last render whose objects were all applied. */
  appliedHash?: string;
}

export class Reconciler {
  private readonly d: ReconcilerDeps;
  private readonly now: () => Date;
  private readonly random: RandomBytes;
  private readonly memo = new Map<string, Memo>();
  /** Objects someone else keeps changing, by "cluster key|object key". */
  private readonly fights = new Map<string, FightState>();

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
    this.now = deps.now ?? ((): Date => new Date());
    this.random = deps.random ?? randomBytes;
  }

  async reconcile(key: string): Promise<Result> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const live = this.d.cache.getCluster(namespace, name);
    if (!live || live.metadata.deletionTimestamp) {
      // Children go with their owner through the garbage collector.
      this.memo.delete(key);
      this.d.renderer.forget(key);
      return {};
    }
    const cr = live as unknown as HarborCluster & { metadata: KubeObject['metadata'] };
    const previous = cr.status as HarborClusterStatus | undefined;
    if (live.metadata.annotations?.[PAUSED_ANNOTATION] === 'true') {
      await this.writeStatus(live, previous, { kind: 'paused' }, []);
      return {};
    }

    const owner = {
      apiVersion: live.apiVersion,
      kind: live.kind,
      name,
      namespace,
      uid: live.metadata.uid ?? '',
    };
    const deleteClaims = cr.spec.persistence?.deleteClaimsWithCluster === true;
    const certsServed = this.d.cache.kindAvailable('cert-manager.io/v1', 'Certificate');
    let secretValues: string[] = [];
    const failRender = async (err: unknown): Promise<never> => {
      const message = redact(err instanceof Error ? err.message : String(err), secretValues);
      const reason = err instanceof RenderError ? 'RenderFailed' : 'InvalidSpec';
      await this.fail(live, previous, reason, message, secretValues);
      throw new Error(message, { cause: err });
    };
    /** Secrets, values and the digest of the inputs. */
    const prepare = async (
      checkHtpasswd: boolean,
    ): Promise<{ generated: GeneratedSecrets; values: ChartValues; renderHash: string; inputs: string }> => {
      let secrets: HarborSecrets;
      let generated: GeneratedSecrets;
      try {
        ({ secrets, generated } = await this.secrets(key, cr, live, checkHtpasswd));
      } catch (err) {
        if (err instanceof SecretRefError) await this.fail(live, previous, 'SecretNotFound', err.message, []);
        throw err;
      }
      secretValues = Object.values(secrets) as string[];
      let values: ChartValues;
      try {
        values = toValues(cr, secrets);
      } catch (err) {
        return failRender(err);
      }
      const renderHash = this.d.renderer.hashOf(name, namespace, values);
      const inputs = inputsDigest({
        renderHash,
        ownerUid: owner.uid,
        deleteClaims,
        // Only where a Certificate is wanted: cert-manager's CRDs coming or
        // going changes nothing for the other clusters.
        certificatesServed: certsServed && wantsCertificate(values),
        generated,
      });
      return { generated, values, renderHash, inputs };
    };

    // Nothing it is made from has changed, and nobody has touched a field
    // the operator applied: the children are as the last complete apply
    // left them, so there is nothing to render or compare. (The generated
    // Secret is one of those children, so its htpasswd line need not be
    // checked against the password with bcrypt on this path.)
    const digestBefore = previous?.appliedDigest;
    const first = await prepare(digestBefore === undefined);
    let { generated, values, inputs } = first;
    if (digestBefore !== undefined) {
      if (digestBefore === appliedDigest(inputs, this.d.cache.childrenOf(namespace, name), FIELD_MANAGER)) {
        return this.unchanged(key, live, digestBefore, previous, values, first.renderHash);
      }
      ({ generated, values, inputs } = await prepare(true));
    }
    let rendered: Awaited<ReturnType<Renderer['render']>>;
    try {
      rendered = await this.d.renderer.render(key, name, namespace, values);
    } catch (err) {
      return failRender(err);
    }

    const all = desiredObjects(rendered.objects, owner, generated, deleteClaims);
    // Without cert-manager's CRDs the Certificate cannot exist; the rest
    // still runs and status says why TLS is not ready.
    const desired = certsServed ? all : all.filter((o) => `${o.apiVersion}/${o.kind}` !== CERT_KIND);
    const certWanted = all.some((o) => `${o.apiVersion}/${o.kind}` === CERT_KIND);

    const liveObjects = this.liveFor(namespace, name, desired);
    const p = plan(desired, liveObjects, { uid: owner.uid });
    const s = summarize(p);
    const log = this.d.log;
    let before = previous;
    if (s.create + s.update + s.prune > 0) {
      log.info({ key, plan: s, hash: rendered.hash.slice(0, 12) }, 'applying plan');
      // The digest stands for "children as applied": it goes before anything
      // changes, so a crash halfway can never leave a digest that matches.
      if (before?.appliedDigest !== undefined) {
        const { appliedDigest: _gone, ...rest } = before;
        await this.d.writer.patchStatus(namespace, name, rest);
        before = rest;
      }
    }
    // A PostgreSQL major ahead is in status and an event before the database StatefulSet changes.
    const dbUpgrade = databaseUpgradeOf(cr, before, this.d.cache.childrenOf(namespace, name), COMPONENT_LABEL);
    if (dbUpgrade.kind === 'unsupported') return failRender(new Error(unsupportedMessage(dbUpgrade)));
    if (dbUpgrade.kind === 'pending') before = await this.announceDatabaseUpgrade(live, before, dbUpgrade);

    const memo = this.memo.get(key);
    const valuesUnchanged = memo?.appliedHash === rendered.hash;
    let applied: Applied;
    try {
      applied = await this.apply(live, p, valuesUnchanged);
    } catch (err) {
      const message = redact(err instanceof Error ? err.message : String(err), secretValues);
      await this.fail(live, before, 'ApplyFailed', message, secretValues);
      throw new Error(message, { cause: err });
    }
    const m = this.memo.get(key);
    if (m) m.appliedHash = rendered.hash;

    // Prune only after a complete render and a complete apply.
    for (const o of p.prune) {
      await this.d.writer.remove(o);
      this.d.metrics?.applied(o.kind, 'delete');
      this.d.events.event(live, 'Normal', 'Pruned', `deleted ${o.kind} ${o.metadata.name}: no longer rendered`);
    }

    const children = this.d.cache.childrenOf(namespace, name);
    const workloads = workloadsOf(children);
    const certificate = certWanted ? this.certificateState(namespace, all) : undefined;
    // Children as they are now: the cache, with this reconcile's answers
    // from the server over it and the pruned ones gone.
    let digest: string | undefined;
    if (applied.holdMs === undefined) {
      const now = new Map(children.map((o) => [objectKey(o), o]));
      for (const [k, o] of applied.responses) now.set(k, o);
      for (const o of p.prune) now.delete(objectKey(o));
      digest = appliedDigest(inputs, now.values(), FIELD_MANAGER);
    }
    await this.writeStatus(live, before, { kind: 'applied', changed: s.create + s.update + s.prune }, secretValues, workloads, certificate, digest);
    if (applied.holdMs !== undefined) return { requeueAfter: applied.holdMs };
    log.debug(
      {
        key,
        plan: s,
        workloads: workloads.map((w) => `${w.metadata.name}@${w.metadata.resourceVersion ?? ''}`),
      },
      'reconciled',
    );
    return {};
  }

  /** The reconcile of a cluster whose children are as last applied: status only. */
  private async unchanged(
    key: string,
    live: KubeObject,
    digest: string,
    previous: HarborClusterStatus | undefined,
    values: ChartValues,
    renderHash: string,
  ): Promise<Result> {
    const namespace = live.metadata.namespace ?? '';
    const children = this.d.cache.childrenOf(namespace, live.metadata.name);
    const m = this.memo.get(key);
    if (m) m.appliedHash = renderHash;
    this.d.metrics?.skippedRender?.();
    const workloads = workloadsOf(children);
    const certificate = wantsCertificate(values) ? this.certificateState(namespace, children) : undefined;
    await this.writeStatus(live, previous, { kind: 'applied', changed: 0 }, [], workloads, certificate, digest);
    this.d.log.debug({ key }, 'children as last applied: nothing rendered');
    return {};
  }

  /** Live objects of this cluster, plus the live counterparts of what is desired. */
  private liveFor(namespace: string, name: string, desired: KubeObject[]): KubeObject[] {
    const seen = new Map<string, KubeObject>();
    for (const o of this.d.cache.childrenOf(namespace, name)) seen.set(objectKey(o), o);
    for (const o of desired) {
      const k = objectKey(o);
      if (seen.has(k)) continue;
      const l = this.d.cache.getChild(o.apiVersion, o.kind, namespace, o.metadata.name);
      if (l) seen.set(k, l);
    }
    return [...seen.values()];
  }

  /**
   * Applies creates and updates. Repairs of drift (values unchanged since the
   * last complete apply) go through the fight policy; returns how long to
   * wait before looking at paused objects again.
   */
  private async apply(cr: KubeObject, p: Plan, valuesUnchanged: boolean): Promise<Applied> {
    const now = (this.now()).getTime();
    let holdMs: number | undefined;
    const allowed = (o: KubeObject, live?: KubeObject): boolean => {
      if (!valuesUnchanged) return true;
      const k = `${namespacedName(cr)}|${objectKey(o)}`;
      const d = decideRepair(this.fights.get(k), now);
      this.fights.set(k, d.next);
      if (d.repair) return true;
      holdMs = Math.min(holdMs ?? d.holdMs, d.holdMs);
      if (d.paused) {
        const who = lastOtherManager(live?.metadata.managedFields, FIELD_MANAGER) ?? 'another client';
        const msg = `${o.kind}/${o.metadata.name} keeps being changed (last by ${who}); setting it back again in ${Math.round(d.holdMs / 1000)} s`;
        this.d.log.warn({ key: namespacedName(cr), object: objectKey(o), manager: who, holdMs: d.holdMs }, 'drift fight: repairs paused');
        this.d.events.event(cr, 'Warning', 'DriftFight', msg);
      }
      return false;
    };
    const creates = p.create.filter((o) => allowed(o));
    const updates = p.update.filter((u) => allowed(u.desired, u.live));
    const responses = new Map<string, KubeObject>();
    const writes = [
      ...creates.map((o) => ({ desired: o, verb: 'create' as const, paths: [] as string[] })),
      ...updates.map((u) => ({ desired: u.desired, verb: 'update' as const, paths: u.paths })),
    ];
    // What a pod reads first, then the workloads (apply-order.ts); the
    // objects of one phase at once.
    for (const group of inPhases(writes)) {
      await Promise.all(
        group.map(async (w) => {
          responses.set(objectKey(w.desired), await this.d.writer.apply(w.desired));
          this.d.metrics?.applied(w.desired.kind, w.verb);
          if (w.verb === 'update' && valuesUnchanged) {
            this.d.metrics?.driftRepaired(w.desired.kind);
            this.d.log.info({ key: namespacedName(cr), object: objectKey(w.desired), paths: w.paths.slice(0, 5) }, 'drift repaired');
          }
        }),
      );
    }
    if (creates.length > 0 && !valuesUnchanged) {
      this.d.events.event(cr, 'Normal', 'Created', `created ${creates.length} object(s): ${names(creates)}`);
    } else if (creates.length > 0) {
      this.d.events.event(cr, 'Normal', 'DriftRepaired', `re-created ${names(creates)}`);
    }
    if (updates.length > 0) {
      const list = names(updates.map((u) => u.desired));
      if (valuesUnchanged) this.d.events.event(cr, 'Normal', 'DriftRepaired', `set back ${list}`);
      else this.d.events.event(cr, 'Normal', 'Updated', `updated ${list}`);
    }
    return { holdMs, responses };
  }

  private certificateState(namespace: string, desired: KubeObject[]): NonNullable<Parameters<typeof observe>[0]['certificate']> {
    if (!this.d.cache.kindAvailable('cert-manager.io/v1', 'Certificate')) return { state: 'crd-missing' };
    const want = desired.find((o) => `${o.apiVersion}/${o.kind}` === CERT_KIND);
    if (!want) return { state: 'ready' };
    const liveCert = this.d.cache.getChild('cert-manager.io/v1', 'Certificate', namespace, want.metadata.name);
    const conds = ((liveCert?.['status'] as { conditions?: { type: string; status: string; message?: string }[] } | undefined)
      ?.conditions ?? []);
    const ready = conds.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return { state: 'ready' };
    return {
      state: 'pending',
      message: `Certificate ${want.metadata.name} is not issued yet${ready?.message ? `: ${ready.message}` : ''}`,
    };
  }

  private async fail(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    reason: string,
    message: string,
    secretValues: string[],
  ): Promise<void> {
    this.d.log.warn({ key: namespacedName(cr), reason, err: message }, 'reconcile failed');
    this.d.events.event(cr, 'Warning', reason, message);
    const workloads = workloadsOf(this.d.cache.childrenOf(cr.metadata.namespace ?? '', cr.metadata.name));
    await this.writeStatus(cr, previous, { kind: 'failed', reason, message }, secretValues, workloads);
  }

  /** Writes the DatabaseUpgrade condition of a pending upgrade (once) and says so in an event. */
  private async announceDatabaseUpgrade(
    cr: KubeObject,
    status: HarborClusterStatus | undefined,
    d: DatabaseUpgrade,
  ): Promise<HarborClusterStatus | undefined> {
    const now = this.now().toISOString().replace(/\.\d+Z$/, 'Z');
    const next = { ...status, conditions: withDatabaseUpgrade(status?.conditions ?? [], d, cr.metadata.generation ?? 0, now) };
    if (sameStatus(status, next)) return status;
    await this.d.writer.patchStatus(cr.metadata.namespace ?? '', cr.metadata.name, next);
    this.databaseUpgradeEvent(cr, status, next);
    return next;
  }

  /** An event when the DatabaseUpgrade condition changes status or reason. */
  private databaseUpgradeEvent(cr: KubeObject, before: HarborClusterStatus | undefined, after: HarborClusterStatus): void {
    const was = findCondition(before?.conditions, DATABASE_UPGRADE);
    const is = findCondition(after.conditions, DATABASE_UPGRADE);
    if (!is || (was?.status === is.status && was.reason === is.reason)) return;
    this.d.events.event(cr, 'Normal', is.status === 'True' ? 'DatabaseUpgrade' : 'DatabaseUpgraded', is.message);
  }

  private async writeStatus(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    outcome: Outcome,
    secretValues: string[],
    workloads: KubeObject[] = [],
    certificate?: Parameters<typeof observe>[0]['certificate'],
    digest?: string,
  ): Promise<void> {
    const spec = (cr as unknown as HarborCluster).spec;
    const next = observe({
      generation: cr.metadata.generation ?? 0,
      version: spec.version ?? '',
      url: spec.externalURL,
      previous,
      outcome,
      workloads,
      ...(certificate ? { certificate } : {}),
      ...(digest ? { appliedDigest: digest } : {}),
      databaseUpgrade: databaseUpgradeOf(cr as unknown as HarborCluster, previous, workloads, COMPONENT_LABEL),
      now: this.now().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    for (const c of next.conditions ?? []) c.message = redact(c.message, secretValues);
    if (sameStatus(previous, next)) return;
    await this.d.writer.patchStatus(cr.metadata.namespace ?? '', cr.metadata.name, next);
    this.databaseUpgradeEvent(cr, previous, next);
  }

  /** Generated values (kept in their Secret) and referenced ones (read when the spec changes). */
  private async secrets(
    key: string,
    cr: HarborCluster,
    live: KubeObject,
    checkHtpasswd: boolean,
  ): Promise<{ secrets: HarborSecrets; generated: GeneratedSecrets }> {
    const namespace = live.metadata.namespace ?? '';
    const name = live.metadata.name;
    const refs = secretRefs(cr);
    const generation = live.metadata.generation ?? 0;
    let memo = this.memo.get(key);
    if (memo?.generation !== generation) {
      const user: UserSecrets = {};
      const fetched = new Map<string, KubeObject | undefined>();
      for (const [field, ref] of Object.entries(refs)) {
        if (!ref) continue;
        if (!fetched.has(ref.name)) fetched.set(ref.name, await this.d.writer.readSecret(namespace, ref.name));
        user[field as keyof UserSecrets] = valueOf(ref, fetched.get(ref.name), namespace);
      }
      memo = { generation, user, ...(memo?.appliedHash ? { appliedHash: memo.appliedHash } : {}) };
      this.memo.set(key, memo);
    }
    const secretName = generatedSecretName(name);
    // The cache may lag a Secret created a moment ago: ask the server before
    // generating anything, so values are never made twice.
    const stored =
      this.d.cache.getChild('v1', 'Secret', namespace, secretName) ?? (await this.d.writer.readSecret(namespace, secretName));
    const existing: GeneratedSecrets = readGenerated(stored);
    const { values, added } = await completeSecrets(
      existing,
      secretNeeds(refs, (cr.spec.cache?.type ?? 'InCluster') === 'InCluster'),
      this.random,
      this.now(),
      { checkHtpasswd },
    );
    if (added.length > 0 && stored) {
      this.d.log.info({ key, keys: added }, 'generated missing secret values');
    }
    const secrets = assembleSecrets(memo.user, values);
    return { secrets, generated: values };
  }
}

/** The Deployments and StatefulSets among a cluster's children (what status counts pods of). */
function workloadsOf(children: KubeObject[]): KubeObject[] {
  return children.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
}

/** Whether the chart renders a Certificate for these values (the Ingress with a cert-manager issuer). */
function wantsCertificate(values: ChartValues): boolean {
  return values.expose.type === 'ingress' && values.expose.ingress.tls.source === 'issuer';
}

function names(objects: KubeObject[]): string {
  const list = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  return list.length > 6 ? `${list.slice(0, 6).join(', ')} and ${list.length - 6} more` : list.join(', ');
}
