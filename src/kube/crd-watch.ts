// Watches the CRD of an optional kind (cert-manager's certificates.cert-manager.io)
// by name, so that the kind's informers, waiting while the kind is absent,
// are told the moment the CRD is established instead of polling for it. One
// list at the start, then only a watch: an idle operator without cert-manager
// makes no other read. Without RBAC access to CRDs (403) the state says
// 'forbidden' and the kind's informers poll as before (optional-kind.ts).
import type { KubeHttp } from './http.ts';
import { isForbidden, isNotFound } from './api-error.ts';
import { Informer } from './informer.ts';
import { crdName, crdSummary, isEstablished, optionalKindRetryDelayMs, SAFETY_NET_MS, type CrdView, type CrdWatchState } from './optional-kind.ts';
import { crdType, type ResourceType } from './resources.ts';

export interface CrdWatchOptions {
  /** The CRD was listed, added or updated and is established: the kind is served now. */
  onEstablished: () => void;
  /** starting → watching, or watching ⇄ forbidden (err: the 403). */
  onStateChange?: (state: CrdWatchState, err?: unknown) => void;
  /** Any other failure of the list or the watch (it is retried with backoff). */
  onError?: (err: unknown) => void;
}

export class CrdWatch {
  /** The CRD's name, e.g. certificates.cert-manager.io. */
  readonly name: string;
  /** The kind whose CRD this is. */
  readonly type: ResourceType;
  readonly informer: Informer;
  private current: CrdWatchState = 'starting';
  private readonly opts: CrdWatchOptions;

  constructor(http: KubeHttp, type: ResourceType, opts: CrdWatchOptions) {
    this.type = type;
    this.name = crdName(type);
    this.opts = opts;
    this.informer = new Informer(http, crdType, {
      fieldSelector: `metadata.name=${this.name}`,
      transform: crdSummary,
      // Refused by RBAC: asked again only now and then (the kind polls meanwhile).
      retryDelayMs: (err) => (isForbidden(err) ? SAFETY_NET_MS : undefined),
      onListed: () => {
        this.setState('watching');
      },
      onEvent: (event, obj) => {
        this.setState('watching');
        if (event !== 'delete' && obj.metadata.name === this.name && isEstablished(obj)) this.opts.onEstablished();
      },
      onError: (err) => {
        if (isForbidden(err)) this.setState('forbidden', err);
        else this.opts.onError?.(err);
      },
    });
  }

  start(): void {
    this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  view(): CrdView {
    return { state: this.current, established: isEstablished(this.informer.get('', this.name)) };
  }

  /** The wait of the kind's informer after a failure (404: the kind is absent), see optional-kind.ts. */
  retryDelayMs(err: unknown, previousMs: number): number {
    return optionalKindRetryDelayMs(this.view(), isNotFound(err), previousMs);
  }

  private setState(state: CrdWatchState, err?: unknown): void {
    if (state === this.current) return;
    this.current = state;
    try {
      this.opts.onStateChange?.(state, err);
    } catch (e) {
      this.opts.onError?.(e);
    }
  }
}
