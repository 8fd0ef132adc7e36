// Renders the embedded chart for many values objects with few helm processes:
// an umbrella chart (in a temporary folder) lists the chart N times under the
// aliases v0 … vN-1, each alias gets one values object, and the header helm
// writes before every document ("# Source: umbrella/charts/v<i>/templates/…")
// says which render a document belongs to. helm gives every document it
// splits from a template's output its own header, so a document that a value
// smuggled in is attributed to its render too. When the batch as a whole
// fails (one render failing fails them all), it is split in halves until the
// failing values objects are rendered alone with the operator's own
// helmTemplate, so every failure is known with its own message. test/unit/chart-injection.test.ts checks that a batch
// gives the objects a render of its own gives.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/model/object.ts';
import { helmTemplate, valuesInput } from '../../src/render/helm.ts';
import { parseManifests } from '../../src/render/parse.ts';

export type RenderResult = { objects: KubeObject[] } | { error: string };

export interface BatchOptions {
  helm: string;
  chartDir: string;
  release: string;
  namespace: string;
}

const sourceHeader = /^# Source: umbrella\/charts\/v([0-9]+)\/templates\/\S+$/m;

export async function renderMany(opts: BatchOptions, valuesList: readonly unknown[]): Promise<RenderResult[]> {
  if (valuesList.length === 0) return [];
  const chart = parse(await readFile(join(opts.chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string };
  const dir = await mkdtemp(join(tmpdir(), 'harbor-operator-chart-batch-'));
  try {
    await cp(opts.chartDir, join(dir, 'charts', chart.name), { recursive: true });
    const deps = valuesList.map((_, i) => ({ name: chart.name, version: chart.version, alias: `v${i}` }));
    await writeFile(join(dir, 'Chart.yaml'), JSON.stringify({ apiVersion: 'v2', name: 'umbrella', version: '0.0.0', dependencies: deps }));
    const values = Object.fromEntries(valuesList.map((v, i) => [`v${i}`, v]));
    const run = await execa(opts.helm, ['template', opts.release, dir, '--namespace', opts.namespace, '--values', '-'], {
      input: valuesInput(values),
      reject: false,
      timeout: 300_000,
      maxBuffer: 512 * 1024 * 1024,
    });
    if (run.exitCode === 0) return split(run.stdout, valuesList.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (valuesList.length === 1) return [await renderAlone(opts, valuesList[0])];
  const half = Math.ceil(valuesList.length / 2);
  return [...(await renderMany(opts, valuesList.slice(0, half))), ...(await renderMany(opts, valuesList.slice(half)))];
}

function split(stdout: string, n: number): RenderResult[] {
  const texts: string[][] = Array.from({ length: n }, () => []);
  const orphans: string[] = [];
  for (const chunk of stdout.split(/^---$/m)) {
    if (chunk.trim() === '') continue;
    const m = sourceHeader.exec(chunk);
    const i = m ? Number(m[1]) : -1;
    const bucket = texts[i];
    if (bucket) bucket.push(chunk);
    else orphans.push(chunk.slice(0, 200));
  }
  if (orphans.length > 0) throw new Error(`helm output not attributable to a render: ${orphans.join(' | ')}`);
  return texts.map((chunks) => {
    try {
      return { objects: chunks.flatMap((c) => parseManifests(c)) };
    } catch (err) {
      return { error: `chart output is not valid: ${(err as Error).message}` };
    }
  });
}

async function renderAlone(opts: BatchOptions, values: unknown): Promise<RenderResult> {
  try {
    return { objects: await helmTemplate({ helm: opts.helm, chartDir: opts.chartDir, timeoutMs: 60_000 }, opts.release, opts.namespace, values) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
