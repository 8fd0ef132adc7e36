// One reconcile of one HarborCluster: secrets → values → render → normalize →
// diff against the cache → apply → prune → status. Level-based: it looks at
// the whole state each time and makes it so. Decisions are pure functions
// elsewhere; this file only sequences them and does the I/O through narrow
// interfaces.
import { randomBytes } from 'node:crypto';
import type { HarborCluster } from '../api/types.generated.ts';
import { plan, summarize } from '../diff/plan.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { FinalizerWriter } from '../kube/finalizers.ts';
import type { PostgresConnector } from '../provision/postgres.ts';
import { FIELD_MANAGER, type ObjectWriter, type SecretReader, type StatusWriter } from '../kube/writer.ts';
import { namespacedName, objectKey, type KubeObject } from '../model/object.ts';
import { RenderError } from '../render/render-error.ts';
import type { ChartValues } from '../render/chart-values.ts';
import type { Renderer } from '../render/renderer.ts';
import { toValues } from '../render/values.ts';
import type { GeneratedSecrets, RandomBytes } from '../secrets/generate.ts';
import type { HarborClusterStatus } from '../status/observe.ts';
import { Applier, type Applied } from './applier.ts';
import { appliedDigest, inputsDigest } from './applied-digest.ts';
import { DatabaseProvisionError, DatabaseProvisioner } from './database-provisioner.ts';
import { desiredObjects } from './desired.ts';
import type { ClusterCache, Logger, ReconcileMetrics } from './ports.ts';
import type { Result } from './queue.ts';
import { redact } from './redact.ts';
import { SecretRefError } from './secret-refs.ts';
import { SecretsSource } from './secrets-source.ts';
import { CERT_KIND, StatusReporter, workloadsOf } from './status-reporter.ts';


export const PAUSED_ANNOTATION = 'harbor-operator.dev/paused';

export interface ReconcilerDeps {
  cache: ClusterCache;
  writer: ObjectWriter & StatusWriter & SecretReader;
  events: EventRecorder;
  renderer: Renderer;
  log: Logger;
  now?: () => Date;
  random?: RandomBytes;
  metrics?: ReconcileMetrics;
  /** Adds and removes the HarborCluster's finalizer (database dropped with it). */
  finalizers: FinalizerWriter;
  /** PostgreSQL of spec.database.external.provision (default: node-postgres). */
  postgres?: PostgresConnector;
  /** How long a deleted HarborCluster waits for its database to be dropped (default 10 min). */
  databaseDropTimeoutMs?: number;
}

export class Reconciler {
  private readonly d: ReconcilerDeps;
  private readonly secretsSource: SecretsSource;
  private readonly applier: Applier;
  private readonly status: StatusReporter;
  private readonly database: DatabaseProvisioner;
  /** Hash of the last render whose objects were all applied, by cluster key. */
  private readonly appliedHash = new Map<string, string>();

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
    const now = deps.now ?? ((): Date => new Date());
    this.secretsSource = new SecretsSource({
      cache: deps.cache,
      reader: deps.writer,
      log: deps.log,
      now,
      random: deps.random ?? randomBytes,
    });
    this.applier = new Applier({
      writer: deps.writer,
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
    this.status = new StatusReporter({
      cache: deps.cache,
      writer: deps.writer,
      events: deps.events,
      log: deps.log,
      now,
      conditions: (cr) => this.database.conditions(namespacedName(cr)),
    });
  }

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
      // Children go with their owner through the garbage collector.
      this.forget(key);
      return {};
    }
    const cr = live as unknown as HarborCluster & { metadata: KubeObject['metadata'] };
    const previous = cr.status as HarborClusterStatus | undefined;
    if (live.metadata.annotations?.[PAUSED_ANNOTATION] === 'true') {
      await this.status.write(live, previous, { kind: 'paused' }, []);
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
      await this.status.fail(live, previous, reason, message, secretValues);
      throw new Error(message, { cause: err });
    };
    /** Secrets, values and the digest of the inputs. */
    const prepare = async (
      checkHtpasswd: boolean,
    ): Promise<{ generated: GeneratedSecrets; values: ChartValues; renderHash: string; inputs: string }> => {
      let resolved: Awaited<ReturnType<SecretsSource['resolve']>>;
      try {
        resolved = await this.secretsSource.resolve(key, cr, live, checkHtpasswd);
      } catch (err) {
        if (err instanceof SecretRefError) await this.status.fail(live, previous, 'SecretNotFound', err.message, []);
        throw err;
      }
      // Harbor's role and database on an external server, before anything of Harbor is applied.
      try {
        resolved = await this.database.ensure(key, live, resolved);
      } catch (err) {
        if (err instanceof DatabaseProvisionError) await this.status.fail(live, previous, 'DatabaseProvisionFailed', err.message, []);
        throw err;
      }
      const { secrets, generated } = resolved;
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

    const valuesUnchanged = this.appliedHash.get(key) === rendered.hash;
    let applied: Applied;
    try {
      applied = await this.applier.apply(live, p, valuesUnchanged);
    } catch (err) {
      const message = redact(err instanceof Error ? err.message : String(err), secretValues);
      await this.status.fail(live, before, 'ApplyFailed', message, secretValues);
      throw new Error(message, { cause: err });
    }
    this.appliedHash.set(key, rendered.hash);

    // Prune only after a complete render and a complete apply.
    await this.applier.prune(live, p);

    const children = this.d.cache.childrenOf(namespace, name);
    const workloads = workloadsOf(children);
    const certificate = certWanted ? this.status.certificateState(namespace, all) : undefined;
    // Children as they are now: the cache, with this reconcile's answers
    // from the server over it and the pruned ones gone.
    let digest: string | undefined;
    if (applied.holdMs === undefined) {
      const now = new Map(children.map((o) => [objectKey(o), o]));
      for (const [k, o] of applied.responses) now.set(k, o);
      for (const o of p.prune) now.delete(objectKey(o));
      digest = appliedDigest(inputs, now.values(), FIELD_MANAGER);
    }
    await this.status.write(live, before, { kind: 'applied', changed: s.create + s.update + s.prune }, secretValues, workloads, certificate, digest);
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

  /** The HarborCluster is gone (or going): drop everything kept for it. */
  private forget(key: string): void {
    this.appliedHash.delete(key);
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

/** Whether the chart renders a Certificate for these values (the Ingress with a cert-manager issuer). */
function wantsCertificate(values: ChartValues): boolean {
  return values.expose.type === 'ingress' && values.expose.ingress.tls.source === 'issuer';
}
