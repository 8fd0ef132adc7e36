// test/cluster/build.sh says what it builds and for how long while go runs
// (go itself prints nothing for minutes), and leaves no heartbeat running
// after it ends, whether go succeeded or failed. A fake `go` stands in for
// the compiler; the real build is far too long for a unit test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { versions } from '../cluster/assets.ts';
import { scratchDir } from '../harness/scratch.ts';

const buildSh = new URL('../cluster/build.sh', import.meta.url).pathname;

/** `go install …` takes `seconds`, then leaves a helm binary in $GOBIN (or fails). */
const fakeGo = (seconds: number, ok: boolean): string =>
  [
    '#!/bin/sh',
    'case "$1" in',
    `  install) sleep ${seconds}; ${ok ? 'printf "#!/bin/sh\\n" > "$GOBIN/helm"; chmod +x "$GOBIN/helm"' : 'echo "fake go: compile error" >&2; exit 1'} ;;`,
    '  *) echo "fake go: unexpected $*" >&2; exit 3 ;;',
    'esac',
    '',
  ].join('\n');

async function build(dir: string, go: string): Promise<{ code: number | null; stdout: string; stderr: string; groupAlive: boolean }> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'go'), go);
  await chmod(join(bin, 'go'), 0o755);
  // Its own process group: whatever it leaves running is found by the group id.
  const proc = spawn('bash', [buildSh, 'helm'], {
    env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, HARBOR_OPERATOR_CACHE: join(dir, 'cache'), HARBOR_BUILD_HEARTBEAT_SECONDS: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  let groupAlive = true;
  try {
    process.kill(-(proc.pid ?? 0), 0);
  } catch {
    groupAlive = false;
  }
  if (groupAlive) process.kill(-(proc.pid ?? 0), 'SIGKILL');
  return { code, stdout, stderr, groupAlive };
}

const heartbeat = new RegExp(`^build: helm ${versions.helm.replace(/\./g, '\\.')}: downloading, compiling: still running, (\\d+) s elapsed$`, 'gm');

test('build.sh: a progress line every period while go runs, then done; nothing left running', async (t) => {
  const dir = await scratchDir(t, 'build-heartbeat');
  const r = await build(dir, fakeGo(3, true));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), join(dir, 'cache', 'bin', `helm-${versions.helm}`), 'prints the folder');
  const beats = [...r.stderr.matchAll(heartbeat)].map((m) => Number(m[1]));
  assert.ok(beats.length >= 2, `progress lines while go ran:\n${r.stderr}`);
  assert.deepEqual(beats, [...beats].sort((a, b) => a - b), 'elapsed grows');
  assert.match(r.stderr, /: downloading, compiling: done in \d+ s$/m);
  assert.equal(r.groupAlive, false, 'no heartbeat (or sleep) left running');
});

test('build.sh: a failed go stops the heartbeat and the build, and says so', async (t) => {
  const dir = await scratchDir(t, 'build-heartbeat');
  const r = await build(dir, fakeGo(2, false));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /fake go: compile error/);
  assert.match(r.stderr, /: downloading, compiling: failed after \d+ s \(exit 1\)$/m);
  assert.match(r.stderr, /go install failed/);
  assert.equal(r.stdout.trim(), '', 'no folder printed');
  assert.equal(r.groupAlive, false, 'no heartbeat (or sleep) left running');
});
