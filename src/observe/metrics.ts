// The operator's Prometheus metrics (prom-client). Names follow
// harbor_operator_<what>_<unit>; label values are small closed sets (no
// HarborCluster names: a thousand clusters must not mean a thousand series).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueHooks } from '../controller/queue.ts';
import type { ReconcileMetrics } from '../controller/ports.ts';
import type { RequestObserver } from '../kube/http.ts';

export interface OperatorMetrics {
  registry: Registry;
  queueHooks: QueueHooks;
  reconcile: ReconcileMetrics;
  apiRequest: RequestObserver;
  setQueueDepth(n: number): void;
  setRenderStats(stats: { renders: number; hits: number }): void;
  setLeader(leader: boolean): void;
  setInformerStats(stats: { kind: string; lists: number; watches: number; relistsAfterGone: number; errors: number }[]): void;
}

/** Turns an API path into a resource name: /apis/apps/v1/namespaces/x/deployments/y → deployments. */
export function resourceOf(path: string): string {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const start = parts[0] === 'api' ? 2 : 3;
  const rest = parts.slice(start);
  const resource = rest[0] === 'namespaces' && rest.length > 2 ? rest[2] : rest[0];
  const sub = rest[0] === 'namespaces' ? rest[4] : rest[2];
  return `${resource ?? 'unknown'}${sub ? `/${sub}` : ''}`;
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'harbor_operator_' });
  const reconciles = new Counter({
    name: 'harbor_operator_reconcile_total',
    help: 'Reconciles by result (success, error, requeue, permanent: refused by the API server, retried slowly).',
    labelNames: ['result'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'harbor_operator_reconcile_duration_seconds',
    help: 'Time one reconcile took.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const depth = new Gauge({ name: 'harbor_operator_queue_depth', help: 'Keys waiting for a worker.', registers: [registry] });
  const wait = new Histogram({
    name: 'harbor_operator_queue_wait_seconds',
    help: 'Time a key waited in the queue before a worker took it.',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const renders = new Gauge({ name: 'harbor_operator_renders_total', help: 'helm template runs (counter).', registers: [registry] });
  const hits = new Gauge({
    name: 'harbor_operator_render_cache_hits_total',
    help: 'Renders skipped because chart and values were unchanged (counter).',
    registers: [registry],
  });
  const unchanged = new Counter({
    name: 'harbor_operator_unchanged_reconciles_total',
    help: 'Reconciles that found every child as last applied (status.appliedDigest) and rendered nothing.',
    registers: [registry],
  });
  const applies = new Counter({
    name: 'harbor_operator_applies_total',
    help: 'Objects written, by kind and verb (create, update, delete).',
    labelNames: ['kind', 'verb'],
    registers: [registry],
  });
  const drift = new Counter({
    name: 'harbor_operator_drift_repairs_total',
    help: 'Objects set back after a change the operator did not make.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const api = new Counter({
    name: 'harbor_operator_api_requests_total',
    help: 'Requests to the API server by verb, resource and status code.',
    labelNames: ['verb', 'resource', 'code'],
    registers: [registry],
  });
  const apiErrors = new Counter({
    name: 'harbor_operator_api_errors_total',
    help: 'Requests the API server answered with an error status (>= 400) or not at all.',
    labelNames: ['verb', 'resource', 'code'],
    registers: [registry],
  });
  const informer = new Gauge({
    name: 'harbor_operator_informer_events_total',
    help: 'Watch machinery by kind (counter): lists, watches started, relists after 410 Gone, errors.',
    labelNames: ['kind', 'what'],
    registers: [registry],
  });
  const leader = new Gauge({
    name: 'harbor_operator_leader',
    help: '1 while this process holds the leader Lease (or runs without leader election).',
    registers: [registry],
  });
  return {
    registry,
    queueHooks: {
      onStart: (_key, waitedMs) => {
        wait.observe(waitedMs / 1000);
      },
      onDone: (_key, durationMs, outcome) => {
        reconciles.inc({ result: outcome });
        duration.observe(durationMs / 1000);
      },
    },
    reconcile: {
      applied: (kind, verb) => {
        applies.inc({ kind, verb });
      },
      driftRepaired: (kind) => {
        drift.inc({ kind });
      },
      skippedRender: () => {
        unchanged.inc();
      },
    },
    apiRequest: (method, path, status) => {
      const labels = { verb: method, resource: resourceOf(path), code: String(status) };
      api.inc(labels);
      if (status >= 400 || status === 0) apiErrors.inc(labels);
    },
    setQueueDepth: (n) => {
      depth.set(n);
    },
    setRenderStats: (s) => {
      renders.set(s.renders);
      hits.set(s.hits);
    },
    setLeader: (l) => {
      leader.set(l ? 1 : 0);
    },
    setInformerStats: (stats) => {
      const sums = new Map<string, number>();
      for (const s of stats) {
        for (const what of ['lists', 'watches', 'relistsAfterGone', 'errors'] as const) {
          const k = `${s.kind}|${what}`;
          sums.set(k, (sums.get(k) ?? 0) + s[what]);
        }
      }
      for (const [k, v] of sums) {
        const [kind = '', what = ''] = k.split('|');
        informer.set({ kind, what }, v);
      }
    },
  };
}
