// The operator's table of requests (src/kube/permissions.ts) against the code
// that sends them: every request call in src/ is in src/kube/ and named by an
// entry, no entry names a call that is gone, and no entry holds a verb its
// calls cannot need. Adding a request without its RBAC fails here; the chart
// is compared with the table in deploy-chart.test.ts.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import {
  cliOnlyFiles,
  grantOf,
  operatorPermissions,
  requestAttributes,
  verbsOfMethod,
  type Method,
  type RequestAttributes,
} from '../../src/kube/permissions.ts';

const src = new URL('../../src/', import.meta.url).pathname;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface CallSite {
  file: string;
  method: Method | undefined;
  text: string;
}

/** `.request(…)` / `.request<T>(…)` and `.stream(…)` calls, with the method when it is a literal. */
async function callSites(): Promise<CallSite[]> {
  const out: CallSite[] = [];
  for (const file of await sources(src)) {
    const rel = relative(src, file);
    if (rel === 'kube/http.ts') continue; // defines them
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/\.(request|stream)\s*(?:<(?:[^<>]|<[^<>]*>)*>)?\s*\(\s*([^,)]*)/g)) {
      const literal = /^'([A-Z]+)'$/.exec(m[2]?.trim() ?? '')?.[1] as Method | undefined;
      out.push({ file: rel, method: m[1] === 'stream' ? 'WATCH' : literal, text: m[0] });
    }
  }
  return out;
}

test('every request is sent from src/kube/, with a literal method', async () => {
  const sites = await callSites();
  assert.ok(sites.length >= 10, `found the calls (${sites.length})`);
  for (const s of sites) {
    assert.ok(s.file.startsWith('kube/'), `${s.file}: ${s.text} — only src/kube/ talks to the API server`);
    assert.ok(s.method, `${s.file}: ${s.text} — the method must be a literal, so the table can name the call`);
  }
});

test('the table names every call of the operator, and only calls that exist', async () => {
  const operatorCalls = new Set(
    (await callSites()).filter((s) => !cliOnlyFiles.includes(s.file.replace(/^kube\//, ''))).map((s) => `${s.file.replace(/^kube\//, '')} ${s.method ?? '?'}`),
  );
  const named = new Set<string>(operatorPermissions.flatMap((p) => p.sentBy));
  assert.deepEqual([...operatorCalls].filter((c) => !named.has(c)).sort(), [], 'calls with no entry in src/kube/permissions.ts');
  assert.deepEqual([...named].filter((c) => !operatorCalls.has(c)).sort(), [], 'entries naming a call that is not in the code');
});

test('every verb of an entry is one its calls can need, and every call needs one of its verbs', () => {
  for (const p of operatorPermissions) {
    const methods = p.sentBy.map((s) => s.split(' ')[1] as Method);
    const possible = new Set(methods.flatMap((m) => verbsOfMethod[m]));
    for (const v of p.verbs) assert.ok(possible.has(v), `${p.resource}: ${v} is not sent by ${p.sentBy.join(', ')}`);
    for (const m of methods) {
      assert.ok(
        verbsOfMethod[m].some((v) => p.verbs.includes(v)),
        `${p.resource}: ${m} is listed as a sender but needs none of ${p.verbs.join(', ')}`,
      );
    }
  }
});

const attributeCases: { name: string; input: [Method, string, Record<string, unknown>?]; expected: RequestAttributes | undefined }[] = [
  {
    name: 'list of a core kind in a namespace',
    input: ['GET', '/api/v1/namespaces/a/secrets'],
    expected: { group: '', resource: 'secrets', verb: 'list', namespace: 'a', name: '' },
  },
  {
    name: 'get of one object',
    input: ['GET', '/api/v1/namespaces/a/secrets/s%2Fx'],
    expected: { group: '', resource: 'secrets', verb: 'get', namespace: 'a', name: 's/x' },
  },
  {
    name: 'watch through stream',
    input: ['WATCH', '/apis/apps/v1/deployments'],
    expected: { group: 'apps', resource: 'deployments', verb: 'watch', namespace: '', name: '' },
  },
  {
    name: 'watch=true on a GET',
    input: ['GET', '/apis/apps/v1/namespaces/a/deployments', { watch: true }],
    expected: { group: 'apps', resource: 'deployments', verb: 'watch', namespace: 'a', name: '' },
  },
  {
    name: 'list with a field selector on the name: the name counts',
    input: ['GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { fieldSelector: 'metadata.name=certificates.cert-manager.io' }],
    expected: { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'list', namespace: '', name: 'certificates.cert-manager.io' },
  },
  {
    name: 'status subresource patch',
    input: ['PATCH', '/apis/harbor-operator.dev/v1alpha1/namespaces/a/harborclusters/h/status'],
    expected: { group: 'harbor-operator.dev', resource: 'harborclusters/status', verb: 'patch', namespace: 'a', name: 'h' },
  },
  {
    name: 'create',
    input: ['POST', '/api/v1/namespaces/a/events'],
    expected: { group: '', resource: 'events', verb: 'create', namespace: 'a', name: '' },
  },
  {
    name: 'update',
    input: ['PUT', '/apis/coordination.k8s.io/v1/namespaces/sys/leases/l'],
    expected: { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'sys', name: 'l' },
  },
  {
    name: 'delete of one object',
    input: ['DELETE', '/api/v1/namespaces/a/configmaps/c'],
    expected: { group: '', resource: 'configmaps', verb: 'delete', namespace: 'a', name: 'c' },
  },
  {
    name: 'delete of a collection',
    input: ['DELETE', '/api/v1/namespaces/a/configmaps'],
    expected: { group: '', resource: 'configmaps', verb: 'deletecollection', namespace: 'a', name: '' },
  },
  { name: 'a non-resource path', input: ['GET', '/healthz'], expected: undefined },
  { name: 'discovery', input: ['GET', '/apis/apps/v1'], expected: undefined },
];

for (const c of attributeCases) {
  test(`requestAttributes: ${c.name}`, () => {
    assert.deepEqual(requestAttributes(...c.input), c.expected);
  });
}

const grantCases: { name: string; input: [Method, string, Record<string, unknown>?]; expected: boolean }[] = [
  { name: 'informer list of Deployments', input: ['GET', '/apis/apps/v1/namespaces/a/deployments'], expected: true },
  { name: 'apply of a ConfigMap', input: ['PATCH', '/api/v1/namespaces/a/configmaps/c'], expected: true },
  { name: 'read of a referenced Secret', input: ['GET', '/api/v1/namespaces/a/secrets/s'], expected: true },
  { name: 'read of one ConfigMap (the live object behind an ownership decision)', input: ['GET', '/api/v1/namespaces/a/configmaps/c'], expected: true },
  { name: 'read of one Pod: never sent', input: ['GET', '/api/v1/namespaces/a/pods/p'], expected: false },
  { name: 'update of a Deployment: never sent', input: ['PUT', '/apis/apps/v1/namespaces/a/deployments/d'], expected: false },
  { name: 'update of status: never sent', input: ['PUT', '/apis/harbor-operator.dev/v1alpha1/namespaces/a/harborclusters/h/status'], expected: false },
  { name: 'patch of a HarborCluster itself (its finalizers)', input: ['PATCH', '/apis/harbor-operator.dev/v1alpha1/namespaces/a/harborclusters/h'], expected: true },
  { name: 'delete of a HarborCluster: never sent', input: ['DELETE', '/apis/harbor-operator.dev/v1alpha1/namespaces/a/harborclusters/h'], expected: false },
  { name: 'read of a StorageClass', input: ['GET', '/apis/storage.k8s.io/v1/storageclasses/standard'], expected: true },
  { name: 'update of a Job: never sent', input: ['PUT', '/apis/batch/v1/namespaces/a/jobs/j'], expected: false },
  { name: 'the Lease by its name', input: ['PUT', '/apis/coordination.k8s.io/v1/namespaces/sys/leases/op-leader'], expected: true },
  { name: 'another Lease', input: ['PUT', '/apis/coordination.k8s.io/v1/namespaces/sys/leases/other'], expected: false },
  {
    name: 'the cert-manager CRD by name',
    input: ['WATCH', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { fieldSelector: 'metadata.name=certificates.cert-manager.io' }],
    expected: true,
  },
  { name: 'every CRD', input: ['GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions'], expected: false },
];

for (const c of grantCases) {
  test(`grantOf: ${c.name}`, () => {
    const a = requestAttributes(...c.input);
    assert.ok(a);
    assert.equal(grantOf(a, { leaseName: 'op-leader' }) !== undefined, c.expected);
  });
}
