// The local control plane from the command line (npm run cluster:*):
//   node test/cluster/cli.ts start [--name N] [--nodes K]    (name default: dev)
//   node test/cluster/cli.ts stop [--name N]                 (name default: dev)
//   node test/cluster/cli.ts status [--name N]               every cluster, or the one named
//   node test/cluster/cli.ts build
// Clusters live in <cache>/clusters/<name> (dev, demo, or any --name); the
// one of a running `npm test` in the temporary folder (harbor-operator-test-<pid>).
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, ensureAssets } from './assets.ts';
import { isAlive, readState, startCluster, stopCluster, type ClusterState } from './controlplane.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    nodes: { type: 'string', default: '1' },
  },
});
const command = positionals[0] ?? 'help';
const clustersDir = join(cacheRoot(), 'clusters');
const name = values.name ?? 'dev';
const dir = join(clustersDir, name);
const say = (m: string): void => {
  process.stderr.write(`cluster: ${m}\n`);
};

/** Every cluster with a state file: the named ones in the cache, and those of test runs. */
async function allClusters(): Promise<ClusterState[]> {
  const dirs: string[] = [];
  const entries = async (d: string): Promise<string[]> => readdir(d).catch(() => []);
  for (const e of await entries(clustersDir)) dirs.push(join(clustersDir, e));
  for (const e of await entries(tmpdir())) if (e.startsWith('harbor-operator-test-')) dirs.push(join(tmpdir(), e));
  const states: ClusterState[] = [];
  for (const d of dirs) {
    const s = await readState(d);
    if (s) states.push(s);
  }
  return states;
}

function printStatus(state: ClusterState): void {
  console.log(`${state.name}\t${state.dir}`);
  for (const [c, s] of [...Object.entries(state.components), ...Object.entries(state.extras ?? {})]) {
    console.log(`  ${c}\tpid ${s.pid}\t${isAlive(s.pid) ? 'running' : 'NOT RUNNING'}`);
  }
  console.log(`  kubeconfig\t${state.kubeconfig}`);
}

async function main(): Promise<number> {
  switch (command) {
    case 'build': {
      const assets = await ensureAssets();
      for (const [k, v] of Object.entries(assets)) console.log(`${k}\t${v}`);
      return 0;
    }
    case 'start': {
      const existing = await readState(dir);
      if (existing) {
        say(`cluster "${name}" already exists; stop it first (npm run cluster:stop -- --name ${name})`);
        console.log(existing.kubeconfig);
        return 1;
      }
      const t0 = Date.now();
      const state = await startCluster({ name, dir, nodes: Number(values.nodes), log: say });
      say(`cluster "${name}" is up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${state.server}`);
      say(`use it:  export KUBECONFIG=${state.kubeconfig}; kubectl get nodes`);
      say(`stop it: npm run cluster:stop${name === 'dev' ? '' : ` -- --name ${name}`}`);
      console.log(state.kubeconfig);
      return 0;
    }
    case 'stop': {
      const state = await readState(dir);
      if (!state) {
        say(`no cluster "${name}" (looked in ${dir})`);
        return 0;
      }
      await stopCluster(state);
      say(`cluster "${name}" stopped; ${dir} removed`);
      return 0;
    }
    case 'status': {
      const states = values.name ? (await allClusters()).filter((s) => s.name === values.name) : await allClusters();
      if (states.length === 0) {
        say(values.name ? `no cluster "${values.name}" (looked in ${clustersDir} and ${tmpdir()})` : `no cluster (looked in ${clustersDir} and ${tmpdir()})`);
        return 1;
      }
      for (const s of states) printStatus(s);
      return 0;
    }
    default:
      say('usage: cli.ts start|stop|status|build [--name NAME] [--nodes N]');
      return command === 'help' ? 0 : 2;
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    say(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
