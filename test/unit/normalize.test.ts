import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { normalize, type NormalizeOptions, type Owner } from '../../src/render/normalize.ts';

const owner: Owner = {
  apiVersion: 'harbor-operator.dev/v1alpha1',
  kind: 'HarborCluster',
  name: 'h',
  namespace: 'team',
  uid: 'uid-1',
};
const ownerRef = {
  apiVersion: 'harbor-operator.dev/v1alpha1',
  kind: 'HarborCluster',
  name: 'h',
  uid: 'uid-1',
  controller: true,
  blockOwnerDeletion: true,
};
const labels = { 'harbor-operator.dev/cluster': 'h' };
const keep: NormalizeOptions = { labels, deleteClaimsWithOwner: false };
const drop: NormalizeOptions = { labels, deleteClaimsWithOwner: true };

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function cm(metadata: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...metadata }, ...rest };
}

/** What normalize makes of a plain ConfigMap named c. */
const normalMeta = { name: 'c', namespace: 'team', labels, ownerReferences: [ownerRef] };

const cases: { name: string; input: KubeObject; opts?: NormalizeOptions; expected: KubeObject }[] = [
  {
    name: 'namespace, labels and owner reference are set',
    input: cm(),
    expected: { apiVersion: 'v1', kind: 'ConfigMap', metadata: normalMeta },
  },
  {
    name: 'an object already in the owner namespace stays there',
    input: cm({ namespace: 'team' }),
    expected: { apiVersion: 'v1', kind: 'ConfigMap', metadata: normalMeta },
  },
  {
    name: 'labels are merged, operator labels win',
    input: cm({ labels: { app: 'harbor', 'harbor-operator.dev/cluster': 'other' } }),
    expected: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...normalMeta, labels: { app: 'harbor', 'harbor-operator.dev/cluster': 'h' } },
    },
  },
  {
    name: 'rendered owner references are replaced by exactly one',
    input: cm({ ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' }] }),
    expected: { apiVersion: 'v1', kind: 'ConfigMap', metadata: normalMeta },
  },
  {
    name: 'a Deployment gets the owner reference, null fields, status and creationTimestamp: null are dropped',
    input: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'core', creationTimestamp: null, annotations: { a: '1', b: null } } as unknown as KubeObject['metadata'],
      spec: {
        replicas: 1,
        strategy: null,
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'core' } },
          spec: { containers: [{ name: 'core', image: 'core:1', args: null, env: [{ name: 'A', value: '' }] }] },
        },
      },
      status: {},
    },
    expected: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'core', namespace: 'team', annotations: { a: '1' }, labels, ownerReferences: [ownerRef] },
      spec: {
        replicas: 1,
        template: {
          metadata: { labels: { app: 'core' } },
          spec: { containers: [{ name: 'core', image: 'core:1', env: [{ name: 'A', value: '' }] }] },
        },
      },
    },
  },
  {
    name: 'a kept PersistentVolumeClaim has no owner reference',
    input: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } },
    opts: keep,
    expected: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'team', labels },
      spec: { accessModes: ['ReadWriteOnce'] },
    },
  },
  {
    name: 'a kept PersistentVolumeClaim loses a rendered owner reference too',
    input: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', ownerReferences: [ownerRef] },
    },
    opts: keep,
    expected: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'team', labels } },
  },
  {
    name: 'a PersistentVolumeClaim deleted with its owner has the owner reference',
    input: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' } },
    opts: drop,
    expected: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'team', labels, ownerReferences: [ownerRef] },
    },
  },
  {
    name: 'a StatefulSet retains its claims when they are kept',
    input: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'db' } },
    opts: keep,
    expected: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'team', labels, ownerReferences: [ownerRef] },
      spec: { serviceName: 'db', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } },
    },
  },
  {
    name: 'a StatefulSet deletes its claims with the owner when asked, overriding the chart',
    input: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } },
    },
    opts: drop,
    expected: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'team', labels, ownerReferences: [ownerRef] },
      spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } },
    },
  },
  {
    name: 'Secret stringData is folded into data as UTF-8 base64',
    input: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', stringData: { password: 'pässwörd ✓' } },
    expected: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'team', labels, ownerReferences: [ownerRef] },
      type: 'Opaque',
      data: { password: b64('pässwörd ✓') },
    },
  },
  {
    name: 'Secret stringData merges with data and wins on the same key',
    input: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: b64('old-a'), b: b64('b') },
      stringData: { a: 'new-a', c: '' },
    },
    expected: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'team', labels, ownerReferences: [ownerRef] },
      data: { a: b64('new-a'), b: b64('b'), c: '' },
    },
  },
  {
    name: 'a Secret with data only is kept as rendered',
    input: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' } },
    expected: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'team', labels, ownerReferences: [ownerRef] },
      data: { a: 'YQ==' },
    },
  },
];

/** Freezes every level, so any write to the input throws (ES modules are strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

for (const c of cases) {
  test(c.name, () => {
    const input = deepFreeze(structuredClone(c.input));
    const [actual] = normalize([input], owner, c.opts ?? keep);
    assert.deepEqual(actual, c.expected);
    assert.deepEqual(input, c.input, 'the input is not mutated');
  });
}

const refused: { name: string; input: KubeObject; expected: RegExp }[] = [
  {
    name: 'a non-string stringData value is refused',
    input: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { port: 5432 } },
    expected: /Secret s: stringData\.port is not a string/,
  },
];

for (const c of refused) {
  test(c.name, () => {
    assert.throws(() => normalize([c.input], owner, keep), c.expected);
  });
}

test('an object rendered into another namespace keeps it, for the render guard to refuse', () => {
  const [o] = normalize([cm({ namespace: 'elsewhere' })], owner, keep);
  assert.equal(o?.metadata.namespace, 'elsewhere');
});

test('every object of a list gets the owner reference, in the same order', () => {
  const input = [cm({ name: 'a' }), cm({ name: 'b' }), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }];
  const actual = normalize(input, owner, drop);
  assert.deepEqual(
    actual.map((o) => [o.kind, o.metadata.name, o.metadata.namespace, o.metadata.ownerReferences]),
    [
      ['ConfigMap', 'a', 'team', [ownerRef]],
      ['ConfigMap', 'b', 'team', [ownerRef]],
      ['Service', 's', 'team', [ownerRef]],
    ],
  );
});

test('the result shares no objects with the input', () => {
  const input = cm({ labels: { app: 'x' } }, { data: { k: 'v' } });
  const [actual] = normalize([input], owner, keep);
  assert.ok(actual);
  assert.notEqual(actual.metadata, input.metadata);
  assert.notEqual(actual.data, input.data);
  (actual.data as Record<string, string>).k = 'changed';
  assert.deepEqual(input.data, { k: 'v' });
});
