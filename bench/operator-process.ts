// The operator as a real process against the bench cluster, started through
// the cluster's state so stopCluster stops it too. It runs as the image runs
// it: compiled by tsc (npm run build) and started as node dist/main.js, not
// from src/ through Node's type stripping (which alone adds about 28 MiB of
// RSS), with the node options of the image's ENTRYPOINT (V8 heap flags).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { imageNodeOptions } from '../test/harness/image-entrypoint.ts';
import { freePort, isAlive, startExtra, type ClusterState } from '../test/cluster/controlplane.ts';
import { root } from './env.ts';
import { scrapeOperator, type OperatorSnapshot } from './operator-metrics.ts';
import { procStats, type ProcStats } from './process-stats.ts';

export interface OperatorOptions {
  /** The compiled entry point (buildOperator()). */
  main: string;
  helm: string;
  workers: number;
  resync: string;
  logLevel: string;
  /** Folder for a V8 CPU profile (node --cpu-prof), written when the process exits. */
  cpuProfDir?: string;
  /** More options for node (V8 flags, for experiments), after the image's. */
  nodeOptions?: string[];
}

/** Compiles the operator into dist/ (npm run build), as the image's build stage does. */
export function buildOperator(): string {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  const main = join(root, 'dist/main.js');
  if (!existsSync(main)) throw new Error(`npm run build did not write ${main}`);
  return main;
}

export interface OperatorProcess {
  pid: number;
  port: number;
  log: string;
  /** Date.now() when it was spawned. */
  spawnedAt: number;
  stats(): ProcStats | undefined;
  metrics(): Promise<OperatorSnapshot>;
  /** Resolves with Date.now() when the operator logged that its caches synced. */
  synced(timeoutMs?: number): Promise<number>;
  /** SIGTERM, then waits until it has exited (SIGKILL after a minute). */
  stop(): Promise<ProcStats | undefined>;
}

export async function startOperator(state: ClusterState, opts: OperatorOptions): Promise<OperatorProcess> {
  const port = await freePort();
  const log = join(state.dir, 'logs', 'operator.log');
  const offset = existsSync(log) ? statSync(log).size : 0;
  const nodeFlags = [...imageNodeOptions(), ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), ...(opts.nodeOptions ?? [])];
  const spawnedAt = Date.now();
  const extra = await startExtra(state, 'operator', process.execPath, [
    ...nodeFlags,
    opts.main,
    `--kubeconfig=${state.kubeconfig}`,
    `--helm=${opts.helm}`,
    `--chart-dir=${join(root, 'charts/harbor')}`,
    `--metrics-bind-address=127.0.0.1:${port}`,
    '--health-probe-bind-address=0',
    `--workers=${opts.workers}`,
    `--resync=${opts.resync}`,
    `--log-level=${opts.logLevel}`,
  ]);
  const pid = extra.pid;
  let last: ProcStats | undefined;
  const stats = (): ProcStats | undefined => {
    const s = procStats(pid);
    if (s) last = s;
    return s ?? last;
  };
  return {
    pid,
    port,
    log,
    spawnedAt,
    stats,
    metrics: () => scrapeOperator(port),
    async synced(timeoutMs = 120_000): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (!isAlive(pid)) throw new Error(`the operator exited; see ${log}`);
        if ((await readFrom(log, offset)).includes('caches synced')) return Date.now();
        await sleep(100);
      }
      throw new Error(`the operator did not sync its caches within ${timeoutMs} ms; see ${log}`);
    },
    async stop(): Promise<ProcStats | undefined> {
      const final = stats();
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const deadline = Date.now() + 60_000;
      while (isAlive(pid) && Date.now() < deadline) {
        stats();
        await sleep(100);
      }
      if (isAlive(pid)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
        while (isAlive(pid)) await sleep(50);
      }
      extra.pid = 0; // stopCluster has nothing left to stop
      return last ?? final;
    },
  };
}

async function readFrom(file: string, offset: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.max(0, size - offset));
    await fh.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}
