// The applied digest and the compacted managedFields it reads: equal
// children give equal digests whether read from an apply response (full
// fieldsV1) or from the cache (compacted); any change that matters gives
// another digest, and what does not matter does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appliedDigest, inputsDigest, type DigestInputs } from '../../src/controller/applied-digest.ts';
import { compactManagedFields, ownedFieldsDigest, withoutManagedFields } from '../../src/kube/managed-fields.ts';
import type { KubeObject } from '../../src/model/object.ts';

const SELF = 'harbor-operator';

function child(name: string, opts: { kind?: string; uid?: string; fields?: unknown; entries?: unknown[] } = {}): KubeObject {
  const own = { manager: SELF, operation: 'Apply', apiVersion: 'v1', time: '2026-11-30T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: opts.fields ?? { 'f:data': { 'f:a': {} } } };
  return {
    apiVersion: opts.kind === 'Deployment' ? 'apps/v1' : 'v1',
    kind: opts.kind ?? 'ConfigMap',
    metadata: { name, namespace: 'ns', uid: opts.uid ?? `uid-${name}`, resourceVersion: '1', managedFields: opts.entries ?? [own] },
  };
}

const inputs: DigestInputs = { renderHash: 'r1', ownerUid: 'u1', deleteClaims: false, certificatesServed: true, generated: { coreSecret: 'x' } };
const base = [child('a'), child('b', { kind: 'Deployment', fields: { 'f:spec': { 'f:replicas': {} } } })];
const digestOf = (children: KubeObject[], i: DigestInputs = inputs): string => appliedDigest(inputsDigest(i), children, SELF);

test('compacting keeps who wrote and when, drops field sets, and keeps a digest of the own apply entry', () => {
  const other = { manager: 'kubectl-edit', operation: 'Update', time: '2026-11-30T00:01:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } };
  const status = { manager: SELF, operation: 'Update', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } };
  const full = child('a', { entries: [child('a').metadata.managedFields?.[0], other, status] });
  const c = compactManagedFields(full, SELF);
  assert.deepEqual(c.metadata.managedFields, [
    { manager: SELF, operation: 'Apply', apiVersion: 'v1', time: '2026-11-30T00:00:00Z', fieldsDigest: ownedFieldsDigest(full, SELF) },
    { manager: 'kubectl-edit', operation: 'Update', time: '2026-11-30T00:01:00Z' },
    { manager: SELF, operation: 'Update', subresource: 'status' },
  ]);
  assert.ok(full.metadata.managedFields?.every((e) => 'fieldsV1' in (e as object)), 'the input is not changed');
  assert.equal(ownedFieldsDigest(c, SELF), ownedFieldsDigest(full, SELF));
  assert.equal(ownedFieldsDigest(compactManagedFields(c, SELF), SELF), ownedFieldsDigest(full, SELF), 'compacting twice changes nothing');
  assert.equal(withoutManagedFields(full).metadata.managedFields, undefined);
});

test('owned-fields digest: none without an own apply entry; order of keys does not matter', () => {
  assert.equal(ownedFieldsDigest(child('a', { entries: [] }), SELF), undefined);
  assert.equal(ownedFieldsDigest(child('a', { entries: [{ manager: SELF, operation: 'Update', fieldsV1: {} }] }), SELF), undefined);
  assert.equal(
    ownedFieldsDigest(child('a', { fields: { 'f:a': {}, 'f:b': {} } }), SELF),
    ownedFieldsDigest(child('a', { fields: { 'f:b': {}, 'f:a': {} } }), SELF),
  );
});

const cases: { name: string; children: KubeObject[]; inputs?: Partial<DigestInputs>; same: boolean }[] = [
  { name: 'the same children', children: [child('a'), child('b', { kind: 'Deployment', fields: { 'f:spec': { 'f:replicas': {} } } })], same: true },
  { name: 'the same children in another order', children: [...base].reverse(), same: true },
  { name: 'children read from the cache (compacted)', children: base.map((o) => compactManagedFields(o, SELF)), same: true },
  {
    name: 'another resourceVersion and status (written by controllers)',
    children: base.map((o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: '99' }, status: { readyReplicas: 1 } })),
    same: true,
  },
  {
    name: 'an extra object without an own apply entry (a claim made by a StatefulSet)',
    children: [...base, child('data-db-0', { entries: [{ manager: 'kube-controller-manager', operation: 'Update' }] })],
    same: true,
  },
  { name: 'a child is gone', children: [base[0] as KubeObject], same: false },
  { name: 'a child was re-created (new uid)', children: [child('a', { uid: 'new' }), base[1] as KubeObject], same: false },
  {
    name: 'someone took over a field (it left the own set)',
    children: [child('a', { fields: {} }), base[1] as KubeObject],
    same: false,
  },
  { name: 'an extra child the operator applied', children: [...base, child('c')], same: false },
  { name: 'other values (another render)', children: base, inputs: { renderHash: 'r2' }, same: false },
  { name: 'another owner uid', children: base, inputs: { ownerUid: 'u2' }, same: false },
  { name: 'claims deleted with the cluster now', children: base, inputs: { deleteClaims: true }, same: false },
  { name: "cert-manager's CRDs appeared", children: base, inputs: { certificatesServed: false }, same: false },
  { name: 'another generated value', children: base, inputs: { generated: { coreSecret: 'y' } }, same: false },
];

for (const c of cases) {
  test(`applied digest: ${c.name} → ${c.same ? 'same' : 'another'} digest`, () => {
    const d = digestOf(c.children, { ...inputs, ...(c.inputs ?? {}) });
    if (c.same) assert.equal(d, digestOf(base));
    else assert.notEqual(d, digestOf(base));
  });
}

test('the digest names its algorithm and holds no input text', () => {
  const d = digestOf(base, { ...inputs, generated: { coreSecret: 'very-secret-value' } });
  assert.match(d, /^sha256:[0-9a-f]{64}$/);
  assert.ok(!d.includes('very-secret-value'));
});
