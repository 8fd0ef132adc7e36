// Helpers for tests that talk to the real API server started by test/run.ts
// (its kubeconfig arrives in KUBECONFIG). One fresh namespace per test.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

export function kubeConfig(): KubeConfig {
  if (!process.env['KUBECONFIG']) {
    throw new Error('KUBECONFIG is not set: run the integration tests through `npm test`, which starts the cluster');
  }
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  objects: KubernetesObjectApi;
}

export function clients(kc: KubeConfig = kubeConfig()): Clients {
  return { kc, core: kc.makeApiClient(CoreV1Api), objects: KubernetesObjectApi.makeApiClient(kc) };
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Creates a namespace for this test, waits for its default ServiceAccount
 * (made by kube-controller-manager) and deletes it when the test ends.
 */
export async function testNamespace(t: TestContext, c: Clients = clients()): Promise<string> {
  const slug = t.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  const name = `t-${slug}-${randomBytes(3).toString('hex')}`.replace(/--+/g, '-');
  await c.core.createNamespace({ body: { metadata: { name, labels: { 'harbor-operator.test/ns': 'true' } } } });
  t.after(async () => {
    await c.core.deleteNamespace({ name }).catch(() => undefined);
  });
  await waitUntil(`ServiceAccount default in ${name}`, () =>
    c.core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
  );
  return name;
}
