// The bench's output: a table of figures per N on stdout, every figure in
// JSON, and the plot next to it.
import { cpus, release, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaselineResult } from './baseline.ts';
import type { BenchOptions } from './context.ts';
import type { IdleResult } from './idle.ts';
import type { LatencyResult } from './latency.ts';
import { svgPlot } from './plot.ts';
import { sortedCounts, type Counts } from './prom-text.ts';
import { imageNodeOptions } from '../test/harness/image-entrypoint.ts';
import type { MemoryMap } from './memory-map.ts';
import type { RestartResult } from './restart.ts';
import type { ScaleResult } from './scale.ts';

export interface NResult {
  n: number;
  scale?: ScaleResult;
  baseline?: BaselineResult;
  /** Operator convergence time / baseline apply time. */
  ratio?: number | null;
  idle?: IdleResult;
  restart?: RestartResult;
  latency?: LatencyResult;
  /** The highest VmHWM of the operator processes of this step. */
  operatorPeakRssMiB?: number;
  /** Seconds namespaces took to go away after a phase (not part of any figure). */
  error?: string;
}

export interface RunResult {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; kernel: string; node: string; loadAvgAtStart: number[] };
  options: BenchOptions;
  versions: Record<string, string>;
  results: NResult[];
  /** Whether each target was met, for the largest N that has the figure. */
  targets: { target: string; value: string; met: boolean | null }[];
}

export function machine(load: number[]): RunResult['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadAvgAtStart: load.map((x) => Math.round(x * 100) / 100),
  };
}

const f = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '–' : v.toFixed(digits));

/** Rows of figures, one column per N. */
export function summaryRows(results: NResult[], workers: number): string[][] {
  const col = (fn: (r: NResult) => string): string[] => results.map(fn);
  const rows: [string, (r: NResult) => string][] = [
    ['HarborClusters / namespaces', (r) => `${r.n} / ${r.scale?.namespaces ?? '–'}`],
    ['converged (s)', (r) => (r.scale ? (r.scale.convergedSec === null ? `no (${r.scale.convergedCount}/${r.n})` : f(r.scale.convergedSec)) : '–')],
    ['Ready (s)', (r) => (r.scale ? (r.scale.readySec === null ? `no (${r.scale.readyCount}/${r.n})` : f(r.scale.readySec)) : '–')],
    ['baseline SSA apply (s)', (r) => (r.baseline ? `${f(r.baseline.applySec)} (${r.baseline.objects} obj, ×${r.baseline.concurrency})` : '–')],
    ['operator / baseline', (r) => f(r.ratio, 2)],
    ['operator peak RSS (MiB)', (r) => f(r.operatorPeakRssMiB)],
    [
      'after Ready: RSS / V8 heap used / external (MiB)',
      (r) => {
        const m = r.scale?.operator.memory;
        return m ? `${f(m.rssMiB, 0)} / ${f(m.heapUsedMiB, 0)} / ${f(m.externalMiB, 0)}` : '–';
      },
    ],
    ['informer-held objects: count, JSON MiB (managedFields)', (r) => (r.scale ? `${r.scale.cached.objects}, ${f(r.scale.cached.jsonMiB)} (${f(r.scale.cached.managedFieldsMiB)})` : '–')],
    [
      'workers busy until converged',
      (r) =>
        r.scale?.toConverged && r.scale.convergedSec
          ? `${f((100 * r.scale.toConverged.reconcileSeconds) / (r.scale.convergedSec * workers), 0)} %`
          : '–',
    ],
    [
      'apiserver mean SSA latency: operator / baseline (ms)',
      (r) => `${f(r.scale?.toConverged?.apiserverApplyMs, 0)} / ${f(r.baseline?.apiserver.meanLatencyMs['APPLY'], 0)}`,
    ],
    ['operator CPU to Ready (s) node + helm', (r) => (r.scale ? `${f(r.scale.operator.cpuSeconds)} + ${f(r.scale.operator.helmCpuSeconds)}` : '–')],
    ['renders to Ready (cache hits)', (r) => (r.scale ? `${r.scale.operator.renders} (${r.scale.operator.renderCacheHits})` : '–')],
    ['reconciles to Ready', (r) => (r.scale ? String(r.scale.operator.reconciles) : '–')],
    ['operator requests to Ready: writes / reads / watches', (r) => (r.scale ? `${r.scale.operator.writes} / ${r.scale.operator.reads} / ${r.scale.operator.watches}` : '–')],
    ['apiserver requests to Ready: writes / reads (all clients)', (r) => (r.scale ? `${r.scale.apiserver.writes} / ${r.scale.apiserver.reads}` : '–')],
    ['CPU to Ready by process (s); others = not ours', (r) => (r.scale ? cpuLine(r.scale.controlPlaneCpuSeconds) : '–')],
    ['at rest: seconds (resync)', (r) => (r.idle ? `${f(r.idle.seconds, 0)} (${r.idle.resync})` : '–')],
    ['at rest: operator writes / reads / renders', (r) => (r.idle ? `${r.idle.operator.writes} / ${r.idle.operator.reads} / ${r.idle.operator.renders}` : '–')],
    ['at rest: operator reconciles, CPU (s)', (r) => (r.idle ? `${r.idle.operator.reconciles}, ${f(r.idle.operator.cpuSeconds, 2)}` : '–')],
    ['at rest: apiserver writes / reads (not leases), leases', (r) => (r.idle ? `${r.idle.apiserver.writes} / ${r.idle.apiserver.reads}, ${r.idle.apiserver.leases}` : '–')],
    ['restart: synced / checked all (s)', (r) => (r.restart ? `${f(r.restart.syncedSec)} / ${f(r.restart.checkedSec)}` : '–')],
    ['restart: peak RSS until checked all (MiB)', (r) => (r.restart ? f(r.restart.checkedPeakRssMiB) : '–')],
    ['restart: operator writes / renders', (r) => (r.restart ? `${r.restart.operator.writes} / ${r.restart.operator.renders}` : '–')],
    ['restart: operator CPU (s) node + helm', (r) => (r.restart ? `${f(r.restart.operator.cpuSeconds)} + ${f(r.restart.operator.helmCpuSeconds)}` : '–')],
    ['spec change → applied p50 / p95 (ms)', (r) => (r.latency ? `${f(r.latency.specChange.p50Ms, 0)} / ${f(r.latency.specChange.p95Ms, 0)}` : '–')],
    ['hand edit → repaired p50 / p95 (ms)', (r) => (r.latency ? `${f(r.latency.handEdit.p50Ms, 0)} / ${f(r.latency.handEdit.p95Ms, 0)}` : '–')],
  ];
  return [['N', ...results.map((r) => String(r.n))], ...rows.map(([name, fn]) => [name, ...col(fn)])];
}

function cpuLine(c: Record<string, number>): string {
  const short: Record<string, string> = {
    etcd: 'etcd',
    'kube-apiserver': 'apiserver',
    'kube-controller-manager': 'kcm',
    'kube-scheduler': 'sched',
    kwok: 'kwok',
    operator: 'op',
  };
  return Object.entries(c)
    .map(([k, v]) => `${short[k] ?? k} ${v.toFixed(0)}`)
    .join(', ');
}

export function textTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

export function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The largest request counts, one line. */
export function topCounts(c: Counts, k = 8): string {
  return sortedCounts(c)
    .slice(0, k)
    .map(([key, v]) => `${key} ${v}`)
    .join(', ');
}

export function targets(results: NResult[]): RunResult['targets'] {
  const withScale = results.filter((r) => r.scale);
  const big = withScale.find((r) => r.n === 1000);
  const out: RunResult['targets'] = [];
  out.push({
    target: 'N = 1000 converged in under 5 minutes',
    value: big ? `${f(big.scale?.convergedSec)} s` : 'N = 1000 not run',
    met: big?.scale?.convergedSec != null ? big.scale.convergedSec < 300 : big ? false : null,
  });
  const peak = Math.max(0, ...results.map((r) => r.operatorPeakRssMiB ?? 0));
  out.push({ target: 'operator peak RSS under 300 MiB', value: `${f(peak)} MiB (largest N run)`, met: peak > 0 ? peak < 300 : null });
  const ratios = results.filter((r) => r.ratio != null);
  const worst = ratios.reduce<NResult | undefined>((w, r) => (w?.ratio != null && r.ratio != null && w.ratio >= r.ratio ? w : r), undefined);
  out.push({
    target: 'operator / baseline at most 1.5',
    value: ratios.map((r) => `N=${r.n}: ${f(r.ratio, 2)}`).join(', ') || 'no baseline',
    met: worst?.ratio != null ? worst.ratio <= 1.5 : null,
  });
  const idle = results.filter((r) => r.idle);
  out.push({
    target: 'at rest: zero writes, zero renders',
    value: idle.map((r) => `N=${r.n}: ${r.idle?.operator.writes ?? 0} writes, ${r.idle?.operator.renders ?? 0} renders`).join('; ') || 'not run',
    met: idle.length ? idle.every((r) => r.idle?.operator.writes === 0 && r.idle.operator.renders === 0) : null,
  });
  const rs = results.filter((r) => r.restart);
  out.push({
    target: 'after restart: zero writes, zero renders',
    value: rs.map((r) => `N=${r.n}: ${r.restart?.operator.writes ?? 0} writes, ${r.restart?.operator.renders ?? 0} renders`).join('; ') || 'not run',
    met: rs.length ? rs.every((r) => r.restart?.operator.writes === 0 && r.restart.operator.renders === 0) : null,
  });
  return out;
}

export function details(r: NResult): string {
  const lines: string[] = [`N = ${r.n}`];
  if (r.error) lines.push(`  error: ${r.error}`);
  if (r.scale) {
    lines.push(`  scale, operator's requests: ${topCounts(r.scale.operator.requests)}`);
    lines.push(`  scale, operator's applies: ${topCounts(r.scale.operator.applies)}`);
    lines.push(`  scale, apiserver (all clients): ${topCounts(r.scale.apiserver.byVerbResource, 12)}`);
    if (r.scale.toConverged) {
      const c = r.scale.toConverged;
      lines.push(
        `  to converged: renders ${c.renders}, operator writes ${c.operatorWrites}, CPU ${f(c.operatorCpuSeconds)} s + helm ${f(c.helmCpuSeconds)} s, ` +
          `reconciling ${f(c.reconcileSeconds)} s (all workers), apiserver SSA ${f(c.apiserverApplyMs, 0)} ms mean`,
      );
    }
    {
      const m = r.scale.operator.memory;
      lines.push(`  after Ready: RSS ${f(m.rssMiB, 0)} MiB, heap used ${f(m.heapUsedMiB, 0)} of ${f(m.heapTotalMiB, 0)} MiB, external ${f(m.externalMiB, 0)} MiB; queue wait ${f(r.scale.operator.queueWaitSeconds)} s (all keys)`);
      lines.push(`  informer-held objects by kind: ${Object.entries(r.scale.cached.byKind).map(([k, v]) => `${k} ${v.objects} (${f(v.jsonMiB, 2)} MiB)`).join(', ')}`);
      lines.push(`  apiserver mean latency by verb (ms): ${JSON.stringify(r.scale.apiserver.meanLatencyMs)}`);
    }
  }
  if (r.baseline) {
    lines.push(
      `  baseline: ${r.baseline.objects} objects (${f(r.baseline.jsonKiBPerCluster)} KiB JSON per cluster) in ${f(r.baseline.applySec, 2)} s ` +
        `(render beforehand ${f(r.baseline.renderSec)} s), failed ${r.baseline.failed}; SSA ${f(r.baseline.apiserver.meanLatencyMs['APPLY'], 0)} ms mean; CPU by process ${cpuLine(r.baseline.controlPlaneCpuSeconds)}`,
    );
  }
  if (r.idle) {
    lines.push(`  at rest, operator's requests: ${topCounts(r.idle.operator.requests) || 'none'}`);
    lines.push(`  at rest, apiserver (all clients): ${topCounts(r.idle.apiserver.byVerbResource, 12) || 'none'}`);
    lines.push(`  at rest, CPU by process (s): ${cpuLine(r.idle.controlPlaneCpuSeconds)}`);
    lines.push(`  at rest, Events touched (reporter: reason (kind)): ${topCounts(r.idle.events, 6) || 'none'}`);
  }
  if (r.restart) {
    lines.push(`  restart, operator's requests: ${topCounts(r.restart.operator.requests) || 'none'}`);
    lines.push(`  restart, apiserver (all clients): ${topCounts(r.restart.apiserver.byVerbResource, 12) || 'none'}`);
    const map = (m: MemoryMap | null): string =>
      m ? `files ${f(m.filesMiB, 0)}, brk heap ${f(m.brkHeapMiB, 0)}, anonymous ${f(m.anonymousMiB, 0)} MiB (largest: ${m.largestAnonymous.map((a) => `${f(a.rssMiB, 0)}/${f(a.sizeMiB, 0)}`).join(', ')})` : '–';
    lines.push(`  memory map (RSS), first process before its stop: ${map(r.restart.stoppedMap)}`);
    lines.push(`  memory map (RSS), new process when it had checked all: ${map(r.restart.checkedMap)}`);
  }
  if (r.latency) {
    lines.push(`  latency: spec max ${f(r.latency.specChange.maxMs, 0)} ms (${r.latency.specChange.failed} timed out), edit max ${f(r.latency.handEdit.maxMs, 0)} ms (${r.latency.handEdit.failed} timed out); renders ${r.latency.operator.renders}, drift repairs ${r.latency.operator.driftRepairs}`);
  }
  return lines.join('\n');
}

export async function writeResults(out: string, run: RunResult): Promise<{ json: string; svg: string; md: string }> {
  await mkdir(out, { recursive: true });
  const stamp = run.date.replace(/[:.]/g, '-');
  const json = join(out, `bench-${stamp}.json`);
  const svg = join(out, `bench-${stamp}.svg`);
  const md = join(out, `bench-${stamp}.md`);
  await writeFile(json, `${JSON.stringify(run, null, 2)}\n`);
  const ok = run.results.filter((r) => r.scale);
  const xs = ok.map((r) => r.n);
  const pts = (fn: (r: NResult) => number | null | undefined): { x: number; y: number }[] =>
    ok.flatMap((r) => {
      const y = fn(r);
      return y === null || y === undefined ? [] : [{ x: r.n, y }];
    });
  await writeFile(
    svg,
    svgPlot(
      [
        {
          title: 'Time to converge',
          yLabel: 'seconds (log scale)',
          logY: true,
          series: [
            { name: 'operator: all converged', color: '#1f77b4', points: pts((r) => r.scale?.convergedSec) },
            { name: 'operator: all Ready', color: '#2ca02c', points: pts((r) => r.scale?.readySec) },
            { name: 'baseline: plain SSA of the same objects', color: '#7f7f7f', dashed: true, points: pts((r) => r.baseline?.applySec) },
          ],
          target: { y: 300, label: 'target at N=1000: 300 s', atX: 1000 },
        },
        {
          title: 'Operator memory',
          yLabel: 'peak RSS (MiB)',
          series: [{ name: 'operator peak RSS (VmHWM)', color: '#d62728', points: pts((r) => r.operatorPeakRssMiB) }],
          target: { y: 300, label: 'target: 300 MiB' },
        },
      ],
      xs,
      `harbor-operator bench ${run.date}, ${run.machine.cpus} CPUs (${run.machine.cpuModel}), workers ${run.options.workers}, whole control plane on the same machine`,
    ),
  );
  const text = [
    `# Bench ${run.date}`,
    '',
    `${run.machine.cpus} CPUs (${run.machine.cpuModel}), ${run.machine.memoryGiB} GiB, Linux ${run.machine.kernel}, Node ${run.machine.node}; load average at start ${run.machine.loadAvgAtStart.join(' ')}`,
    '',
    `Operator: \`node ${[...imageNodeOptions(), ...run.options.nodeOptions, 'dist/main.js'].join(' ')}\`, workers ${run.options.workers}, resync ${run.options.resync}.`,
    '',
    markdownTable(summaryRows(run.results, run.options.workers)),
    '',
    ...run.targets.map((t) => `- ${t.met === null ? '?' : t.met ? 'met' : 'MISSED'}: ${t.target} — ${t.value}`),
    '',
    '```',
    ...run.results.map(details),
    '```',
    '',
  ].join('\n');
  await writeFile(md, text);
  return { json, svg, md };
}
