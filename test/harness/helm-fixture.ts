// The rendered manifests of upstream's Harbor chart in ../shared/fixtures
// (data, not code: what `helm template` of harbor-helm printed, release
// harbor), for the tests of `adopt`.
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../../src/model/object.ts';
import { parseObjects } from './golden-cases.ts';

export const helmFixtures = {
  '1.18.4': { file: '/work/shared/fixtures/harbor-helm/harbor-helm-1.18.4-ingress.yaml', harbor: '2.14.4' },
  '1.19.2': { file: '/work/shared/fixtures/harbor-helm/harbor-helm-1.19.2-ingress.yaml', harbor: '2.15.2' },
} as const;
export type FixtureChart = keyof typeof helmFixtures;

/** The fixture's objects, moved to `namespace`. */
export function fixtureObjects(chart: FixtureChart, namespace: string): KubeObject[] {
  return parseObjects(readFileSync(helmFixtures[chart].file, 'utf8')).map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
}

/** A Secret's key of the fixture, decoded: what the test expects to survive. */
export function fixtureValue(objects: readonly KubeObject[], secret: string, key: string): string {
  const s = objects.find((o) => o.kind === 'Secret' && o.metadata.name === secret);
  const v = (s?.['data'] as Record<string, string> | undefined)?.[key];
  if (v === undefined) throw new Error(`the fixture has no Secret ${secret} key ${key}`);
  return Buffer.from(v, 'base64').toString('utf8');
}

/**
 * The claims the StatefulSet controller makes from the fixture's templates
 * (<template>-<statefulset>-0), and the fixture's own claims, as bound
 * claims with PersistentVolumes of reclaim policy Delete (as kwok's
 * provisioner makes them).
 */
export function boundClaims(objects: readonly KubeObject[]): { claims: KubeObject[]; volumes: KubeObject[] } {
  const claims: KubeObject[] = [];
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim') claims.push(structuredClone(o));
    if (o.kind !== 'StatefulSet') continue;
    const templates = ((o['spec'] as { volumeClaimTemplates?: KubeObject[] }).volumeClaimTemplates ?? []);
    for (const t of templates) {
      claims.push({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `${t.metadata.name}-${o.metadata.name}-0`, namespace: o.metadata.namespace ?? '', labels: { ...t.metadata.labels } },
        spec: t['spec'],
      });
    }
  }
  const volumes: KubeObject[] = [];
  claims.forEach((c, i) => {
    const uid = `uid-${c.metadata.name}`;
    const volume = `pvc-${String(i).padStart(4, '0')}`;
    c.metadata.uid = uid;
    c['spec'] = { ...(c['spec'] as object), volumeName: volume };
    c['status'] = { phase: 'Bound' };
    volumes.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: volume },
      spec: { persistentVolumeReclaimPolicy: 'Delete', claimRef: { name: c.metadata.name, namespace: c.metadata.namespace, uid } },
    });
  });
  return { claims, volumes };
}
