// A small reader of the Prometheus text format: enough for counters and
// gauges (histogram buckets are read as plain samples and usually ignored).
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseProm(text: string, only?: (name: string) => boolean): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const name = m[1] ?? '';
    if (only && !only(name)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) {
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    }
    out.push({ name, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples of one metric whose labels match every given value. */
export function sum(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Counts keyed by "VERB resource", from the samples of one metric. */
export type Counts = Record<string, number>;

export function diffCounts(after: Counts, before: Counts): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

export function total(c: Counts, filter: (key: string) => boolean = () => true): number {
  let t = 0;
  for (const [k, v] of Object.entries(c)) if (filter(k)) t += v;
  return t;
}

/** The keys sorted by count, largest first. */
export function sortedCounts(c: Counts): [string, number][] {
  return Object.entries(c).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
