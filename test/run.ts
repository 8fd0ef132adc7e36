// `npm test`: starts one local control plane for the whole run (or uses the
// cluster named by KUBECONFIG when USE_EXISTING_CLUSTER=true), runs every
// test file under test/ with node:test against it, and stops the cluster
// again, even when tests fail. When something fails, the cluster's logs are
// kept in test-results/cluster-logs.
//
//   npm test                      unit and integration tests
//   npm test -- test/unit         only the files under the given paths
//   node test/run.ts --faults     the fault suite (test/faults), on a cluster
//                                 of its own whose API server it stops and starts
//   TEST_NAME_PATTERN=re npm test only the tests whose name matches
//
// Tests remove what they create. Their temporary folder (TMPDIR) is one of
// the run's own: a run fails, naming them, when it holds anything at the end
// (it is then removed), or when the system's temporary folder gained entries
// with one of the project's prefixes (test/harness/scratch.ts).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readState, startCluster, stopCluster, type ClusterState } from './cluster/controlplane.ts';
import { projectTmpEntries, TMP_PREFIXES } from './harness/scratch.ts';

const root = resolve(import.meta.dirname, '..');
const say = (m: string): void => {
  process.stderr.write(`test: ${m}\n`);
};

function runTests(files: string[], env: NodeJS.ProcessEnv, concurrency: number): Promise<number> {
  const pattern = process.env['TEST_NAME_PATTERN'];
  const args = [
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=900000',
    ...(pattern ? [`--test-name-pattern=${pattern}`] : []),
    ...files,
  ];
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
  const tmpBefore = projectTmpEntries();
  const faults = process.argv.includes('--faults');
  const patterns = process.argv.slice(2).filter((a) => a !== '--faults');
  const files =
    patterns.length > 0
      ? patterns.map((p) => (p.endsWith('.ts') ? p : `${p}/**/*.test.ts`))
      : faults
        ? ['test/faults/**/*.test.ts']
        : ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'];
  const testTmp = mkdtempSync(join(tmpdir(), 'harbor-operator-run-'));
  // Searchable by other users, not listable: the PostgreSQL harness runs
  // initdb and postgres as the postgres user in a folder of its own in here.
  chmodSync(testTmp, 0o711);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: testTmp };
  let cluster: ClusterState | undefined;
  if (process.env['USE_EXISTING_CLUSTER'] === 'true') {
    if (!process.env['KUBECONFIG']) throw new Error('USE_EXISTING_CLUSTER=true needs KUBECONFIG');
    say(`using the existing cluster of KUBECONFIG=${process.env['KUBECONFIG']}`);
  } else {
    const t0 = Date.now();
    const dir = join(tmpdir(), `harbor-operator-test-${process.pid}`);
    say('starting the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)');
    try {
      cluster = await startCluster({
        name: 'test',
        dir,
        nodes: 2,
        log: say,
        // The fault suite needs watches that can expire: no watch cache, and
        // etcd compacted every few seconds.
        ...(faults ? { apiserverArgs: ['--watch-cache=false', '--etcd-compaction-interval=5s'] } : {}),
      });
    } catch (err) {
      say(`FAILED to start the local control plane; no test was run.\n${(err as Error).message}`);
      await rm(dir, { recursive: true, force: true });
      rmSync(testTmp, { recursive: true, force: true });
      return 1;
    }
    say(`control plane up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${cluster.server}`);
    env['KUBECONFIG'] = cluster.kubeconfig;
    env['HARBOR_TEST_HELM'] = cluster.helm;
    env['HARBOR_TEST_CLUSTER_DIR'] = cluster.dir;
  }
  const stop = async (failed: boolean): Promise<void> => {
    if (!cluster) return;
    const c = cluster;
    cluster = undefined;
    const keep = failed ? join(root, 'test-results', 'cluster-logs') : undefined;
    // The state on disk, not ours: the fault suite restarts kube-apiserver
    // from its own process and records the new pid there.
    const latest = (await readState(c.dir).catch(() => undefined)) ?? c;
    await stopCluster(latest, keep ? { keepLogsIn: keep } : {});
    if (keep) say(`cluster logs kept in ${keep}`);
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    process.once(s, () => {
      void stop(true).finally(() => {
        rmSync(testTmp, { recursive: true, force: true });
        process.exit(130);
      });
    });
  }
  let code = 1;
  try {
    code = await runTests(files, env, faults ? 1 : 2);
  } finally {
    await stop(code !== 0);
  }
  const inTestTmp = readdirSync(testTmp).sort();
  rmSync(testTmp, { recursive: true, force: true });
  const left = [...projectTmpEntries()].filter((e) => !tmpBefore.has(e)).sort();
  const entries = (n: number): string => `${n} entr${n === 1 ? 'y' : 'ies'}`;
  if (inTestTmp.length > 0) {
    say(
      `FAILED: the tests left ${entries(inTestTmp.length)} in their temporary folder (a test must remove what it creates; removed now):` +
        `\n  ${inTestTmp.map((e) => join(testTmp, e)).join('\n  ')}`,
    );
  }
  if (left.length > 0) {
    say(
      `FAILED: the run left ${entries(left.length)} in ${tmpdir()} (prefixes ${TMP_PREFIXES.join(' ')}; a test must remove what it creates):` +
        `\n  ${left.map((e) => join(tmpdir(), e)).join('\n  ')}`,
    );
  }
  if (inTestTmp.length + left.length > 0) return code === 0 ? 1 : code;
  say(`nothing left behind: the tests' temporary folder was empty, and ${tmpdir()} gained no entry of the project's`);
  return code;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    say(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
