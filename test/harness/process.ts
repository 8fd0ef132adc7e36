// The operator as a real process (node src/main.ts), for tests of what only a
// process has: flags, leader election, signals, metrics over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { freePort } from '../cluster/controlplane.ts';
import { helmBinary } from './operator.ts';

const mainTs = new URL('../../src/main.ts', import.meta.url).pathname;

export { freePort };

export interface OperatorProcess {
  proc: ChildProcess;
  metricsPort: number;
  healthPort: number;
  output: string[];
  metrics(): Promise<string>;
  /** The value of a metric line (first match of name and label text), or undefined. */
  metric(name: string, labels?: string): Promise<number | undefined>;
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
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const metrics = async (): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.text();
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
      const line = text.split('\n').find((l) => l.startsWith(name) && !l.startsWith('#') && l.includes(labels));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    },
  };
}
