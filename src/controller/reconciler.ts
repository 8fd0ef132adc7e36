// One reconcile of one HarborCluster: the upgrade step → secrets → values → render → normalize →
// diff against the cache → volumes → apply → prune → status; any failure →
// Degraded, an event, and a retry (slow when the API server refused).
// Level-based: it looks at the whole state each time and makes it so. Decisions are pure functions
// elsewhere; this file only sequences them and does the I/O through narrow
// interfaces.
import { randomBytes } from 'node:crypto';
import type { ComponentVersions } from '../api/component-versions.ts';
import type { HarborCluster } from '../api/types.generated.ts';
import { clusterIdentity } from '../diff/ownership.ts';
import { plan, summarize } from '../diff/plan.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { FinalizerWriter } from '../kube/finalizers.ts';
import type { PostgresConnector } from '../provision/postgres.ts';
import { FIELD_MANAGER, type ObjectReader, type ObjectWriter, type SecretKeeper, type SecretReader, type StatusWriter } from '../kube/writer.ts';
import { namespacedName, objectKey, type KubeObject } from '../model/object.ts';
import type { VolumeClient } from '../kube/volumes.ts';
import { RenderError } from '../render/render-error.ts';
import type { ChartValues } from '../render/chart-values.ts';
import type { Renderer } from '../render/renderer.ts';
import { toValues } from '../render/values.ts';
import type { GeneratedSecrets, RandomBytes } from '../secrets/generate.ts';
import { databaseUpgradeOf, unsupportedMessage } from '../status/database-upgrade.ts';
import { COMPONENT_LABEL, type HarborClusterStatus } from '../status/observe.ts';
import type { PhaseBounds } from '../status/upgrade-phase.ts';
import { holdForRestore } from '../backup/records.ts';
import type { JobClient } from '../kube/jobs.ts';
import { Applier, NotOwnedWrites, type Applied } from './applier.ts';
import { appliedDigest, inputsDigest } from './applied-digest.ts';
import { applyPhase } from './apply-order.ts';
import type { BackupGate } from './backup-gate.ts';
import { Backups } from './backups.ts';
import { DatabaseProvisionError, DatabaseProvisioner } from './database-provisioner.ts';
import { desiredObjects } from './desired.ts';
import { NotOwnedError, ownedWriter, ownershipRules } from './owned-writer.ts';
import { describeNotOwned, gatePlan, type GatedPlan, type NotOwned } from './ownership-gate.ts';
import type { ClusterCache, Logger, ReconcileMetrics, ReferencedSecretVersions, StatusSources } from './ports.ts';
import { PermanentError, type Result } from './queue.ts';
import { describeFailure, errorText, ReconcileFailure } from './reconcile-failure.ts';
import { redact } from './redact.ts';
import { describeUnsafe, unsafeObjects } from './render-guard.ts';
import { SecretsSource } from './secrets-source.ts';
import { VolumeGrowth } from './volume-growth.ts';
import { UpgradeStep } from './upgrade-step.ts';
import { CERT_KIND, StatusReporter, workloadsOf } from './status-reporter.ts';


export const PAUSED_ANNOTATION = 'harbor-operator.dev/paused';

/** One reconcile's state that its failure report needs. */
interface Run {
  key: string;
  live: KubeObject;
  /** Status as last written (without the digest once that is removed). */
  before: HarborClusterStatus | undefined;
  /** Every secret value known so far: redacted from messages. */
  secretValues: string[];
  /** The reason of the step under way, for errors that carry none. */
  step: string;
}

export interface ReconcilerDeps {
  cache: ClusterCache;
  writer: ObjectWriter & ObjectReader & StatusWriter & SecretReader & SecretKeeper;
  volumes: VolumeClient;
  events: EventRecorder;
  /** The watch of referenced Secrets (referenced-secrets.ts). */
  referencedSecrets?: ReferencedSecretVersions;
  renderer: Renderer;
  log: Logger;
  now?: () => Date;
  random?: RandomBytes;
  metrics?: ReconcileMetrics;
  /** Pods and events, for status to say why pods are missing. */
  sources?: StatusSources;
  /** Backup and restore Jobs and their claim, created once; a finished Job's pod (the dump's size and file). */
  jobs: JobClient;
  /** Adds and removes the HarborCluster's finalizer (database dropped with it). */
  finalizers: FinalizerWriter;
  /** PostgreSQL of spec.database.external.provision (default: node-postgres). */
  postgres?: PostgresConnector;
  /** How long a deleted HarborCluster waits for its database to be dropped (default 10 min). */
  databaseDropTimeoutMs?: number;
  /** How long an upgrade phase may wait for its workloads before it is reported (tests shorten it). */
  upgradeBounds?: PhaseBounds;
}

export class Reconciler {
  private readonly d: ReconcilerDeps;
  private readonly secretsSource: SecretsSource;
  private readonly applier: Applier;
  private readonly status: StatusReporter;
  private readonly volumes: VolumeGrowth;
  private readonly backups: Backups;
  /** The backup gate of upgrades (backup-gate.ts). */
  readonly backupGate: BackupGate;
  private readonly database: DatabaseProvisioner;
  private readonly upgrades: UpgradeStep;
  /** Hash of the last render whose objects were all applied, by cluster key. */
  private readonly appliedHash = new Map<string, string>();

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
    const now = deps.now ?? ((): Date => new Date());
    this.secretsSource = new SecretsSource({
      cache: deps.cache,
      store: deps.writer,
      events: deps.events,
      log: deps.log,
      now,
      random: deps.random ?? randomBytes,
      ...(deps.referencedSecrets ? { watch: deps.referencedSecrets } : {}),
    });
    this.applier = new Applier({
      // Every apply goes through the ownership rule (owned-writer.ts).
      writer: ownedWriter({ writer: deps.writer, cache: deps.cache, events: deps.events, log: deps.log }),
      events: deps.events,
      log: deps.log,
      now,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    });
    this.database = new DatabaseProvisioner({
      cache: deps.cache,
      reader: deps.writer,
      finalizers: deps.finalizers,
      events: deps.events,
      log: deps.log,
      now,
      random: deps.random ?? randomBytes,
      ...(deps.postgres ? { postgres: deps.postgres } : {}),
      ...(deps.databaseDropTimeoutMs !== undefined ? { dropTimeoutMs: deps.databaseDropTimeoutMs } : {}),
    });
    this.volumes = new VolumeGrowth({
      client: deps.volumes,
      events: deps.events,
      log: deps.log,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    });
    this.status = new StatusReporter({
      cache: deps.cache,
      writer: deps.writer,
      events: deps.events,
      log: deps.log,
      now,
      ...(deps.sources ? { sources: deps.sources } : {}),
      conditions: (cr) => this.database.conditions(namespacedName(cr)),
    });
    this.backups = new Backups({
      cache: deps.cache,
      jobs: deps.jobs,
      status: this.status,
      events: deps.events,
      log: deps.log,
      now,
    });
    this.backupGate = this.backups;
    // The upgrade's backup is one of the general backups (reason BeforeUpgrade).
    this.upgrades = new UpgradeStep({
      gate: this.backups,
      status: this.status,
      events: deps.events,
      log: deps.log,
      now,
      ...(deps.upgradeBounds ? { bounds: deps.upgradeBounds } : {}),
    });
  }

  /**
   * Every failure ends here: Degraded=True with its reason and a message
   * naming the objects (redacted), a warning event, and a throw — a
   * PermanentError when retrying cannot help, so the queue retries it slowly.
   */
  async reconcile(key: string): Promise<Result> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const live = this.d.cache.getCluster(namespace, name);
    if (!live || live.metadata.deletionTimestamp) {
      // The database goes first when it is dropped with the cluster (the
      // finalizer holds the deletion until then; not while paused).
      if (live && this.database.holdsFinalizer(live) && live.metadata.annotations?.[PAUSED_ANNOTATION] !== 'true') {
        await this.database.finalize(key, live);
      }
      // Children go with their owner through the garbage collector; the
      // generated Secret's finalizer is settled.
      this.forget(key);
      return this.secretsSource.settle(namespace, name);
    }
    const run: Run = { key, live, before: live.status as HarborClusterStatus | undefined, secretValues: [], step: 'SecretsFailed' };
    try {
      return await this.run(run);
    } catch (err) {
      throw await this.report(run, err);
    }
  }

  /** The failure of a step → status, event and log; returns what the queue gets. */
  private async report(run: Run, err: unknown): Promise<Error> {
    const f = describeFailure(err, run.step);
    const message = redact(f.message, run.secretValues);
    try {
      await this.status.fail(run.live, run.before, f.reason, message, run.secretValues);
    } catch (writeErr) {
      // The event and log line went out; status waits for the retry.
      this.d.log.warn(
        { key: run.key, reason: f.reason, err: redact(errorText(writeErr), run.secretValues) },
        'could not write the failure to status',
      );
    }
    return f.permanent ? new PermanentError(message, { cause: err }) : new Error(message, { cause: err });
  }

  private async run(run: Run): Promise<Result> {
    const { live } = run;
    const namespace = live.metadata.namespace ?? '';
    const name = live.metadata.name;
    const cr = live as unknown as HarborCluster & { metadata: KubeObject['metadata'] };
    if (live.metadata.annotations?.[PAUSED_ANNOTATION] === 'true') {
      run.step = 'StatusWriteFailed';
      await this.status.write(live, run.before, { kind: 'paused' }, []);
      return {};
    }
    // A change of spec.version is an upgrade: its phase (in status, before
    // anything is rendered from it) says which release each component runs.
    run.step = 'UpgradeFailed';
    const upgrade = await this.upgrades.advance(live, this.d.cache.childrenOf(namespace, name), run.before);
    run.before = upgrade.status;
    const result = await this.converge(run, cr, upgrade.versions);
    return soonest(result, upgrade.wakeMs);
  }

  /** Everything after the upgrade step: render the components at their releases, apply, prune, status. */
  private async converge(
    run: Run,
    cr: HarborCluster & { metadata: KubeObject['metadata'] },
    versions: ComponentVersions,
  ): Promise<Result> {
    const { key, live } = run;
    const namespace = live.metadata.namespace ?? '';
    const name = live.metadata.name;
    const previous = run.before;

    // Backups and restores: records of their Jobs, an on-demand backup, the
    // restore's Job; then what they add to the render.
    run.step = 'BackupFailed';
    run.before = await this.backups.sync(live, run.before);
    const lifecycle = this.backups.desired(cr, run.before);

    const owner = {
      apiVersion: live.apiVersion,
      kind: live.kind,
      name,
      namespace,
      uid: live.metadata.uid ?? '',
    };
    const deleteClaims = cr.spec.persistence?.deleteClaimsWithCluster === true;
    const certsServed = this.d.cache.kindAvailable('cert-manager.io/v1', 'Certificate');
    /** toValues and helm: a RenderError is RenderFailed, anything else the spec's fault. */
    const asRenderFailure = (err: unknown): ReconcileFailure =>
      new ReconcileFailure(err instanceof RenderError ? 'RenderFailed' : 'InvalidSpec', errorText(err), { cause: err });
    /** Secrets, values and the digest of the inputs. */
    const prepare = async (
      checkHtpasswd: boolean,
    ): Promise<{ generated: GeneratedSecrets; values: ChartValues; renderHash: string; inputs: string }> => {
      run.step = 'SecretsFailed';
      let resolved = await this.secretsSource.resolve(key, cr, live, checkHtpasswd);
      // Harbor's role and database on an external server, before anything of Harbor is applied.
      try {
        resolved = await this.database.ensure(key, live, resolved);
      } catch (err) {
        if (err instanceof DatabaseProvisionError) throw new ReconcileFailure('DatabaseProvisionFailed', err.message, { cause: err });
        throw err;
      }
      const { secrets, generated } = resolved;
      // As sent (Secret data is base64): a server message may echo either form.
      const plain = (Object.values(secrets) as (string | undefined)[]).filter((v): v is string => !!v);
      run.secretValues = [...plain, ...plain.map((v) => Buffer.from(v, 'utf8').toString('base64'))];
      let values: ChartValues;
      try {
        values = toValues(cr, secrets, versions);
      } catch (err) {
        throw asRenderFailure(err);
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
        lifecycle: lifecycle.digest,
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
        run.step = 'StatusWriteFailed';
        return this.unchanged(key, live, digestBefore, previous, values, first.renderHash);
      }
      ({ generated, values, inputs } = await prepare(true));
    }
    let rendered: Awaited<ReturnType<Renderer['render']>>;
    try {
      rendered = await this.d.renderer.render(key, name, namespace, values);
    } catch (err) {
      throw asRenderFailure(err);
    }

    run.step = 'PlanFailed';
    let all: KubeObject[];
    try {
      all = desiredObjects([...rendered.objects, ...lifecycle.objects], owner, generated, deleteClaims);
      if (lifecycle.hold) all = holdForRestore(all, COMPONENT_LABEL);
    } catch (err) {
      throw asRenderFailure(err);
    }
    // Before the first write (the digest removal below included): only
    // allowed kinds, in this namespace, with this cluster's names and label.
    const unsafe = unsafeObjects(all, { name, namespace });
    if (unsafe.length > 0) {
      // Retrying the same render gives the same objects: slowly, not hot.
      throw new ReconcileFailure('UnsafeRender', describeUnsafe(unsafe), { permanent: true });
    }
    // Without cert-manager's CRDs the Certificate cannot exist; the rest
    // still runs and status says why TLS is not ready.
    const desired = certsServed ? all : all.filter((o) => `${o.apiVersion}/${o.kind}` !== CERT_KIND);
    const certWanted = all.some((o) => `${o.apiVersion}/${o.kind}` === CERT_KIND);

    const liveObjects = this.liveFor(namespace, name, desired);
    // Only what this HarborCluster owns (or adopts) is written or pruned.
    const gated = gatePlan(plan(desired, liveObjects, { uid: owner.uid }), liveObjects, clusterIdentity(live), ownershipRules);
    let p = gated.plan;
    const s = summarize(p);
    const log = this.d.log;
    if (s.create + s.update + s.prune > 0) {
      log.info({ key, plan: s, hash: rendered.hash.slice(0, 12) }, 'applying plan');
      // The digest stands for "children as applied": it goes before anything
      // changes, so a crash halfway can never leave a digest that matches.
      if (run.before?.appliedDigest !== undefined) {
        run.step = 'StatusWriteFailed';
        run.before = await this.status.dropDigest(live, run.before);
      }
    }

    // A PostgreSQL major ahead is in status and an event before the database StatefulSet changes.
    const dbUpgrade = databaseUpgradeOf(cr, run.before, this.d.cache.childrenOf(namespace, name), COMPONENT_LABEL, versions.database);
    if (dbUpgrade.kind === 'unsupported') throw asRenderFailure(new Error(unsupportedMessage(dbUpgrade)));
    if (dbUpgrade.kind === 'pending') {
      run.step = 'StatusWriteFailed';
      run.before = await this.status.announceDatabaseUpgrade(live, run.before, dbUpgrade);
    }

    // Volume changes an apply cannot make: claims grown, StatefulSets
    // re-created (or the whole change refused, before any write).
    run.step = 'VolumeResizeFailed';
    const volumes = await this.volumes.prepare(live, p);
    p = volumes.plan;

    run.step = 'ApplyFailed';
    const valuesUnchanged = this.appliedHash.get(key) === rendered.hash;
    let applied: Applied;
    try {
      applied = await this.applier.apply(live, p, valuesUnchanged);
    } catch (err) {
      if (err instanceof NotOwnedWrites) throw notOwnedFailure(live, gated, err.refused, err.others);
      throw err;
    }
    if (gated.notOwned.length > 0) throw notOwnedFailure(live, gated, [], []);
    this.appliedHash.set(key, rendered.hash);

    // Prune only after a complete render and a complete apply.
    run.step = 'PruneFailed';
    await this.applier.prune(live, p);

    const children = this.d.cache.childrenOf(namespace, name);
    // Every rendered workload counts, as fresh as known when status is written.
    const workloads = workloadsOf(desired);
    const certificate = certWanted ? this.status.certificateState(namespace, all) : undefined;
    // Children as they are now: the cache, with this reconcile's answers
    // from the server over it and the pruned ones gone.
    // A refused volume change is not "as applied": no digest, so the next
    // reconcile looks again and keeps reporting it.
    let digest: string | undefined;
    if (applied.holdMs === undefined && !volumes.refused) {
      const now = new Map(children.map((o) => [objectKey(o), o]));
      for (const [k, o] of applied.responses) now.set(k, o);
      for (const o of p.prune) now.delete(objectKey(o));
      digest = appliedDigest(inputs, now.values(), FIELD_MANAGER);
    }
    run.step = 'StatusWriteFailed';
    await this.status.write(
      live,
      run.before,
      {
        kind: 'applied',
        changed: p.create.length + p.update.length + p.prune.length,
        ...(volumes.refused ? { degraded: volumes.refused } : {}),
      },
      run.secretValues,
      workloads,
      certificate,
      digest,
      applied.responses,
    );
    if (applied.holdMs !== undefined) return { requeueAfter: applied.holdMs };
    log.debug(
      {
        key,
        plan: s,
        workloads: workloadsOf(children).map((w) => `${w.metadata.name}@${w.metadata.resourceVersion ?? ''}`),
      },
      'reconciled',
    );
    return {};
  }

  /** The HarborCluster is gone (or going): drop everything kept for it. */
  private forget(key: string): void {
    this.appliedHash.delete(key);
    this.status.forget(key);
    this.secretsSource.forget(key);
    this.applier.forget(key);
    this.database.forget(key);
    this.d.renderer.forget(key);
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
    this.appliedHash.set(key, renderHash);
    this.d.metrics?.skippedRender?.();
    const workloads = workloadsOf(children);
    const certificate = wantsCertificate(values) ? this.status.certificateState(namespace, children) : undefined;
    await this.status.write(live, previous, { kind: 'applied', changed: 0 }, [], workloads, certificate, digest);
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
}

/** A result that also comes back after `wakeMs`, whichever is sooner. */
function soonest(r: Result, wakeMs: number | undefined): Result {
  if (wakeMs === undefined) return r;
  return { ...r, requeueAfter: r.requeueAfter === undefined ? wakeMs : Math.min(r.requeueAfter, wakeMs) };
}

/** Whether the chart renders a Certificate for these values (the Ingress with a cert-manager issuer). */
function wantsCertificate(values: ChartValues): boolean {
  return values.expose.type === 'ingress' && values.expose.ingress.tls.source === 'issuer';
}

/**
 * Objects of this cluster's names exist that are not its own: they were
 * left alone (and what depends on them held back, ownership-gate.ts);
 * Degraded says which and why, nothing is pruned, and the key is retried.
 * Other writes that failed in the same phase are named too.
 */
function notOwnedFailure(live: KubeObject, gated: GatedPlan, refused: readonly NotOwnedError[], others: readonly string[]): ReconcileFailure {
  const all: NotOwned[] = [...gated.notOwned, ...refused.map((e) => ({ object: e.object, why: e.why, adoptable: e.adoptable }))];
  // A refused write of the first phase ended the apply before the second.
  const held = [...gated.held];
  if (refused.some((e) => applyPhase(e.desired) === 0)) {
    const p = gated.plan;
    held.push(...[...p.create, ...p.update.map((u) => u.desired)].filter((o) => applyPhase(o) > 0));
  }
  const message = describeNotOwned(all, held, live.metadata.name) + (others.length > 0 ? `. Also failed: ${others.join('; ')}` : '');
  return new ReconcileFailure('ObjectNotOwned', message, { objects: all.map((n) => n.object.replace(' ', '/')) });
}
