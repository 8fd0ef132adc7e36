// Phase 5, latency: one spec change → applied (a pod annotation of core
// bumped → core's Deployment template carries it), and one hand edit of a
// child → repaired (a Deployment's image changed → set back). Each sample
// is timed from just before the request to the watch event that shows the
// result. Hand edits go to distinct Deployments, so no object is edited
// twice within the operator's drift-fight window.
import type { KubeHttp } from '../src/kube/http.ts';
import { Informer } from '../src/kube/informer.ts';
import { objectPath } from '../src/kube/resources.ts';
import { harborClusterType } from '../src/kube/resources.ts';
import type { KubeObject } from '../src/model/object.ts';
import { clusterLabel } from '../src/render/values.ts';
import type { Ctx } from './context.ts';
import { round } from './env.ts';
import type { OperatorProcess } from './operator-process.ts';
import { operatorFigures, snapshot, type OperatorFigures } from './snapshot.ts';
import { namespacesOf, type Placement } from './workload.ts';

const deploymentType = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
const SEQ = 'bench.harbor-operator.dev/seq';
const SAMPLE_TIMEOUT_MS = 120_000;

export interface Percentiles {
  samples: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface LatencyResult {
  specChange: Percentiles;
  handEdit: Percentiles;
  operator: OperatorFigures;
}

interface Pod {
  metadata?: { annotations?: Record<string, string> };
  spec?: { containers?: { image?: string }[] };
}
const template = (d: KubeObject): Pod => ((d['spec'] as { template?: Pod } | undefined)?.template ?? {});
const imageOf = (d: KubeObject): string | undefined => template(d).spec?.containers?.[0]?.image;

/** Deployments of some namespaces, with waits on what the watch shows next. */
class Deployments {
  private readonly informers: Informer[];
  private waiters: { key: string; check: (d: KubeObject) => boolean; resolve: () => void }[] = [];

  constructor(http: KubeHttp, namespaces: string[]) {
    this.informers = namespaces.map(
      (namespace) =>
        new Informer(http, deploymentType, {
          namespace,
          labelSelector: clusterLabel,
          onEvent: (event, obj) => {
            if (event === 'delete') return;
            const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
            const done = this.waiters.filter((w) => w.key === key && w.check(obj));
            if (done.length === 0) return;
            this.waiters = this.waiters.filter((w) => !done.includes(w));
            for (const w of done) w.resolve();
          },
        }),
    );
  }

  async start(): Promise<void> {
    for (const i of this.informers) i.start();
    await Promise.all(this.informers.map((i) => i.waitForSync()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  all(): KubeObject[] {
    return this.informers.flatMap((i) => i.list());
  }

  /** Resolves true on the first event of the Deployment for which check() holds; false after the timeout. */
  next(namespace: string, name: string, check: (d: KubeObject) => boolean): { done: Promise<boolean>; cancel: () => void } {
    let cancel = (): void => undefined;
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        cancel();
        resolve(false);
      }, SAMPLE_TIMEOUT_MS);
      const waiter = {
        key: `${namespace}/${name}`,
        check,
        resolve: (): void => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      cancel = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      this.waiters.push(waiter);
    });
    return { done, cancel };
  }
}

export async function runLatency(ctx: Ctx, op: OperatorProcess, list: readonly Placement[]): Promise<LatencyResult> {
  const { env, log } = ctx;
  const samples = ctx.opts.latencySamples;
  const targets = list.slice(0, Math.min(list.length, samples));
  const deployments = new Deployments(env.http, namespacesOf(targets));
  await deployments.start();
  try {
    const before = await snapshot(env, ctx.apiserver, op);

    const spec: number[] = [];
    let specFailed = 0;
    for (let i = 0; i < samples; i++) {
      const p = targets[i % targets.length] as Placement;
      const value = `${Date.now()}-${i}`;
      const wait = deployments.next(p.namespace, `${p.name}-core`, (d) => template(d).metadata?.annotations?.[SEQ] === value);
      const t0 = performance.now();
      await env.http.request('PATCH', objectPath(harborClusterType, p.namespace, p.name), {
        body: { spec: { components: { core: { podAnnotations: { [SEQ]: value } } } } },
        contentType: 'application/merge-patch+json',
      });
      if (await wait.done) spec.push(performance.now() - t0);
      else specFailed++;
    }
    log(`  spec change → applied: ${describe(spec, specFailed)}`);

    const names = new Set(targets.map((p) => `${p.namespace}/${p.name}`));
    const candidates = deployments
      .all()
      .filter((d) => names.has(`${d.metadata.namespace ?? ''}/${d.metadata.labels?.[clusterLabel] ?? ''}`))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    const edit: number[] = [];
    let editFailed = 0;
    for (let i = 0; i < samples && candidates.length > 0; i++) {
      // Distinct objects first; an object comes round again only after all others.
      const d = candidates[i % candidates.length] as KubeObject;
      const ns = d.metadata.namespace ?? '';
      const original = imageOf(deployments.all().find((x) => x.metadata.namespace === ns && x.metadata.name === d.metadata.name) ?? d);
      const edited = `bench.invalid/hand-edit:${i}`;
      let sawEdit = false;
      const wait = deployments.next(ns, d.metadata.name, (x) => {
        const image = imageOf(x);
        if (image === edited) sawEdit = true;
        return sawEdit && image === original;
      });
      const t0 = performance.now();
      await env.http.request('PATCH', objectPath(deploymentType, ns, d.metadata.name), {
        body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: edited }],
        contentType: 'application/json-patch+json',
        query: { fieldManager: 'bench-hand-edit' },
      });
      if (await wait.done) edit.push(performance.now() - t0);
      else editFailed++;
    }
    log(`  hand edit → repaired: ${describe(edit, editFailed)}`);
    const after = await snapshot(env, ctx.apiserver, op);
    return { specChange: percentiles(spec, specFailed), handEdit: percentiles(edit, editFailed), operator: operatorFigures(after, before) };
  } finally {
    await deployments.stop();
  }
}

export function percentiles(ms: number[], failed: number): Percentiles {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number | null => (s.length === 0 ? null : round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0, 0));
  return { samples: s.length, failed, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: s.length ? round(s[s.length - 1] ?? 0, 0) : null };
}

function describe(ms: number[], failed: number): string {
  const p = percentiles(ms, failed);
  return `p50 ${p.p50Ms ?? '-'} ms, p95 ${p.p95Ms ?? '-'} ms over ${p.samples}${failed ? ` (${failed} timed out)` : ''}`;
}
