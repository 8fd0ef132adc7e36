// `render` and `diff` as a user runs them: the operator's binary with a CR
// file, against the real API server for diff. No secret value is printed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { ensureCrd } from '../harness/crd.ts';
import { createCluster, get, harborCluster, waitForCondition } from '../harness/harbor.ts';
import { testNamespace } from '../harness/kube.ts';
import { helmBinary, startOperator } from '../harness/operator.ts';

const run = promisify(execFile);
const main = new URL('../../src/main.ts', import.meta.url).pathname;

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [main, ...args, `--helm=${helmBinary()}`], { maxBuffer: 32 << 20 });
  return stdout;
}

function secretValues(secret: { data?: Record<string, string> } | undefined): string[] {
  return Object.values(secret?.data ?? {})
    .map((b) => Buffer.from(b, 'base64').toString('utf8'))
    .filter((v) => v.length >= 8);
}

describe('render and diff', () => {
  test('render prints every object with secret values masked', async () => {
    const out = await cli('render', '-f', 'deploy/samples/minimal.yaml', '-n', 'team-a');
    // 37: jobservice logs jobs in the database by default and has no job-log claim.
    assert.match(out, /^# 37 objects for HarborCluster team-a\/harbor/);
    const docs = out.split('\n---\n').slice(1);
    assert.equal(docs.length, 37);
    assert.ok(docs.every((d) => d.includes('namespace: team-a')));
    const secretBlocks = docs.filter((d) => /^kind: Secret$/m.test(d));
    assert.ok(secretBlocks.length >= 5);
    for (const block of secretBlocks) {
      const data = block.split(/^data:$/m)[1] ?? '';
      for (const line of data.split('\n').filter((l) => /^ {2}\S/.test(l))) assert.match(line, /: <secret>$/, line);
    }
  });

  test('diff shows nothing for a converged cluster, then exactly the fields a spec change moves', async (t) => {
    await ensureCrd();
    const ns = await testNamespace(t);
    await startOperator(t, ns);
    const cr = harborCluster('d1');
    await createCluster(ns, cr);
    await waitForCondition(ns, 'd1', 'Ready', 'True');
    const dir = await mkdtemp(join(tmpdir(), 'diff-'));
    const file = join(dir, 'cr.yaml');
    await writeFile(file, stringify({ ...cr, metadata: { name: 'd1', namespace: ns } }));
    const same = await cli('diff', '-f', file, `--kubeconfig=${process.env['KUBECONFIG'] ?? ''}`);
    assert.match(same, /plan: 0 to create, 0 to update, 0 to prune, \d+ unchanged/, same);

    const changed = { ...cr, metadata: { name: 'd1', namespace: ns }, spec: { ...(cr['spec'] as object), components: { core: { replicas: 3 } } } };
    await writeFile(file, stringify(changed));
    const out = await cli('diff', '-f', file, `--kubeconfig=${process.env['KUBECONFIG'] ?? ''}`);
    assert.match(out, /update {3}Deployment\/d1-core\n {11}~ spec\.replicas/);
    assert.match(out, /plan: 0 to create, 1 to update, 0 to prune/);
    const generated = (await get(ns, 'Secret', 'd1-generated-secrets')) as { data?: Record<string, string> } | undefined;
    for (const v of secretValues(generated)) assert.ok(!out.includes(v), 'no generated secret value in the output');
  });
});
