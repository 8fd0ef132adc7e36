// A one-cluster, one-user kubeconfig file, for processes started by tests
// (the operator against a port where nothing listens, or through a proxy).
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export async function writeKubeconfig(file: string, server: string, user: Record<string, unknown> = {}): Promise<string> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };
  await writeFile(file, stringify(config));
  return file;
}
