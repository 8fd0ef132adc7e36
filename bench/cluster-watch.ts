// A watch of the bench's HarborClusters (one list, then a watch: cheaper
// than polling a list of a thousand objects, and exact to the event): how
// many are converged (status.observedGeneration == metadata.generation) and
// how many Ready, with waits that resolve on the event that completes them.
import type { KubeHttp } from '../src/kube/http.ts';
import { Informer } from '../src/kube/informer.ts';
import { harborClusterType } from '../src/kube/resources.ts';
import type { KubeObject } from '../src/model/object.ts';
import type { HarborClusterStatus } from '../src/status/observe.ts';
import { RUN_LABEL } from './workload.ts';

interface State {
  converged: boolean;
  ready: boolean;
  degraded: boolean;
}

export interface Counts {
  seen: number;
  converged: number;
  ready: number;
  degraded: number;
}

export class ClusterWatch {
  private readonly informer: Informer;
  private readonly states = new Map<string, State>();
  private waiters: { check: (c: Counts) => boolean; resolve: (at: number) => void }[] = [];

  constructor(http: KubeHttp, n: number) {
    this.informer = new Informer(http, harborClusterType, {
      labelSelector: `${RUN_LABEL}=${n}`,
      onEvent: (event, obj) => {
        const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
        if (event === 'delete') this.states.delete(key);
        else this.states.set(key, stateOf(obj));
        this.notify();
      },
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  counts(): Counts {
    const c: Counts = { seen: this.states.size, converged: 0, ready: 0, degraded: 0 };
    for (const s of this.states.values()) {
      if (s.converged) c.converged++;
      if (s.ready) c.ready++;
      if (s.degraded) c.degraded++;
    }
    return c;
  }

  /** Resolves with Date.now() at the event that made check() true, or undefined after timeoutMs. */
  until(check: (c: Counts) => boolean, timeoutMs: number): Promise<number | undefined> {
    if (check(this.counts())) return Promise.resolve(Date.now());
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      const waiter = {
        check,
        resolve: (at: number): void => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const c = this.counts();
    const now = Date.now();
    const done = this.waiters.filter((w) => w.check(c));
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => !done.includes(w));
    for (const w of done) w.resolve(now);
  }
}

function stateOf(o: KubeObject): State {
  const status = o['status'] as HarborClusterStatus | undefined;
  const cond = (t: string): string | undefined => status?.conditions?.find((c) => c.type === t)?.status;
  return {
    converged: status?.observedGeneration !== undefined && status.observedGeneration === o.metadata.generation,
    ready: cond('Ready') === 'True',
    degraded: cond('Degraded') === 'True',
  };
}
