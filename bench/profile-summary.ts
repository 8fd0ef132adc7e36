// Summarizes V8 CPU profiles (.cpuprofile, from `npm run bench -- --cpu-prof`
// or `node --cpu-prof`): where the operator's CPU time went, by function
// (self time), by file or package (self time) and by the operator's own
// functions including what they call.
//
//   node bench/profile-summary.ts bench/results/profiles/CPU.*.cpuprofile [--top 25]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A file's place: the package in node_modules, the repo-relative path, or node's own. */
export function where(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return `npm:${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '')}`;
  }
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}

export interface Summary {
  totalMs: number;
  byFunction: [string, number][];
  byPlace: [string, number][];
  /** Functions of src/ with the time of everything they called (inclusive). */
  srcInclusive: [string, number][];
}

export function summarize(p: Profile, top: number): Summary {
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const name = (n: ProfileNode): string =>
    `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const fn = new Map<string, number>();
  const place = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    totalMs += ms;
    fn.set(name(n), (fn.get(name(n)) ?? 0) + ms);
    const w = n.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : where(n.callFrame.url);
    place.set(w, (place.get(w) ?? 0) + ms);
  }
  // Inclusive time of src/ functions: each sample counts once per distinct src function on its stack.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n || !n.callFrame.url.includes('/src/')) continue;
      const k = name(n);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs, byFunction: sorted(fn), byPlace: sorted(place), srcInclusive: sorted(inclusive) };
}

function print(title: string, rows: [string, number][], totalMs: number): string {
  return [
    title,
    ...rows.map(([k, ms]) => `  ${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${k}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (positionals.length === 0) throw new Error('usage: node bench/profile-summary.ts FILE.cpuprofile… [--top 25]');
  for (const file of positionals) {
    const s = summarize(JSON.parse(await readFile(file, 'utf8')) as Profile, Number(values.top));
    process.stdout.write(
      [
        `${file}: ${(s.totalMs / 1000).toFixed(1)} s of samples`,
        print('self time by function', s.byFunction, s.totalMs),
        print('self time by file or package', s.byPlace, s.totalMs),
        print('inclusive time of the operator’s own functions (src/)', s.srcInclusive, s.totalMs),
        '',
      ].join('\n\n'),
    );
  }
}

if (import.meta.filename === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
