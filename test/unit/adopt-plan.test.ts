// adopt's steps: in the order that cannot lose data (volumes retained, values
// written, the HarborCluster paused, Helm's record hidden, workloads and their
// pods gone, then the configuration, then the operator), what a resumed run
// has left, and a plan that never shows a secret value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADOPTED_FROM_ANNOTATION, mapRelease } from '../../src/adopt/map.ts';
import { describePlan, generatedSecret, planSteps, type Step } from '../../src/adopt/plan.ts';
import type { Snapshot } from '../../src/adopt/snapshot.ts';
import { readGenerated } from '../../src/controller/generated-secret.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { boundClaims, fixtureObjects } from '../harness/helm-fixture.ts';

const ns = 'registry';
const record = (owner: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'sh.helm.release.v1.harbor.v1', namespace: ns, uid: 'rec', labels: { owner, name: 'harbor', status: 'deployed', version: '1' } },
  type: 'helm.sh/release.v1',
});
const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns } });

function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  const objects = fixtureObjects('1.19.2', ns);
  return { namespace: ns, release: 'harbor', objects, referenced: [], ...boundClaims(objects), records: [record('helm')], pods: [pod('harbor-core-1'), pod('harbor-database-0')], ...extra };
}

// What the operator renders under the release's names (pure stand-in for its render, which
// test/unit/adopt-hand-over.test.ts checks with helm): all but the four it has not.
const notRendered = ['ConfigMap/harbor-jobservice-env', 'ConfigMap/harbor-registryctl', 'Secret/harbor-registry-htpasswd', 'Secret/harbor-registryctl'];
const rendered: KubeObject[] = fixtureObjects('1.19.2', ns).filter((o) => o.apiVersion !== 'apps/v1' && o.kind !== 'PersistentVolumeClaim' && !notRendered.includes(`${o.kind}/${o.metadata.name}`));

const summary = (steps: Step[]): string[] =>
  steps.map((s) => {
    switch (s.op) {
      case 'retain':
        return `retain ${s.volume}`;
      case 'create-generated':
      case 'create-credentials':
        return `${s.op} ${s.secret.metadata.name}`;
      case 'create-cluster':
        return `create-cluster ${s.cluster.metadata.name}`;
      case 'hide-record':
        return `hide-record ${s.record.metadata.name}`;
      case 'delete-workload':
      case 'delete-config':
      case 'hand-over':
        return `${s.op} ${s.object.kind}/${s.object.metadata.name}`;
      case 'wait-pods':
        return `wait-pods ${s.selector}`;
      case 'unpause':
        return `unpause ${s.cluster}`;
    }
  });

describe('adopt steps', () => {
  test('the fixture: retain, values, paused cluster, Helm record, workloads, pods gone, configuration, resume', () => {
    const s = snapshot();
    const steps = summary(planSteps(s, mapRelease(s), rendered));
    assert.deepEqual(steps.slice(0, 10), [
      'retain pvc-0002',
      'retain pvc-0003',
      'retain pvc-0001',
      'retain pvc-0000',
      'retain pvc-0004',
      'create-generated harbor-generated-secrets',
      'create-cluster harbor',
      'hide-record sh.helm.release.v1.harbor.v1',
      'delete-workload Deployment/harbor-portal',
      'delete-workload Deployment/harbor-core',
    ]);
    assert.equal(steps.at(-1), 'unpause harbor');
    const wait = steps.indexOf('wait-pods heritage=Helm,release=harbor');
    const lastWorkload = steps.lastIndexOf('delete-workload StatefulSet/harbor-database');
    const firstConfig = steps.findIndex((x) => x.startsWith('delete-config') || x.startsWith('hand-over'));
    assert.ok(lastWorkload < wait && wait < firstConfig, 'the configuration is touched only once the pods are gone');
    assert.deepEqual(steps.filter((x) => x.startsWith('delete-config')), notRendered.map((n) => `delete-config ${n}`));
    assert.equal(steps.filter((x) => x.startsWith('hand-over')).length, 17, 'the rest is handed over in place');
    assert.ok(!steps.some((x) => x.includes('PersistentVolumeClaim')), 'no step touches a claim');
  });

  test('the generated Secret is what the operator applies: its labels, no owner, the values', () => {
    const s = snapshot();
    const a = mapRelease(s);
    const secret = generatedSecret(a, ns);
    assert.ok(secret);
    assert.equal(secret.metadata.name, 'harbor-generated-secrets');
    assert.equal(secret.metadata.labels?.['harbor-operator.dev/cluster'], 'harbor');
    assert.equal(secret.metadata.ownerReferences, undefined);
    assert.deepEqual(readGenerated(secret), a.generated);
  });

  test('resumed after the workloads went: only what is left', () => {
    const full = snapshot();
    const a0 = mapRelease(full);
    const left = full.objects.filter((o) => o.apiVersion !== 'apps/v1' && !(o.kind === 'Secret' && o.metadata.name === 'harbor-core'));
    const volumes = full.volumes.map((v) => ({ ...v, spec: { ...(v['spec'] as object), persistentVolumeReclaimPolicy: 'Retain' } }));
    const s: Snapshot = {
      ...full,
      objects: left,
      volumes,
      records: [record('harbor-operator-adopted')],
      pods: [],
      cluster: { ...(a0.cluster as KubeObject), metadata: { ...(a0.cluster as KubeObject).metadata, uid: 'hc' } },
      generated: generatedSecret(a0, ns) as KubeObject,
    };
    const steps = summary(planSteps(s, mapRelease(s), rendered));
    assert.equal(steps.filter((x) => x.startsWith('delete-config')).length, 4);
    assert.equal(steps.filter((x) => x.startsWith('hand-over')).length, 16);
    assert.deepEqual(steps.filter((x) => !x.startsWith('delete-config') && !x.startsWith('hand-over')), ['unpause harbor']);
  });

  test('done: nothing left', () => {
    const full = snapshot();
    const a0 = mapRelease(full);
    const cluster = a0.cluster as KubeObject;
    const s: Snapshot = {
      ...full,
      objects: full.objects.filter((o) => o.kind === 'PersistentVolumeClaim'),
      volumes: full.volumes.map((v) => ({ ...v, spec: { ...(v['spec'] as object), persistentVolumeReclaimPolicy: 'Retain' } })),
      records: [record('harbor-operator-adopted')],
      pods: [],
      cluster: { ...cluster, metadata: { ...cluster.metadata, annotations: { [ADOPTED_FROM_ANNOTATION]: 'helm:registry/harbor' } } },
      generated: generatedSecret(a0, ns) as KubeObject,
    };
    assert.deepEqual(planSteps(s, mapRelease(s), rendered), []);
  });

  test('refused: no steps at all', () => {
    const s = snapshot({ cluster: { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name: 'harbor', namespace: ns } } });
    const a = mapRelease(s);
    assert.ok(a.refusals.length > 0);
    assert.deepEqual(planSteps(s, a, rendered), []);
    assert.match(describePlan(s, a, []).join('\n'), /It cannot be taken over:\n {2}- HarborCluster registry\/harbor exists already/);
  });

  test('the plan names every value it keeps and shows none of them', () => {
    const s = snapshot();
    const a = mapRelease(s);
    const text = describePlan(s, a, planSteps(s, a, rendered)).join('\n');
    for (const [k, v] of Object.entries(a.generated ?? {})) {
      assert.ok(text.includes(`${k} `), `names ${k}`);
      for (const part of v.split('\n').filter((p) => p.length >= 8)) assert.ok(!text.includes(part), `shows nothing of ${k}`);
    }
    assert.match(text, /database +database-data-harbor-database-0 \(uid uid-database-data-harbor-database-0, PersistentVolume pvc-0002, reclaim Delete\) → spec\.database\.inCluster\.existingClaim/);
    assert.match(text, /existingClaim: database-data-harbor-database-0/);
  });
});
