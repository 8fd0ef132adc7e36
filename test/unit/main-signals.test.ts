// The operator process ends on SIGTERM even while its caches cannot sync
// (the API server unreachable): before, main() waited for the sync forever
// and the informers' retries kept the process alive until SIGKILL. No API
// server is involved: the kubeconfig points at a port where nothing listens.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { freePort } from '../cluster/controlplane.ts';
import { writeKubeconfig } from '../harness/kubeconfig-file.ts';

const mainTs = new URL('../../src/main.ts', import.meta.url).pathname;

for (const extra of [[], ['--leader-elect', '--leader-election-namespace=default']]) {
  test(`SIGTERM before the caches synced ends the process${extra.length ? ' (leader election on)' : ''}`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'harbor-operator-signal-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort(); // free: nothing answers there
    const kubeconfig = await writeKubeconfig(join(dir, 'kubeconfig'), `https://127.0.0.1:${port}`, { token: 't' });
    const proc = spawn(
      process.execPath,
      [mainTs, `--kubeconfig=${kubeconfig}`, '--metrics-bind-address=0', '--health-probe-bind-address=0', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.after(() => proc.kill('SIGKILL'));
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = once(proc, 'exit') as Promise<[number | null, string | null]>;
    // until it has failed to reach the API server at least once
    const deadline = Date.now() + 20_000;
    while (!/ECONNREFUSED/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /ECONNREFUSED/, 'the operator tried the unreachable API server');
    assert.doesNotMatch(out, /caches synced/);
    const sent = Date.now();
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    assert.equal(signal, null, `ended by ${signal ?? ''} (SIGTERM was not enough); output:\n${out}`);
    assert.equal(code, 0);
    assert.ok(Date.now() - sent < 10_000);
    assert.match(out, /"msg":"stopped"/);
  });
}
