// `render` and `diff` as a user runs them: the operator's entry point with a
// CR file, against the real API server for diff. Each outcome has its exit
// code (diff: 0 no change, 1 changes, 2 error, 3 refused) and errors are one
// line without a stack. No secret value is printed.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/model/object.ts';
import { cli, type Run } from '../harness/cli.ts';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, get, harborCluster, waitForCondition } from '../harness/harbor.ts';
import { testNamespace } from '../harness/kube.ts';
import { helmBinary, startOperator } from '../harness/operator.ts';
import { scratchDir } from '../harness/scratch.ts';

const kubeconfig = (): string => `--kubeconfig=${process.env['KUBECONFIG'] ?? ''}`;

function secretValues(secret: { data?: Record<string, string> } | undefined): string[] {
  return Object.values(secret?.data ?? {})
    .map((b) => Buffer.from(b, 'base64').toString('utf8'))
    .filter((v) => v.length >= 8);
}

/** One line on stderr, naming the cause; no stack frame. */
function assertOneLine(r: Run, cause: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  assert.match(lines[0] ?? '', cause);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

describe('render and diff', () => {
  test('--help: the operator and both commands say how they are used', async () => {
    const op = await cli(['--help']);
    assert.equal(op.code, 0, op.stderr);
    assert.match(op.stdout, /--kubeconfig/);
    assert.match(op.stdout, /harbor-operator diff/);
    for (const command of ['render', 'diff']) {
      const r = await cli([command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /exit 0: no change, 1: changes, 2: error, 3: the API server refuses the spec/);
    }
  });

  test('render prints every object with secret values masked', async () => {
    // 37: jobservice logs jobs in the database by default and has no job-log claim.
    const r = await cli(['render', '-f', 'deploy/samples/minimal.yaml', '-n', 'team-a', `--helm=${helmBinary()}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# 37 objects for HarborCluster team-a\/harbor/);
    const docs = r.stdout.split('\n---\n').slice(1);
    assert.equal(docs.length, 37);
    assert.ok(docs.every((d) => d.includes('namespace: team-a')));
    const secretBlocks = docs.filter((d) => /^kind: Secret$/m.test(d));
    assert.ok(secretBlocks.length >= 5);
    for (const block of secretBlocks) {
      const data = block.split(/^data:$/m)[1] ?? '';
      for (const line of data.split('\n').filter((l) => /^ {2}\S/.test(l))) assert.match(line, /: <secret>$/, line);
    }
  });

  test('render without helm: one line that says where helm can come from', async () => {
    const { HELM_BIN: _unset, ...rest } = process.env;
    const r = await cli(['render', '-f', 'deploy/samples/minimal.yaml'], { ...rest, PATH: '/nonexistent' });
    assert.equal(r.code, 2);
    assertOneLine(r, /^harbor-operator render: helm binary not found at helm: pass --helm PATH or set HELM_BIN .*helm-[^ ]*\/helm/);
    assert.equal(r.stdout, '');
  });

  test('diff: no change (exit 0), a change old → new (exit 1), a downgrade refused with the server message (exit 3)', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const cr = harborCluster('d1');
    await createCluster(ns, cr);
    await waitForCondition(ns, 'd1', 'Ready', 'True');
    const file = join(await scratchDir(t, 'cli'), 'cr.yaml');
    const write = (spec: Record<string, unknown>): Promise<void> =>
      writeFile(file, stringify({ ...cr, metadata: { name: 'd1', namespace: ns }, spec: { ...(cr['spec'] as object), ...spec } }));

    await write({});
    const same = await cli(['diff', '-f', file, kubeconfig(), `--helm=${helmBinary()}`]);
    assert.equal(same.code, 0, `${same.stdout}\n${same.stderr}`);
    assert.match(same.stdout, /the API server accepts the spec/);
    assert.match(same.stdout, /^plan: 0 to create, 0 to update, 0 to prune, \d+ unchanged$/m);

    await write({ components: { core: { replicas: 3 } } });
    const changed = await cli(['diff', '-f', file, kubeconfig(), `--helm=${helmBinary()}`]);
    assert.equal(changed.code, 1, `${changed.stdout}\n${changed.stderr}`);
    assert.match(changed.stdout, /^update {3}Deployment\/d1-core\n {11}replace \/spec\/replicas: 1 → 3$/m);
    // Three replicas of core: its PodDisruptionBudget comes with them.
    assert.match(changed.stdout, /^create {3}PodDisruptionBudget\/d1-core$/m);
    assert.match(changed.stdout, /^plan: 1 to create, 1 to update, 0 to prune/m);
    const generated = (await get(ns, 'Secret', 'd1-generated-secrets')) as { data?: Record<string, string> } | undefined;
    const values = secretValues(generated);
    assert.ok(values.length >= 5, 'the generated Secret holds values to look for');
    for (const v of values) assert.ok(!changed.stdout.includes(v) && !same.stdout.includes(v), 'no generated secret value in the output');

    // 2.15.1 (the default the live one has) → 2.14.0: the CRD's rule refuses it.
    await write({ version: '2.14.0' });
    const down = await cli(['diff', '-f', file, kubeconfig(), `--helm=${helmBinary()}`]);
    assert.equal(down.code, 3, `${down.stdout}\n${down.stderr}`);
    assert.match(down.stdout, /^refused {2}HarborCluster\/d1: .*spec\.version cannot be lowered \(downgrades are not supported/m);
    assert.doesNotMatch(down.stdout, /^update /m, 'a refused spec is not planned');
  });

  test('diff of a HarborCluster with scheduled backups: the CronJob and the backups claim are planned, not pruned', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const cr = harborCluster('d3', { backup: { schedule: '0 3 * * *' } });
    await createCluster(ns, cr);
    await waitForCondition(ns, 'd3', 'Ready', 'True');
    assert.ok(await get(ns, 'CronJob', 'd3-backup'), 'the operator made the CronJob');
    const file = join(await scratchDir(t, 'cli'), 'cr.yaml');
    const write = (spec: Record<string, unknown>): Promise<void> =>
      writeFile(file, stringify({ ...cr, metadata: { name: 'd3', namespace: ns }, spec: { ...(cr['spec'] as object), ...spec } }));

    await write({});
    const same = await cli(['diff', '-f', file, kubeconfig(), `--helm=${helmBinary()}`]);
    assert.equal(same.code, 0, `${same.stdout}\n${same.stderr}`);
    assert.match(same.stdout, /^plan: 0 to create, 0 to update, 0 to prune, \d+ unchanged$/m);

    await write({ backup: { schedule: '30 2 * * *' } });
    const changed = await cli(['diff', '-f', file, kubeconfig(), `--helm=${helmBinary()}`]);
    assert.equal(changed.code, 1, `${changed.stdout}\n${changed.stderr}`);
    assert.match(changed.stdout, /^update {3}CronJob\/d3-backup\n {11}replace \/spec\/schedule: "0 3 \* \* \*" → "30 2 \* \* \*"$/m);
    assert.match(changed.stdout, /^plan: 0 to create, 1 to update, 0 to prune/m);

    await write({ backup: null });
    const removed = await cli(['diff', '-f', file, kubeconfig(), `--helm=${helmBinary()}`]);
    assert.equal(removed.code, 1, `${removed.stdout}\n${removed.stderr}`);
    assert.match(removed.stdout, /^prune {4}CronJob\/d3-backup$/m);
    assert.doesNotMatch(removed.stdout, /^prune .*PersistentVolumeClaim/m, 'the claim of the dumps is kept');
  });

  test('diff with a referenced Secret missing: one line naming it, exit 2', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    const cr: KubeObject = harborCluster('d2', { adminPasswordSecretRef: { name: 'harbor-admin' } });
    const file = join(await scratchDir(t, 'cli'), 'cr.yaml');
    await writeFile(file, stringify({ ...cr, metadata: { name: 'd2', namespace: ns } }));
    const r = await cli(['diff', '-f', file, kubeconfig(), `--helm=${helmBinary()}`]);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assertOneLine(r, new RegExp(`^harbor-operator diff: spec\\.adminPasswordSecretRef: Secret ${ns}/harbor-admin not found: create that Secret`));
  });
});
