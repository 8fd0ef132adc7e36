// A reading of everything a phase reports, taken at its start and end:
// kube-apiserver's request counts, the operator's own metrics, the bench's
// own requests and the CPU and memory of every process.
import type { ComponentName } from '../test/cluster/controlplane.ts';
import type { ApiserverScraper } from './apiserver-metrics.ts';
import { controlPlaneCpu, controlPlaneStats, round, type BenchEnv } from './env.ts';
import { isRead, isWrite, type OperatorSnapshot } from './operator-metrics.ts';
import type { OperatorProcess } from './operator-process.ts';
import { cpuSince, machineBusySeconds, type ProcStats } from './process-stats.ts';
import { diffCounts, total, type Counts } from './prom-text.ts';

export interface Snapshot {
  at: number;
  apiserver: Counts;
  apiserverDuration: { sum: Counts; count: Counts };
  bench: Counts;
  controlPlane: Partial<Record<ComponentName, ProcStats>>;
  operator?: { stats: ProcStats | undefined; metrics: OperatorSnapshot };
  /** Busy CPU seconds of the whole machine, and of the bench process itself. */
  machineBusy: number;
  benchCpu: number;
}

export async function snapshot(env: BenchEnv, apiserver: ApiserverScraper, op?: OperatorProcess): Promise<Snapshot> {
  const at = Date.now();
  const [reading, metrics] = await Promise.all([apiserver.scrape(), op?.metrics()]);
  return {
    at,
    apiserver: reading.requests,
    apiserverDuration: { sum: reading.durationSum, count: reading.durationCount },
    bench: { ...env.benchRequests },
    controlPlane: controlPlaneStats(env.state),
    ...(op && metrics ? { operator: { stats: op.stats(), metrics } } : {}),
    machineBusy: machineBusySeconds(),
    benchCpu: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}

/** Requests one phase caused, as the API server counted them, split the ways the report shows. */
export interface ApiserverFigures {
  total: number;
  /** Anything but GET, LIST and WATCH. */
  writes: number;
  /** GET and LIST. */
  reads: number;
  /** Requests on leases (kwok's node heartbeats), counted apart. */
  leases: number;
  /** Requests the bench itself sent through its client (creates, patches, its watches); its scrapes are the `GET /metrics` lines. */
  bench: number;
  byVerbResource: Counts;
  /** Mean time the API server took per request, by verb (ms), over the phase. */
  meanLatencyMs: Record<string, number>;
}

const apiserverWrite = (k: string): boolean => !/^(GET|LIST|WATCH) /.test(k);
const apiserverRead = (k: string): boolean => /^(GET|LIST) /.test(k);
const onLeases = (k: string): boolean => k.split(' ')[1] === 'leases';

export function apiserverFigures(after: Snapshot, before: Snapshot): ApiserverFigures {
  const d = diffCounts(after.apiserver, before.apiserver);
  const notLeases = (k: string): boolean => !onLeases(k);
  return {
    total: total(d),
    writes: total(d, (k) => apiserverWrite(k) && notLeases(k)),
    reads: total(d, (k) => apiserverRead(k) && notLeases(k)),
    leases: total(d, onLeases),
    bench: total(diffCounts(after.bench, before.bench)),
    byVerbResource: d,
    meanLatencyMs: meanLatency(after, before),
  };
}

function meanLatency(after: Snapshot, before: Snapshot): Record<string, number> {
  const sum = diffCounts(after.apiserverDuration.sum, before.apiserverDuration.sum);
  const count = diffCounts(after.apiserverDuration.count, before.apiserverDuration.count);
  const out: Record<string, number> = {};
  for (const [verb, c] of Object.entries(count)) if (c > 0) out[verb] = round((1000 * (sum[verb] ?? 0)) / c, 1);
  return out;
}

/** What the operator says it did between two readings of the same process. */
export interface OperatorFigures {
  writes: number;
  /** GETs: gets and lists, not watches. */
  reads: number;
  watches: number;
  renders: number;
  renderCacheHits: number;
  reconciles: number;
  reconcileErrors: number;
  driftRepairs: number;
  cpuSeconds: number;
  helmCpuSeconds: number;
  peakRssMiB: number;
  /** Time spent in reconciles (all workers together) and waiting in the queue (all keys together). */
  reconcileSeconds: number;
  queueWaitSeconds: number;
  /** At the end of the phase. */
  memory: { rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number };
  requests: Counts;
  applies: Counts;
}

export function operatorFigures(after: Snapshot, before: Snapshot | undefined): OperatorFigures {
  const a = after.operator;
  if (!a) throw new Error('no operator reading');
  const b = before?.operator;
  const req = diffCounts(a.metrics.requests, b?.metrics.requests ?? {});
  const cpu = cpuSince(a.stats, b?.stats);
  return {
    writes: total(req, isWrite),
    reads: total(req, isRead),
    watches: total(req, (k) => k.startsWith('WATCH ')),
    renders: a.metrics.renders - (b?.metrics.renders ?? 0),
    renderCacheHits: a.metrics.renderCacheHits - (b?.metrics.renderCacheHits ?? 0),
    reconciles: a.metrics.reconciles - (b?.metrics.reconciles ?? 0),
    reconcileErrors: a.metrics.reconcileErrors - (b?.metrics.reconcileErrors ?? 0),
    driftRepairs: a.metrics.driftRepairs - (b?.metrics.driftRepairs ?? 0),
    cpuSeconds: round(cpu.cpu),
    helmCpuSeconds: round(cpu.childCpu),
    peakRssMiB: round(a.stats?.peakRssMiB ?? 0, 1),
    reconcileSeconds: round(a.metrics.reconcileSeconds - (b?.metrics.reconcileSeconds ?? 0), 1),
    queueWaitSeconds: round(a.metrics.queueWaitSeconds - (b?.metrics.queueWaitSeconds ?? 0), 1),
    memory: {
      rssMiB: round(a.stats?.rssMiB ?? 0, 1),
      heapUsedMiB: round(a.metrics.heapUsedMiB, 1),
      heapTotalMiB: round(a.metrics.heapTotalMiB, 1),
      externalMiB: round(a.metrics.externalMiB, 1),
    },
    requests: req,
    applies: diffCounts(a.metrics.applies, b?.metrics.applies ?? {}),
  };
}

/**
 * CPU seconds by process over a phase: each control-plane component, the
 * bench itself, the operator (with its helm runs) when both readings have it,
 * and "others": whatever else kept the machine busy (another developer's
 * tests: the noise in the figures).
 */
export function controlPlaneFigures(after: Snapshot, before: Snapshot): Record<string, number> {
  const out = controlPlaneCpu(after.controlPlane, before.controlPlane);
  out['bench'] = round(after.benchCpu - before.benchCpu, 1);
  const sameOperator = after.operator && before.operator && after.operator.stats && before.operator.stats;
  if (sameOperator) {
    const c = cpuSince(after.operator?.stats, before.operator?.stats);
    out['operator'] = round(c.cpu + c.childCpu, 1);
  }
  const ours = Object.values(out).reduce((a, b) => a + b, 0);
  const busy = after.machineBusy - before.machineBusy;
  // Without both operator readings its share is unknown; "others" then includes it.
  out['others'] = round(Math.max(0, busy - ours), 1);
  out['machine'] = round(busy, 1);
  return out;
}
