// Rendering with memory: for each HarborCluster the last (chart, values) hash
// and its objects are kept, so an unchanged cluster is never rendered again.
// The objects are kept as deflated JSON (about 6 KiB for a cluster's 43 KiB;
// parsed, they took 45 MiB of heap at N = 1000); a hit inflates and parses
// them, so each caller gets objects of its own.
// At most `concurrency` helm processes run at once: a burst of new clusters
// queues here instead of holding many renders' output in memory together.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { deflateRawSync, inflateRawSync, constants as zlib } from 'node:zlib';
import { canonicalJson } from '../model/canonical-json.ts';
import type { KubeObject } from '../model/object.ts';
import { helmTemplate, type HelmOptions } from './helm.ts';

export interface RenderResult {
  objects: KubeObject[];
  hash: string;
  cached: boolean;
}

export interface Renderer {
  /** The hash render() would give these values, without rendering. */
  hashOf(release: string, namespace: string, values: unknown): string;
  render(key: string, release: string, namespace: string, values: unknown): Promise<RenderResult>;
  forget(key: string): void;
  readonly stats: { renders: number; hits: number };
}

export function renderHash(digest: string, release: string, namespace: string, values: unknown): string {
  return createHash('sha256').update(digest).update('\0').update(`${namespace}/${release}`).update('\0').update(canonicalJson(values)).digest('hex');
}

/** A counting semaphore. */
function limiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * @param digest what besides the values decides the output: the chart's
 *   files and the operator's code.
 */
export function createRenderer(opts: HelmOptions, digest: string, concurrency = Math.max(2, availableParallelism())): Renderer {
  const memo = new Map<string, { hash: string; packed: Buffer }>();
  const stats = { renders: 0, hits: 0 };
  const limit = limiter(concurrency);
  return {
    stats,
    hashOf: (release, namespace, values) => renderHash(digest, release, namespace, values),
    async render(key, release, namespace, values): Promise<RenderResult> {
      const hash = renderHash(digest, release, namespace, values);
      const last = memo.get(key);
      if (last?.hash === hash) {
        stats.hits++;
        return { objects: unpack(last.packed), hash, cached: true };
      }
      stats.renders++;
      const objects = await limit(() => helmTemplate(opts, release, namespace, values));
      memo.set(key, { hash, packed: pack(objects) });
      return { objects, hash, cached: false };
    },
    forget(key): void {
      memo.delete(key);
    },
  };
}

/**
 * Deflated JSON in a buffer of its own size. (deflateRawSync's result is a
 * view of a 64 KiB output chunk: kept as it is, each cluster's 7 KiB held
 * 64 KiB, 62 MiB of external memory at N = 1000.)
 */
export function pack(objects: readonly KubeObject[]): Buffer {
  const out = deflateRawSync(JSON.stringify(objects), { level: zlib.Z_BEST_SPEED });
  const own = Buffer.allocUnsafeSlow(out.byteLength);
  out.copy(own);
  return own;
}

export function unpack(packed: Buffer): KubeObject[] {
  return JSON.parse(inflateRawSync(packed).toString('utf8')) as KubeObject[];
}
