// Wires watches, the work queue and the reconciler together: informers for
// HarborClusters and (by label) their children, events mapped to the owning
// HarborCluster's key, N workers, a periodic resync, and an orderly stop.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../model/object.ts';
import { createEventRecorder } from '../kube/events.ts';
import { CrdWatch } from '../kube/crd-watch.ts';
import { createFinalizerWriter } from '../kube/finalizers.ts';
import type { KubeHttp } from '../kube/http.ts';
import { Informer } from '../kube/informer.ts';
import { ListGate } from '../kube/list-gate.ts';
import { StringTable } from '../kube/intern.ts';
import { crdName, POLL_MAX_MS } from '../kube/optional-kind.ts';
import { childTypes, harborClusterType } from '../kube/resources.ts';
import { cachedChild } from '../kube/cached-child.ts';
import { withoutManagedFields } from '../kube/managed-fields.ts';
import { createVolumeClient } from '../kube/volumes.ts';
import { createJobClient } from '../kube/jobs.ts';
import type { PhaseBounds } from '../status/upgrade-phase.ts';
import { createWriter, FIELD_MANAGER } from '../kube/writer.ts';
import { namespacedName } from '../model/object.ts';
import { chartDigest, codeDigest } from '../render/chart-digest.ts';
import { createRenderer, type Renderer } from '../render/renderer.ts';
import { clusterLabel } from '../render/values.ts';
import { CauseCache } from './cause-cache.ts';
import { InformerCache } from './child-cache.ts';
import { STATUS_ONLY_DELAY_MS, statusOnlyChange } from './child-event.ts';
import { PermanentError, WorkQueue, type QueueHooks } from './queue.ts';
import type { Logger, ReconcileMetrics } from './ports.ts';
import { Reconciler } from './reconciler.ts';
import { ReferencedSecretWatch } from './referenced-secrets.ts';
import { statusSourceInformers } from './status-source-informers.ts';

export interface ManagerOptions {
  http: KubeHttp;
  /** Namespaces to watch; empty for all. */
  namespaces: string[];
  workers: number;
  resyncMs: number;
  helm: string;
  chartDir: string;
  helmTimeoutMs: number;
  helmHome?: string;
  log: Logger;
  metrics?: ReconcileMetrics;
  queueHooks?: QueueHooks;
  /** Backoff of failed reconciles (tests shorten it). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** When a reconcile the API server refused (PermanentError) is tried again by itself (default 5 min). */
  permanentRetryMs?: number;
  /** How long a deleted HarborCluster waits for its database to be dropped (tests shorten it; default 10 min). */
  databaseDropTimeoutMs?: number;
  /** How long an upgrade phase may wait for its workloads before it is reported (default: upgrade-phase.ts). */
  upgradeBounds?: PhaseBounds;
}

export class Manager {
  readonly queue: WorkQueue;
  readonly renderer: Renderer;
  readonly cache: InformerCache;
  readonly reconciler: Reconciler;
  /** The metadata watch of Secrets HarborClusters reference. */
  readonly referencedSecrets: ReferencedSecretWatch;
  private readonly informers: Informer[];
  /** Pods and FailedCreate events, for status only: started after the others have synced, never waited for. */
  private readonly sourceInformers: Informer[];
  /** One watch of the CRD of each optional kind (cert-manager's Certificate). */
  private readonly crdWatches: CrdWatch[];
  private stopResync: (() => void) | undefined;

  static async create(opts: ManagerOptions): Promise<Manager> {
    const [chart, code] = await Promise.all([chartDigest(opts.chartDir), codeDigest()]);
    const digest = createHash('sha256').update(chart).update('\0').update(code).digest('hex');
    return new Manager(opts, digest);
  }

  private constructor(opts: ManagerOptions, digest: string) {
    const log = opts.log;
    this.queue = new WorkQueue({
      ...(opts.queueHooks ?? {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(opts.permanentRetryMs !== undefined ? { permanentRetryMs: opts.permanentRetryMs } : {}),
      onError: (key, err) => {
        opts.queueHooks?.onError?.(key, err);
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof PermanentError) {
          log.warn({ key, err: message }, 'reconcile refused by the API server; tried again on the next change or slowly, not with backoff');
        } else {
          log.warn({ key, err: message }, 'reconcile failed; retrying with backoff');
        }
      },
    });
    const namespaces = opts.namespaces.length > 0 ? opts.namespaces : [undefined];
    // One list at a time: at start every kind lists, and their pages held
    // together raised a restarted operator's peak memory (bench/README.md).
    const listGate = new ListGate(1);
    // Repeated string values in the caches share one copy (intern.ts).
    const strings = new StringTable();
    const onError = (err: unknown): void => {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'watch failed; restarting');
    };
    const clusterInformers = namespaces.map(
      (ns) =>
        new Informer(opts.http, harborClusterType, {
          ...(ns ? { namespace: ns } : {}),
          onError,
          listGate,
          transform: (o) => strings.internObject(withoutManagedFields(o)),
          onEvent: (event, obj, old) => {
            if (event === 'update' && old && !specOrMetaChanged(obj, old)) return;
            this.queue.add(namespacedName(obj));
          },
        }),
    );
    // An optional kind's CRD is watched: its informers, waiting while the
    // kind is absent, are woken when the CRD is established, and poll (every
    // 10 s at most) only when RBAC refuses that watch.
    const crdWatches = new Map<string, CrdWatch>();
    const wakeAbsent = (kind: string): void => {
      for (const i of this.informers) if (i.type.kind === kind && !i.isAvailable()) i.retryNow();
    };
    for (const t of childTypes.filter((c) => c.optional)) {
      crdWatches.set(
        t.kind,
        new CrdWatch(opts.http, t, {
          onError,
          onEstablished: () => {
            wakeAbsent(t.kind);
          },
          onStateChange: (state, err) => {
            if (state === 'forbidden') {
              log.info(
                { kind: t.kind, crd: crdName(t), err: err instanceof Error ? err.message : String(err) },
                `cannot watch the CustomResourceDefinition ${crdName(t)} (RBAC); while ${t.kind} is absent it is looked for every ${POLL_MAX_MS / 1000} s`,
              );
              // back from the long safety-net wait to polling
              wakeAbsent(t.kind);
            } else if (state === 'watching') {
              log.debug({ kind: t.kind, crd: crdName(t) }, 'watching the CustomResourceDefinition');
            }
          },
        }),
      );
    }
    const childInformers = childTypes.flatMap((t) =>
      namespaces.map((ns) => {
        const crd = crdWatches.get(t.kind);
        return new Informer(opts.http, t, {
          ...(ns ? { namespace: ns } : {}),
          labelSelector: clusterLabel,
          // An absent kind waits for its CRD watch (crd-watch.ts, optional-kind.ts).
          ...(crd ? { retryDelayMs: (err: unknown, previousMs: number) => crd.retryDelayMs(err, previousMs) } : {}),
          maxBackoffMs: t.optional ? POLL_MAX_MS : 30_000,
          onError,
          listGate,
          transform: (o) => strings.internObject(cachedChild(o, FIELD_MANAGER)),
          onEvent: (event, obj, old) => {
            const key = this.cache.track(event, obj, old);
            if (event === 'update' && old?.metadata.resourceVersion === obj.metadata.resourceVersion) return;
            log.debug({ key, event, kind: t.kind, name: obj.metadata.name, rv: obj.metadata.resourceVersion }, 'child event');
            if (!key) return;
            if (event === 'update' && old && statusOnlyChange(old, obj, FIELD_MANAGER)) this.queue.addAfter(key, STATUS_ONLY_DELAY_MS);
            else this.queue.add(key);
          },
          onAvailability: (available) => {
            log.info({ kind: t.kind, available }, available ? 'kind is served now' : 'kind is not served (CRD absent)');
            for (const c of this.cache.listClusters()) this.queue.add(namespacedName(c));
          },
        });
      }),
    );
    // A referenced Secret that changes, appears or goes brings back the
    // clusters that read it (referenced-secrets.ts).
    this.referencedSecrets = new ReferencedSecretWatch(opts.http, {
      namespaces,
      listGate,
      onError,
      onChange: (key) => {
        this.queue.add(key);
      },
    });
    this.informers = [...clusterInformers, ...childInformers, ...this.referencedSecrets.informers];
    this.crdWatches = [...crdWatches.values()];
    this.cache = new InformerCache(clusterInformers, childInformers);
    const causes = new CauseCache();
    this.sourceInformers = statusSourceInformers({
      http: opts.http,
      namespaces,
      listGate,
      strings,
      onError,
      causes,
      children: this.cache,
      queueAfter: (key, ms) => {
        this.queue.addAfter(key, ms);
      },
    });
    this.renderer = createRenderer(
      { helm: opts.helm, chartDir: opts.chartDir, timeoutMs: opts.helmTimeoutMs, ...(opts.helmHome ? { homeDir: opts.helmHome } : {}) },
      digest,
    );
    const writer = createWriter(opts.http);
    this.reconciler = new Reconciler({
      cache: this.cache,
      writer,
      volumes: createVolumeClient(opts.http),
      events: createEventRecorder(opts.http, { component: 'harbor-operator', onError }),
      renderer: this.renderer,
      log,
      referencedSecrets: this.referencedSecrets,
      finalizers: createFinalizerWriter(opts.http),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      sources: causes,
      jobs: createJobClient(opts.http),
      ...(opts.databaseDropTimeoutMs !== undefined ? { databaseDropTimeoutMs: opts.databaseDropTimeoutMs } : {}),
      ...(opts.upgradeBounds ? { upgradeBounds: opts.upgradeBounds } : {}),
    });
    this.opts = opts;
  }

  private readonly opts: ManagerOptions;

  /** Starts the watches, waits for their first list, then the workers. */
  async start(): Promise<void> {
    for (const w of this.crdWatches) w.start();
    for (const i of this.informers) i.start();
    // An optional kind's first answer (listed or absent) is awaited too, so the
    // first reconciles know whether it is served.
    await Promise.all(this.informers.map((i) => (i.type.optional ? i.waitForFirstAnswer() : i.waitForSync())));
    if (this.queue.isShutDown()) return; // stopped while waiting
    for (const i of this.sourceInformers) i.start();
    this.queue.run((key) => this.reconciler.reconcile(key), this.opts.workers);
    this.stopResync = this.queue.startResync(
      () => this.cache.listClusters().map((c) => namespacedName(c)),
      this.opts.resyncMs,
    );
  }

  /** Stops taking work, lets running reconciles finish, then stops watching. */
  async stop(): Promise<void> {
    this.stopResync?.();
    this.queue.shutDown();
    await this.queue.drain();
    const informers = [...this.informers, ...this.sourceInformers];
    await Promise.all([...informers.map((i) => i.stop()), ...this.crdWatches.map((w) => w.stop())]);
  }

  informerStats(): { kind: string; lists: number; watches: number; relistsAfterGone: number; errors: number }[] {
    return [...this.informers, ...this.sourceInformers, ...this.crdWatches.map((w) => w.informer)].map((i) => ({ kind: i.type.kind, ...i.stats }));
  }
}

function specOrMetaChanged(a: KubeObject, b: KubeObject): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp ||
    JSON.stringify(a.metadata.annotations ?? {}) !== JSON.stringify(b.metadata.annotations ?? {}) ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {})
  );
}
