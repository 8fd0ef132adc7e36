// statusOnlyChange(): which child updates are queued after a delay (status
// only) and which at once. Table of cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusOnlyChange } from '../../src/controller/child-event.ts';
import type { KubeObject } from '../../src/model/object.ts';

const SELF = 'harbor-operator';
const own = (fields: unknown) => ({ manager: SELF, operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: fields });
const kcm = { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } };

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'h-core',
    namespace: 'team',
    generation: 1,
    resourceVersion: '10',
    labels: { app: 'harbor' },
    annotations: { a: '1' },
    ownerReferences: [{ apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name: 'h', uid: 'u1', controller: true }],
    managedFields: [own({ 'f:spec': { 'f:replicas': {} } }), kcm],
  },
  spec: { replicas: 1 },
  status: { replicas: 1, readyReplicas: 0 },
};

type Change = (o: KubeObject) => void;
const cases: { name: string; change: Change; statusOnly: boolean; before?: Change }[] = [
  { name: 'status and resourceVersion changed', change: (o) => ((o.status = { replicas: 1, readyReplicas: 1 }), (o.metadata.resourceVersion = '11')), statusOnly: true },
  { name: 'another manager timestamp changed', change: (o) => (o.metadata.managedFields = [own({ 'f:spec': { 'f:replicas': {} } }), { ...kcm, time: 'later' }]), statusOnly: true },
  { name: 'generation bumped (spec changed)', change: (o) => ((o.metadata.generation = 2), (o.spec = { replicas: 2 })), statusOnly: false },
  { name: 'a label changed', change: (o) => (o.metadata.labels = { app: 'other' }), statusOnly: false },
  { name: 'an annotation added', change: (o) => (o.metadata.annotations = { a: '1', b: '2' }), statusOnly: false },
  { name: 'being deleted', change: (o) => (o.metadata.deletionTimestamp = '2026-12-01T00:00:00Z'), statusOnly: false },
  { name: 'owner reference removed', change: (o) => (o.metadata.ownerReferences = []), statusOnly: false },
  { name: 'a finalizer added', change: (o) => (o.metadata.finalizers = ['x']), statusOnly: false },
  { name: "a field the operator owned taken over (metadata-only edit)", change: (o) => (o.metadata.managedFields = [own({}), kcm]), statusOnly: false },
  { name: 'no generation (a Secret): never status only', before: (o) => delete o.metadata.generation, change: (o) => (o.metadata.resourceVersion = '11'), statusOnly: false },
  { name: 'labels: absent, then empty, counts as a change', before: (o) => delete o.metadata.labels, change: (o) => (o.metadata.labels = {}), statusOnly: false },
];

for (const c of cases) {
  test(`statusOnlyChange: ${c.name} → ${c.statusOnly}`, () => {
    const before = structuredClone(deployment);
    c.before?.(before);
    const now = structuredClone(before);
    c.change(now);
    assert.equal(statusOnlyChange(before, now, SELF), c.statusOnly);
  });
}
