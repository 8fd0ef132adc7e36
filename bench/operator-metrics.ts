// The operator's own figures from its /metrics: renders, reconciles, queue
// depth and the requests it made (harbor_operator_api_requests_total, counted
// by its HTTP client). Only the operator's requests, as the operator saw them.
import { parseProm, sum, type Counts, type Sample } from './prom-text.ts';

export interface OperatorSnapshot {
  renders: number;
  renderCacheHits: number;
  reconciles: number;
  reconcileErrors: number;
  queueDepth: number;
  driftRepairs: number;
  /** Objects written by kind and verb ("update Deployment"). */
  applies: Counts;
  /** Requests by "METHOD resource" (GET covers gets and lists; WATCH is a watch opened). */
  requests: Counts;
  /** Sums of the reconcile duration and queue wait histograms. */
  reconcileSeconds: number;
  queueWaitSeconds: number;
  /** V8 heap and memory outside it, as the process reports them. */
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

/** Reads /metrics; a busy operator may answer late, so it is asked up to three times, 30 s each. */
export async function scrapeOperator(port: number): Promise<OperatorSnapshot> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`operator /metrics: HTTP ${res.status}`);
      return snapshotOf(parseProm(await res.text(), (n) => n.startsWith('harbor_operator_') && !n.includes('_bucket')));
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`operator /metrics on port ${port}: ${last instanceof Error ? last.message : String(last)}`, { cause: last });
}

function snapshotOf(s: Sample[]): OperatorSnapshot {
  const requests: Counts = {};
  const applies: Counts = {};
  for (const x of s) {
    if (x.name === 'harbor_operator_api_requests_total') {
      const k = `${x.labels['verb'] ?? '?'} ${x.labels['resource'] ?? '?'}`;
      requests[k] = (requests[k] ?? 0) + x.value;
    } else if (x.name === 'harbor_operator_applies_total') {
      const k = `${x.labels['verb'] ?? '?'} ${x.labels['kind'] ?? '?'}`;
      applies[k] = (applies[k] ?? 0) + x.value;
    }
  }
  return {
    renders: sum(s, 'harbor_operator_renders_total'),
    renderCacheHits: sum(s, 'harbor_operator_render_cache_hits_total'),
    reconciles: sum(s, 'harbor_operator_reconcile_total'),
    reconcileErrors: sum(s, 'harbor_operator_reconcile_total', { result: 'error' }),
    queueDepth: sum(s, 'harbor_operator_queue_depth'),
    driftRepairs: sum(s, 'harbor_operator_drift_repairs_total'),
    applies,
    requests,
    reconcileSeconds: sum(s, 'harbor_operator_reconcile_duration_seconds_sum'),
    queueWaitSeconds: sum(s, 'harbor_operator_queue_wait_seconds_sum'),
    heapUsedMiB: sum(s, 'harbor_operator_nodejs_heap_size_used_bytes') / 2 ** 20,
    heapTotalMiB: sum(s, 'harbor_operator_nodejs_heap_size_total_bytes') / 2 ** 20,
    externalMiB: sum(s, 'harbor_operator_nodejs_external_memory_bytes') / 2 ** 20,
  };
}

/** Whether a request key ("METHOD resource") changes something. */
export const isWrite = (key: string): boolean => !key.startsWith('GET ') && !key.startsWith('WATCH ');
/** Reads that are not watches: gets and lists. */
export const isRead = (key: string): boolean => key.startsWith('GET ');
