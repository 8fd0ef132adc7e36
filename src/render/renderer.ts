// Rendering with memory: for each HarborCluster the last (chart, values) hash
// and its objects are kept, so an unchanged cluster is never rendered again.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.ts';
import type { KubeObject } from '../model/object.ts';
import { helmTemplate, type HelmOptions } from './helm.ts';

export interface RenderResult {
  objects: KubeObject[];
  hash: string;
  cached: boolean;
}

export interface Renderer {
  render(key: string, release: string, namespace: string, values: unknown): Promise<RenderResult>;
  forget(key: string): void;
  readonly stats: { renders: number; hits: number };
}

export function renderHash(chartDigest: string, release: string, namespace: string, values: unknown): string {
  return createHash('sha256').update(chartDigest).update('\0').update(`${namespace}/${release}`).update('\0').update(canonicalJson(values)).digest('hex');
}

export function createRenderer(opts: HelmOptions, digest: string): Renderer {
  const memo = new Map<string, { hash: string; objects: KubeObject[] }>();
  const stats = { renders: 0, hits: 0 };
  return {
    stats,
    async render(key, release, namespace, values): Promise<RenderResult> {
      const hash = renderHash(digest, release, namespace, values);
      const last = memo.get(key);
      if (last?.hash === hash) {
        stats.hits++;
        return { objects: last.objects, hash, cached: true };
      }
      stats.renders++;
      const objects = await helmTemplate(opts, release, namespace, values);
      memo.set(key, { hash, objects });
      return { objects, hash, cached: false };
    },
    forget(key): void {
      memo.delete(key);
    },
  };
}
