// Files of tests live in folders of the system's temporary folder whose names
// start with the project's prefix, and go when the test ends. test/run.ts
// lists the entries of the temporary folder with the prefixes below before
// and after a run, and fails the run when some are new.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** The prefix of every folder a test, the test runner or the benchmark makes in the temporary folder. */
export const SCRATCH_PREFIX = 'harbor-operator-';

/**
 * Every prefix the project's code has used for entries of the temporary
 * folder: the one above, and those of earlier code (still checked, so an old
 * habit coming back is caught). test/unit/scratch.test.ts checks that every
 * mkdtemp and tmpdir() name in the code has one of them.
 */
export const TMP_PREFIXES: readonly string[] = [
  SCRATCH_PREFIX,
  'broken-helm-',
  'diff-',
  'sa-kubeconfig-',
  'test-helm-cache',
  'test-helm-config',
  'operator-helm-home',
  'faults-helm-',
  'fault-proxy-',
  'kubeconfig-test-',
  'harbor-bench-',
];

/** A folder for this test's files; removed (with what is in it) when the test ends. */
export async function scratchDir(t: Pick<TestContext, 'after'>, purpose: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${SCRATCH_PREFIX}${purpose}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

let processDir: string | undefined;

/**
 * One folder for the whole test process (helm's cache of the test helpers,
 * the helm home of operators started from the chart's arguments), removed
 * when the process exits.
 */
export function processScratchDir(): string {
  if (processDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}process-`));
    processDir = dir;
    process.on('exit', () => {
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return processDir;
}

/** The entries of the temporary folder with one of the project's prefixes. */
export function projectTmpEntries(dir: string = tmpdir()): Set<string> {
  return new Set(readdirSync(dir).filter((e) => TMP_PREFIXES.some((p) => e.startsWith(p))));
}
