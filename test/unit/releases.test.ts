// Every release of the table rendered by helm: the images, the cache's command
// and the database image are what its row says, and what upstream built at
// that tag (te../harness/upstream-builds.ts, written from upstream's files).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { releases, type Release } from '../../src/api/releases.ts';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { goldenNamespace, renderCase } from '../harness/golden-cases.ts';
import { upstreamBuilds } from '../harness/upstream-builds.ts';

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}

/** Every component on: the routing proxy (ClusterIP), trivy, the exporter, in-cluster database and cache. */
function everything(version: string): HarborCluster {
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: 'harbor', namespace: goldenNamespace },
    spec: {
      version,
      externalURL: 'http://harbor.example.com',
      expose: { type: 'ClusterIP' },
      components: { trivy: { enabled: true }, exporter: { enabled: true } },
    },
  };
}

function podSpecs(objects: readonly KubeObject[]): Map<string, PodSpec> {
  const out = new Map<string, PodSpec>();
  for (const o of objects) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    out.set(o.metadata.name, (o['spec'] as { template: { spec: PodSpec } }).template.spec);
  }
  return out;
}

function images(objects: readonly KubeObject[]): string[] {
  const all = new Set<string>();
  for (const spec of podSpecs(objects).values()) {
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) all.add(c.image);
  }
  return [...all].sort();
}

function container(objects: readonly KubeObject[], workload: string, name: string): Container {
  const c = podSpecs(objects).get(workload)?.containers.find((x) => x.name === name);
  assert.ok(c, `container ${name} of ${workload}`);
  return c;
}

const ref = (r: Release, name: string): string => `docker.io/goharbor/${name}:${r.tag}`;

test('every release of the table has an upstream build in the fixture, and back', () => {
  assert.deepEqual(
    releases.map((r) => r.tag),
    Object.keys(upstreamBuilds),
  );
});

for (const r of releases) {
  describe(`release ${r.version}`, () => {
    const upstream = upstreamBuilds[r.tag];
    let rendered: Promise<KubeObject[]> | undefined;
    const objects = (): Promise<KubeObject[]> => (rendered ??= renderCase({ name: `release-${r.version}`, cr: everything(r.version) }));

    test('the images rendered are the images of its row, all tagged with its tag', async () => {
      const expected = Object.values(r.images).map((n) => ref(r, n)).sort();
      assert.deepEqual(images(await objects()), expected);
    });

    test(`every image is one goharbor/harbor ${r.tag} builds (make/photon/Makefile), and the chart runs each`, async () => {
      assert.ok(upstream, `no upstream build for ${r.tag}`);
      const names = images(await objects()).map((i) => {
        const m = /^docker\.io\/goharbor\/([^:]+):(.+)$/.exec(i);
        assert.ok(m, `image ${i} is docker.io/goharbor/<name>:<tag>`);
        assert.equal(m[2], `v${r.version}`, `tag of ${i}`);
        return m[1] ?? '';
      });
      assert.deepEqual(names.sort(), [...upstream.images]);
    });

    test('the cache runs the server of its row, which is the image CMD upstream built', async () => {
      assert.ok(upstream);
      const redis = container(await objects(), 'harbor-redis', 'redis');
      assert.equal(redis.image, ref(r, r.images.cache));
      // With a password the chart sets the command: the image's CMD plus --requirepass.
      assert.deepEqual(redis.command, [r.cache.server]);
      assert.deepEqual([...(redis.command ?? []), ...(redis.args ?? []).slice(0, 1)], [...upstream.cacheCmd]);
    });

    test("the database image is its row's, and runs the PostgreSQL major its row says", async () => {
      assert.ok(upstream);
      const objs = await objects();
      assert.equal(container(objs, 'harbor-database', 'database').image, ref(r, r.images.database));
      const init = podSpecs(objs).get('harbor-database')?.initContainers?.find((c) => c.name === 'data-permissions');
      assert.equal(init?.image, ref(r, r.images.database), 'the permission fix runs the same image');
      assert.deepEqual(upstream.dbEntrypoint, ['/docker-entrypoint.sh', String(r.database.upgradesFromMajor), String(r.database.postgresMajor)]);
    });

    test("core's settings in its row are upstream's installer's for that tag", () => {
      assert.ok(upstream);
      const fromRow: Record<string, string> = { PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE: r.core.proxyCacheRegistryTypes };
      if (r.core.replicationAdapterWhitelist !== undefined) fromRow['REPLICATION_ADAPTER_WHITELIST'] = r.core.replicationAdapterWhitelist;
      assert.deepEqual(fromRow, { ...upstream.coreEnv });
    });
  });
}
