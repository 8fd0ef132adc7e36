// How failures are reported: settled writes → the failed objects, a phase's
// failure → one message naming every object, any error → reason, message
// and whether retrying can help. Tables, no cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeFailure,
  errorText,
  failedWrites,
  MAX_MESSAGE,
  MAX_OBJECT_MESSAGE,
  ReconcileFailure,
  writesFailure,
  type FailureReport,
  type WriteFailure,
} from '../../src/controller/reconcile-failure.ts';
import { SecretRefError } from '../../src/controller/secret-refs.ts';
import { ApiError, isPermanentApiError } from '../../src/kube/api-error.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { RenderError } from '../../src/render/render-error.ts';

const api = (status: number, reason: string, message: string): ApiError =>
  new ApiError('PATCH', '/api/v1/namespaces/a/configmaps/h-core', status, reason, message);
const obj = (kind: string, name: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'a' } });
const ok = (value: unknown = {}): PromiseSettledResult<unknown> => ({ status: 'fulfilled', value });
const no = (reason: unknown): PromiseSettledResult<unknown> => ({ status: 'rejected', reason });

describe('isPermanentApiError', () => {
  const cases: { name: string; err: unknown; permanent: boolean }[] = [
    { name: '422 Invalid', err: api(422, 'Invalid', 'spec.replicas: Invalid value'), permanent: true },
    { name: '403 Forbidden (quota)', err: api(403, 'Forbidden', 'exceeded quota: q, requested: configmaps=1'), permanent: true },
    { name: '400 BadRequest', err: api(400, 'BadRequest', 'the body of the request was in an unknown format'), permanent: true },
    { name: 'field is immutable under another status', err: api(500, 'InternalError', 'spec.selector: field is immutable'), permanent: true },
    { name: '409 Conflict', err: api(409, 'Conflict', 'the object has been modified'), permanent: false },
    { name: '429 TooManyRequests', err: api(429, 'TooManyRequests', 'slow down'), permanent: false },
    { name: '500 InternalError', err: api(500, 'InternalError', 'etcdserver: request timed out'), permanent: false },
    { name: '503 ServiceUnavailable', err: api(503, 'ServiceUnavailable', 'apiserver is shutting down'), permanent: false },
    { name: '404 NotFound', err: api(404, 'NotFound', 'namespaces "a" not found'), permanent: false },
    { name: 'a network error', err: new Error('connect ECONNREFUSED 127.0.0.1:6443'), permanent: false },
    { name: 'not an error', err: 'field is immutable', permanent: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(isPermanentApiError(c.err), c.permanent);
    });
  }
});

describe('errorText', () => {
  test('an API error: status, reason and the server message, without the request line', () => {
    assert.equal(errorText(api(422, 'Invalid', 'ConfigMap "h-core" is invalid')), '422 Invalid: ConfigMap "h-core" is invalid');
  });
  test('another error: its message; anything else: its text', () => {
    assert.equal(errorText(new Error('boom')), 'boom');
    assert.equal(errorText(42), '42');
  });
});

describe('describeFailure', () => {
  const cases: { name: string; err: unknown; fallback: string; report: FailureReport }[] = [
    {
      name: 'a ReconcileFailure keeps its reason and permanence',
      err: new ReconcileFailure('VolumeExpansionNotAllowed', 'StorageClass kwok-volume does not allow volume expansion', { permanent: true }),
      fallback: 'ApplyFailed',
      report: { reason: 'VolumeExpansionNotAllowed', message: 'StorageClass kwok-volume does not allow volume expansion', permanent: true },
    },
    {
      name: 'a missing referenced Secret',
      err: new SecretRefError('spec.adminPasswordSecretRef: Secret admin not found'),
      fallback: 'SecretsFailed',
      report: { reason: 'SecretNotFound', message: 'spec.adminPasswordSecretRef: Secret admin not found', permanent: false },
    },
    {
      name: 'a failed helm run',
      err: new RenderError('helm template failed: boom'),
      fallback: 'PlanFailed',
      report: { reason: 'RenderFailed', message: 'helm template failed: boom', permanent: false },
    },
    {
      name: 'a refused status write takes the step reason and is permanent',
      err: api(422, 'Invalid', 'status.conditions[0].message: Too long'),
      fallback: 'StatusWriteFailed',
      report: { reason: 'StatusWriteFailed', message: '422 Invalid: status.conditions[0].message: Too long', permanent: true },
    },
    {
      name: 'an unanswered request takes the step reason and is retried with backoff',
      err: new Error('socket hang up'),
      fallback: 'PruneFailed',
      report: { reason: 'PruneFailed', message: 'socket hang up', permanent: false },
    },
    {
      name: 'a plan error',
      err: new Error('the desired objects hold /ConfigMap/a/x twice'),
      fallback: 'PlanFailed',
      report: { reason: 'PlanFailed', message: 'the desired objects hold /ConfigMap/a/x twice', permanent: false },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(describeFailure(c.err, c.fallback), c.report);
    });
  }
  test('a very long message is cut to MAX_MESSAGE', () => {
    const r = describeFailure(new Error('x'.repeat(MAX_MESSAGE * 2)), 'ApplyFailed');
    assert.equal(r.message.length, MAX_MESSAGE);
  });
});

describe('failedWrites', () => {
  const objs = [obj('ConfigMap', 'h-core'), obj('Secret', 'h-core'), obj('Service', 'h-core'), obj('ConfigMap', 'h-jobservice')];
  const quota = api(403, 'Forbidden', 'exceeded quota: q');
  const cases: { name: string; results: PromiseSettledResult<unknown>[]; failed: WriteFailure[] }[] = [
    { name: 'all written', results: [ok(), ok(), ok(), ok()], failed: [] },
    {
      name: 'two refused, in the order of the objects',
      results: [no(api(422, 'Invalid', 'denied by policy')), ok(), ok(), no(quota)],
      failed: [
        { object: 'ConfigMap/h-core', message: '422 Invalid: denied by policy', permanent: true },
        { object: 'ConfigMap/h-jobservice', message: '403 Forbidden: exceeded quota: q', permanent: true },
      ],
    },
    {
      name: 'a transient failure among them',
      results: [ok(), no(new Error('socket hang up')), ok(), ok()],
      failed: [{ object: 'Secret/h-core', message: 'socket hang up', permanent: false }],
    },
    {
      name: 'every one failed',
      results: objs.map(() => no(api(500, 'InternalError', 'etcd'))),
      failed: objs.map((o) => ({ object: `${o.kind}/${o.metadata.name}`, message: '500 InternalError: etcd', permanent: false })),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(failedWrites(objs, c.results), c.failed);
    });
  }
  test('objects and results must match one to one', () => {
    assert.throws(() => failedWrites(objs, [ok()]), /4 writes but 1 results/);
  });
});

describe('writesFailure', () => {
  const refused = (object: string, permanent = true): WriteFailure => ({ object, message: `422 Invalid: ${object} denied`, permanent });
  const cases: {
    name: string;
    failures: WriteFailure[];
    attempted: number;
    where?: string;
    message: string;
    permanent: boolean;
  }[] = [
    {
      name: 'one object',
      failures: [refused('ConfigMap/h-core')],
      attempted: 9,
      message: 'could not apply ConfigMap/h-core (1 of 9 object(s)): ConfigMap/h-core: 422 Invalid: ConfigMap/h-core denied',
      permanent: true,
    },
    {
      name: 'two objects, every name first, with where',
      failures: [refused('ConfigMap/h-core'), refused('ConfigMap/h-jobservice')],
      attempted: 12,
      where: 'of phase 1 of 2; 8 later object(s) not attempted',
      message:
        'could not apply ConfigMap/h-core, ConfigMap/h-jobservice (2 of 12 object(s) of phase 1 of 2; 8 later object(s) not attempted): ' +
        'ConfigMap/h-core: 422 Invalid: ConfigMap/h-core denied; ConfigMap/h-jobservice: 422 Invalid: ConfigMap/h-jobservice denied',
      permanent: true,
    },
    {
      name: 'permanent only when every failure is',
      failures: [refused('ConfigMap/h-core'), { object: 'Secret/h-core', message: 'socket hang up', permanent: false }],
      attempted: 2,
      message: 'could not apply ConfigMap/h-core, Secret/h-core (2 of 2 object(s)): ConfigMap/h-core: 422 Invalid: ConfigMap/h-core denied; Secret/h-core: socket hang up',
      permanent: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const f = writesFailure('ApplyFailed', 'apply', c.failures, { attempted: c.attempted, ...(c.where ? { where: c.where } : {}) });
      assert.equal(f.reason, 'ApplyFailed');
      assert.equal(f.message, c.message);
      assert.equal(f.permanent, c.permanent);
      assert.deepEqual(f.objects, c.failures.map((x) => x.object));
    });
  }
  test('each server message is clipped, so a long one does not hide the others', () => {
    const long = { object: 'ConfigMap/a', message: 'y'.repeat(5000), permanent: true };
    const f = writesFailure('ApplyFailed', 'apply', [long, refused('ConfigMap/b')], { attempted: 2 });
    assert.ok(f.message.includes('ConfigMap/b: 422 Invalid'), f.message.slice(-200));
    assert.ok(f.message.length < MAX_OBJECT_MESSAGE + 300, `${f.message.length} characters`);
  });
  test('at least one failure', () => {
    assert.throws(() => writesFailure('ApplyFailed', 'apply', [], { attempted: 1 }));
  });
});
