// What the bench creates: N HarborClusters spread over namespaces, each the
// smallest useful Harbor (the minimal sample's shape: Ingress, in-cluster
// database and cache, filesystem storage; 5 Deployments, 3 StatefulSets and
// ~30 other objects once rendered).
import type { HarborCluster } from '../src/api/types.generated.ts';
import type { KubeHttp } from '../src/kube/http.ts';
import type { KubeObject } from '../src/model/object.ts';
import { pool } from './env.ts';

export const RUN_LABEL = 'bench.harbor-operator.dev/n';

export interface Placement {
  namespace: string;
  name: string;
}

/** N clusters, `perNamespace` to a namespace: <prefix>-n<N>-<k>/harbor-<j>. */
export function placements(prefix: string, n: number, perNamespace: number): Placement[] {
  const width = String(Math.ceil(n / perNamespace) - 1).length;
  return Array.from({ length: n }, (_, i) => ({
    namespace: `${prefix}-n${n}-${String(Math.floor(i / perNamespace)).padStart(width, '0')}`,
    name: `harbor-${String(i % perNamespace).padStart(String(perNamespace - 1).length, '0')}`,
  }));
}

export function namespacesOf(list: readonly Placement[]): string[] {
  return [...new Set(list.map((p) => p.namespace))];
}

export function harborCluster(p: Placement, n: number): HarborCluster & { metadata: KubeObject['metadata'] } {
  const host = `${p.name}.${p.namespace}.example.test`;
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: p.name, namespace: p.namespace, labels: { [RUN_LABEL]: String(n) } },
    spec: {
      externalURL: `http://${host}`,
      expose: { type: 'Ingress', ingress: { host } },
    },
  };
}

export async function createNamespaces(http: KubeHttp, names: readonly string[], labels: Record<string, string>): Promise<void> {
  await pool(names, 16, async (name) => {
    await http.request('PATCH', `/api/v1/namespaces/${name}`, {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'harbor-bench', force: true },
    });
  });
}
