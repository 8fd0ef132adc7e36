// A digest of every file of the chart, so that a changed chart (a new
// operator release) renders again even when the values are the same; and one
// of the operator's own code, which shapes the objects too (labels, owner
// references, the generated Secret).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

export async function chartDigest(dir: string): Promise<string> {
  const files: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push(p);
    }
  }
  await walk(dir);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(dir, f));
    h.update('\0');
    h.update(await readFile(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** Digest of the folder that holds the operator's code (src/, or dist/ when built). */
export function codeDigest(): Promise<string> {
  return chartDigest(dirname(import.meta.dirname));
}
