// A list+watch cache of one kind, like client-go's reflector and informer:
// lists (in pages), then watches from the list's resourceVersion, follows
// bookmarks, lists again on 410 Gone, and restarts with backoff on any other
// failure. It never stops by itself and never lets a handler's exception out.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../model/object.ts';
import { ApiError, isGone } from './api-error.ts';
import type { KubeHttp } from './http.ts';
import type { ListGate } from './list-gate.ts';
import { collectionPath, type ResourceType } from './resources.ts';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler = (event: InformerEvent, obj: KubeObject, old?: KubeObject) => void;

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  /** Passed to both the list and the watch, e.g. metadata.name=x. */
  fieldSelector?: string;
  onEvent: InformerHandler;
  onError?: (err: unknown) => void;
  /** Called when an optional kind is absent (its CRD not installed) or returns. */
  onAvailability?: (available: boolean) => void;
  pageSize?: number;
  maxBackoffMs?: number;
  /**
   * The wait after a failed list or watch, instead of the exponential backoff
   * (500 ms doubling to maxBackoffMs) when it returns a number. previousMs is
   * the last wait since the last successful watch (0 for none).
   */
  retryDelayMs?: (err: unknown, previousMs: number) => number | undefined;
  /** Called after every successful list. */
  onListed?: () => void;
  /** Applied to every object before it is cached (to drop what is never read). */
  transform?: (obj: KubeObject) => KubeObject;
  /** Shared by informers that should take turns listing (list-gate.ts). */
  listGate?: ListGate;
  /**
   * Lists and watches metadata only (PartialObjectMetadata): a Secret's data
   * never reaches the operator this way.
   */
  metadataOnly?: boolean;
  /**
   * Which objects to cache and report; the others are dropped as they
   * arrive (a watch of every Secret that keeps only those the operator reads).
   * Evaluated on each list item and watch event.
   */
  keep?: (obj: KubeObject) => boolean;
}

// The metadata-only forms (meta.k8s.io/v1 PartialObjectMetadataList for a
// list, PartialObjectMetadata for each watch event), with no fallback to
// whole objects: a server that could not answer so would refuse (406), not
// send data.
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const METADATA_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

interface List {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string };
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Informer {
  readonly type: ResourceType;
  private readonly http: KubeHttp;
  private readonly opts: InformerOptions;
  private readonly cache = new Map<string, KubeObject>();
  private resourceVersion = '';
  private synced = false;
  private available = true;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private syncWaiters: (() => void)[] = [];
  private answered = false;
  private answerWaiters: (() => void)[] = [];
  /** Ends the current backoff sleep early (retryNow). */
  private wake: AbortController | undefined;
  /** Lists and watches started, for tests and metrics. */
  readonly stats = { lists: 0, watches: 0, relistsAfterGone: 0, errors: 0 };

  constructor(http: KubeHttp, type: ResourceType, opts: InformerOptions) {
    this.http = http;
    this.type = type;
    this.opts = opts;
  }

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }

  /**
   * Ends a backoff wait now, so the next list or watch starts at once (an
   * absent kind's CRD was just established). Does nothing while listing or
   * watching.
   */
  retryNow(): boolean {
    if (!this.wake) return false;
    this.wake.abort();
    return true;
  }

  /** Whether the informer is waiting to retry after a failure. */
  isBackingOff(): boolean {
    return this.wake !== undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  isAvailable(): boolean {
    return this.available;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /**
   * Resolves once the first list was answered, whatever the answer (listed,
   * absent, refused): an optional kind's availability is known then.
   */
  waitForFirstAnswer(): Promise<void> {
    if (this.answered) return Promise.resolve();
    return new Promise((resolve) => this.answerWaiters.push(resolve));
  }

  private markAnswered(): void {
    if (this.answered) return;
    this.answered = true;
    for (const w of this.answerWaiters.splice(0)) w();
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  /** How many objects the cache holds. */
  size(): number {
    return this.cache.size;
  }

  /**
   * Caches an object read directly (a GET) if the cache has none of that
   * name yet: a `keep` informer learns of an object it started keeping only
   * at the next event otherwise. Nothing is emitted.
   */
  seed(obj: KubeObject): void {
    const o = this.prepare(obj);
    const k = keyOf(o);
    if (!this.cache.has(k) && (this.opts.keep?.(o) ?? true)) this.cache.set(k, o);
  }

  /** Forgets a cached object (one no longer kept); nothing is emitted. */
  evict(namespace: string, name: string): void {
    this.cache.delete(`${namespace}/${name}`);
  }

  list(namespace?: string): KubeObject[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  private emit(event: InformerEvent, obj: KubeObject, old?: KubeObject): void {
    try {
      this.opts.onEvent(event, obj, old);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private setAvailable(available: boolean): void {
    if (available === this.available) return;
    this.available = available;
    try {
      this.opts.onAvailability?.(available);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  private prepare(item: KubeObject): KubeObject {
    const o = { ...item, apiVersion: this.type.apiVersion, kind: this.type.kind };
    return this.opts.transform ? this.opts.transform(o) : o;
  }

  private path(): string {
    return collectionPath(this.type, this.opts.namespace);
  }

  /** Lists everything and replaces the cache, emitting what changed. */
  private async relist(signal: AbortSignal): Promise<void> {
    const gate = this.opts.listGate;
    if (gate) await gate.run(() => this.listAll(signal), signal);
    else await this.listAll(signal);
  }

  private async listAll(signal: AbortSignal): Promise<void> {
    this.stats.lists++;
    const fresh = new Map<string, KubeObject>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.http.request<List>('GET', this.path(), {
        query: { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: this.opts.pageSize ?? 500, continue: cont },
        signal,
        ...(this.opts.metadataOnly ? { accept: METADATA_LIST } : {}),
      });
      for (const item of page.items ?? []) {
        const o = this.prepare(item);
        if (this.opts.keep && !this.opts.keep(o)) continue;
        fresh.set(keyOf(o), o);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    const old = new Map(this.cache);
    this.cache.clear();
    for (const [k, o] of fresh) this.cache.set(k, o);
    this.resourceVersion = rv;
    for (const [k, o] of fresh) {
      const before = old.get(k);
      if (!before) this.emit('add', o);
      else if (before.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit('update', o, before);
    }
    for (const [k, o] of old) if (!fresh.has(k)) this.emit('delete', o);
    this.markSynced();
    try {
      this.opts.onListed?.();
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  private apply(ev: WatchEvent): void {
    if (ev.type === 'BOOKMARK') {
      this.resourceVersion = ev.object.metadata.resourceVersion ?? this.resourceVersion;
      return;
    }
    if (ev.type === 'ERROR') {
      const code = ev.object.code ?? 0;
      throw new ApiError('WATCH', this.path(), code, code === 410 ? 'Expired' : 'Error', ev.object.message ?? '');
    }
    const o = this.prepare(ev.object);
    const k = keyOf(o);
    this.resourceVersion = o.metadata.resourceVersion ?? this.resourceVersion;
    const before = this.cache.get(k);
    if (this.opts.keep && !this.opts.keep(o)) {
      this.cache.delete(k);
      return;
    }
    if (ev.type === 'DELETED') {
      this.cache.delete(k);
      this.emit('delete', o);
    } else {
      this.cache.set(k, o);
      this.emit(before ? 'update' : 'add', o, before);
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    let backoff = 0;
    let needList = true;
    const max = this.opts.maxBackoffMs ?? 30_000;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
          this.setAvailable(true);
          this.markAnswered();
        }
        this.stats.watches++;
        // A server-side timeout spreads reconnects; the watch resumes from
        // the last resourceVersion seen, so nothing is missed in between.
        await this.http.stream(
          this.path(),
          {
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: 240 + Math.floor(Math.random() * 120),
          },
          (line) => {
            this.apply(JSON.parse(line) as WatchEvent);
          },
          signal,
          this.opts.metadataOnly ? METADATA_WATCH : undefined,
        );
        backoff = 0;
      } catch (err) {
        // (read through a call: the loop condition narrowed it to false)
        if (isAborted(signal)) break;
        if (isGone(err)) {
          this.stats.relistsAfterGone++;
          needList = true;
          continue;
        }
        this.stats.errors++;
        if (this.type.optional && err instanceof ApiError && err.status === 404) {
          this.setAvailable(false);
          needList = true;
        } else {
          this.opts.onError?.(err);
        }
        this.markAnswered();
        backoff = this.opts.retryDelayMs?.(err, backoff) ?? Math.min(max, backoff === 0 ? 500 : backoff * 2);
        await this.backoffSleep(backoff, signal);
      }
    }
  }

  private async backoffSleep(ms: number, signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    this.wake = wake;
    try {
      await sleep(ms, undefined, { signal: AbortSignal.any([signal, wake.signal]) }).catch(() => undefined);
    } finally {
      this.wake = undefined;
    }
  }
}

function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
