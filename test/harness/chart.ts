// The operator's own chart in the test cluster: helm against it, a
// kubeconfig for the chart's ServiceAccount (so its RBAC is what a test
// exercises), and the chart's Deployment arguments adapted to run here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import type { KubeObject } from '../../src/model/object.ts';
import { raw } from './harbor.ts';
import { kubeConfig } from './kube.ts';
import { helmBinary } from './operator.ts';
import { processScratchDir, scratchDir } from './scratch.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
export const operatorChart = join(root, 'deploy/harbor-operator');

export async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(helmBinary(), [...args, '--kubeconfig', process.env['KUBECONFIG'] ?? ''], {
    env: { ...process.env, HELM_CACHE_HOME: join(processScratchDir(), 'helm-cache'), HELM_CONFIG_HOME: join(processScratchDir(), 'helm-config') },
  });
  return stdout;
}

/** A kubeconfig that authenticates as a ServiceAccount (a TokenRequest token); removed when the test ends. */
export async function serviceAccountKubeconfig(t: Pick<TestContext, 'after'>, namespace: string, serviceAccount: string): Promise<string> {
  const tr = await raw().request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } },
  );
  const cluster = kubeConfig().getCurrentCluster();
  assert.ok(cluster);
  const ca = cluster.caData ?? (cluster.caFile ? (await readFile(cluster.caFile)).toString('base64') : undefined);
  const dir = await scratchDir(t, 'sa-kubeconfig');
  const file = join(dir, 'kubeconfig');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: c, cluster: { server: "${cluster.server}"${ca ? `, certificate-authority-data: "${ca}"` : ''} } }]`,
      `users: [{ name: sa, user: { token: "${tr.status.token}" } }]`,
      'contexts: [{ name: sa, context: { cluster: c, user: sa } }]',
      'current-context: sa',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

/** The chart's Deployment args, with the in-image paths replaced by local ones. */
export function chartArgsForLocalRun(deployment: KubeObject, metricsPort: number, healthPort: number): string[] {
  const c = (deployment['spec'] as { template: { spec: { containers: { args?: string[] }[] } } }).template.spec.containers[0];
  const args = c?.args ?? [];
  const replace: Record<string, string> = {
    '--helm': helmBinary(),
    '--chart-dir': join(root, 'charts/harbor'),
    '--helm-home': join(processScratchDir(), 'operator-helm-home'),
    '--metrics-bind-address': `127.0.0.1:${metricsPort}`,
    '--health-probe-bind-address': `127.0.0.1:${healthPort}`,
  };
  return args.map((a) => {
    const [flag] = a.split('=');
    const v = flag ? replace[flag] : undefined;
    return v !== undefined && flag ? `${flag}=${v}` : a;
  });
}
