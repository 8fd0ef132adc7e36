// The operator's own kubeconfig reading (src/kube/kubeconfig.ts): for the
// plain kinds of kubeconfig it must give the HTTP client what
// @kubernetes/client-node's KubeConfig gives (compared case by case); the
// rest goes to client-node; files are re-read (rotation); in a pod, the
// service account.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { KubeconfigError, loadApiAccess, type ApiAccess } from '../../src/kube/kubeconfig.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeconfig-test-'));
  await writeFile(join(dir, 'ca.crt'), 'CA FILE');
  await writeFile(join(dir, 'client.crt'), 'CERT FILE');
  await writeFile(join(dir, 'client.key'), 'KEY FILE');
  await writeFile(join(dir, 'token'), 'file-token');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx',
    contexts: [
      { name: 'other', context: { cluster: 'other', user: 'other' } },
      { name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'ns' } },
    ],
    clusters: [
      { name: 'other', cluster: { server: 'https://other.invalid' } },
      { name: 'c', cluster: { server: 'https://api.example.test:6443/', ...cluster } },
    ],
    users: [
      { name: 'other', user: { token: 'other' } },
      { name: 'u', user },
    ],
  };
}

let fileNo = 0;
async function write(config: unknown): Promise<string> {
  const path = join(dir, `config-${++fileNo}`);
  await writeFile(path, stringify(config));
  return path;
}

async function options(access: ApiAccess): Promise<Record<string, unknown>> {
  const o: RequestOptions = {};
  await access.applyToHTTPSOptions(o);
  const text = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString() : v);
  const headers = (o.headers ?? {}) as Record<string, string>;
  return {
    server: access.getCurrentCluster()?.server,
    ca: text(o.ca),
    cert: text(o.cert),
    key: text(o.key),
    rejectUnauthorized: o.rejectUnauthorized,
    servername: o.servername,
    authorization: headers['Authorization'],
    auth: o.auth,
  };
}

const plainCases: { name: string; cluster: Record<string, unknown>; user: Record<string, unknown>; want: Record<string, unknown> }[] = [
  {
    name: 'client certificate and key files, CA file, relative to the kubeconfig',
    cluster: { 'certificate-authority': 'ca.crt' },
    user: { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    want: { ca: 'CA FILE', cert: 'CERT FILE', key: 'KEY FILE' },
  },
  {
    name: 'certificate data',
    cluster: { 'certificate-authority-data': b64('CA DATA') },
    user: { 'client-certificate-data': b64('CERT DATA'), 'client-key-data': b64('KEY DATA') },
    want: { ca: 'CA DATA', cert: 'CERT DATA', key: 'KEY DATA' },
  },
  { name: 'a token', cluster: {}, user: { token: 'abc' }, want: { authorization: 'Bearer abc' } },
  // (absolute: client-node reads token-file relative to the working directory, kubectl and we to the kubeconfig)
  { name: 'a token file', cluster: {}, user: { 'token-file': '<dir>/token' }, want: { authorization: 'Bearer file-token' } },
  { name: 'user name and password', cluster: {}, user: { username: 'ann', password: 'pw' }, want: { auth: 'ann:pw' } },
  {
    name: 'insecure, with a TLS server name',
    cluster: { 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' },
    user: { token: 't' },
    want: { rejectUnauthorized: false, servername: 'kubernetes', authorization: 'Bearer t' },
  },
  { name: 'no user fields at all', cluster: {}, user: {}, want: {} },
];

describe('kubeconfig: the plain kinds, as client-node reads them', () => {
  for (const c of plainCases) {
    test(c.name, async () => {
      const user = Object.fromEntries(Object.entries(c.user).map(([k, v]) => [k, typeof v === 'string' ? v.replace('<dir>', dir) : v]));
      const path = await write(kubeconfig(c.cluster, user));
      const ours = await loadApiAccess({ path, env: {} });
      assert.ok(!(ours instanceof KubeConfig), 'read without client-node');
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      const theirs = await options(kc);
      const mine = await options(ours);
      const want = { server: 'https://api.example.test:6443', ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: undefined, servername: undefined, authorization: undefined, auth: undefined, ...c.want };
      assert.deepEqual(mine, want);
      assert.deepEqual(theirs, want, 'client-node reads it the same way');
    });
  }

  test('kubectl\'s tokenFile, re-read on every call (rotation)', async () => {
    const token = join(dir, 'rotating');
    await writeFile(token, 'one\n');
    const path = await write(kubeconfig({}, { tokenFile: token }));
    const access = await loadApiAccess({ path, env: {} });
    assert.equal((await options(access))['authorization'], 'Bearer one');
    await writeFile(token, 'two');
    assert.equal((await options(access))['authorization'], 'Bearer two');
  });
});

describe('kubeconfig: what is not plain goes to client-node', () => {
  const cases: { name: string; cluster: Record<string, unknown>; user: Record<string, unknown> }[] = [
    { name: 'an exec plugin', cluster: {}, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' } } },
    { name: 'an auth provider', cluster: {}, user: { 'auth-provider': { name: 'oidc', config: {} } } },
    { name: 'impersonation', cluster: {}, user: { token: 't', as: 'someone' } },
    { name: 'a proxy', cluster: { 'proxy-url': 'http://proxy.invalid:3128' }, user: { token: 't' } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const access = await loadApiAccess({ path: await write(kubeconfig(c.cluster, c.user)), env: {} });
      assert.ok(access instanceof KubeConfig);
      assert.equal(access.getCurrentCluster()?.server, 'https://api.example.test:6443');
    });
  }

  test('KUBECONFIG or --kubeconfig naming several files: client-node merges them', async () => {
    const a = await write(kubeconfig({}, { token: 'a' }));
    const b = await write({
      'current-context': 'b',
      contexts: [{ name: 'b', context: { cluster: 'cb', user: 'ub' } }],
      clusters: [{ name: 'cb', cluster: { server: 'https://b.invalid' } }],
      users: [{ name: 'ub', user: { token: 'b' } }],
    });
    for (const opts of [{ env: { KUBECONFIG: `${a}:${b}` } }, { path: `${a}:${b}`, env: {} }]) {
      const access = await loadApiAccess({ ...opts, home: dir });
      assert.ok(access instanceof KubeConfig);
      assert.equal((await options(access))['authorization'], 'Bearer a', 'the first file\'s context wins');
    }
  });
});

describe('kubeconfig: where it is looked for', () => {
  const sa = (): string => join(dir, 'sa');
  before(async () => {
    await rm(sa(), { recursive: true, force: true });
    await mkdir(sa());
    await writeFile(join(sa(), 'token'), 'sa-token');
    await writeFile(join(sa(), 'ca.crt'), 'SA CA');
  });
  const emptyHome = (): string => join(dir, 'no-home');

  test('--kubeconfig first, then KUBECONFIG, then ~/.kube/config, then the service account', async () => {
    const a = await write(kubeconfig({}, { token: 'from-path' }));
    const b = await write(kubeconfig({}, { token: 'from-env' }));
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(home, '.kube', 'config'), stringify(kubeconfig({}, { token: 'from-home' })));
    const env = { KUBECONFIG: b, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const token = async (o: Parameters<typeof loadApiAccess>[0]): Promise<unknown> => (await options(await loadApiAccess(o)))['authorization'];
    assert.equal(await token({ path: a, env, home, serviceAccountDir: sa() }), 'Bearer from-path');
    assert.equal(await token({ env, home, serviceAccountDir: sa() }), 'Bearer from-env');
    assert.equal(await token({ env: { ...env, KUBECONFIG: '' }, home, serviceAccountDir: sa() }), 'Bearer from-home');
    assert.equal(await token({ env: { ...env, KUBECONFIG: '' }, home: emptyHome(), serviceAccountDir: sa() }), 'Bearer sa-token');
  });

  const pods: { name: string; host: string; port: string; server: string }[] = [
    { name: 'IPv4', host: '10.96.0.1', port: '443', server: 'https://10.96.0.1:443' },
    { name: 'IPv6 in brackets', host: 'fd00::1', port: '443', server: 'https://[fd00::1]:443' },
    { name: 'plain HTTP ports', host: '10.96.0.1', port: '8080', server: 'http://10.96.0.1:8080' },
  ];
  for (const p of pods) {
    test(`in a pod: ${p.name}`, async () => {
      const access = await loadApiAccess({ env: { KUBERNETES_SERVICE_HOST: p.host, KUBERNETES_SERVICE_PORT: p.port }, home: emptyHome(), serviceAccountDir: sa() });
      const o = await options(access);
      assert.equal(o['server'], p.server);
      assert.equal(o['ca'], 'SA CA');
      assert.equal(o['authorization'], 'Bearer sa-token');
    });
  }

  test('in a pod, a rotated token is read on the next call', async () => {
    const access = await loadApiAccess({ env: { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '443' }, home: emptyHome(), serviceAccountDir: sa() });
    await writeFile(join(sa(), 'token'), 'rotated\n');
    assert.equal((await options(access))['authorization'], 'Bearer rotated');
    await writeFile(join(sa(), 'token'), 'sa-token');
  });

  const errors: { name: string; run: () => Promise<unknown>; message: RegExp }[] = [
    { name: 'nothing configured', run: () => loadApiAccess({ env: {}, home: emptyHome(), serviceAccountDir: join(dir, 'none') }), message: /no Kubernetes cluster configured/ },
    { name: 'a missing file', run: () => loadApiAccess({ path: join(dir, 'missing'), env: {} }), message: /cannot read the kubeconfig .*missing/ },
    { name: 'no current-context', run: async () => loadApiAccess({ path: await write({ ...kubeconfig({}, {}), 'current-context': '' }), env: {} }), message: /has no current-context/ },
    {
      name: 'a context naming an absent cluster',
      run: async () => loadApiAccess({ path: await write({ ...kubeconfig({}, {}), 'current-context': 'other', clusters: [] }), env: {} }),
      message: /has no cluster named "other"/,
    },
    {
      name: 'a service account without the service address',
      run: () => loadApiAccess({ env: {}, home: emptyHome(), serviceAccountDir: sa() }),
      message: /KUBERNETES_SERVICE_HOST/,
    },
  ];
  for (const e of errors) {
    test(`error: ${e.name}`, async () => {
      await assert.rejects(e.run(), (err: unknown) => err instanceof KubeconfigError && e.message.test(err.message));
    });
  }
});

test('the operator does not import client-node up front (only kubeconfig.ts may, lazily)', async () => {
  const seen = new Set<string>();
  const bare = new Map<string, string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
      const [, isType, spec = ''] = m;
      if (isType) continue;
      if (spec.startsWith('.')) await visit(resolve(dirname(file), spec));
      else bare.set(spec, file);
    }
  };
  await visit(resolve(import.meta.dirname, '../../src/main.ts'));
  assert.ok(seen.size > 20, `walked ${seen.size} files`);
  assert.ok(bare.has('yaml'), 'the walk sees package imports');
  assert.equal(bare.get('@kubernetes/client-node'), undefined, 'imported statically');
});
