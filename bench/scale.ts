// Phase 1, scale: N HarborClusters created at once against a running
// operator; time until every one is converged (status.observedGeneration
// current: every child applied for the current spec) and until every one is
// Ready (kwok's pods), and what it cost.
import { setTimeout as sleep } from 'node:timers/promises';
import { collectionPath, harborClusterType } from '../src/kube/resources.ts';
import { cacheSize, type CacheSize } from './cache-size.ts';
import { ClusterWatch } from './cluster-watch.ts';
import type { Ctx } from './context.ts';
import { pool, round } from './env.ts';
import type { OperatorProcess } from './operator-process.ts';
import {
  apiserverFigures,
  controlPlaneFigures,
  operatorFigures,
  snapshot,
  type ApiserverFigures,
  type OperatorFigures,
  type Snapshot,
} from './snapshot.ts';
import { harborCluster, type Placement } from './workload.ts';

export interface ScaleResult {
  n: number;
  namespaces: number;
  /** Seconds from the first create until the last create was accepted. */
  createSec: number;
  convergedSec: number | null;
  readySec: number | null;
  /** Counts reached when a wait gave up. */
  convergedCount: number;
  readyCount: number;
  /** Until every one converged. */
  toConverged: {
    renders: number;
    operatorWrites: number;
    operatorCpuSeconds: number;
    helmCpuSeconds: number;
    /** Seconds spent in reconciles, all workers together. */
    reconcileSeconds: number;
    /** Mean time the API server took per server-side apply. */
    apiserverApplyMs: number | null;
  } | null;
  /** From the first create until the operator was quiet after Ready. */
  operator: OperatorFigures;
  apiserver: ApiserverFigures;
  controlPlaneCpuSeconds: Record<string, number>;
  /** The objects the operator's informers hold after Ready (measured with a LIST, after the phase). */
  cached: CacheSize;
  /** Every 10 s: seconds since the first create, counts, the operator's RSS and CPU seconds. */
  timeline: { t: number; converged: number; ready: number; rssMiB: number; cpuSeconds: number }[];
}

export async function runScale(ctx: Ctx, op: OperatorProcess, list: readonly Placement[], namespaces: number): Promise<ScaleResult> {
  const { env, opts, log } = ctx;
  const n = list.length;
  const watch = new ClusterWatch(env.http, n);
  await watch.start();
  try {
    const before = await snapshot(env, ctx.apiserver, op);
    const t0 = Date.now();
    await pool(list, 16, async (p) => {
      await env.http.request('POST', collectionPath(harborClusterType, p.namespace), { body: harborCluster(p, n) });
    });
    const createdAt = Date.now();
    log(`  created ${n} HarborClusters in ${((createdAt - t0) / 1000).toFixed(1)} s`);
    const timeline: ScaleResult['timeline'] = [];
    const progress = setInterval(() => {
      const c = watch.counts();
      const s = op.stats();
      timeline.push({
        t: round((Date.now() - t0) / 1000, 0),
        converged: c.converged,
        ready: c.ready,
        rssMiB: round(s?.rssMiB ?? 0, 0),
        cpuSeconds: round(s?.cpuSeconds ?? 0, 1),
      });
      log(
        `  ${((Date.now() - t0) / 1000).toFixed(0)} s: converged ${c.converged}/${n}, Ready ${c.ready}/${n}` +
          `${c.degraded ? `, Degraded ${c.degraded}` : ''}; operator RSS ${s?.rssMiB.toFixed(0) ?? '?'} MiB, CPU ${s?.cpuSeconds.toFixed(0) ?? '?'} s`,
      );
    }, 10_000);
    let atConverged: Snapshot | undefined;
    let convergedAt: number | undefined;
    let readyAt: number | undefined;
    try {
      convergedAt = await watch.until((c) => c.converged >= n, opts.timeoutMs);
      if (convergedAt !== undefined) {
        atConverged = await snapshot(env, ctx.apiserver, op);
        log(`  converged: ${((convergedAt - t0) / 1000).toFixed(1)} s`);
        readyAt = await watch.until((c) => c.ready >= n, Math.max(0, opts.timeoutMs - (Date.now() - t0)));
        if (readyAt !== undefined) log(`  Ready: ${((readyAt - t0) / 1000).toFixed(1)} s`);
      }
    } finally {
      clearInterval(progress);
    }
    const counts = watch.counts();
    await quiet(op, 5_000, 180_000);
    const after = await snapshot(env, ctx.apiserver, op);
    const conv = atConverged ? operatorFigures(atConverged, before) : undefined;
    const cached = await cacheSize(env.http);
    return {
      n,
      namespaces,
      createSec: round((createdAt - t0) / 1000, 1),
      convergedSec: convergedAt === undefined ? null : round((convergedAt - t0) / 1000, 1),
      readySec: readyAt === undefined ? null : round((readyAt - t0) / 1000, 1),
      convergedCount: counts.converged,
      readyCount: counts.ready,
      toConverged: conv
        ? {
            renders: conv.renders,
            operatorWrites: conv.writes,
            operatorCpuSeconds: conv.cpuSeconds,
            helmCpuSeconds: conv.helmCpuSeconds,
            reconcileSeconds: conv.reconcileSeconds,
            apiserverApplyMs: atConverged ? (apiserverFigures(atConverged, before).meanLatencyMs['APPLY'] ?? null) : null,
          }
        : null,
      operator: operatorFigures(after, before),
      apiserver: apiserverFigures(after, before),
      controlPlaneCpuSeconds: controlPlaneFigures(after, before),
      cached,
      timeline,
    };
  } finally {
    await watch.stop();
  }
}

/**
 * Waits until the operator has nothing queued and has not written or
 * reconciled for `forMs` (up to `maxMs`); returns whether it got there.
 */
export async function quiet(op: OperatorProcess, forMs: number, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let last = '';
  let since = Date.now();
  while (Date.now() < deadline) {
    const m = await op.metrics();
    const sig = `${m.reconciles}|${m.queueDepth}|${Object.values(m.requests).reduce((a, b) => a + b, 0)}`;
    if (sig !== last || m.queueDepth > 0) {
      last = sig;
      since = Date.now();
    } else if (Date.now() - since >= forMs) {
      return true;
    }
    await sleep(250);
  }
  return false;
}
