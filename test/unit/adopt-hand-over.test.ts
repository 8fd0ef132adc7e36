// Which of Helm's objects adopt hands over in place and what it cleans off
// them (src/adopt/hand-over.ts): a table of cases, then the fixture of
// upstream's chart 1.19.2 against the operator's own render of the
// HarborCluster adopt maps it to (helm from the build cache, as the golden
// tests use it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handOverOf, type HandOver } from '../../src/adopt/hand-over.ts';
import { mapRelease } from '../../src/adopt/map.ts';
import { planSteps } from '../../src/adopt/plan.ts';
import { renderForAdoption } from '../../src/adopt/render.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { chartDir, goldenHelm } from '../harness/golden-cases.ts';
import { boundClaims, fixtureObjects } from '../harness/helm-fixture.ts';

const obj = (kind: string, name: string, rest: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: kind === 'Ingress' ? 'networking.k8s.io/v1' : 'v1',
  kind,
  metadata: { name, namespace: 'ns' },
  ...rest,
});

interface Case {
  name: string;
  live: KubeObject;
  rendered: KubeObject[];
  want: HandOver | undefined;
}

const cases: Case[] = [
  { name: 'not rendered: not handed over', live: obj('ConfigMap', 'h-registryctl', { data: { a: '1' } }), rendered: [obj('ConfigMap', 'h-core')], want: undefined },
  { name: 'same name, another kind: not handed over', live: obj('Secret', 'h-core', { data: {} }), rendered: [obj('ConfigMap', 'h-core')], want: undefined },
  {
    name: 'ConfigMap: the keys the operator has not are removed, one by one, escaped',
    live: obj('ConfigMap', 'h-core', { data: { KEEP: '1', HTTP_PROXY: '', 'app.conf': 'x', 'a/b': 'y' } }),
    rendered: [obj('ConfigMap', 'h-core', { data: { KEEP: '2' } })],
    want: { remove: ['/data/HTTP_PROXY', '/data/a~1b', '/data/app.conf'], replace: [] },
  },
  {
    name: 'ConfigMap: every key removed is the whole field',
    live: obj('ConfigMap', 'h-jobservice', { data: { 'config.yml': 'x' }, binaryData: { b: 'AA==' } }),
    rendered: [obj('ConfigMap', 'h-jobservice', { data: { other: '1' } })],
    want: { remove: ['/data', '/binaryData'], replace: [] },
  },
  { name: 'Secret with the same keys: nothing but metadata', live: obj('Secret', 'h-database', { type: 'Opaque', data: { POSTGRES_PASSWORD: 'eA==' } }), rendered: [obj('Secret', 'h-database', { type: 'Opaque', data: { POSTGRES_PASSWORD: 'eQ==' } })], want: { remove: [], replace: [] } },
  { name: 'Secret of another type (immutable): not handed over', live: obj('Secret', 'h-tls', { type: 'kubernetes.io/tls', data: {} }), rendered: [obj('Secret', 'h-tls', { type: 'Opaque', data: {} })], want: undefined },
  { name: 'Secret without a type is Opaque', live: obj('Secret', 'h-core', { data: { secret: 'eA==' } }), rendered: [obj('Secret', 'h-core', { type: 'Opaque', data: {} })], want: { remove: ['/data'], replace: [] } },
  {
    name: "Service: Helm's selector goes; ports kept by port and protocol",
    live: obj('Service', 'h-registry', { spec: { selector: { release: 'h' }, ports: [{ name: 'http-registry', port: 5000 }, { name: 'http-controller', port: 8080, protocol: 'TCP' }] } }),
    rendered: [obj('Service', 'h-registry', { spec: { ports: [{ name: 'registry', port: 5000 }, { name: 'controller', port: 8080 }, { name: 'metrics', port: 8001 }] } })],
    want: { remove: ['/spec/selector'], replace: [] },
  },
  {
    name: 'Service: a port the operator has not is dropped, a kept one keeps its nodePort',
    live: obj('Service', 'h', { spec: { type: 'LoadBalancer', selector: { app: 'h' }, ports: [{ name: 'http', port: 80, nodePort: 31000 }, { name: 'https', port: 443, nodePort: 31001 }, { port: 80, protocol: 'UDP' }] } }),
    rendered: [obj('Service', 'h', { spec: { ports: [{ name: 'http', port: 80 }] } })],
    want: { remove: ['/spec/selector'], replace: [{ path: '/spec/ports', value: [{ name: 'http', port: 80, nodePort: 31000 }] }] },
  },
  {
    name: "Service: no port kept: the operator's ports are set",
    live: obj('Service', 'h-db', { spec: { ports: [{ port: 5433 }] } }),
    rendered: [obj('Service', 'h-db', { spec: { ports: [{ name: 'postgres', port: 5432 }] } })],
    want: { remove: [], replace: [{ path: '/spec/ports', value: [{ name: 'postgres', port: 5432 }] }] },
  },
  {
    name: 'Ingress: the spec fields the operator has not are removed',
    live: obj('Ingress', 'h-ingress', { spec: { ingressClassName: 'nginx', tls: [{ secretName: 's' }], rules: [] } }),
    rendered: [obj('Ingress', 'h-ingress', { spec: { rules: [{ host: 'x' }] } })],
    want: { remove: ['/spec/ingressClassName', '/spec/tls'], replace: [] },
  },
  { name: 'a kind adopt never hands over', live: obj('PodDisruptionBudget', 'h-core'), rendered: [obj('PodDisruptionBudget', 'h-core')], want: undefined },
];

describe('adopt hand-over: what is cleaned off an object of Helm\'s', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(handOverOf(c.live, c.rendered), c.want);
    });
  }
});

describe('adopt hand-over: the fixture of chart 1.19.2 and the operator\'s render', () => {
  test('17 objects handed over in place, 4 the operator has not deleted, the keys Helm alone set removed', async () => {
    const objects = fixtureObjects('1.19.2', 'registry');
    const snapshot = { namespace: 'registry', release: 'harbor', objects, referenced: [], ...boundClaims(objects), records: [], pods: [] };
    const a = mapRelease(snapshot);
    assert.ok(a.cluster && a.generated);
    const rendered = await renderForAdoption(a.cluster, a.generated, { helm: goldenHelm(), chartDir, timeoutMs: 60_000 });
    const steps = planSteps(snapshot, a, rendered);
    const handed = steps.flatMap((s) => (s.op === 'hand-over' ? [s] : []));
    const deleted = steps.flatMap((s) => (s.op === 'delete-config' ? [`${s.object.kind}/${s.object.metadata.name}`] : []));
    assert.deepEqual(deleted, ['ConfigMap/harbor-jobservice-env', 'ConfigMap/harbor-registryctl', 'Secret/harbor-registry-htpasswd', 'Secret/harbor-registryctl']);
    assert.equal(handed.length, 17);
    const of = (kind: string, name: string): HandOver | undefined => handed.find((s) => s.object.kind === kind && s.object.metadata.name === name)?.clean;
    // Values the operator keeps elsewhere (the generated Secret, its own token-service Secret), so core's Secret loses them.
    assert.deepEqual(of('Secret', 'harbor-core')?.remove, ['/data/secret', '/data/secretKey', '/data/tls.crt', '/data/tls.key']);
    assert.deepEqual(of('ConfigMap', 'harbor-core')?.remove, [
      '/data/CHART_CACHE_DRIVER',
      '/data/HTTPS_PROXY',
      '/data/HTTP_PROXY',
      '/data/NO_PROXY',
      '/data/QUOTA_UPDATE_PROVIDER',
      '/data/REGISTRY_CREDENTIAL_USERNAME',
      '/data/_REDIS_URL_CORE',
      '/data/_REDIS_URL_REG',
      '/data/app.conf',
    ]);
    for (const s of handed.filter((x) => x.object.kind === 'Service')) assert.deepEqual(s.clean, { remove: ['/spec/selector'], replace: [] }, s.object.metadata.name);
    assert.deepEqual(of('Ingress', 'harbor-ingress'), { remove: [], replace: [] });
    // Every key left is one the operator renders.
    for (const s of handed) {
      const twin = rendered.find((r) => r.kind === s.object.kind && r.metadata.name === s.object.metadata.name);
      const want = (twin?.['data'] ?? {}) as Record<string, string>;
      const left = Object.keys((s.object['data'] ?? {}) as Record<string, string>).filter((k) => !s.clean.remove.includes(`/data/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`) && !s.clean.remove.includes('/data'));
      assert.deepEqual(left.filter((k) => !(k in want)), [], `${s.object.kind}/${s.object.metadata.name}`);
    }
  });
});
