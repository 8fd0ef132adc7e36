// The embedded chart is lint-clean and deterministic by construction: no
// template function that reads randomness, time or the cluster.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { goldenHelm } from '../harness/golden-cases.ts';

const chart = new URL('../../charts/harbor', import.meta.url).pathname;

test('helm lint charts/harbor passes (--strict)', async () => {
  const { stdout } = await promisify(execFile)(goldenHelm(), ['lint', '--strict', chart]);
  assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

const forbidden = /\b(rand[A-Za-z]*|gen(CA|PrivateKey|SelfSignedCert|SignedCert)|lookup|now|uuidv4|htpasswd|derivePassword|getHostByName|date(Modify|InZone)?|unixEpoch)\b/;

test('no template calls a function that reads randomness, time or the cluster', async () => {
  const files: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else files.push(join(d, e.name));
    }
  }
  await walk(join(chart, 'templates'));
  assert.ok(files.length > 20);
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    // only template actions count: {{ … }} without comments
    for (const action of text.match(/\{\{(?!-?\s*\/\*)[\s\S]*?\}\}/g) ?? []) {
      assert.doesNotMatch(action, forbidden, `${f}: ${action}`);
    }
  }
});
