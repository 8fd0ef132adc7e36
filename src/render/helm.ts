// Renders the embedded chart with `helm template`. Values go in on stdin, so
// no secret lands on a command line or in a file.
import { execa } from 'execa';
import type { KubeObject } from '../model/object.ts';
import { parseManifests } from './parse.ts';
import { RenderError } from './render-error.ts';

export interface HelmOptions {
  helm: string;
  chartDir: string;
  timeoutMs: number;
  /** Writable folder for helm's cache/config/data (read-only root filesystems). */
  homeDir?: string;
}

export async function helmTemplate(
  opts: HelmOptions,
  release: string,
  namespace: string,
  values: unknown,
): Promise<KubeObject[]> {
  const env: Record<string, string> = {};
  if (opts.homeDir) {
    env['HELM_CACHE_HOME'] = `${opts.homeDir}/cache`;
    env['HELM_CONFIG_HOME'] = `${opts.homeDir}/config`;
    env['HELM_DATA_HOME'] = `${opts.homeDir}/data`;
  }
  let stdout: string;
  // helm runs as the leader of its own process group, and a timeout kills
  // the whole group: a child helm started (a plugin, a hung post-renderer)
  // would otherwise keep the output pipe open and the render would never end.
  const child = execa(
    opts.helm,
    ['template', release, opts.chartDir, '--namespace', namespace, '--values', '-', '--skip-tests'],
    { input: JSON.stringify(values), env, detached: true, reject: true, maxBuffer: 64 * 1024 * 1024 },
  );
  const timeout = { hit: false };
  const timer = setTimeout(() => {
    timeout.hit = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, opts.timeoutMs);
  try {
    stdout = (await child).stdout;
  } catch (err) {
    const e = err as { code?: string; stderr?: string; shortMessage?: string };
    if (e.code === 'ENOENT') throw new RenderError(`helm binary not found at ${opts.helm}`, '', err);
    if (timeout.hit) throw new RenderError(`helm template timed out after ${opts.timeoutMs} ms`, e.stderr ?? '', err);
    const stderr = (e.stderr ?? '').trim();
    const firstLines = stderr.split('\n').slice(0, 5).join(' ').slice(0, 600);
    throw new RenderError(`helm template failed: ${firstLines || (e.shortMessage ?? 'unknown error')}`, stderr, err);
  } finally {
    clearTimeout(timer);
  }
  try {
    return parseManifests(stdout);
  } catch (err) {
    throw new RenderError(`chart output is not valid: ${(err as Error).message}`, '', err);
  }
}
