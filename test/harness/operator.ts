// Runs the operator's manager in the test process against the real API
// server, watching only the test's namespace, and counts what it does:
// writes (every non-GET request), reads (GETs other than watches), renders,
// and every log line (so tests can scan logs for secret values). Every
// request it sends must be granted by the operator's RBAC table
// (src/kube/permissions.ts), else the test fails when it ends.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../../src/controller/manager.ts';
import { createKubeHttp } from '../../src/kube/http.ts';
import { grantOf, requestAttributes, type Method } from '../../src/kube/permissions.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { locate } from '../cluster/assets.ts';
import { releaseHeldSecrets } from './harbor.ts';
import { kubeConfig, waitUntil } from './kube.ts';

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
  /** Reconciles of the key (namespace/name) that have finished, whatever their outcome. */
  reconciles(key: string): number;
  /** Waits until the key has been reconciled n more times than now (the operator had that many chances). */
  reconciledAgain(key: string, n: number, timeoutMs?: number): Promise<void>;
  /**
   * Waits until two reconciles of the key in a row rendered and wrote
   * nothing (needs something to run them: a short resyncMs, or events).
   */
  settled(key: string, timeoutMs?: number): Promise<void>;
  /**
   * Waits until the key has been reconciled at least once and is neither
   * queued nor being reconciled: every write of what came before has landed
   * (the operator writes only inside a reconcile). A barrier on the queue,
   * instead of a pause; fails saying what it saw.
   */
  quiet(key: string, timeoutMs?: number): Promise<void>;
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
  /** Backoff of failed reconciles (default 200 ms doubling to 2 s). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** The wait after a reconcile the API server refused (default 5 min). */
  permanentRetryMs?: number;
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
  const ungranted = new Set<string>();
  const http = createKubeHttp(kc, (method, path, _status, _ms, query) => {
    if (method === 'GET') reads.push({ path, at: Date.now() });
    else if (method !== 'WATCH') writes.push({ method, path });
    const a = requestAttributes(method as Method, path, query);
    if (!a || !grantOf(a)) ungranted.add(`${method} ${path}${a ? ` (${a.verb} ${a.resource})` : ''}`);
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
  const done = new Map<string, number>();
  // Per key: queued (added, not yet taken), running (with the writes count at its start),
  // and what its last finished reconcile wrote.
  const queued = new Set<string>();
  const running = new Map<string, number>();
  const lastWrote = new Map<string, { method: string; path: string }[]>();
  const manager = await Manager.create({
    http,
    namespaces: [namespace],
    workers: opts.workers ?? 2,
    resyncMs: opts.resyncMs ?? 60_000,
    helm: opts.helm ?? helmBinary(),
    chartDir: opts.chartDir ?? chartDir,
    helmTimeoutMs: 30_000,
    log: createLogger('debug', sink),
    backoff: opts.backoff ?? { baseMs: 200, maxMs: 2_000 },
    ...(opts.databaseDropTimeoutMs !== undefined ? { databaseDropTimeoutMs: opts.databaseDropTimeoutMs } : {}),
    ...(opts.permanentRetryMs !== undefined ? { permanentRetryMs: opts.permanentRetryMs } : {}),
    queueHooks: {
      onAdd: (key) => {
        queued.add(key);
      },
      onStart: (key) => {
        queued.delete(key);
        running.set(key, writes.length);
      },
      onDone: (key) => {
        lastWrote.set(key, writes.slice(running.get(key) ?? writes.length));
        running.delete(key);
        done.set(key, (done.get(key) ?? 0) + 1);
      },
    },
  });
  await manager.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await manager.stop();
  };
  t.after(async () => {
    await stop();
    await releaseHeldSecrets();
    assert.deepEqual([...ungranted], [], 'requests that the RBAC table (src/kube/permissions.ts) does not grant');
  });
  const renders = (): number => manager.renderer.stats.renders;
  const reconciles = (key: string): number => done.get(key) ?? 0;
  const reconciledAgain = async (key: string, n: number, timeoutMs = 30_000): Promise<void> => {
    const from = reconciles(key);
    await waitUntil(`${n} more reconciles of ${key} (had ${from})`, () => Promise.resolve(reconciles(key) >= from + n), { timeoutMs, intervalMs: 50 });
  };
  const settled = async (key: string, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const w = writes.length;
      const r = renders();
      // The second of two reconciles surely started after this point.
      await reconciledAgain(key, 2, Math.max(1, deadline - Date.now()));
      if (writes.length === w && renders() === r) return;
      const seen = writes.slice(w);
      if (Date.now() > deadline) {
        throw new Error(`${key} did not settle in ${timeoutMs} ms; the last reconciles wrote: ${seen.map((x) => `${x.method} ${x.path}`).join(', ')}`);
      }
    }
  };
  const quiet = async (key: string, timeoutMs = 30_000): Promise<void> => {
    try {
      await waitUntil(`${key} quiet`, () => Promise.resolve((done.get(key) ?? 0) > 0 && !queued.has(key) && !running.has(key)), {
        timeoutMs,
        intervalMs: 50,
      });
    } catch (err) {
      const seen = (lastWrote.get(key) ?? []).map((x) => `${x.method} ${x.path}`).join(', ');
      throw new Error(
        `${key} not quiet in ${timeoutMs} ms: queued ${queued.has(key)}, running ${running.has(key)}, ${done.get(key) ?? 0} reconciles, the last wrote: ${seen || '(none finished)'}`,
        { cause: err },
      );
    }
  };
  return { manager, writes, reads, logs, renders, reconciles, reconciledAgain, settled, quiet, stop };
}

