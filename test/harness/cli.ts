// The operator's commands (`render`, `diff`) as a user runs them: its entry
// point in a process of its own, with the exit code and both outputs.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../src/model/object.ts';
import { helmBinary } from './operator.ts';
import { scratchDir } from './scratch.ts';

const main = new URL('../../src/main.ts', import.meta.url).pathname;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { maxBuffer: 32 << 20, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The objects `render -f` prints for this HarborCluster in the namespace (the file goes when the test ends). */
export async function renderObjects(t: Pick<TestContext, 'after'>, namespace: string, cr: KubeObject): Promise<KubeObject[]> {
  const file = join(await scratchDir(t, 'render'), `${cr.metadata.name}.yaml`);
  await writeFile(file, stringify({ ...cr, metadata: { ...cr.metadata, namespace } }));
  const r = await cli(['render', '-f', file, `--helm=${helmBinary()}`]);
  if (r.code !== 0) throw new Error(`render exited ${r.code}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}
