// Phase 3, at rest: after convergence nothing changes for a while (several
// resync periods); the operator should write nothing, render nothing and
// read nothing but its watches.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ctx } from './context.ts';
import { eventsSince } from './events.ts';
import { round } from './env.ts';
import type { OperatorProcess } from './operator-process.ts';
import {
  apiserverFigures,
  controlPlaneFigures,
  operatorFigures,
  snapshot,
  type ApiserverFigures,
  type OperatorFigures,
} from './snapshot.ts';

export interface IdleResult {
  seconds: number;
  resync: string;
  operator: OperatorFigures;
  /** Every client's requests (kwok's node leases apart); see the README for whose they are. */
  apiserver: ApiserverFigures;
  controlPlaneCpuSeconds: Record<string, number>;
  /** Events touched during the period, by reporting component, reason and object kind: whose the Event writes are. */
  events: Record<string, number>;
}

export async function runIdle(ctx: Ctx, op: OperatorProcess): Promise<IdleResult> {
  const before = await snapshot(ctx.env, ctx.apiserver, op);
  const end = Date.now() + ctx.opts.idleMs;
  while (Date.now() < end) {
    await sleep(Math.min(30_000, end - Date.now()));
    const s = op.stats();
    const m = await op.metrics();
    ctx.log(
      `  at rest ${((Date.now() - before.at) / 1000).toFixed(0)} s: renders ${m.renders - (before.operator?.metrics.renders ?? 0)}, ` +
        `reconciles ${m.reconciles - (before.operator?.metrics.reconciles ?? 0)}, RSS ${s?.rssMiB.toFixed(0) ?? '?'} MiB`,
    );
  }
  const after = await snapshot(ctx.env, ctx.apiserver, op);
  return {
    seconds: round((after.at - before.at) / 1000, 1),
    resync: ctx.operator.resync,
    operator: operatorFigures(after, before),
    apiserver: apiserverFigures(after, before),
    controlPlaneCpuSeconds: controlPlaneFigures(after, before),
    events: await eventsSince(ctx.env.http, before.at),
  };
}
