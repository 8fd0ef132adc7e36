// The operator process: reads its configuration, connects to the API server,
// runs the manager until SIGTERM/SIGINT, then shuts down in order.
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, parseConfig, usage } from './config.ts';
import { Manager } from './controller/manager.ts';
import { createKubeHttp } from './kube/http.ts';
import { createLogger } from './observe/logger.ts';

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const config = parseConfig(process.argv.slice(2), process.env, process.cwd());
  const log = createLogger(config.logLevel);
  const http = createKubeHttp(loadKubeConfig(config.kubeconfig));
  const { helmHome, ...rest } = config;
  const manager = await Manager.create({ ...rest, http, log, ...(helmHome ? { helmHome } : {}) });
  log.info(
    { namespaces: config.namespaces.length > 0 ? config.namespaces : 'all', workers: config.workers, server: http.server },
    'starting',
  );
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): void => {
    if (stopping) return;
    log.info({ signal }, 'stopping: finishing running reconciles');
    stopping = manager.stop().then(() => {
      log.info({}, 'stopped');
    });
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
  await manager.start();
  log.info({}, 'caches synced; reconciling');
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (stopping) {
        clearInterval(wait);
        void stopping.then(resolve);
      }
    }, 200);
  });
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
