// A real Kubernetes control plane as local processes on loopback: etcd,
// kube-apiserver (RBAC, service accounts), kube-controller-manager (garbage
// collector, Deployments, ...), kube-scheduler and kwok, which keeps fake
// nodes alive and marks their pods Running and Ready. Nothing runs inside the
// pods; everything else is the real API server.
//
// Every process is started detached with its output in <dir>/logs, and its
// pid and command line are kept in <dir>/state.json, so that one command can
// start a cluster and a later one stop it, and a test can stop and restart a
// single component.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureAssets, type Assets } from './assets.ts';
import { createPki, pkiPaths, type Pki } from './pki.ts';

export const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/** kwok stages of this project's own (kwok-stages.yaml). */
const OWN_KWOK_STAGES = join(import.meta.dirname, 'kwok-stages.yaml');
// Dual-stack (IPv4 primary), so that Services of spec.network (PreferDualStack,
// RequireDualStack, IPv6 first) are accepted as on a dual-stack cluster; a
// single-stack API server refuses them ("not configured for dual-stack").
const SERVICE_CIDR = '10.96.0.0/16,fd00:10:96::/112';
const SERVICE_IP = '10.96.0.1';
const POD_CIDR = '10.244.0.0/16';

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';
const ORDER: ComponentName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];

export interface ComponentState {
  bin: string;
  args: string[];
  pid: number;
  log: string;
}

export interface ClusterState {
  name: string;
  dir: string;
  kubeconfig: string;
  server: string;
  helm: string;
  components: Partial<Record<ComponentName, ComponentState>>;
  /** Other processes started against this cluster (the demo's operator); stopped first. */
  extras?: Record<string, ComponentState>;
}

export interface StartOptions {
  name: string;
  /** Folder for data, certificates, logs and state; removed by stopCluster. */
  dir: string;
  /** Fake nodes kept Ready by kwok. */
  nodes?: number;
  /** Extra kube-apiserver flags, e.g. for fault tests. */
  apiserverArgs?: string[];
  log?: (message: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function spawnDetached(bin: string, args: string[], log: string): number {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`cannot start ${bin}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Tls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function tlsOf(pki: Pki): Tls {
  return { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
}

/** GET with the admin client certificate; resolves to the status and body. */
export function adminGet(url: string, tls: Tls, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(
  what: string,
  component: ComponentState | undefined,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (component && !isAlive(component.pid)) {
      throw new Error(`${what} exited during start-up; last lines of ${component.log}:\n${tail(component.log)}`);
    }
    try {
      if (await check()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(
    `${what} not ready after ${timeoutMs} ms${last ? ` (${last})` : ''}` +
      (component ? `; last lines of ${component.log}:\n${tail(component.log)}` : ''),
  );
}

function kubeconfigYaml(name: string, server: string, pki: Pki): string {
  const b64 = (f: string): string => readFileSync(f).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    `- name: ${name}-admin`,
    '  user:',
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}-admin`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}

function commandLines(
  assets: Assets,
  dir: string,
  pki: Pki,
  kubeconfig: string,
  ports: { etcdClient: number; etcdPeer: number; apiserver: number },
  apiserverArgs: string[],
): Record<ComponentName, { bin: string; args: string[] }> {
  const etcdURL = `http://127.0.0.1:${ports.etcdClient}`;
  const peerURL = `http://127.0.0.1:${ports.etcdPeer}`;
  return {
    etcd: {
      bin: assets.etcd,
      args: [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdURL}`,
        `--advertise-client-urls=${etcdURL}`,
        `--listen-peer-urls=${peerURL}`,
        `--initial-advertise-peer-urls=${peerURL}`,
        `--initial-cluster=default=${peerURL}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    },
    'kube-apiserver': {
      bin: assets.kubeApiserver,
      args: [
        `--etcd-servers=${etcdURL}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${ports.apiserver}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--allow-privileged=true',
        '--profiling=false',
        '--endpoint-reconciler-type=none',
        ...apiserverArgs,
      ],
    },
    'kube-controller-manager': {
      bin: assets.kubeControllerManager,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        `--root-ca-file=${pki.caCert}`,
        `--service-account-private-key-file=${pki.saKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // kwok's fake nodes are alive by definition, but under load its
        // heartbeat can lag past the default grace period; the node
        // lifecycle controller would then mark every pod NotReady, which
        // kwok never undoes. The controller stays (it lifts the not-ready
        // taint new nodes get), with a grace period no test run reaches.
        '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route',
        '--node-monitor-grace-period=1h',
        '--concurrent-gc-syncs=5',
        // Each controller has a client of its own, limited to 20 requests
        // a second by default. The persistent-volume binder makes about four
        // writes per claim: at a thousand HarborClusters (4000 claims) that
        // limit alone kept pods Pending for over 15 minutes.
        '--kube-api-qps=100',
        '--kube-api-burst=200',
      ],
    },
    'kube-scheduler': {
      bin: assets.kubeScheduler,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--secure-port=0',
      ],
    },
    kwok: {
      bin: assets.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
        `--cidr=${POD_CIDR}`,
        '--node-ip=127.0.0.1',
        `--config=${assets.kwokStages}`,
        // Ours, after kwok's: an image that cannot be pulled (kwok-stages.yaml).
        `--config=${OWN_KWOK_STAGES}`,
      ],
    },
  };
}

export async function startComponent(state: ClusterState, name: ComponentName): Promise<ComponentState> {
  const c = state.components[name];
  if (!c) throw new Error(`unknown component ${name}`);
  c.pid = spawnDetached(c.bin, c.args, c.log);
  await saveState(state);
  return c;
}

/**
 * Starts another process against the cluster; stopCluster stops it too. Its
 * output goes to <dir>/logs/<name>.log, or to opts.log (a file outside the
 * cluster's folder outlives stopCluster).
 */
export async function startExtra(state: ClusterState, name: string, bin: string, args: string[], opts: { log?: string } = {}): Promise<ComponentState> {
  const log = opts.log ?? join(state.dir, 'logs', `${name}.log`);
  const extra: ComponentState = { bin, args, log, pid: spawnDetached(bin, args, log) };
  state.extras = { ...(state.extras ?? {}), [name]: extra };
  await saveState(state);
  return extra;
}

export async function stopComponent(state: ClusterState, name: ComponentName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const c = state.components[name];
  if (c) await killAndWait(c.pid, signal);
}

async function killAndWait(pid: number, signal: NodeJS.Signals, timeoutMs = 10_000): Promise<void> {
  const send = (s: NodeJS.Signals): void => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, s);
      } catch {
        // already gone
      }
    }
  };
  if (!isAlive(pid)) return;
  send(signal);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    send('SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
}

async function saveState(state: ClusterState): Promise<void> {
  await writeFile(join(state.dir, 'state.json'), JSON.stringify(state, null, 2));
}

export async function readState(dir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** Waits until kube-apiserver answers /readyz. */
export async function waitApiserverReady(state: ClusterState, timeoutMs = 60_000): Promise<void> {
  const pki = pkiIn(state.dir);
  const tls = tlsOf(pki);
  await waitFor(
    'kube-apiserver',
    state.components['kube-apiserver'],
    async () => (await adminGet(`${state.server}/readyz`, tls)).status === 200,
    timeoutMs,
  );
}

function pkiIn(dir: string): Pki {
  return pkiPaths(join(dir, 'pki'));
}

export async function startCluster(opts: StartOptions): Promise<ClusterState> {
  const log = opts.log ?? ((): void => undefined);
  const { dir, name } = opts;
  if (existsSync(join(dir, 'state.json'))) {
    throw new Error(`a cluster state already exists in ${dir}; stop it first`);
  }
  const assets = await ensureAssets();
  await mkdir(join(dir, 'logs'), { recursive: true, mode: 0o700 });
  log(`creating certificates in ${join(dir, 'pki')}`);
  const pki = await createPki(join(dir, 'pki'), SERVICE_IP);
  const ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml(name, server, pki), { mode: 0o600 });
  const lines = commandLines(assets, dir, pki, kubeconfig, ports, opts.apiserverArgs ?? []);
  const state: ClusterState = { name, dir, kubeconfig, server, helm: assets.helm, components: {} };
  for (const c of ORDER) {
    state.components[c] = { ...lines[c], pid: 0, log: join(dir, 'logs', `${c}.log`) };
  }
  await saveState(state);
  const tls = tlsOf(pki);
  try {
    log('starting etcd');
    const etcd = await startComponent(state, 'etcd');
    await waitFor(
      'etcd',
      etcd,
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports.etcdClient}/health`, { signal: AbortSignal.timeout(2000) });
        return res.ok;
      },
      30_000,
    );
    log('starting kube-apiserver');
    await startComponent(state, 'kube-apiserver');
    await waitApiserverReady(state, 90_000);
    for (const c of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const) {
      log(`starting ${c}`);
      await startComponent(state, c);
    }
    const nodes = opts.nodes ?? 1;
    log(`creating ${nodes} fake node(s)`);
    for (let i = 0; i < nodes; i++) await adminCreate(server, tls, '/api/v1/nodes', fakeNode(`kwok-node-${i}`));
    await adminCreate(server, tls, '/apis/storage.k8s.io/v1/storageclasses', storageClass);
    await waitFor(
      'fake nodes Ready (kwok)',
      state.components.kwok,
      async () => (await readyNodes(server, tls)) >= nodes,
      60_000,
    );
    await waitFor(
      'default ServiceAccount (kube-controller-manager)',
      state.components['kube-controller-manager'],
      async () => (await adminGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls)).status === 200,
      60_000,
    );
    for (const c of ORDER) {
      const comp = state.components[c];
      if (comp && !isAlive(comp.pid)) throw new Error(`${c} exited; last lines of ${comp.log}:\n${tail(comp.log)}`);
    }
  } catch (err) {
    const keep = join(dir, '..', `${name}-failed-logs`);
    await stopCluster(state, { keepLogsIn: keep });
    throw new Error(`${(err as Error).message}\n(logs of every component kept in ${keep})`, { cause: err });
  }
  return state;
}

/** POST with the admin client certificate; an existing object is fine. */
function adminCreate(server: string, tls: Tls, path: string, object: unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = request(
      `${server}${path}`,
      { ...tls, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let out = '';
        res.on('data', (c: Buffer) => (out += c.toString()));
        res.on('end', () => {
          if (res.statusCode === 201 || res.statusCode === 409) resolve();
          else reject(new Error(`POST ${path}: HTTP ${res.statusCode ?? 0}: ${out}`));
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(object));
  });
}

function fakeNode(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [FAKE_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    status: {
      allocatable: { cpu: '64', memory: '256Gi', pods: '1000' },
      capacity: { cpu: '64', memory: '256Gi', pods: '1000' },
    },
  };
}

/** The default StorageClass; kwok's volume stages bind its claims to fake PVs. */
const storageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'kwok-volume', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'kwok.x-k8s.io/volume',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
};

async function readyNodes(server: string, tls: Tls): Promise<number> {
  const res = await adminGet(`${server}/api/v1/nodes`, tls);
  if (res.status !== 200) return 0;
  const list = JSON.parse(res.body) as {
    items: { status?: { conditions?: { type: string; status: string }[] } }[];
  };
  return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

export interface StopOptions {
  /** Copy the logs here before the folder is removed. */
  keepLogsIn?: string;
}

/** Stops every process of the cluster and removes its folder. */
export async function stopCluster(state: ClusterState, opts: StopOptions = {}): Promise<void> {
  for (const extra of Object.values(state.extras ?? {})) {
    if (extra.pid > 0) await killAndWait(extra.pid, 'SIGTERM');
  }
  for (const c of [...ORDER].reverse()) {
    const comp = state.components[c];
    if (comp && comp.pid > 0) await killAndWait(comp.pid, 'SIGTERM');
  }
  if (opts.keepLogsIn && existsSync(join(state.dir, 'logs'))) {
    await mkdir(opts.keepLogsIn, { recursive: true });
    await cp(join(state.dir, 'logs'), opts.keepLogsIn, { recursive: true });
  }
  await rm(state.dir, { recursive: true, force: true });
}
