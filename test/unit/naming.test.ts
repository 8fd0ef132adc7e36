// Which names of two HarborClusters in one namespace can collide. Every
// object of HarborCluster x is named x or x-<suffix> (the render guard
// refuses anything else). x's object x<s> and y's object y<t> of the same
// kind are one object when x<s> = y<t>; with x shorter, y = x<u> and s = u<t>
// for a non-empty u: a suffix that ends with another suffix of the same kind.
// The chart is rendered for every expose type and component set, the
// suffixes listed per kind, and every such pair found. The collisions that
// remain are the ownership rule's to report (test/integration/ownership.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import { desiredObjects } from '../../src/controller/desired.ts';
import { unsafeObjects } from '../../src/controller/render-guard.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import { toValues } from '../../src/render/values.ts';
import { chartDir, fixedSecrets, goldenCases, goldenHelm, goldenNamespace } from '../harness/golden-cases.ts';

const minimal = goldenCases.find((c) => c.name === 'minimal')?.cr;
assert.ok(minimal);
const withExpose = (type: 'NodePort' | 'ClusterIP'): HarborCluster => ({ ...minimal, spec: { ...minimal.spec, expose: { type } } });
const crs: { name: string; cr: HarborCluster }[] = [
  ...goldenCases,
  { name: 'nodeport', cr: withExpose('NodePort') },
  { name: 'clusterip', cr: withExpose('ClusterIP') },
];

/** What the operator would apply for `cr` under the name `name`. */
async function objectsOf(cr: HarborCluster, name: string): Promise<KubeObject[]> {
  const rendered = await helmTemplate({ helm: goldenHelm(), chartDir, timeoutMs: 60_000 }, name, goldenNamespace, toValues(cr, fixedSecrets));
  const owner = { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name, namespace: goldenNamespace, uid: 'uid' };
  return desiredObjects(rendered, owner, {}, false);
}

test('the names of two HarborClusters collide only through the proxy Service named after the cluster', async () => {
  const release = 'x';
  const suffixes = new Map<string, Set<string>>();
  for (const c of crs) {
    const objects = await objectsOf(c.cr, release);
    assert.deepEqual(unsafeObjects(objects, { name: release, namespace: goldenNamespace }), [], `${c.name}: every object may be written`);
    for (const o of objects) {
      const set = suffixes.get(o.kind) ?? new Set<string>();
      set.add(o.metadata.name.slice(release.length));
      suffixes.set(o.kind, set);
    }
  }
  console.log('suffixes by kind (x<suffix>):');
  for (const [kind, set] of [...suffixes].sort()) console.log(`  ${kind}: ${[...set].sort().map((s) => s || '(none)').join(' ')}`);

  // s = u<t>: HarborCluster x<u> names its t-object x<u><t>, which is x's s-object.
  const collisions: string[] = [];
  for (const [kind, set] of suffixes) {
    for (const s of set) {
      for (const t of set) {
        if (s === t || !s.endsWith(t)) continue;
        const u = s.slice(0, s.length - t.length);
        collisions.push(`${kind} x${s} = HarborCluster x${u}'s ${kind} x${u}${t}`);
      }
    }
  }
  collisions.sort();
  console.log(`possible collisions: ${collisions.length}`);
  for (const c of collisions) console.log(`  ${c}`);
  const services = [...(suffixes.get('Service') ?? [])].filter((s) => s !== '').sort();
  assert.ok(services.length >= 10, `Services: ${services.join(' ')}`);
  assert.ok(suffixes.get('Service')?.has(''), 'the proxy Service is named after the cluster');
  // Exactly one per Service of x: HarborCluster x<s> exposed by a Service
  // (LoadBalancer, NodePort, ClusterIP) names its proxy Service x<s>.
  assert.deepEqual(
    collisions,
    services.map((s) => `Service x${s} = HarborCluster x${s}'s Service x${s}`),
  );
});

test('a and a-core (LoadBalancer): the one object both render is Service a-core', async () => {
  const lb = goldenCases.find((c) => c.name === 'loadbalancer-no-trivy-no-exporter')?.cr;
  assert.ok(lb);
  const key = (o: KubeObject): string => `${o.kind} ${o.metadata.name}`;
  const a = new Set((await objectsOf(minimal, 'a')).map(key));
  const aCore = (await objectsOf(lb, 'a-core')).map(key);
  const both = aCore.filter((k) => a.has(k));
  console.log(`a renders ${a.size} objects, a-core ${aCore.length}; in common: ${both.join(', ')}`);
  assert.deepEqual(both, ['Service a-core']);
});
