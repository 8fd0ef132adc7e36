// The chart renders each component at its own release during an upgrade: in
// every phase of 2.14.4 → 2.15.2 (and 2.13.5 → 2.14.4, where core's settings
// change), each object is exactly what the chart renders for its component's
// release when the whole cluster runs that release. So a phase changes the
// objects of the components it moves and nothing else: no other pod template
// changes, and nothing rolls before its turn.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ComponentVersions, type UpgradeComponent, uniformVersions, oldestVersion } from '../../src/api/component-versions.ts';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import { objectKey, type KubeObject } from '../../src/model/object.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import { toValues } from '../../src/render/values.ts';
import { upgradePlan, type UpgradePhase } from '../../src/status/upgrade-plan.ts';
import { chartDir, fixedSecrets, goldenHelm, goldenNamespace } from '../harness/golden-cases.ts';

/** Every component on: the routing proxy (ClusterIP), trivy, the exporter, in-cluster database and cache. */
function everything(version: string): HarborCluster {
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: 'harbor', namespace: goldenNamespace },
    spec: { version, externalURL: 'http://harbor.example.com', expose: { type: 'ClusterIP' }, components: { trivy: { enabled: true }, exporter: { enabled: true } } },
  };
}

async function render(to: string, versions: ComponentVersions): Promise<Map<string, KubeObject>> {
  const objects = await helmTemplate({ helm: goldenHelm(), chartDir, timeoutMs: 60_000 }, 'harbor', goldenNamespace, toValues(everything(to), fixedSecrets, versions));
  return new Map(objects.map((o) => [objectKey(o), o]));
}

/** The chart's component label → the upgrade's component (the cache's objects are "redis"). */
function upgradeComponentOf(o: KubeObject): UpgradeComponent | undefined {
  const c = o.metadata.labels?.['app.kubernetes.io/component'];
  if (c === 'redis') return 'cache';
  const known: readonly string[] = ['database', 'core', 'portal', 'jobservice', 'registry', 'trivy', 'exporter', 'proxy'];
  return c !== undefined && known.includes(c) ? (c as UpgradeComponent) : undefined;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
}

function podTemplate(o: KubeObject): { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; initContainers?: Container[] } } | undefined {
  return (o['spec'] as { template?: ReturnType<typeof podTemplate> } | undefined)?.template;
}

const upgrades: [string, string][] = [
  ['2.14.4', '2.15.2'],
  ['2.13.5', '2.14.4'],
];
const phases: UpgradePhase[] = ['BackingUp', 'UpgradingDatabase', 'UpgradingCore', 'Rolling', 'Done', 'Failed'];

for (const [from, to] of upgrades) {
  describe(`upgrade ${from} → ${to}`, () => {
    const whole = new Map<string, Promise<Map<string, KubeObject>>>();
    const wholeAt = (v: string): Promise<Map<string, KubeObject>> => {
      let p = whole.get(v);
      if (!p) {
        p = render(to, uniformVersions(v));
        whole.set(v, p);
      }
      return p;
    };

    for (const phase of phases) {
      test(`${phase}: each object is its component's release's, the images and version labels say so`, async () => {
        const plan = upgradePlan(from, to, phase);
        const mixed = await render(to, plan);
        const [atFrom, atTo] = await Promise.all([wholeAt(from), wholeAt(to)]);
        assert.deepEqual([...mixed.keys()].sort(), [...atFrom.keys()].sort(), 'the same objects as a whole cluster renders');
        let workloads = 0;
        for (const [key, o] of mixed) {
          const c = upgradeComponentOf(o);
          const version = c ? plan[c] : oldestVersion(plan);
          const reference = (version === from ? atFrom : atTo).get(key);
          assert.deepEqual(o, reference, `${key} is as the whole cluster at ${version} renders it`);
          const t = podTemplate(o);
          if (!t) continue;
          workloads++;
          assert.equal(t.metadata.labels['app.kubernetes.io/version'], version, `${key} pod label`);
          for (const ctr of [...t.spec.containers, ...(t.spec.initContainers ?? [])]) {
            assert.ok(ctr.image.endsWith(`:v${version}`), `${key}/${ctr.name} runs ${ctr.image}, not v${version}`);
          }
        }
        assert.ok(workloads >= 9, `${workloads} workloads rendered`);
      });
    }
  });
}

test('2.15.1 → 2.15.2 with core at 2.15.2: the cache still runs redis-photon with redis-server until Rolling', async () => {
  const before = await render('2.15.2', upgradePlan('2.15.1', '2.15.2', 'UpgradingCore'));
  const after = await render('2.15.2', upgradePlan('2.15.1', '2.15.2', 'Rolling'));
  const cache = (m: Map<string, KubeObject>): (Container & { command?: string[] }) | undefined => {
    const sts = m.get('apps/StatefulSet/golden/harbor-redis');
    return sts ? podTemplate(sts)?.spec.containers[0] : undefined;
  };
  assert.match(cache(before)?.image ?? '', /\/redis-photon:v2\.15\.1$/);
  assert.deepEqual(cache(before)?.command, ['redis-server']);
  assert.match(cache(after)?.image ?? '', /\/valkey-photon:v2\.15\.2$/);
  assert.deepEqual(cache(after)?.command, ['valkey-server']);
});
