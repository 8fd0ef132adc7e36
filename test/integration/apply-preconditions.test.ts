// What the ownership rule relies on from kube-apiserver (src/kube/writer.ts,
// ApplyPrecondition): an apply can be made to only create, or to only update
// one object by uid, and a refused apply writes nothing. Against the real API
// server, with figures printed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPreconditionFailure } from '../../src/kube/api-error.ts';
import { createKubeHttp } from '../../src/kube/http.ts';
import { createWriter, FIELD_MANAGER } from '../../src/kube/writer.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { kubeConfig, testNamespace } from '../harness/kube.ts';

const configMap = (ns: string, name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('the apply went through');
}

describe('apply preconditions', () => {
  test("'absent' creates an object that does not exist, and refuses one that does, forced or not", async (t) => {
    const http = createKubeHttp(kubeConfig());
    const writer = createWriter(http);
    const ns = await testNamespace(t);

    const created = await writer.apply(configMap(ns, 'new', { a: '1' }), { precondition: 'absent' });
    const entries = (created.metadata.managedFields ?? []) as { manager: string; operation: string; fieldsV1: Record<string, unknown> }[];
    console.log(`created: resourceVersion ${created.metadata.resourceVersion ?? ''}, managedFields ${JSON.stringify(entries.map((e) => [e.manager, e.operation, e.fieldsV1]))}`);
    assert.deepEqual(entries.map((e) => [e.manager, e.operation]), [[FIELD_MANAGER, 'Apply']], 'an ordinary apply entry');
    assert.deepEqual(entries[0]?.fieldsV1, { 'f:data': { 'f:a': {} } }, 'the precondition is not a field the operator owns');
    assert.deepEqual(created['data'], { a: '1' });

    // Someone's object, made by hand before the operator's create.
    const theirs = await http.request<KubeObject>('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: configMap(ns, 'theirs', { mine: 'yes' }),
      query: { fieldManager: 'kubectl-create' },
    });
    const err = await refusal(writer.apply(configMap(ns, 'theirs', { a: '1' }), { precondition: 'absent' }));
    console.log(`create-only apply over an existing object: ${(err as Error).message}`);
    assert.ok(isPreconditionFailure(err), 'refused as a failed precondition');
    assert.match((err as Error).message, /409 Conflict/);
    const after = await writer.read(configMap(ns, 'theirs', {}));
    assert.ok(after);
    assert.equal(after.metadata.resourceVersion, theirs.metadata.resourceVersion, 'not written: same resourceVersion');
    assert.deepEqual(after['data'], { mine: 'yes' });
    assert.equal(after.metadata.ownerReferences, undefined);

    // And the plain apply, as the operator made it before, takes it over.
    const taken = await writer.apply(configMap(ns, 'theirs', { a: '1' }));
    assert.notEqual(taken.metadata.resourceVersion, theirs.metadata.resourceVersion, 'without the precondition the apply writes');
  });

  test('{ uid } updates that object only: refused when it is gone or another one has its name', async (t) => {
    const http = createKubeHttp(kubeConfig());
    const writer = createWriter(http);
    const ns = await testNamespace(t);
    const first = await writer.apply(configMap(ns, 'c', { a: '1' }));
    const uid = first.metadata.uid ?? '';
    const updated = await writer.apply(configMap(ns, 'c', { a: '2' }), { precondition: { uid } });
    assert.equal(updated.metadata.uid, uid);
    assert.deepEqual(updated['data'], { a: '2' });

    await http.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/c`);
    const gone = await refusal(writer.apply(configMap(ns, 'c', { a: '3' }), { precondition: { uid } }));
    console.log(`apply by uid of a deleted object: ${(gone as Error).message}`);
    assert.ok(isPreconditionFailure(gone));
    assert.equal(await writer.read(configMap(ns, 'c', {})), undefined, 'not re-created');

    const other = await http.request<KubeObject>('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap(ns, 'c', { someone: 'else' }) });
    const replaced = await refusal(writer.apply(configMap(ns, 'c', { a: '3' }), { precondition: { uid } }));
    console.log(`apply by uid after someone re-made the name: ${(replaced as Error).message}`);
    assert.ok(isPreconditionFailure(replaced));
    const after = await writer.read(configMap(ns, 'c', {}));
    assert.equal(after?.metadata.resourceVersion, other.metadata.resourceVersion, 'the new object is not written');
  });
});
