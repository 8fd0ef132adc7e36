// Phase 4, restart: the operator is stopped and started again over N
// converged HarborClusters. Time until the new process has reconciled every
// one, and what it wrote and rendered doing so (target: nothing).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ctx } from './context.ts';
import { round } from './env.ts';
import { memoryMap, type MemoryMap } from './memory-map.ts';
import { startOperator, type OperatorProcess } from './operator-process.ts';
import type { ProcStats } from './process-stats.ts';
import {
  apiserverFigures,
  controlPlaneFigures,
  operatorFigures,
  snapshot,
  type ApiserverFigures,
  type OperatorFigures,
} from './snapshot.ts';

export interface RestartResult {
  /** The first process, when it was stopped: peak RSS and CPU over its whole life. */
  stopped: { peakRssMiB: number; cpuSeconds: number; helmCpuSeconds: number } | null;
  /** The first process's memory map just before it was stopped. */
  stoppedMap: MemoryMap | null;
  /** The new process's peak RSS (VmHWM) when it had checked every HarborCluster. */
  checkedPeakRssMiB: number | null;
  /** The new process's memory map then. */
  checkedMap: MemoryMap | null;
  stopSec: number;
  /** From spawn until its caches synced. */
  syncedSec: number;
  /** From spawn until it had checked every HarborCluster. */
  checkedSec: number | null;
  operator: OperatorFigures;
  apiserver: ApiserverFigures;
  controlPlaneCpuSeconds: Record<string, number>;
}

export async function runRestart(ctx: Ctx, old: OperatorProcess, n: number): Promise<{ result: RestartResult; op: OperatorProcess }> {
  const before = await snapshot(ctx.env, ctx.apiserver);
  const stoppedMap = memoryMap(old.pid);
  const t = Date.now();
  const last: ProcStats | undefined = await old.stop();
  const stopSec = round((Date.now() - t) / 1000, 1);
  const op = await startOperator(ctx.env.state, ctx.operator);
  const syncedAt = await op.synced();
  const checkedAt = await checkedAll(op, n, ctx.opts.timeoutMs, ctx.log);
  const checkedStats = op.stats();
  const checkedMap = memoryMap(op.pid);
  ctx.log(`  restart: synced ${((syncedAt - op.spawnedAt) / 1000).toFixed(1)} s, checked all ${checkedAt ? ((checkedAt - op.spawnedAt) / 1000).toFixed(1) : '-'} s`);
  await sleep(5_000); // late writes, if any, belong to the restart
  const after = await snapshot(ctx.env, ctx.apiserver, op);
  return {
    op,
    result: {
      stopped: last ? { peakRssMiB: round(last.peakRssMiB, 1), cpuSeconds: round(last.cpuSeconds), helmCpuSeconds: round(last.childCpuSeconds) } : null,
      stoppedMap,
      checkedPeakRssMiB: checkedStats ? round(checkedStats.peakRssMiB, 1) : null,
      checkedMap,
      stopSec,
      syncedSec: round((syncedAt - op.spawnedAt) / 1000, 1),
      checkedSec: checkedAt === undefined ? null : round((checkedAt - op.spawnedAt) / 1000, 1),
      operator: operatorFigures(after, undefined),
      apiserver: apiserverFigures(after, before),
      controlPlaneCpuSeconds: controlPlaneFigures(after, before),
    },
  };
}

/**
 * Date.now() when the new process had finished N reconciles. Every key is
 * queued once when the caches sync, before the workers start, and keys added
 * again later (child events, the resync) go behind them, so the first N
 * reconciles are the N HarborClusters.
 */
async function checkedAll(op: OperatorProcess, n: number, timeoutMs: number, log: (m: string) => void): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = Date.now();
  while (Date.now() < deadline) {
    const m = await op.metrics();
    if (m.reconciles >= n) return Date.now();
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  restart: ${m.reconciles}/${n} reconciled, queue ${m.queueDepth}`);
    }
    await sleep(200);
  }
  return undefined;
}
