// changes(): RFC 6902 operations with old and new values, by the drift rules
// of diffObject — and no operation exactly when diffObject finds no drift.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changes, type Change } from '../../src/diff/changes.ts';
import { diffObject } from '../../src/diff/compare.ts';
import type { KubeObject } from '../../src/model/object.ts';

const deployment = (spec: Record<string, unknown>, metadata: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'n', ...metadata },
  spec,
});

const pod = (containers: unknown[]): Record<string, unknown> => ({ template: { spec: { containers } } });

const cases: { name: string; desired: KubeObject; live: KubeObject; expected: Change[] }[] = [
  {
    name: 'a scalar changed',
    desired: deployment({ replicas: 3 }),
    live: deployment({ replicas: 1, strategy: { type: 'RollingUpdate' } }, { uid: 'u', resourceVersion: '7' }),
    expected: [{ op: 'replace', path: '/spec/replicas', old: 1, new: 3 }],
  },
  {
    name: 'what the server and others add is not a change',
    desired: deployment({ replicas: 1 }, { labels: { a: '1' } }),
    live: { ...deployment({ replicas: 1, paused: false }, { labels: { a: '1', b: '2' }, uid: 'u' }), status: { readyReplicas: 1 } },
    expected: [],
  },
  {
    name: 'server metadata in the desired object is ignored',
    desired: deployment({ replicas: 1 }, { resourceVersion: '1', uid: 'x' }),
    live: deployment({ replicas: 1 }, { resourceVersion: '9', uid: 'y' }),
    expected: [],
  },
  {
    name: 'a quantity written another way',
    desired: deployment(pod([{ name: 'c', image: 'i', resources: { limits: { memory: '1Gi', cpu: '500m' } } }])),
    live: deployment(pod([{ name: 'c', image: 'i', resources: { limits: { memory: '1073741824', cpu: '0.5' } } }])),
    expected: [],
  },
  {
    name: 'an empty desired value against an absent field',
    desired: deployment({ replicas: 1, template: {}, selector: { matchLabels: {} }, minReadySeconds: 0, paused: false, revision: '' }),
    live: deployment({ replicas: 1, selector: {} }),
    expected: [],
  },
  {
    name: 'a label added',
    desired: deployment({}, { labels: { a: '1', 'app.kubernetes.io/name': 'x' } }),
    live: deployment({}, { labels: { a: '1' } }),
    expected: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', new: 'x' }],
  },
  {
    name: 'containers matched by name whatever their order in live',
    desired: deployment(pod([{ name: 'a', image: 'a:2' }, { name: 'b', image: 'b:1' }])),
    live: deployment(pod([{ name: 'b', image: 'b:1', imagePullPolicy: 'Always' }, { name: 'a', image: 'a:1' }])),
    expected: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', old: 'a:1', new: 'a:2' }],
  },
  {
    name: 'a number is not a string',
    desired: deployment(pod([{ name: 'c', ports: [{ containerPort: 8080 }] }])),
    live: deployment(pod([{ name: 'c', ports: [{ containerPort: '8080' }] }])),
    expected: [{ op: 'replace', path: '/spec/template/spec/containers/0/ports/0/containerPort', old: '8080', new: 8080 }],
  },
  {
    name: 'an env entry added',
    desired: deployment(pod([{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }])),
    live: deployment(pod([{ name: 'c', env: [{ name: 'A', value: '1' }] }])),
    expected: [{ op: 'add', path: '/spec/template/spec/containers/0/env/1', new: { name: 'B', value: '2' } }],
  },
  {
    name: 'a map that live does not have at all',
    desired: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } },
    live: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
    expected: [{ op: 'add', path: '/data', new: { k: 'v' } }],
  },
  {
    name: 'a desired null means not set',
    desired: deployment({ replicas: null, paused: true }),
    live: deployment({ replicas: 4 }),
    expected: [{ op: 'add', path: '/spec/paused', new: true }],
  },
];

for (const c of cases) {
  test(`changes: ${c.name}`, () => {
    const got = changes(c.desired, c.live);
    assert.deepEqual(got, c.expected);
    assert.equal(got.length === 0, diffObject(c.desired, c.live).length === 0, `diffObject: ${diffObject(c.desired, c.live).join(', ')}`);
  });
}
