// `npm test`: starts one local control plane for the whole run (or uses the
// cluster named by KUBECONFIG when USE_EXISTING_CLUSTER=true), runs every
// test file under test/ with node:test against it, and stops the cluster
// again, even when tests fail. When something fails, the cluster's logs are
// kept in test-results/cluster-logs.
//
//   npm test                      all tests
//   npm test -- test/unit         only the files under the given paths
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCluster, stopCluster, type ClusterState } from './cluster/controlplane.ts';

const root = resolve(import.meta.dirname, '..');
const say = (m: string): void => {
  process.stderr.write(`test: ${m}\n`);
};

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files];
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    const forward = (s: NodeJS.Signals): void => {
      child.kill(s);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      done(code ?? (signal ? 1 : 0));
    });
  });
}

async function main(): Promise<number> {
  const patterns = process.argv.slice(2);
  const files = patterns.length > 0 ? patterns.map((p) => (p.endsWith('.ts') ? p : `${p}/**/*.test.ts`)) : ['test/**/*.test.ts'];
  const env: NodeJS.ProcessEnv = { ...process.env };
  let cluster: ClusterState | undefined;
  if (process.env['USE_EXISTING_CLUSTER'] === 'true') {
    if (!process.env['KUBECONFIG']) throw new Error('USE_EXISTING_CLUSTER=true needs KUBECONFIG');
    say(`using the existing cluster of KUBECONFIG=${process.env['KUBECONFIG']}`);
  } else {
    const t0 = Date.now();
    const dir = join(tmpdir(), `harbor-operator-test-${process.pid}`);
    say('starting the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)');
    try {
      cluster = await startCluster({ name: 'test', dir, nodes: 2, log: say });
    } catch (err) {
      say(`FAILED to start the local control plane; no test was run.\n${(err as Error).message}`);
      await rm(dir, { recursive: true, force: true });
      return 1;
    }
    say(`control plane up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${cluster.server}`);
    env['KUBECONFIG'] = cluster.kubeconfig;
    env['HARBOR_TEST_HELM'] = cluster.helm;
  }
  const stop = async (failed: boolean): Promise<void> => {
    if (!cluster) return;
    const c = cluster;
    cluster = undefined;
    const keep = failed ? join(root, 'test-results', 'cluster-logs') : undefined;
    await stopCluster(c, keep ? { keepLogsIn: keep } : {});
    if (keep) say(`cluster logs kept in ${keep}`);
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    process.once(s, () => {
      void stop(true).finally(() => process.exit(130));
    });
  }
  let code = 1;
  try {
    code = await runTests(files, env);
  } finally {
    await stop(code !== 0);
  }
  return code;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    say(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
