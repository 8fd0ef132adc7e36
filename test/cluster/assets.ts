// Finds the control-plane binaries: from the envtest variables a user may
// already have set, else from the build cache, building what is missing.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const here = dirname(fileURLToPath(import.meta.url));

export interface Versions {
  kubernetes: string;
  etcd: string;
  kwok: string;
  helm: string;
  certManager: string;
}

export const versions: Versions = JSON.parse(
  readFileSync(join(here, 'versions.json'), 'utf8'),
) as Versions;

export interface Assets {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  etcd: string;
  kwok: string;
  /** kwok's stage configuration (Node, Pod, PV and PVC lifecycles). */
  kwokStages: string;
  /** cert-manager's CRDs, one multi-document YAML file. */
  certManagerCrds: string;
  helm: string;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env['HARBOR_OPERATOR_CACHE'] ??
    join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'harbor-operator')
  );
}

type Component = 'kubernetes' | 'etcd' | 'kwok' | 'helm' | 'certManager';

const binaries: Record<Exclude<keyof Assets, 'kwokStages' | 'certManagerCrds'>, { file: string; component: Component; env: string }> = {
  kubeApiserver: { file: 'kube-apiserver', component: 'kubernetes', env: 'TEST_ASSET_KUBE_APISERVER' },
  kubeControllerManager: {
    file: 'kube-controller-manager',
    component: 'kubernetes',
    env: 'TEST_ASSET_KUBE_CONTROLLER_MANAGER',
  },
  kubeScheduler: { file: 'kube-scheduler', component: 'kubernetes', env: 'TEST_ASSET_KUBE_SCHEDULER' },
  etcd: { file: 'etcd', component: 'etcd', env: 'TEST_ASSET_ETCD' },
  kwok: { file: 'kwok', component: 'kwok', env: 'TEST_ASSET_KWOK' },
  helm: { file: 'helm', component: 'helm', env: 'HELM_BIN' },
};

const folder: Record<Component, string> = {
  kubernetes: 'kubernetes',
  etcd: 'etcd',
  kwok: 'kwok',
  helm: 'helm',
  certManager: 'cert-manager',
};

function cachedPath(component: Component, file: string, env: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env), 'bin', `${folder[component]}-${versions[component]}`, file);
}

/** Where each binary would come from, without building anything. */
export function locate(env: NodeJS.ProcessEnv = process.env): {
  found: Partial<Assets>;
  missing: Component[];
} {
  const found: Partial<Assets> = {};
  const missing = new Set<Component>();
  for (const [key, b] of Object.entries(binaries) as [keyof typeof binaries, (typeof binaries)[keyof typeof binaries]][]) {
    const fromEnv = env[b.env];
    const fromAssets = env['KUBEBUILDER_ASSETS'] ? join(env['KUBEBUILDER_ASSETS'], b.file) : undefined;
    const candidates = [fromEnv, fromAssets, cachedPath(b.component, b.file, env)];
    const path = candidates.find((p): p is string => p !== undefined && existsSync(p));
    if (path) found[key] = path;
    else missing.add(b.component);
  }
  const stages = cachedPath('kwok', 'stages.yaml', env);
  if (existsSync(stages)) found.kwokStages = stages;
  else missing.add('kwok');
  const crds = cachedPath('certManager', 'crds.yaml', env);
  if (existsSync(crds)) found.certManagerCrds = crds;
  else missing.add('certManager');
  return { found, missing: [...missing] };
}

/** Returns every binary, building the missing components with build.sh. */
export async function ensureAssets(env: NodeJS.ProcessEnv = process.env): Promise<Assets> {
  const first = locate(env);
  for (const component of first.missing) {
    try {
      await execa('bash', [join(here, 'build.sh'), folder[component]], { env, stdout: 'ignore', stderr: 'inherit' });
    } catch (err) {
      throw new Error(
        `cannot build ${component} ${versions[component]} for the local control plane: ` +
          `${(err as Error).message.split('\n')[0] ?? ''}. ` +
          'Go >= 1.26 and the Go module proxy are needed, or point KUBEBUILDER_ASSETS / TEST_ASSET_* at existing binaries.',
        { cause: err },
      );
    }
  }
  const second = locate(env);
  if (second.missing.length > 0) {
    throw new Error(`control-plane binaries still missing after the build: ${second.missing.join(', ')}`);
  }
  return second.found as Assets;
}
