// What a container sees, resolved as the kubelet would: env over envFrom, a
// later envFrom source over an earlier one, prefixes, mounted files through
// items and subPath, the claim behind a volume, image names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dataVolume, envOf, fileOf, objectsOf, splitImage, type Container } from '../../src/adopt/pod.ts';
import type { KubeObject } from '../../src/model/object.ts';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
const configMap = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const objects = objectsOf([
  secret('s1', { A: 'from-s1', B: 'b-s1', key: 'the-key' }),
  secret('s2', { A: 'from-s2', X_C: 'prefixed' }),
  configMap('c1', { A: 'from-c1', D: 'd-c1', 'app.conf': 'conf' }),
]);

describe('env', () => {
  const c: Container = {
    name: 'x',
    envFrom: [{ configMapRef: { name: 'c1' } }, { secretRef: { name: 's1' } }, { prefix: 'X_', secretRef: { name: 's2' } }],
    env: [
      { name: 'B', value: 'literal' },
      { name: 'E', valueFrom: { secretKeyRef: { name: 's2', key: 'A' } } },
      { name: 'F', valueFrom: { configMapKeyRef: { name: 'c1', key: 'D' } } },
      { name: 'G', valueFrom: { secretKeyRef: { name: 'missing', key: 'A' } } },
    ],
  };
  const cases: [string, string | undefined, string | undefined][] = [
    ['A', 'from-s1', 'Secret s1 key A'], // the later envFrom source wins
    ['B', 'literal', 'literal'], // env wins over envFrom
    ['D', 'd-c1', 'ConfigMap c1 key D'],
    ['E', 'from-s2', 'Secret s2 key A'],
    ['F', 'd-c1', 'ConfigMap c1 key D'],
    ['X_A', 'from-s2', 'Secret s2 key A'], // through the prefix
    ['G', undefined, undefined], // a missing Secret
    ['Z', undefined, undefined],
  ];
  for (const [name, value, from] of cases) {
    test(name, () => {
      const r = envOf(objects, c, name);
      assert.equal(r?.value, value);
      const src = r?.source;
      assert.equal(src === undefined ? undefined : src.kind === 'literal' ? 'literal' : `${src.kind} ${src.name} key ${src.key}`, from);
    });
  }
});

describe('files and volumes', () => {
  const workload: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'x',
              volumeMounts: [
                { name: 'k', mountPath: '/etc/key', subPath: 'key' },
                { name: 'conf', mountPath: '/etc/conf' },
                { name: 'data', mountPath: '/data' },
                { name: 'claim', mountPath: '/claim', subPath: 'sub' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'k', secret: { secretName: 's1', items: [{ key: 'key', path: 'key' }] } },
            { name: 'conf', configMap: { name: 'c1' } },
            { name: 'claim', persistentVolumeClaim: { claimName: 'existing' } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' } }],
    },
  };
  const c = (workload['spec'] as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
  test('a file mounted with subPath through items', () => { assert.equal(fileOf(objects, workload, c, '/etc/key')?.value, 'the-key'); });
  test('a file of a mounted folder', () => { assert.equal(fileOf(objects, workload, c, '/etc/conf/app.conf')?.value, 'conf'); });
  test('no such file', () => { assert.equal(fileOf(objects, workload, c, '/etc/none'), undefined); });
  test('a volumeClaimTemplate: the claim of pod 0', () => { assert.deepEqual(dataVolume(workload, 'x', 'data'), { kind: 'claim', claim: 'data-db-0', subPath: '', fromTemplate: true }); });
  test('a claim with a subPath', () => { assert.deepEqual(dataVolume(workload, 'x', 'claim'), { kind: 'claim', claim: 'existing', subPath: 'sub', fromTemplate: false }); });
  test('an emptyDir', () => { assert.deepEqual(dataVolume(workload, 'x', 'tmp'), { kind: 'ephemeral', subPath: '' }); });
  test('a volume not mounted', () => { assert.deepEqual(dataVolume(workload, 'x', 'nothing'), { kind: 'absent' }); });
});

describe('images', () => {
  const cases: [string, ReturnType<typeof splitImage>][] = [
    ['docker.io/goharbor/harbor-core:v2.15.2', { registry: 'docker.io', path: 'goharbor', name: 'harbor-core', tag: 'v2.15.2' }],
    ['goharbor/harbor-core:v2.14.4', { registry: 'docker.io', path: 'goharbor', name: 'harbor-core', tag: 'v2.14.4' }],
    ['mirror:5000/goharbor/harbor-core:v2.15.2', { registry: 'mirror:5000', path: 'goharbor', name: 'harbor-core', tag: 'v2.15.2' }],
    ['reg.example.com/proj/goharbor/harbor-core:v2.15.2@sha256:00', { registry: 'reg.example.com', path: 'proj/goharbor', name: 'harbor-core', tag: 'v2.15.2' }],
    ['localhost/harbor-core', { registry: 'localhost', path: '', name: 'harbor-core', tag: '' }],
  ];
  for (const [image, want] of cases) test(image, () => { assert.deepEqual(splitImage(image), want); });
});
