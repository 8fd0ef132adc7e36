// unsafeObjects(): what a reconcile may write is checked before its first
// write. Tables of objects as the chart renders them after normalize().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALLOWED_KINDS, describeUnsafe, unsafeObjects } from '../../src/controller/render-guard.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { clusterLabel } from '../../src/render/values.ts';

const cluster = { name: 'b', namespace: 'team' };
const own = { [clusterLabel]: 'b' };

/** `meta` may set a field to undefined to leave it out. */
function obj(
  apiVersion: string,
  kind: string,
  name: string,
  meta: { namespace?: string | undefined; labels?: Record<string, string> | undefined } = {},
): KubeObject {
  const metadata: KubeObject['metadata'] = { name, namespace: 'team', labels: own };
  if ('namespace' in meta) {
    if (meta.namespace === undefined) delete metadata.namespace;
    else metadata.namespace = meta.namespace;
  }
  if ('labels' in meta) {
    if (meta.labels === undefined) delete metadata.labels;
    else metadata.labels = meta.labels;
  }
  return { apiVersion, kind, metadata };
}

const allowedCases: { name: string; objects: KubeObject[] }[] = [
  { name: 'every allowed kind, prefixed, labelled, in the namespace', objects: ALLOWED_KINDS.map((k, i) => obj(k.apiVersion, k.kind, `b-x${i}`)) },
  { name: 'the bare cluster name (the proxy Service of a LoadBalancer)', objects: [obj('v1', 'Service', 'b')] },
  { name: 'the same name in two kinds', objects: [obj('v1', 'Service', 'b-core'), obj('v1', 'ConfigMap', 'b-core')] },
  { name: 'nothing', objects: [] },
];
for (const c of allowedCases) {
  test(`allowed: ${c.name}`, () => {
    assert.deepEqual(unsafeObjects(c.objects, cluster), []);
  });
}

const refused: { name: string; object: KubeObject; reason: RegExp }[] = [
  { name: 'a Role', object: obj('rbac.authorization.k8s.io/v1', 'Role', 'b-r'), reason: /kind Role of rbac\.authorization\.k8s\.io\/v1 is not one the chart renders/ },
  { name: 'a ClusterRole (cluster-scoped)', object: obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'b-r'), reason: /kind ClusterRole/ },
  { name: 'a Namespace', object: obj('v1', 'Namespace', 'b'), reason: /kind Namespace of v1/ },
  { name: 'a Pod', object: obj('v1', 'Pod', 'b-p'), reason: /kind Pod/ },
  { name: 'a ServiceAccount (the chart renders none today)', object: obj('v1', 'ServiceAccount', 'b-sa'), reason: /kind ServiceAccount/ },
  { name: 'an allowed kind at another API version', object: obj('networking.k8s.io/v1beta1', 'Ingress', 'b-i'), reason: /kind Ingress of networking\.k8s\.io\/v1beta1/ },
  { name: 'a Certificate of another group', object: obj('certmanager.k8s.io/v1alpha1', 'Certificate', 'b-c'), reason: /kind Certificate of certmanager/ },
  { name: 'another namespace', object: obj('v1', 'ConfigMap', 'b-core', { namespace: 'kube-system' }), reason: /namespace kube-system is not the HarborCluster's \(team\)/ },
  { name: 'no namespace', object: obj('v1', 'ConfigMap', 'b-core', { namespace: undefined }), reason: /namespace \(none\)/ },
  { name: 'a name without the prefix', object: obj('v1', 'ConfigMap', 'injected'), reason: /the name does not start with "b-"/ },
  { name: 'a name that only starts with the cluster name', object: obj('v1', 'ConfigMap', 'bcore'), reason: /does not start with "b-"/ },
  { name: 'another cluster label', object: obj('v1', 'ConfigMap', 'b-core', { labels: { [clusterLabel]: 'a' } }), reason: /label harbor-operator\.dev\/cluster is not "b"/ },
  { name: 'no labels', object: obj('v1', 'ConfigMap', 'b-core', { labels: undefined }), reason: /label harbor-operator\.dev\/cluster/ },
];
for (const c of refused) {
  test(`refused: ${c.name}`, () => {
    const u = unsafeObjects([obj('v1', 'ConfigMap', 'b-fine'), c.object], cluster);
    assert.equal(u.length, 1, JSON.stringify(u));
    const [first] = u;
    assert.ok(first);
    assert.equal(first.object, `${c.object.kind} ${c.object.metadata.name}`);
    assert.match(first.reasons.join('; '), c.reason);
  });
}

test('refused: an object rendered twice (the second one is named)', () => {
  const u = unsafeObjects([obj('v1', 'ConfigMap', 'b-core'), obj('v1', 'Secret', 'b-core'), obj('v1', 'ConfigMap', 'b-core')], cluster);
  assert.deepEqual(u, [{ object: 'ConfigMap b-core', reasons: ['rendered more than once'] }]);
});

test('every rule an object breaks is listed', () => {
  const u = unsafeObjects([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'y' } }], cluster);
  assert.equal(u[0]?.reasons.length, 4);
});

test('an object without metadata is refused, not a crash', () => {
  const u = unsafeObjects([{ apiVersion: 'v1', kind: 'ConfigMap' } as unknown as KubeObject], cluster);
  assert.equal(u[0]?.object, 'ConfigMap (no name)');
});

test('describeUnsafe names each object and its reasons, at most ten', () => {
  const many = Array.from({ length: 12 }, (_, i) => ({ object: `ConfigMap x${i}`, reasons: ['r'] }));
  const m = describeUnsafe(many);
  assert.match(m, /nothing was written/);
  assert.match(m, /ConfigMap x0 \(r\)/);
  assert.match(m, /ConfigMap x9 \(r\) and 2 more$/);
  assert.doesNotMatch(m, /x10/);
});
