// The bench's world: one fresh local control plane in a temporary folder,
// the HarborCluster CRD, a JSON client that counts the bench's own requests,
// and the cluster's processes (for their CPU and memory).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { createKubeHttp, type KubeHttp } from '../src/kube/http.ts';
import { collectionPath, harborClusterType } from '../src/kube/resources.ts';
import type { KubeObject } from '../src/model/object.ts';
import { resourceOf } from '../src/observe/metrics.ts';
import { ensureAssets, type Assets } from '../test/cluster/assets.ts';
import { startCluster, type ClusterState, type ComponentName } from '../test/cluster/controlplane.ts';
import type { Counts } from './prom-text.ts';
import { procStats, type ProcStats } from './process-stats.ts';

export const root = resolve(import.meta.dirname, '..');

export interface BenchEnv {
  /** The temporary folder holding the cluster's; removed at the end. */
  parent: string;
  state: ClusterState;
  assets: Assets;
  http: KubeHttp;
  /** The bench's own requests by "METHOD resource", as its client counted them. */
  benchRequests: Counts;
}

export async function startEnv(nodes: number, certManagerCrds: boolean, log: (m: string) => void): Promise<BenchEnv> {
  const assets = await ensureAssets();
  const parent = await mkdtemp(join(tmpdir(), 'harbor-bench-'));
  let state: ClusterState;
  try {
    state = await startCluster({ name: 'bench', dir: join(parent, 'cluster'), nodes, log });
  } catch (err) {
    await rm(parent, { recursive: true, force: true });
    throw err;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const benchRequests: Counts = {};
  const http = createKubeHttp(kc, (method, path) => {
    const k = `${method} ${resourceOf(path)}`;
    benchRequests[k] = (benchRequests[k] ?? 0) + 1;
  });
  const env = { parent, state, assets, http, benchRequests };
  await installCrd(env);
  if (certManagerCrds) await installCertManagerCrds(env);
  return env;
}

/** cert-manager's CRDs only (no controller): the operator then watches Certificates instead of looking for the kind. */
async function installCertManagerCrds(env: BenchEnv): Promise<void> {
  const docs = parseAllDocuments(await readFile(env.assets.certManagerCrds, 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o?.kind === 'CustomResourceDefinition');
  for (const crd of docs) {
    await env.http.request('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, {
      body: crd,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'harbor-bench', force: true },
    });
  }
  for (let i = 0; ; i++) {
    try {
      await env.http.request('GET', '/apis/cert-manager.io/v1/certificates', { query: { limit: 1 } });
      return;
    } catch (err) {
      if (i > 150) throw err;
      await sleep(200);
    }
  }
}

async function installCrd(env: BenchEnv): Promise<void> {
  const crd = parse(await readFile(join(root, 'crds/harborclusters.harbor-operator.dev.yaml'), 'utf8')) as KubeObject;
  await env.http.request('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, {
    body: crd,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'harbor-bench', force: true },
  });
  for (let i = 0; ; i++) {
    try {
      await env.http.request('GET', collectionPath(harborClusterType), { query: { limit: 1 } });
      return;
    } catch (err) {
      if (i > 150) throw err;
      await sleep(200);
    }
  }
}

const components: ComponentName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];

/** CPU and memory of every control-plane process. */
export function controlPlaneStats(state: ClusterState): Partial<Record<ComponentName, ProcStats>> {
  const out: Partial<Record<ComponentName, ProcStats>> = {};
  for (const c of components) {
    const pid = state.components[c]?.pid;
    const s = pid ? procStats(pid) : undefined;
    if (s) out[c] = s;
  }
  return out;
}

/** CPU seconds each control-plane process used between two readings. */
export function controlPlaneCpu(
  after: Partial<Record<ComponentName, ProcStats>>,
  before: Partial<Record<ComponentName, ProcStats>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of components) {
    const a = after[c];
    if (a) out[c] = round(a.cpuSeconds - (before[c]?.cpuSeconds ?? 0), 1);
  }
  return out;
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs fn over items with at most `limit` at once; resolves when all are done. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
