// spec.components.<c>.env against the variables the operator sets: a name it
// sets from a Secret fails the render, naming the field and the variable (the
// env list is applied keyed by name, and Harbor's credentials are not the
// user's to replace); a name from the component's ConfigMap (envFrom) is
// rendered, and Kubernetes lets env win over envFrom.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HarborCluster, HarborClusterSpec } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import { toValues } from '../../src/render/values.ts';
import { chartDir, fixedSecrets, goldenHelm } from '../harness/golden-cases.ts';

const base: HarborClusterSpec = { externalURL: 'https://harbor.example.com', expose: { type: 'Ingress', ingress: { host: 'harbor.example.com' } } };

function render(spec: HarborClusterSpec): Promise<KubeObject[]> {
  const cr: HarborCluster = { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name: 'h', namespace: 'ns' }, spec };
  return helmTemplate({ helm: goldenHelm(), chartDir, timeoutMs: 60_000 }, 'h', 'ns', toValues(cr, fixedSecrets));
}

// One variable each component's main container gets from its Secret (charts/harbor/templates/<c>/).
const secretHeld: [keyof NonNullable<HarborClusterSpec['components']>, string][] = [
  ['core', 'CORE_SECRET'],
  ['jobservice', 'JOBSERVICE_SECRET'],
  ['registry', 'REGISTRY_HTTP_SECRET'],
  ['trivy', 'SCANNER_REDIS_URL'],
  ['exporter', 'HARBOR_DATABASE_PASSWORD'],
];

for (const [component, name] of secretHeld) {
  test(`${component}: env ${name} (set by the operator from a Secret) fails the render, naming both`, async () => {
    await assert.rejects(
      render({ ...base, components: { [component]: { env: [{ name, value: 'mine' }] } } }),
      (err: Error) => err.message.includes(`spec.components.${component}.env: ${name} is set by the operator from a Secret`) && !err.message.includes('mine'),
    );
  });
}

test("a name from the component's ConfigMap is rendered after envFrom, so the pod takes the HarborCluster's value", async () => {
  const objects = await render({ ...base, components: { core: { env: [{ name: 'LOG_LEVEL', value: 'debug' }] } } });
  const core = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'h-core');
  type Container = { envFrom?: { configMapRef?: { name: string } }[]; env?: { name: string; value?: string }[] };
  const container: Container | undefined = (core?.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
  assert.ok(container, 'core container');
  assert.equal(container.envFrom?.[0]?.configMapRef?.name, 'h-core');
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'h-core');
  assert.equal((configMap?.['data'] as Record<string, string>)['LOG_LEVEL'], 'info', 'the ConfigMap keeps the operator value');
  assert.deepEqual(container.env?.at(-1), { name: 'LOG_LEVEL', value: 'debug' });
});

test('the same env on two components: each renders its own, portal (no env of its own) gets an env list', async () => {
  const objects = await render({ ...base, components: { portal: { env: [{ name: 'TZ', value: 'UTC' }] }, registry: { env: [{ name: 'TZ', value: 'UTC' }] } } });
  const env = (name: string, container: string): unknown =>
    (
      objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)?.spec as {
        template: { spec: { containers: { name: string; env?: { name: string }[] }[] } };
      }
    ).template.spec.containers
      .find((c) => c.name === container)
      ?.env?.filter((e) => e.name === 'TZ');
  assert.deepEqual(env('h-portal', 'portal'), [{ name: 'TZ', value: 'UTC' }]);
  assert.deepEqual(env('h-registry', 'registry'), [{ name: 'TZ', value: 'UTC' }]);
  assert.deepEqual(env('h-registry', 'registryctl'), [], 'the main container only');
});
