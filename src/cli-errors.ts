// One line for each way `render` and `diff` fail: the cause, and what to do
// about it. (The stack only with --debug, in cli.ts.)
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SecretRefError } from './controller/secret-refs.ts';
import { ApiError } from './kube/api-error.ts';
import { KubeconfigError } from './kube/kubeconfig.ts';
import { RenderError } from './render/render-error.ts';

/** Where `npm run cluster:build` (test/cluster/build.sh) puts binaries. */
function cacheBin(env: NodeJS.ProcessEnv): string {
  return join(env['HARBOR_OPERATOR_CACHE'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'harbor-operator'), 'bin');
}

/** helm binaries the build made, newest folder name last. */
export function builtHelms(env: NodeJS.ProcessEnv = process.env): string[] {
  const bin = cacheBin(env);
  try {
    return readdirSync(bin)
      .filter((d) => d.startsWith('helm-') && !d.endsWith('.tmp'))
      .sort()
      .map((d) => join(bin, d, 'helm'))
      .filter((f) => existsSync(f));
  } catch {
    return [];
  }
}

const firstLine = (s: string): string => s.split('\n')[0]?.trim() ?? '';
const codeOf = (err: unknown): string | undefined =>
  err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

const unreachable = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

export function explain(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (err instanceof SecretRefError) {
    return `${err.message}: create that Secret (or change the reference in the file) and run again`;
  }
  if (err instanceof RenderError) {
    if (codeOf(err.cause) === 'ENOENT') {
      const built = builtHelms(env);
      return (
        `${err.message}: pass --helm PATH or set HELM_BIN to a helm v4 binary; ` +
        (built.length > 0
          ? `npm run cluster:build put one at ${built.at(-1) ?? ''}`
          : `npm run cluster:build builds one into ${join(cacheBin(env), 'helm-<version>', 'helm')}`)
      );
    }
    return `${firstLine(err.message)}: check the HarborCluster's values (and --chart-dir)`;
  }
  if (err instanceof KubeconfigError) return `${firstLine(err.message)}: pass --kubeconfig PATH or set KUBECONFIG`;
  if (err instanceof ApiError) {
    if (err.status === 401) return `the API server refused the credentials (401): check --kubeconfig or KUBECONFIG`;
    if (err.status === 403) {
      return `forbidden: ${firstLine(err.serverMessage)}: diff needs get and a dry-run create/update of harborclusters, get of secrets and list of the kinds the operator makes in the namespace`;
    }
    if (err.status === 404 && /\/namespaces\/[^/]+\/harborclusters/.test(err.path)) {
      if (/namespaces? "[^"]+" not found/.test(err.serverMessage)) {
        return `${firstLine(err.serverMessage)}: create the namespace first (kubectl create namespace …) or pass --namespace`;
      }
      return `the API server does not serve HarborClusters (${firstLine(err.serverMessage)}): install the CRD with kubectl apply --server-side -f crds/`;
    }
    return firstLine(err.message);
  }
  const code = codeOf(err);
  if (code && unreachable.has(code)) {
    return `cannot reach the API server (${firstLine((err as Error).message)}): is the cluster running, and are --kubeconfig / KUBECONFIG the right ones?`;
  }
  if (err && typeof err === 'object' && (err as { syscall?: unknown }).syscall === 'open') {
    const path = (err as { path?: unknown }).path;
    return `cannot read ${typeof path === 'string' ? path : 'the file'}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`;
  }
  return `${firstLine(err instanceof Error ? err.message : String(err))} (--debug shows where)`;
}
