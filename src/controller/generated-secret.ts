// The Secret holding the values the operator generated for a HarborCluster.
// It carries the cluster label (so it is cached and found again) and, unless
// the claims are deleted with the cluster, no owner reference: the data in a
// kept database volume stays readable by a HarborCluster re-created with the
// same name.
import type { KubeObject } from '../model/object.ts';
import { SECRET_KEYS, type GeneratedSecrets } from '../secrets/generate.ts';

export function generatedSecretName(cluster: string): string {
  return `${cluster}-generated-secrets`;
}

export function readGenerated(secret: KubeObject | undefined): GeneratedSecrets {
  const data = (secret?.['data'] ?? {}) as Record<string, string>;
  const out: GeneratedSecrets = {};
  for (const k of SECRET_KEYS) {
    const v = data[k];
    if (v !== undefined) out[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  return out;
}

export function generatedSecretObject(cluster: string, namespace: string, values: GeneratedSecrets): KubeObject {
  const data: Record<string, string> = {};
  for (const k of SECRET_KEYS) {
    const v = values[k];
    if (v !== undefined) data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: generatedSecretName(cluster),
      namespace,
      labels: { 'app.kubernetes.io/component': 'generated-secrets' },
      annotations: { 'harbor-operator.dev/note': 'generated once by harbor-operator; deleting it rotates every Harbor secret' },
    },
    type: 'Opaque',
    data,
  };
}
