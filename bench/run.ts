// `npm run bench`: the operator's figures on a fresh local control plane.
// For each N: the baseline (a plain server-side-apply client applying the
// same objects), then the operator: scale, at rest, restart, latency. Prints
// a table, writes JSON, a Markdown summary and an SVG plot to --out.
// Figures, not assertions: `npm test` does not run it.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/config.ts';
import { versions } from '../test/cluster/assets.ts';
import { stopCluster } from '../test/cluster/controlplane.ts';
import { apiserverScraper } from './apiserver-metrics.ts';
import { renderBaseline, runBaseline } from './baseline.ts';
import type { BenchOptions, Ctx } from './context.ts';
import { root, round, startEnv, type BenchEnv } from './env.ts';
import { runIdle } from './idle.ts';
import { runLatency } from './latency.ts';
import { buildOperator, startOperator, type OperatorProcess } from './operator-process.ts';
import { details, machine, summaryRows, targets, textTable, writeResults, type NResult, type RunResult } from './report.ts';
import { runRestart } from './restart.ts';
import { runScale } from './scale.ts';
import { createNamespaces, namespacesOf, placements, RUN_LABEL } from './workload.ts';

const ROLE_LABEL = 'bench.harbor-operator.dev/role';

const usage = `usage: npm run bench -- [options]
  --n 10,100,1000            numbers of HarborClusters, one step each, in this order
  --idle 300s                at-rest period after convergence
  --latency-samples 50       spec changes and hand edits timed in the latency phase
  --out bench/results        folder for the JSON, Markdown and SVG
  --workers 4                the operator's --workers
  --resync 60s               the operator's --resync (several periods fit in --idle)
  --per-namespace 10         HarborClusters per namespace
  --timeout 25m              limit of each wait (convergence, Ready, restart)
  --baseline-concurrency N   parallel applies of the baseline (default 4 × workers)
  --skip-baseline            no baseline phase
  --baseline-only            only the baseline phase (no operator)
  --cert-manager-crds        install cert-manager's CRDs (no controller), so the operator
                             watches Certificates instead of looking for the kind every 10 s
  --cpu-prof                 run the operator under node --cpu-prof (profiles in <out>/profiles)
  --node-option FLAG         one more option for the operator's node (repeatable), e.g. a V8 flag`;

function options(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      n: { type: 'string', default: '10,100,1000' },
      idle: { type: 'string', default: '300s' },
      'latency-samples': { type: 'string', default: '50' },
      out: { type: 'string', default: 'bench/results' },
      workers: { type: 'string', default: '4' },
      resync: { type: 'string', default: '60s' },
      'per-namespace': { type: 'string', default: '10' },
      timeout: { type: 'string', default: '25m' },
      'baseline-concurrency': { type: 'string' },
      'skip-baseline': { type: 'boolean', default: false },
      'baseline-only': { type: 'boolean', default: false },
      'cert-manager-crds': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'node-option': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const int = (name: string, raw: string): number => {
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number >= 1, got "${raw}"`);
    return v;
  };
  if (values['baseline-only'] && values['skip-baseline']) throw new Error('--baseline-only and --skip-baseline exclude each other');
  const workers = int('workers', values.workers);
  parseDuration('resync', values.resync);
  return {
    ns: values.n.split(',').map((s) => int('n', s.trim())),
    idleMs: parseDuration('idle', values.idle),
    latencySamples: int('latency-samples', values['latency-samples']),
    out: resolve(root, values.out),
    workers,
    resync: values.resync,
    perNamespace: int('per-namespace', values['per-namespace']),
    timeoutMs: parseDuration('timeout', values.timeout),
    baselineConcurrency: values['baseline-concurrency'] ? int('baseline-concurrency', values['baseline-concurrency']) : 4 * workers,
    cpuProf: values['cpu-prof'],
    nodeOptions: values['node-option'],
    skipBaseline: values['skip-baseline'],
    baselineOnly: values['baseline-only'],
    certManagerCrds: values['cert-manager-crds'],
  };
}

const log = (m: string): void => {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
};

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

/**
 * One N: the baseline, then the operator. Each phase starts on a control
 * plane of its own (`fresh`): deleting 100 namespaces of 38 000 objects took
 * longer than the phase after it and competed with it for the two cores.
 */
async function step(ctx: Ctx, n: number, fresh: () => Promise<void>): Promise<NResult> {
  const { opts } = ctx;
  const result: NResult = { n };
  const labels = (role: string): Record<string, string> => ({ [RUN_LABEL]: String(n), [ROLE_LABEL]: role });

  if (!opts.skipBaseline) {
    log(`N=${n}: baseline`);
    const list = placements('bl', n, opts.perNamespace);
    await createNamespaces(ctx.env.http, namespacesOf(list), labels('baseline'));
    const { objects, seconds } = await renderBaseline(ctx, list);
    await sleep(3_000);
    result.baseline = await runBaseline(ctx, n, objects, seconds);
    log(`  baseline: ${objects.length} objects applied in ${result.baseline.applySec} s (rendered beforehand in ${seconds} s)`);
    if (opts.baselineOnly) return result;
    await fresh();
  }

  log(`N=${n}: operator`);
  const list = placements('hb', n, opts.perNamespace);
  const namespaces = namespacesOf(list);
  await createNamespaces(ctx.env.http, namespaces, labels('operator'));
  await sleep(3_000);
  let op: OperatorProcess | undefined = await startOperator(ctx.env.state, ctx.operator);
  const peaks: number[] = [];
  try {
    await op.synced();
    log(`  operator pid ${op.pid}, metrics on 127.0.0.1:${op.port}, log ${op.log}`);
    const scale = await runScale(ctx, op, list, namespaces.length);
    result.scale = scale;
    peaks.push(scale.operator.peakRssMiB);
    if (result.baseline && scale.convergedSec !== null && result.baseline.applySec > 0) {
      result.ratio = round(scale.convergedSec / result.baseline.applySec, 2);
    }
    if (scale.convergedSec === null) throw new Error(`not converged within ${opts.timeoutMs / 1000} s`);
    log(`N=${n}: at rest for ${opts.idleMs / 1000} s`);
    result.idle = await runIdle(ctx, op);
    log(`N=${n}: restart`);
    const restarted = await runRestart(ctx, op, n);
    op = restarted.op;
    result.restart = restarted.result;
    log(`N=${n}: latency`);
    result.latency = await runLatency(ctx, op, list);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    log(`  N=${n} failed: ${result.error}`);
  } finally {
    const last = await op.stop();
    peaks.push(last?.peakRssMiB ?? 0, result.restart?.stopped?.peakRssMiB ?? 0);
    result.operatorPeakRssMiB = round(Math.max(...peaks), 1);
  }
  return result;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const date = new Date().toISOString();
  const load = loadavg();
  const maxN = Math.max(...opts.ns);
  const nodes = Math.max(2, Math.ceil((maxN * 8) / 500));
  log(`bench: N=${opts.ns.join(',')}, idle ${opts.idleMs / 1000} s, ${opts.latencySamples} latency samples, workers ${opts.workers}, ${nodes} fake nodes`);
  let env: BenchEnv | undefined;
  let stopping: Promise<void> | undefined;
  const keepLogs = join(opts.out, `logs-${date.replace(/[:.]/g, '-')}`);
  const stop = (keep = false): Promise<void> =>
    (stopping ??= env
      ? stopCluster(env.state, keep ? { keepLogsIn: keepLogs } : {}).then(() => rm(env?.parent ?? '', { recursive: true, force: true }))
      : Promise.resolve());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      log(`${sig}: stopping the control plane`);
      void stop(true).finally(() => process.exit(130));
    });
  }
  const results: NResult[] = [];
  // Read now, when the operator is compiled: the tree may move on during a long run.
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const uncommittedInSrc = git(['status', '--porcelain', 'src']).split('\n').filter(Boolean).join(', ') || 'none';
  const run = (): RunResult => ({
    date,
    machine: machine(load),
    options: opts,
    versions: {
      ...Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, String(v)])),
      commit,
      uncommittedInSrc,
    },
    results,
    targets: targets(results),
  });
  const startFresh = async (): Promise<BenchEnv> => {
    if (env) {
      const old = env;
      env = undefined;
      await stopCluster(old.state);
      await rm(old.parent, { recursive: true, force: true });
      log('  stopped the control plane; starting a fresh one');
    }
    env = await startEnv(nodes, opts.certManagerCrds, (m) => {
      log(`  ${m}`);
    });
    return env;
  };
  try {
    log('compiling the operator (npm run build)');
    const main = buildOperator();
    const first = await startFresh();
    const ctx: Ctx = {
      env: first,
      apiserver: apiserverScraper(first.state.kubeconfig),
      opts,
      operator: {
        main,
        helm: first.assets.helm,
        workers: opts.workers,
        resync: opts.resync,
        logLevel: 'info',
        ...(opts.cpuProf ? { cpuProfDir: resolve(opts.out, 'profiles') } : {}),
        nodeOptions: opts.nodeOptions,
      },
      log,
    };
    const fresh = async (): Promise<void> => {
      ctx.env = await startFresh();
      ctx.apiserver = apiserverScraper(ctx.env.state.kubeconfig);
    };
    for (const [i, n] of opts.ns.entries()) {
      if (i > 0) await fresh();
      results.push(await step(ctx, n, fresh));
      await writeResults(opts.out, run());
    }
  } finally {
    const failed = results.length < opts.ns.length || results.some((r) => r.error);
    await stop(failed);
    if (failed) log(`the cluster's logs (with the operator's) are kept in ${keepLogs}`);
  }
  const final = run();
  const files = await writeResults(opts.out, final);
  process.stdout.write(`\n${textTable(summaryRows(results, opts.workers))}\n\n`);
  for (const t of final.targets) process.stdout.write(`${t.met === null ? '?     ' : t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.value}\n`);
  process.stdout.write(`\n${results.map(details).join('\n')}\n\nwritten: ${files.json}\n         ${files.svg}\n         ${files.md}\n`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
