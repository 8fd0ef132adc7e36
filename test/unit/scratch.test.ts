// Every name the code makes in the temporary folder has one of the prefixes
// that test/run.ts checks, so a file a test leaves behind cannot escape the
// check by its name.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { SCRATCH_PREFIX, TMP_PREFIXES } from '../harness/scratch.ts';

const root = new URL('../../', import.meta.url).pathname;

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'results' && e.name !== 'runs') out.push(...(await files(p)));
    } else if (/\.(ts|sh)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Names made in the temporary folder: join(tmpdir(), '…'), mktemp -d "${TMPDIR:-/tmp}/…". */
async function tmpNames(): Promise<{ file: string; name: string }[]> {
  const out: { file: string; name: string }[] = [];
  for (const dir of ['src', 'test', 'e2e', 'bench']) {
    for (const file of await files(join(root, dir))) {
      const text = await readFile(file, 'utf8');
      const rel = relative(root, file);
      if (rel === 'test/unit/scratch.test.ts') continue; // its own patterns
      for (const m of text.matchAll(/tmpdir\(\)\s*,\s*[`'"]([^`'"]*)/g)) out.push({ file: rel, name: m[1] ?? '' });
      for (const m of text.matchAll(/mktemp\s+-d\s+"?\$\{TMPDIR:-\/tmp\}\/([^"\s]*)/g)) out.push({ file: rel, name: m[1] ?? '' });
      for (const m of text.matchAll(/mkdtemp(?:Sync)?\(\s*([^)]*)\)/g)) {
        const arg = m[1] ?? '';
        assert.ok(/tmpdir\(/.test(arg), `${rel}: ${m[0]} — make temporary folders in tmpdir() (checked by test/run.ts)`);
      }
    }
  }
  return out;
}

test('every name made in the temporary folder has a prefix test/run.ts checks', async () => {
  const names = await tmpNames();
  assert.ok(names.length >= 5, `found the places (${names.length})`);
  for (const { file, name } of names) {
    const resolved = name.replace(/^\$\{SCRATCH_PREFIX\}/, SCRATCH_PREFIX);
    assert.ok(
      TMP_PREFIXES.some((p) => resolved.startsWith(p)),
      `${file}: "${name}" has none of the prefixes of test/harness/scratch.ts (${TMP_PREFIXES.join(', ')})`,
    );
  }
});
