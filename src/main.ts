// The operator process: reads its configuration, serves metrics and probes,
// campaigns for leadership when asked to, runs the manager while it leads,
// and on SIGTERM/SIGINT stops taking work, finishes what runs, and releases
// the Lease.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { cliUsage, runCli } from './cli.ts';
import { ConfigError, parseConfig, usage } from './config.ts';
import { LeaderElector } from './controller/leader-elector.ts';
import { Manager } from './controller/manager.ts';
import { createKubeHttp } from './kube/http.ts';
import { KubeconfigError, loadApiAccess, type ApiAccess } from './kube/kubeconfig.ts';
import { leaseClient } from './kube/lease.ts';
import { createLogger } from './observe/logger.ts';
import { createMetrics } from './observe/metrics.ts';
import { serve } from './observe/server.ts';

async function loadKubeConfig(path: string | undefined): Promise<ApiAccess> {
  try {
    return await loadApiAccess({ path });
  } catch (err) {
    if (err instanceof KubeconfigError) throw new ConfigError(err.message);
    throw err;
  }
}

async function main(): Promise<number> {
  const sub = process.argv[2];
  if (sub === 'render' || sub === 'diff') {
    // `… render | head` closes the pipe early: that is not an error.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
    });
    return runCli(process.argv.slice(2), {
      out: (s) => process.stdout.write(`${s}\n`),
      err: (s) => process.stderr.write(`${s}\n`),
    });
  }
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`${usage}\n\n${cliUsage}`);
    return 0;
  }
  const config = parseConfig(process.argv.slice(2), process.env, process.cwd());
  const log = createLogger(config.logLevel);
  const metrics = createMetrics();
  const http = createKubeHttp(await loadKubeConfig(config.kubeconfig), metrics.apiRequest);
  const { helmHome, ...rest } = config;
  const manager = await Manager.create({
    ...rest,
    http,
    log,
    metrics: metrics.reconcile,
    queueHooks: metrics.queueHooks,
    ...(helmHome ? { helmHome } : {}),
  });
  let started = false;
  const servers: Server[] = [];
  if (config.metricsAddress !== '0') {
    servers.push(
      await serve(config.metricsAddress, {
        metrics: metrics.registry,
        beforeScrape: () => {
          metrics.setQueueDepth(manager.queue.depth());
          metrics.setRenderStats(manager.renderer.stats);
          metrics.setInformerStats(manager.informerStats());
        },
      }),
    );
  }
  if (config.healthAddress !== '0') {
    servers.push(
      await serve(config.healthAddress, {
        healthz: () => undefined,
        // A standby replica is ready: it is there to take over.
        readyz: () => (elector && !elector.isLeader() ? undefined : started ? undefined : 'caches not synced yet'),
      }),
    );
  }
  const addresses = servers.map((s) => {
    const a = s.address();
    return a && typeof a === 'object' ? `${a.address}:${a.port}` : String(a);
  });
  log.info(
    {
      listening: addresses,
      namespaces: config.namespaces.length > 0 ? config.namespaces : 'all',
      workers: config.workers,
      server: http.server,
      leaderElect: config.leaderElect,
    },
    'starting',
  );

  let stopping: Promise<void> | undefined;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const startManager = async (): Promise<void> => {
    await manager.start();
    started = true;
    log.info({}, 'caches synced; reconciling');
  };
  const identity = `${hostname()}_${randomUUID()}`;
  const elector = config.leaderElect
    ? new LeaderElector({
        lease: leaseClient(http, config.leaderElectionNamespace, config.leaderElectionId),
        identity,
        leaseDurationMs: config.leaseDurationMs,
        renewDeadlineMs: config.renewDeadlineMs,
        retryPeriodMs: config.retryPeriodMs,
        onStartedLeading: () => {
          metrics.setLeader(true);
          log.info({ identity, lease: `${config.leaderElectionNamespace}/${config.leaderElectionId}` }, 'became leader');
          startManager().catch((err: unknown) => {
            log.error({ err: String(err) }, 'manager failed to start');
            process.exit(1);
          });
        },
        onStoppedLeading: () => {
          metrics.setLeader(false);
          log.error({ identity }, 'lost the leader Lease; exiting so that only the new leader reconciles');
          process.exit(1);
        },
        onError: (err) => {
          log.warn({ err: err instanceof Error ? err.message : String(err) }, 'leader election');
        },
      })
    : undefined;

  const stop = (signal: string): void => {
    if (stopping) return;
    log.info({ signal }, 'stopping: no new work, finishing running reconciles');
    stopping = (async (): Promise<void> => {
      // Also before the caches synced (the API server unreachable): the
      // informers' retries would keep the process alive.
      await manager.stop();
      await elector?.release();
      for (const s of servers) s.close();
      log.info({}, 'stopped');
      done();
    })();
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('unhandledRejection', (err) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'unhandled rejection (kept running)');
  });

  if (elector) {
    metrics.setLeader(false);
    log.info({ identity }, 'waiting to become leader');
    void elector.run();
  } else {
    metrics.setLeader(true);
    // Not awaited: a SIGTERM while the caches cannot sync must still end the process.
    startManager().catch((err: unknown) => {
      log.error({ err: String(err) }, 'manager failed to start');
      process.exit(1);
    });
  }
  await finished;
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    const msg = err instanceof ConfigError ? `${err.message}\n${usage}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`harbor-operator: ${msg}\n`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
