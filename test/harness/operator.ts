// Runs the operator's manager in the test process against the real API
// server, watching only the test's namespace, and counts what it does:
// writes (every non-GET request), reads (GETs other than watches), renders,
// and every log line (so tests can scan logs for secret values).
import { appendFileSync, mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../../src/controller/manager.ts';
import { createKubeHttp } from '../../src/kube/http.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { locate } from '../cluster/assets.ts';
import { kubeConfig } from './kube.ts';

export const chartDir = new URL('../../charts/harbor', import.meta.url).pathname;

export function helmBinary(): string {
  const helm = process.env['HARBOR_TEST_HELM'] ?? locate().found.helm;
  if (!helm) throw new Error('no helm binary: run through `npm test` (or set HELM_BIN)');
  return helm;
}

export interface RunningOperator {
  manager: Manager;
  /** Requests that change something: POST, PUT, PATCH, DELETE. */
  writes: { method: string; path: string }[];
  /** Reads that are not watches: GET of an object or a list (with the time they were answered). */
  reads: { path: string; at: number }[];
  logs: string[];
  renders(): number;
  stop(): Promise<void>;
}

export interface OperatorOptions {
  helm?: string;
  resyncMs?: number;
  workers?: number;
  /** Another identity than the test's admin (e.g. a ServiceAccount's kubeconfig file). */
  kubeconfig?: string;
  /** Another chart than charts/harbor (e.g. a copy with a template added). */
  chartDir?: string;
  /** How long a deleted HarborCluster waits for its database to be dropped (default 10 min). */
  databaseDropTimeoutMs?: number;
}

export async function startOperator(t: TestContext, namespace: string, opts: OperatorOptions = {}): Promise<RunningOperator> {
  const writes: { method: string; path: string }[] = [];
  const reads: { path: string; at: number }[] = [];
  const logs: string[] = [];
  let kc = kubeConfig();
  if (opts.kubeconfig) {
    kc = new KubeConfig();
    kc.loadFromFile(opts.kubeconfig);
  }
  const http = createKubeHttp(kc, (method, path) => {
    if (method === 'GET') reads.push({ path, at: Date.now() });
    else if (method !== 'WATCH') writes.push({ method, path });
  });
  // Every line is also kept on disk, to read after a failed run.
  const logDir = new URL('../../test-results/operator-logs/', import.meta.url).pathname;
  mkdirSync(logDir, { recursive: true });
  const logFile = `${logDir}${namespace}.log`;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done): void {
      logs.push(chunk.toString());
      appendFileSync(logFile, chunk);
      done();
    },
  });
  const manager = await Manager.create({
    http,
    namespaces: [namespace],
    workers: opts.workers ?? 2,
    resyncMs: opts.resyncMs ?? 60_000,
    helm: opts.helm ?? helmBinary(),
    chartDir: opts.chartDir ?? chartDir,
    helmTimeoutMs: 30_000,
    log: createLogger('debug', sink),
    backoff: { baseMs: 200, maxMs: 2_000 },
    ...(opts.databaseDropTimeoutMs !== undefined ? { databaseDropTimeoutMs: opts.databaseDropTimeoutMs } : {}),
  });
  await manager.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await manager.stop();
  };
  t.after(stop);
  return { manager, writes, reads, logs, renders: () => manager.renderer.stats.renders, stop };
}
