// Summarizes a V8 heap snapshot (.heapsnapshot, e.g. from the operator run
// with `--node-option=--heapsnapshot-signal=SIGUSR2` and sent SIGUSR2; the
// file lands in the operator's working directory): the heap by kind of
// object (self sizes), and the strings held in many equal copies.
//
//   node bench/heap-summary.ts Heap.*.heapsnapshot [--top 25]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** The snapshot's objects (nodes); the edges between them are not read. */
export interface Nodes {
  count: number;
  type: (i: number) => string;
  name: (i: number) => string;
  selfSize: (i: number) => number;
}

export function nodesOf(s: Snapshot): Nodes {
  const nf = s.snapshot.meta.node_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const nw = nf.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => nf.indexOf(f)) as [number, number, number];
  return {
    count: s.nodes.length / nw,
    type: (i) => nodeTypes[s.nodes[i * nw + iType] ?? 0] ?? '?',
    name: (i) => s.strings[s.nodes[i * nw + iName] ?? 0] ?? '?',
    selfSize: (i) => s.nodes[i * nw + iSize] ?? 0,
  };
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  const top = Number(values.top);
  const file = positionals[0];
  if (!file) throw new Error('usage: node bench/heap-summary.ts <file.heapsnapshot> [--top 25]');
  const g = nodesOf(JSON.parse(await readFile(file, 'utf8')) as Snapshot);
  let total = 0;
  for (let i = 0; i < g.count; i++) total += g.selfSize(i);
  process.stdout.write(`${file}: ${g.count} objects, ${mib(total)} MiB\n\nby kind (self size):\n`);
  const byKind = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < g.count; i++) {
    const t = g.type(i);
    const key = t === 'object' || t === 'native' ? `${t} ${g.name(i)}` : t;
    const b = byKind.get(key) ?? { size: 0, count: 0 };
    b.size += g.selfSize(i);
    b.count++;
    byKind.set(key, b);
  }
  for (const [k, b] of [...byKind].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
    process.stdout.write(`  ${mib(b.size).padStart(7)} MiB  ${String(b.count).padStart(8)}  ${k.slice(0, 90)}\n`);
  }
  // JSON.parse gives each string value its own copy: equal strings held many times.
  const byContent = new Map<string, { n: number; size: number }>();
  for (let i = 0; i < g.count; i++) {
    if (g.type(i) !== 'string') continue;
    const b = byContent.get(g.name(i)) ?? { n: 0, size: 0 };
    b.n++;
    b.size += g.selfSize(i);
    byContent.set(g.name(i), b);
  }
  const dup = [...byContent].map(([c, b]) => ({ c, n: b.n, waste: b.size - b.size / b.n })).sort((a, b) => b.waste - a.waste);
  process.stdout.write(`\nstrings held more than once: ${mib(dup.reduce((a, d) => a + d.waste, 0))} MiB beyond one copy each; largest:\n`);
  for (const d of dup.slice(0, top)) {
    process.stdout.write(`  ${mib(d.waste).padStart(7)} MiB  ${String(d.n).padStart(8)} ×  ${JSON.stringify(d.c.slice(0, 70))}\n`);
  }
}

if (import.meta.main) await main();
