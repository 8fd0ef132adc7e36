import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffObject } from '../../src/diff/compare.ts';
import { parseQuantity, sameQuantity } from '../../src/diff/quantity.ts';
import type { KubeObject } from '../../src/model/object.ts';

type Fields = Record<string, unknown>;

function deployment(spec: Fields, metadata: Fields = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'core', namespace: 'team', labels: { app: 'core' }, ...metadata },
    spec,
  };
}

/** A pod template spec with the given containers. */
function pods(containers: Fields[], more: Fields = {}): Fields {
  return { replicas: 1, template: { spec: { containers, ...more } } };
}

const core = { name: 'core', image: 'core:1', ports: [{ name: 'http', containerPort: 8080 }] };
const coreAsServed = {
  ...core,
  ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  imagePullPolicy: 'IfNotPresent',
  resources: {},
};

function secret(data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data };
}

function withResources(resources: Fields): KubeObject {
  return deployment(pods([{ name: 'core', resources }]));
}

const cases: { name: string; desired: KubeObject; live: KubeObject; expected: string[] }[] = [
  { name: 'identical objects', desired: deployment(pods([core])), live: deployment(pods([core])), expected: [] },
  {
    name: 'server defaults, status, managedFields and metadata the server sets are ignored',
    desired: deployment(pods([core])),
    live: {
      ...deployment(
        { ...pods([coreAsServed], { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' }), revisionHistoryLimit: 10 },
        { uid: 'u', resourceVersion: '42', generation: 3, creationTimestamp: '2025-01-01T00:00:00Z', managedFields: [{ manager: 'x' }] },
      ),
      status: { replicas: 1, readyReplicas: 1 },
    },
    expected: [],
  },
  {
    name: 'server metadata in the desired object is not compared',
    desired: deployment(pods([core]), { resourceVersion: '1', uid: 'a' }),
    live: deployment(pods([core]), { resourceVersion: '2', uid: 'b' }),
    expected: [],
  },
  {
    name: 'changed image is reported with its path',
    desired: deployment(pods([core])),
    live: deployment(pods([{ ...coreAsServed, image: 'core:0' }])),
    expected: ['spec.template.spec.containers[0].image'],
  },
  {
    name: 'env reordered by name is not drift',
    desired: deployment(pods([{ name: 'core', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }])),
    live: deployment(pods([{ name: 'core', env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }])),
    expected: [],
  },
  {
    name: 'changed env value is reported at its desired index',
    desired: deployment(pods([{ name: 'core', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }])),
    live: deployment(pods([{ name: 'core', env: [{ name: 'B', value: '3' }, { name: 'A', value: '1' }] }])),
    expected: ['spec.template.spec.containers[0].env[1].value'],
  },
  {
    name: 'containers matched by name whatever their order',
    desired: deployment(pods([core, { name: 'sidecar', image: 's:1' }])),
    live: deployment(pods([{ name: 'sidecar', image: 's:2' }, coreAsServed])),
    expected: ['spec.template.spec.containers[1].image'],
  },
  {
    name: 'container removed from live is drift',
    desired: deployment(pods([core, { name: 'sidecar', image: 's:1' }])),
    live: deployment(pods([coreAsServed])),
    expected: ['spec.template.spec.containers'],
  },
  {
    name: 'extra container in live is drift',
    desired: deployment(pods([core])),
    live: deployment(pods([coreAsServed, { name: 'intruder', image: 'x' }])),
    expected: ['spec.template.spec.containers'],
  },
  {
    name: 'container renamed is drift at its index',
    desired: deployment(pods([core])),
    live: deployment(pods([{ ...coreAsServed, name: 'other' }])),
    expected: ['spec.template.spec.containers[0]'],
  },
  {
    name: 'label changed',
    desired: deployment(pods([core]), { labels: { app: 'core', 'app.kubernetes.io/part-of': 'harbor' } }),
    live: deployment(pods([core]), { labels: { app: 'core', 'app.kubernetes.io/part-of': 'other' } }),
    expected: ['metadata.labels["app.kubernetes.io/part-of"]'],
  },
  {
    name: 'label added by someone else is not drift',
    desired: deployment(pods([core])),
    live: deployment(pods([core]), { labels: { app: 'core', team: 'blue' } }),
    expected: [],
  },
  {
    name: 'annotation removed is drift',
    desired: deployment(pods([core]), { annotations: { 'checksum/config': 'abc' } }),
    live: deployment(pods([core]), { annotations: { 'deployment.kubernetes.io/revision': '2' } }),
    expected: ['metadata.annotations["checksum/config"]'],
  },
  {
    name: 'all annotations removed is drift',
    desired: deployment(pods([core]), { annotations: { note: 'x' } }),
    live: deployment(pods([core])),
    expected: ['metadata.annotations'],
  },
  {
    name: 'quantities equal by value',
    desired: withResources({ requests: { memory: '1Gi', cpu: '0.5' }, limits: { memory: '1024Mi', cpu: '1000m' } }),
    live: withResources({ requests: { memory: '1073741824', cpu: '500m' }, limits: { memory: '1Gi', cpu: '1' } }),
    expected: [],
  },
  {
    name: 'a number quantity equals its canonical string',
    desired: withResources({ requests: { cpu: 2, memory: 1e9 } }),
    live: withResources({ requests: { cpu: '2', memory: '1G' } }),
    expected: [],
  },
  {
    name: 'quantity really different',
    desired: withResources({ requests: { memory: '1Gi', cpu: '250m' } }),
    live: withResources({ requests: { memory: '1G', cpu: '250m' } }),
    expected: ['spec.template.spec.containers[0].resources.requests.memory'],
  },
  {
    name: 'PVC storage compares by value',
    desired: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { resources: { requests: { storage: '5120Mi' } } },
    },
    live: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { resources: { requests: { storage: '5Gi' } }, volumeMode: 'Filesystem' },
      status: { capacity: { storage: '5Gi' } },
    },
    expected: [],
  },
  {
    name: 'strings outside resources are not read as quantities',
    desired: deployment(pods([{ name: 'core', args: ['1000m'] }])),
    live: deployment(pods([{ name: 'core', args: ['1'] }])),
    expected: ['spec.template.spec.containers[0].args[0]'],
  },
  {
    name: '8080 vs "8080" is drift',
    desired: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'core' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    live: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'core' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: '8080', protocol: 'TCP' }], clusterIP: '10.0.0.1', type: 'ClusterIP' },
    },
    expected: ['spec.ports[0].targetPort'],
  },
  {
    name: 'empty desired map, list and string match an absent field',
    desired: deployment({ ...pods([{ name: 'core', env: [], args: [], workingDir: '' }]), selector: {} }, { annotations: {} }),
    live: deployment(pods([{ name: 'core' }])),
    expected: [],
  },
  {
    name: 'false and 0 match an absent field (omitempty)',
    desired: deployment(pods([{ name: 'core', volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: false }] }], { hostNetwork: false })),
    live: deployment(pods([{ name: 'core', volumeMounts: [{ name: 'v', mountPath: '/v' }] }])),
    expected: [],
  },
  {
    name: 'empty desired list vs a non-empty live list is drift',
    desired: deployment(pods([{ name: 'core', args: [] }])),
    live: deployment(pods([{ name: 'core', args: ['--debug'] }])),
    expected: ['spec.template.spec.containers[0].args'],
  },
  {
    name: 'replicas changed',
    desired: deployment(pods([core])),
    live: deployment({ ...pods([core]), replicas: 3 }),
    expected: ['spec.replicas'],
  },
  {
    name: 'field missing in live',
    desired: deployment({ ...pods([core]), minReadySeconds: 5 }),
    live: deployment(pods([core])),
    expected: ['spec.minReadySeconds'],
  },
  {
    name: 'map replaced by a scalar is drift',
    desired: deployment(pods([core])),
    live: deployment({ replicas: 1, template: 'broken' }),
    expected: ['spec.template'],
  },
  { name: 'Secret data identical', desired: secret({ a: 'YQ==' }), live: secret({ a: 'YQ==' }), expected: [] },
  {
    name: 'Secret data changed',
    desired: secret({ a: 'YQ==', b: 'Yg==' }),
    live: secret({ a: 'YQ==', b: 'Yw==' }),
    expected: ['data.b'],
  },
  {
    name: 'Secret data compares exactly even when values look like quantities',
    desired: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { storage: '1000m', limits: '1k' } },
    live: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { storage: '1', limits: '1000' } },
    expected: ['data.storage', 'data.limits'],
  },
  {
    name: 'nested arrays compare element by element',
    desired: deployment(
      pods([core], {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
            },
          },
        },
      }),
    ),
    live: deployment(
      pods([core], {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'c'] }] }],
            },
          },
        },
      }),
    ),
    expected: [
      'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[1]',
    ],
  },
  {
    name: 'the same volume mounted twice is matched by index, not by name',
    desired: deployment(
      pods([
        {
          name: 'core',
          volumeMounts: [
            { name: 'config', mountPath: '/etc/core/app.conf', subPath: 'app.conf' },
            { name: 'config', mountPath: '/etc/core/key', subPath: 'key' },
          ],
        },
      ]),
    ),
    live: deployment(
      pods([
        {
          name: 'core',
          volumeMounts: [
            { name: 'config', mountPath: '/etc/core/app.conf', subPath: 'app.conf' },
            { name: 'config', mountPath: '/etc/core/other', subPath: 'key' },
          ],
        },
      ]),
    ),
    expected: ['spec.template.spec.containers[0].volumeMounts[1].mountPath'],
  },
  {
    name: 'several drifts are all reported, in desired order',
    desired: deployment(pods([core]), { labels: { app: 'core' } }),
    live: deployment({ ...pods([{ ...core, image: 'core:2' }]), replicas: 0 }, { labels: { app: 'old' } }),
    expected: ['metadata.labels.app', 'spec.replicas', 'spec.template.spec.containers[0].image'],
  },
  {
    name: 'finalizers: the desired one among others in live is no drift (a set, not a list)',
    desired: { ...secret({}), metadata: { name: 's', finalizers: ['harbor-operator.dev/generated-secrets'] } },
    live: { ...secret({}), metadata: { name: 's', finalizers: ['backup.example/hold', 'harbor-operator.dev/generated-secrets'] } },
    expected: [],
  },
  {
    name: 'finalizers: the desired one missing from live is drift',
    desired: { ...secret({}), metadata: { name: 's', finalizers: ['harbor-operator.dev/generated-secrets'] } },
    live: { ...secret({}), metadata: { name: 's', finalizers: ['backup.example/hold'] } },
    expected: ['metadata.finalizers'],
  },
  {
    name: 'finalizers: none in live is drift',
    desired: { ...secret({}), metadata: { name: 's', finalizers: ['harbor-operator.dev/generated-secrets'] } },
    live: secret({}),
    expected: ['metadata.finalizers'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(diffObject(c.desired, c.live), c.expected);
  });
}

const quantities: { name: string; a: string | number; b: string | number; expected: boolean }[] = [
  { name: '1Gi = 1073741824', a: '1Gi', b: '1073741824', expected: true },
  { name: '0.5 = 500m', a: '0.5', b: '500m', expected: true },
  { name: '1000m = 1', a: '1000m', b: '1', expected: true },
  { name: '1e3 = 1k', a: '1e3', b: '1k', expected: true },
  { name: '1E3 = 1000 (exponent, not exa)', a: '1E3', b: '1000', expected: true },
  { name: '1E = 10^18 (exa)', a: '1E', b: '1e18', expected: true },
  { name: '.5Ki = 512', a: '.5Ki', b: '512', expected: true },
  { name: '0.1 = 100m exactly', a: '0.1', b: '100m', expected: true },
  { name: '1500u = 1.5m', a: '1500u', b: '1.5m', expected: true },
  { name: '1n = 0.000000001', a: '1n', b: '0.000000001', expected: true },
  { name: '1Gi ≠ 1G', a: '1Gi', b: '1G', expected: false },
  { name: '-1 ≠ 1', a: '-1', b: '1', expected: false },
  { name: 'number 2 = "2000m"', a: 2, b: '2000m', expected: true },
];

for (const c of quantities) {
  test(`quantity ${c.name}`, () => {
    const a = parseQuantity(c.a);
    const b = parseQuantity(c.b);
    assert.ok(a && b, 'both parse');
    assert.equal(sameQuantity(a, b), c.expected);
  });
}

for (const text of ['', 'abc', '1Gb', '1.2.3', '1e', 'Gi', '1 Gi', '--1', '.']) {
  test(`"${text}" is not a quantity`, () => {
    assert.equal(parseQuantity(text), undefined);
  });
}
