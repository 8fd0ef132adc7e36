// Where the API server is and how to authenticate to it: a kubeconfig file
// (--kubeconfig, KUBECONFIG, ~/.kube/config) or the pod's service account,
// in that order, as kubectl and @kubernetes/client-node look for them.
//
// The plain cases are read here: a server with a CA (file or data) or
// insecure-skip-tls-verify and tls-server-name, and a user with a client
// certificate and key, a token or token file, or a user name and password;
// in a pod, the service account's token and CA. Importing client-node costs
// about 40 MiB of the operator's RSS (idle: 129 MiB with it, 90 without; its
// KubeConfig loads the whole generated API), so it is imported only for what
// is not plain: exec plugins, auth providers, impersonation, a proxy-url,
// and lists of several files, which client-node merges. (A proxy-url is read
// but not followed: http.ts connects with an agent of its own.)
//
// Files are read again on every call of applyToHTTPSOptions (the HTTP client
// calls it once a minute), so rotated tokens and certificates are picked up.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** What the HTTP client needs; @kubernetes/client-node's KubeConfig has the same shape. */
export interface ApiAccess {
  getCurrentCluster(): { server: string } | null;
  applyToHTTPSOptions(opts: RequestOptions): Promise<void>;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LoadOptions {
  /** --kubeconfig, when given. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Where a pod's service account is mounted. */
  serviceAccountDir?: string;
}

export class KubeconfigError extends Error {}

/** One named entry of a kubeconfig list. */
type Named = { name?: unknown } & Record<string, unknown>;

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  [key: string]: unknown;
}

interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  'token-file'?: string;
  username?: string;
  password?: string;
  [key: string]: unknown;
}

const plainClusterKeys = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const plainUserKeys = new Set([
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'token',
  'tokenFile',
  'token-file',
  'username',
  'password',
  'extensions',
]);

export async function loadApiAccess(opts: LoadOptions = {}): Promise<ApiAccess> {
  const env = opts.env ?? process.env;
  // A list of files (a:b, as KUBECONFIG may hold) is merged by client-node.
  const list = (opts.path || env['KUBECONFIG'] || '').split(delimiter).filter(Boolean);
  if (list.length === 1 && list[0]) return fromFile(list[0]);
  if (list.length > 1) return viaClientNode(list);
  const home = opts.home ?? homedir();
  const own = join(home, '.kube', 'config');
  if (home && existsSync(own)) return fromFile(own);
  const sa = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (existsSync(join(sa, 'token'))) return inCluster(sa, env);
  throw new KubeconfigError('no Kubernetes cluster configured: give --kubeconfig, set KUBECONFIG or run in a cluster');
}

/** The pod's service account: the API server from the environment, its token and CA from files. */
function inCluster(dir: string, env: NodeJS.ProcessEnv): ApiAccess {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) throw new KubeconfigError(`a service account is mounted in ${dir} but KUBERNETES_SERVICE_HOST or _PORT is not set`);
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  return {
    getCurrentCluster: () => ({ server }),
    async applyToHTTPSOptions(o) {
      o.ca = await readFile(join(dir, 'ca.crt'));
      const token = (await readFile(join(dir, 'token'), 'utf8')).trim();
      o.headers = { ...(o.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
    },
  };
}

async function fromFile(path: string): Promise<ApiAccess> {
  let doc: unknown;
  try {
    doc = parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new KubeconfigError(`cannot read the kubeconfig ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const config = (doc ?? {}) as Record<string, unknown>;
  const contextName = config['current-context'];
  if (typeof contextName !== 'string' || !contextName) throw new KubeconfigError(`the kubeconfig ${path} has no current-context`);
  const context = entry(config, 'contexts', 'context', contextName, path) as { cluster?: string; user?: string };
  const cluster = entry(config, 'clusters', 'cluster', context.cluster ?? '', path) as ClusterEntry;
  const user = context.user ? (entry(config, 'users', 'user', context.user, path) as UserEntry) : {};
  if (!cluster.server) throw new KubeconfigError(`the kubeconfig ${path}: cluster ${context.cluster ?? ''} has no server`);
  const plain =
    Object.keys(cluster).every((k) => plainClusterKeys.has(k)) && Object.keys(user).every((k) => plainUserKeys.has(k));
  if (!plain) return viaClientNode([path]);
  return fromEntries(cluster, user, dirname(path));
}

function entry(config: Record<string, unknown>, list: string, field: string, name: string, path: string): Record<string, unknown> {
  const items = Array.isArray(config[list]) ? (config[list] as Named[]) : [];
  const found = items.find((i) => i.name === name);
  if (!found) throw new KubeconfigError(`the kubeconfig ${path} has no ${list.slice(0, -1)} named "${name}"`);
  const value = found[field] ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new KubeconfigError(`the kubeconfig ${path}: ${list}[${name}].${field} is not a map`);
  return value as Record<string, unknown>;
}

/** A kubeconfig's cluster and user of the plain kinds; relative file names are relative to `base`. */
function fromEntries(cluster: ClusterEntry, user: UserEntry, base: string): ApiAccess {
  const server = (cluster.server ?? '').replace(/\/$/, '');
  const file = (p: string): string => (isAbsolute(p) ? p : join(base, p));
  const bytes = async (p: string | undefined, data: string | undefined): Promise<Buffer | undefined> => {
    if (p) return readFile(file(p));
    if (data) return Buffer.from(data, 'base64');
    return undefined;
  };
  return {
    getCurrentCluster: () => ({ server }),
    async applyToHTTPSOptions(o) {
      if (cluster['insecure-skip-tls-verify'] === true) o.rejectUnauthorized = false;
      if (cluster['tls-server-name']) o.servername = cluster['tls-server-name'];
      const ca = await bytes(cluster['certificate-authority'], cluster['certificate-authority-data']);
      if (ca) o.ca = ca;
      const cert = await bytes(user['client-certificate'], user['client-certificate-data']);
      if (cert) o.cert = cert;
      const key = await bytes(user['client-key'], user['client-key-data']);
      if (key) o.key = key;
      const tokenFile = user.tokenFile ?? user['token-file'];
      const token = user.token ?? (tokenFile ? (await readFile(file(tokenFile), 'utf8')).trim() : undefined);
      if (token) o.headers = { ...(o.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
      if (user.username) o.auth = `${user.username}:${user.password ?? ''}`;
    },
  };
}

/** client-node's KubeConfig, for what is not plain; imported only then. */
async function viaClientNode(paths: string[]): Promise<ApiAccess> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  for (const [i, p] of paths.entries()) {
    if (i === 0) {
      kc.loadFromFile(p);
      continue;
    }
    const more = new KubeConfig();
    more.loadFromFile(p);
    kc.mergeConfig(more, true); // as kubectl: the first current-context set wins
  }
  if (!kc.getCurrentCluster()) throw new KubeconfigError('no Kubernetes cluster configured: give --kubeconfig, set KUBECONFIG or run in a cluster');
  return kc;
}
