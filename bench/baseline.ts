// Phase 2, the limit: the same objects the operator applies for N
// HarborClusters, rendered beforehand (not timed) and applied by a plain
// parallel server-side-apply client with no operator logic, into namespaces
// of their own. Its time is the floor the operator's convergence time is
// compared with.
//
// Objects are what desiredObjects() makes of the rendered chart, with one
// set of generated secrets for all (real sizes: a 2048-bit token key, a
// bcrypt line), minus the owner references (no HarborCluster exists in these
// namespaces; the garbage collector would delete the objects) and with the
// cluster label renamed, so an operator started later never takes them for
// its own.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { assembleSecrets, desiredObjects } from '../src/controller/desired.ts';
import { objectPath, typeOf } from '../src/kube/resources.ts';
import type { KubeObject } from '../src/model/object.ts';
import { helmTemplate } from '../src/render/helm.ts';
import { clusterLabel, toValues } from '../src/render/values.ts';
import { completeSecrets } from '../src/secrets/generate.ts';
import type { Ctx } from './context.ts';
import { pool, root, round } from './env.ts';
import { apiserverFigures, controlPlaneFigures, snapshot, type ApiserverFigures } from './snapshot.ts';
import { harborCluster, type Placement } from './workload.ts';

export const BASELINE_MANAGER = 'baseline';
const BASELINE_LABEL = 'bench.harbor-operator.dev/cluster';

export interface BaselineResult {
  n: number;
  objects: number;
  concurrency: number;
  /** Rendering beforehand (not part of the baseline's time). */
  renderSec: number;
  /** Size of one HarborCluster's objects as JSON. */
  jsonKiBPerCluster: number;
  applySec: number;
  failed: number;
  apiserver: ApiserverFigures;
  controlPlaneCpuSeconds: Record<string, number>;
}

/** Applies in the operator's order: what a pod reads exists before the pod. */
const applyOrder = ['Secret', 'ConfigMap', 'ServiceAccount', 'PersistentVolumeClaim', 'Service', 'Certificate', 'Deployment', 'StatefulSet', 'Ingress'];
const rank = (o: KubeObject): number => {
  const i = applyOrder.indexOf(o.kind);
  return i < 0 ? applyOrder.length : i;
};

export async function renderBaseline(ctx: Ctx, list: readonly Placement[]): Promise<{ objects: KubeObject[]; seconds: number }> {
  const t0 = Date.now();
  const { values: generated } = await completeSecrets(
    {},
    { adminPassword: true, databasePassword: true, cachePassword: true },
    randomBytes,
    new Date(),
  );
  const secrets = assembleSecrets({}, generated);
  const helm = { helm: ctx.env.assets.helm, chartDir: join(root, 'charts/harbor'), timeoutMs: 120_000 };
  const perCluster: KubeObject[][] = [];
  let done = 0;
  await pool(list, 2, async (p, i) => {
    const cr = harborCluster(p, list.length);
    const rendered = await helmTemplate(helm, p.name, p.namespace, toValues(cr, secrets));
    const owner = { apiVersion: cr.apiVersion, kind: cr.kind, name: p.name, namespace: p.namespace, uid: '00000000-0000-0000-0000-000000000000' };
    perCluster[i] = desiredObjects(rendered, owner, generated, false)
      .map(forBaseline)
      .sort((a, b) => rank(a) - rank(b));
    if (++done % 100 === 0) ctx.log(`  baseline: rendered ${done}/${list.length}`);
  });
  return { objects: perCluster.flat(), seconds: round((Date.now() - t0) / 1000, 1) };
}

function forBaseline(o: KubeObject): KubeObject {
  const { ownerReferences: _owners, labels, ...metadata } = o.metadata;
  const renamed = Object.fromEntries(Object.entries(labels ?? {}).map(([k, v]) => [k === clusterLabel ? BASELINE_LABEL : k, v]));
  return { ...o, metadata: { ...metadata, labels: renamed } };
}

export async function runBaseline(ctx: Ctx, n: number, objects: readonly KubeObject[], renderSec: number): Promise<BaselineResult> {
  const { env } = ctx;
  const concurrency = ctx.opts.baselineConcurrency;
  const before = await snapshot(env, ctx.apiserver);
  let failed = 0;
  let applied = 0;
  const t0 = Date.now();
  const progress = setInterval(() => {
    ctx.log(`  baseline: ${((Date.now() - t0) / 1000).toFixed(0)} s: applied ${applied}/${objects.length}`);
  }, 30_000);
  await pool(objects, concurrency, async (o) => {
    const { status: _status, ...body } = o;
    try {
      await env.http.request('PATCH', objectPath(typeOf(o), o.metadata.namespace, o.metadata.name), {
        body,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: BASELINE_MANAGER, force: true },
      });
    } catch (err) {
      if (failed++ < 3) ctx.log(`  baseline: ${err instanceof Error ? err.message : String(err)}`);
    }
    applied++;
  }).finally(() => {
    clearInterval(progress);
  });
  const applySec = (Date.now() - t0) / 1000;
  const after = await snapshot(env, ctx.apiserver);
  return {
    n,
    objects: objects.length,
    concurrency,
    renderSec,
    jsonKiBPerCluster: round(objects.reduce((a, o) => a + Buffer.byteLength(JSON.stringify(o)), 0) / 1024 / n, 1),
    applySec: round(applySec, 2),
    failed,
    apiserver: apiserverFigures(after, before),
    controlPlaneCpuSeconds: controlPlaneFigures(after, before),
  };
}
