// Volumes for tests of volume growth: a StorageClass that allows expansion
// with a volume bound to each claim named, and readers of the sizes asked for.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { raw } from './harbor.ts';

/** The storage a claim (or a claim template) requests. */
export const storageOf = (o: unknown): string | undefined =>
  (o as { spec?: { resources?: { requests?: { storage?: string } } } } | undefined)?.spec?.resources?.requests?.storage;

/** The storage the first volumeClaimTemplate of a StatefulSet requests. */
export const templateStorage = (sts: KubeObject | undefined): string | undefined =>
  storageOf((sts?.['spec'] as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates?.[0]);

/**
 * A StorageClass that allows expansion and a volume for each claim named
 * (kwok provisions only its own class; the persistent-volume controller binds
 * these to the claims they name). All cluster-scoped: removed after.
 */
export async function expandableVolumes(t: TestContext, ns: string, claims: string[]): Promise<string> {
  const name = `t-expandable-${randomBytes(3).toString('hex')}`;
  await raw().request('POST', '/apis/storage.k8s.io/v1/storageclasses', {
    body: {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner: 'harbor-operator.test/none',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
    },
  });
  const volumes = claims.map((claim, i) => `${name}-${i}`);
  t.after(async () => {
    for (const v of volumes) await raw().request('DELETE', `/api/v1/persistentvolumes/${v}`).catch(() => undefined);
    await raw().request('DELETE', `/apis/storage.k8s.io/v1/storageclasses/${name}`).catch(() => undefined);
  });
  for (const [i, claim] of claims.entries()) {
    await raw().request('POST', '/api/v1/persistentvolumes', {
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: volumes[i] },
        spec: {
          storageClassName: name,
          capacity: { storage: '10Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          claimRef: { namespace: ns, name: claim },
          // Never mounted: kwok runs no kubelet.
          hostPath: { path: `/nonexistent/${name}-${i}` },
        },
      },
    });
  }
  return name;
}
