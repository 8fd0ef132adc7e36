// The local control plane from the command line:
//   node test/cluster/cli.ts start [--name N] [--nodes K]
//   node test/cluster/cli.ts stop [--name N]
//   node test/cluster/cli.ts status [--name N]
//   node test/cluster/cli.ts build
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, ensureAssets } from './assets.ts';
import { isAlive, readState, startCluster, stopCluster } from './controlplane.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', default: 'dev' },
    nodes: { type: 'string', default: '1' },
  },
});
const command = positionals[0] ?? 'help';
const name = values.name;
const dir = join(cacheRoot(), 'clusters', name);
const say = (m: string): void => {
  process.stderr.write(`cluster: ${m}\n`);
};

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
      const state = await readState(dir);
      if (!state) {
        say(`no cluster "${name}"`);
        return 1;
      }
      for (const [c, s] of Object.entries(state.components)) {
        console.log(`${c}\tpid ${s.pid}\t${isAlive(s.pid) ? 'running' : 'NOT RUNNING'}`);
      }
      console.log(`kubeconfig\t${state.kubeconfig}`);
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
