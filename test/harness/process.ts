// The operator as a real process (node src/main.ts), for tests of what only a
// process has: flags, leader election, signals, metrics over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { freePort } from '../cluster/controlplane.ts';
import { releaseHeldSecrets } from './harbor.ts';
import { helmBinary } from './operator.ts';

const mainTs = new URL('../../src/main.ts', import.meta.url).pathname;

export { freePort };

export interface OperatorProcess {
  proc: ChildProcess;
  metricsPort: number;
  healthPort: number;
  output: string[];
  metrics(): Promise<string>;
  /**
   * The value of a metric line (first match of name and label text), or
   * undefined when the line is absent or /metrics could not be read.
   */
  metric(name: string, labels?: string): Promise<number | undefined>;
  /** Like metric, but a /metrics that cannot be read is an error, and an absent line is 0. */
  counter(name: string, labels?: string): Promise<number>;
  /** The sum of every line of the metric whose labels contain the text (all of them without it); /metrics must be readable. */
  total(name: string, labels?: string): Promise<number>;
  exited: Promise<number | null>;
}

export async function startOperatorProcess(t: TestContext, args: string[]): Promise<OperatorProcess> {
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const output: string[] = [];
  const proc = spawn(
    process.execPath,
    [
      mainTs,
      `--kubeconfig=${process.env['KUBECONFIG'] ?? ''}`,
      `--helm=${helmBinary()}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Output is also kept on disk, to read after a failed run.
  const logDir = new URL('../../test-results/operator-logs/', import.meta.url).pathname;
  mkdirSync(logDir, { recursive: true });
  const logFile = `${logDir}process-${String(metricsPort)}.log`;
  const keep = (c: Buffer): void => {
    output.push(c.toString());
    appendFileSync(logFile, c);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      resolve(code);
    });
  });
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    await releaseHeldSecrets();
  });
  // A busy 2-core machine can take seconds to answer a scrape: be patient.
  const metrics = async (): Promise<string> => {
    let last: unknown;
    for (let i = 0; i < 3; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
        return await res.text();
      } catch (err) {
        last = err;
      }
    }
    throw new Error(`cannot read /metrics on port ${metricsPort}: ${String(last)}`);
  };
  const find = (text: string, name: string, labels: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(name) && !l.startsWith('#') && l.includes(labels));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  return {
    proc,
    metricsPort,
    healthPort,
    output,
    exited,
    metrics,
    async metric(name, labels = '') {
      let text: string;
      try {
        text = await metrics();
      } catch {
        return undefined;
      }
      return find(text, name, labels);
    },
    async counter(name, labels = '') {
      return find(await metrics(), name, labels) ?? 0;
    },
    async total(name, labels = '') {
      return (await metrics())
        .split('\n')
        .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    },
  };
}
