// Proves the local control plane is the real thing: controllers run pods to
// Ready, the garbage collector follows owner references, RBAC is enforced and
// CEL validation rules of CRDs are applied.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { clients, statusOf, testNamespace, waitUntil } from '../harness/kube.ts';

describe('local control plane', () => {
  test('a Deployment gets a ReplicaSet and Pods that become Ready', async (t) => {
    const c = clients();
    const ns = await testNamespace(t, c);
    const apps = c.kc.makeApiClient(AppsV1Api);
    const labels = { app: 'smoke' };
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'smoke' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'example.invalid/none:1' }] } },
        },
      },
    });
    const rs = await waitUntil('a ReplicaSet', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace: ns });
      return list.items[0];
    });
    assert.equal(rs.metadata?.ownerReferences?.[0]?.kind, 'Deployment');
    const pods = await waitUntil('2 Ready pods', async () => {
      const list = await c.core.listNamespacedPod({ namespace: ns });
      const ready = list.items.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      return ready.length === 2 ? ready : undefined;
    });
    for (const p of pods) {
      assert.ok(p.spec?.nodeName?.startsWith('kwok-node-'), `pod scheduled on a fake node, got ${p.spec?.nodeName}`);
      assert.equal(p.metadata?.ownerReferences?.[0]?.name, rs.metadata.name);
    }
    const d = await waitUntil('Deployment available', async () => {
      const dep = await apps.readNamespacedDeployment({ name: 'smoke', namespace: ns });
      return dep.status?.readyReplicas === 2 ? dep : undefined;
    });
    assert.equal(d.status?.availableReplicas, 2);
  });

  test('deleting an owner removes its owner-referenced children', async (t) => {
    const c = clients();
    const ns = await testNamespace(t, c);
    const owner = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
    const ownerRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' };
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'child', ownerReferences: [ownerRef] } } });
    await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'child', ownerReferences: [ownerRef] } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bystander' } } });
    await c.core.deleteNamespacedConfigMap({ name: 'owner', namespace: ns });
    await waitUntil('children garbage-collected', async () => {
      const cms = await c.core.listNamespacedConfigMap({ namespace: ns });
      const secrets = await c.core.listNamespacedSecret({ namespace: ns });
      const names = cms.items.map((x) => x.metadata?.name);
      return !names.includes('child') && !secrets.items.some((s) => s.metadata?.name === 'child') ? names : undefined;
    });
    const left = await c.core.readNamespacedConfigMap({ name: 'bystander', namespace: ns });
    assert.equal(left.metadata?.name, 'bystander', 'an object without owner reference stays');
  });

  test('a ServiceAccount without a binding is forbidden to list Secrets', async (t) => {
    const c = clients();
    const ns = await testNamespace(t, c);
    await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'nobody' } } });
    const tr = await c.core.createNamespacedServiceAccountToken({
      name: 'nobody',
      namespace: ns,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tr.status?.token;
    assert.ok(token, 'TokenRequest returned a token');
    const cluster = c.kc.getCurrentCluster();
    assert.ok(cluster);
    const sa = new KubeConfig();
    sa.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'nobody', token }],
      contexts: [{ name: 'nobody', cluster: cluster.name, user: 'nobody' }],
      currentContext: 'nobody',
    });
    const asSa = sa.makeApiClient(CoreV1Api);
    const whoami = await asSa.listNamespacedSecret({ namespace: ns }).then(
      () => 200,
      (err: unknown) => statusOf(err),
    );
    assert.equal(whoami, 403, 'listing Secrets without a binding is forbidden');
    // The same token is accepted (authenticated) for what every account may do.
    const version = await sa.makeApiClient(CoreV1Api).getAPIResources();
    assert.ok(version.resources.length > 0);
  });

  test('a CRD with an x-kubernetes-validations rule refuses an invalid object', async (t) => {
    const c = clients();
    const ns = await testNamespace(t, c);
    const ext = c.kc.makeApiClient(ApiextensionsV1Api);
    const group = `${ns}.smoke.test`;
    const crd: V1CustomResourceDefinition = {
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { min: { type: 'integer' }, max: { type: 'integer' } },
                    x_kubernetes_validations: [{ rule: 'self.min <= self.max', message: 'spec.min must not exceed spec.max' }],
                  },
                },
              },
            },
          },
        ],
      },
    };
    await ext.createCustomResourceDefinition({ body: crd });
    t.after(async () => {
      await ext.deleteCustomResourceDefinition({ name: `widgets.${group}` }).catch(() => undefined);
    });
    await waitUntil('CRD Established', async () => {
      const got = await ext.readCustomResourceDefinition({ name: `widgets.${group}` });
      return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
    });
    const custom = c.kc.makeApiClient(CustomObjectsApi);
    const create = (min: number, max: number, name: string): Promise<unknown> =>
      custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: ns,
        plural: 'widgets',
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name }, spec: { min, max } },
      });
    // The CRD may be Established a moment before its endpoint serves.
    await waitUntil('valid Widget accepted', () => create(1, 2, 'good').then(() => true));
    const err = await create(3, 2, 'bad').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(statusOf(err), 422, 'the invalid object is refused as Invalid');
    assert.match(String((err as { body?: unknown }).body), /spec\.min must not exceed spec\.max/);
  });
});
