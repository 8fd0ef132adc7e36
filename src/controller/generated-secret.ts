// The Secret holding the values the operator generated for a HarborCluster.
// It carries the cluster label (so it is cached and found again) and, unless
// the claims are deleted with the cluster, no owner reference: the data in a
// kept database volume stays readable by a HarborCluster re-created with the
// same name. Its finalizer keeps it (Terminating, data readable) when someone
// deletes it by accident; the operator then copies it into a new Secret of
// the same name (secrets-source.ts) and removes the finalizer only for that,
// or when the Secret goes with its HarborCluster (deleteClaimsWithCluster), or
// when its HarborCluster is gone and the database claim is gone or going.
import type { KubeObject } from '../model/object.ts';
import { SECRET_KEYS, type GeneratedSecrets } from '../secrets/generate.ts';

export const GENERATED_SECRET_FINALIZER = 'harbor-operator.dev/generated-secrets';

export const GENERATED_SECRET_NOTE =
  'generated once by harbor-operator; the data of this Harbor (database, stored credentials) depends on these values: keep a backup ' +
  '(kubectl get secret -o yaml). A finalizer holds a delete: it is undone while the HarborCluster exists, and held while its database claim does.';

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
      annotations: { 'harbor-operator.dev/note': GENERATED_SECRET_NOTE },
      finalizers: [GENERATED_SECRET_FINALIZER],
    },
    type: 'Opaque',
    data,
  };
}

/** Whether someone deleted it and the operator's finalizer keeps it. */
export function heldByFinalizer(secret: KubeObject | undefined): secret is KubeObject {
  return !!secret?.metadata.deletionTimestamp && (secret.metadata.finalizers ?? []).includes(GENERATED_SECRET_FINALIZER);
}

/** The uid of the object's controller owner, if any. */
export function controllerUid(o: KubeObject): string | undefined {
  return (o.metadata.ownerReferences ?? []).find((r) => r.controller === true)?.uid;
}
