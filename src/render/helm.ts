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

/**
 * The values as helm's --values input: JSON-like flow YAML. helm reads the
 * input as YAML, and plain JSON is YAML only while its strings and keys stay
 * within what YAML allows, which a user's strings need not:
 * - U+0085, U+2028 and U+2029 are line breaks to YAML (an annotation holding
 *   one made the input unreadable, or was folded into a space), and DEL and
 *   the C1 controls are refused: every character outside printable ASCII is
 *   written as an escape (\uXXXX, or \UXXXXXXXX beyond the BMP, which YAML has
 *   and JSON lacks);
 * - a key of more than 1024 characters cannot be an implicit key: long keys
 *   (a map key of a HarborCluster has no length limit) get YAML's explicit
 *   key indicator "? ".
 * helm reads back exactly the strings given.
 */
export function valuesInput(values: unknown): string {
  return flow(values);
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : flow(x))).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries
      .map(([k, x]) => {
        const key = escapeNonAscii(JSON.stringify(k));
        return `${key.length > 1000 ? '? ' : ''}${key}: ${flow(x)}`;
      })
      .join(', ')}}`;
  }
  // JSON.stringify gives undefined for undefined (typed as string).
  const json = JSON.stringify(v) as string | undefined;
  return escapeNonAscii(json ?? 'null');
}

function escapeNonAscii(json: string): string {
  let out = '';
  for (const ch of json) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x7f) out += ch;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out;
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
    { input: valuesInput(values), env, detached: true, reject: true, maxBuffer: 64 * 1024 * 1024 },
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
