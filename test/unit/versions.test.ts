// The release table and the CRD's rule on spec.version agree: the rule
// accepts exactly the table's versions and its message lists them.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdFile } from '../../src/api/codegen.ts';
import { defaultVersion, releaseOf, releases, supportedVersions } from '../../src/api/releases.ts';
import { harborClusterDefaults } from '../../src/api/types.generated.ts';
import { compareVersions, isSupportedVersion, parseVersion, versionMessage, versionRule } from '../../src/api/versions.ts';

interface Rule {
  rule: string;
  message: string;
}
interface VersionSchema {
  default: string;
  'x-kubernetes-validations': Rule[];
}

async function versionSchema(): Promise<VersionSchema> {
  const crd = parse(await readFile(crdFile, 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: { version: VersionSchema } } } } } }[] };
  };
  const v = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties.version;
  assert.ok(v, 'the CRD has spec.version');
  return v;
}

/** The CRD's `self in [...]` rule on spec.version. */
async function membershipRule(): Promise<Rule> {
  const rule = (await versionSchema())['x-kubernetes-validations'].find((r) => r.rule.startsWith('self in '));
  assert.ok(rule, 'spec.version has a `self in [...]` rule');
  return rule;
}

/** The versions the CRD's rule accepts, read from its CEL list literal. */
async function crdVersions(): Promise<string[]> {
  const m = /^self in \[(.*)\]$/.exec((await membershipRule()).rule);
  assert.ok(m?.[1] !== undefined, 'the rule is one list literal');
  return m[1].split(',').map((s) => {
    const q = /^\s*'([^']*)'\s*$/.exec(s);
    assert.ok(q?.[1] !== undefined, `a quoted string in the list: ${s}`);
    return q[1];
  });
}

test('the CRD accepts exactly the versions of the release table', async () => {
  assert.deepEqual(await crdVersions(), releases.map((r) => r.version));
  const rule = await membershipRule();
  assert.equal(rule.rule, versionRule(), `the CRD rule must be: ${versionRule()}`);
});

test('the CRD message lists exactly the versions of the release table', async () => {
  const { message } = await membershipRule();
  assert.equal(message, versionMessage(), `the CRD message must be: ${versionMessage()}`);
  const listed = message.slice(message.indexOf(': ') + 2).split(', ');
  assert.deepEqual(listed, releases.map((r) => r.version));
});

test('the downgrade rule is still there', async () => {
  const rules = (await versionSchema())['x-kubernetes-validations'];
  assert.ok(rules.some((r) => r.rule.includes('oldSelf') && /cannot be lowered/.test(r.message)));
});

test('the default is the newest release, in the CRD and the generated types', async () => {
  const newest = releases.at(-1)?.version;
  assert.equal(defaultVersion, newest);
  assert.equal((await versionSchema()).default, defaultVersion);
  assert.equal(harborClusterDefaults['spec.version'], defaultVersion);
});

test('the table: versions well-formed, unique and oldest first; every tag is v<version>', () => {
  const versions = supportedVersions();
  for (const v of versions) assert.ok(parseVersion(v), `${v} is <major>.<minor>.<patch>`);
  for (let i = 1; i < versions.length; i++) {
    assert.ok(compareVersions(versions[i - 1] ?? '', versions[i] ?? '') < 0, `${versions[i - 1]} before ${versions[i]}`);
  }
  for (const r of releases) assert.equal(r.tag, `v${r.version}`, r.version);
});

test('the table has every release of 2.13.0–2.13.5, 2.14.0–2.14.4 and 2.15.0–2.15.2', () => {
  const expected = [
    ...[0, 1, 2, 3, 4, 5].map((p) => `2.13.${p}`),
    ...[0, 1, 2, 3, 4].map((p) => `2.14.${p}`),
    ...[0, 1, 2].map((p) => `2.15.${p}`),
  ];
  assert.deepEqual(supportedVersions(), expected);
});

const supportCases: { name: string; input: string; expected: boolean }[] = [
  ...releases.map((r) => ({ name: r.version, input: r.version, expected: true })),
  { name: 'a patch the table does not have', input: '2.15.3', expected: false },
  { name: 'a patch beyond a line', input: '2.13.6', expected: false },
  { name: 'a two-digit patch', input: '2.15.10', expected: false },
  { name: 'line below the table', input: '2.12.9', expected: false },
  { name: 'line above the table', input: '2.16.0', expected: false },
  { name: 'next major', input: '3.0.0', expected: false },
  { name: 'latest', input: 'latest', expected: false },
  { name: 'v prefix', input: 'v2.15.2', expected: false },
  { name: 'no patch', input: '2.15', expected: false },
  { name: 'leading zero', input: '2.15.01', expected: false },
  { name: 'pre-release', input: '2.15.2-rc1', expected: false },
  { name: 'empty', input: '', expected: false },
];

for (const c of supportCases) {
  test(`isSupportedVersion and the CRD rule agree: ${c.name}`, async () => {
    assert.equal(isSupportedVersion(c.input), c.expected);
    assert.equal(releaseOf(c.input) !== undefined, c.expected);
    assert.equal((await crdVersions()).includes(c.input), c.expected);
  });
}

const compareCases: { name: string; input: [string, string]; expected: -1 | 0 | 1 }[] = [
  { name: 'equal', input: ['2.15.1', '2.15.1'], expected: 0 },
  { name: 'patch, numerically', input: ['2.15.9', '2.15.10'], expected: -1 },
  { name: 'minor, numerically', input: ['2.9.0', '2.13.0'], expected: -1 },
  { name: 'minor beats patch', input: ['2.14.20', '2.15.0'], expected: -1 },
  { name: 'major', input: ['3.0.0', '2.15.1'], expected: 1 },
];

for (const c of compareCases) {
  test(`compareVersions: ${c.name}`, () => {
    assert.equal(Math.sign(compareVersions(...c.input)), c.expected);
    assert.equal(Math.sign(compareVersions(c.input[1], c.input[0])), -c.expected || 0);
  });
}

test('compareVersions refuses what is not a version', () => {
  assert.throws(() => compareVersions('latest', '2.15.1'), /latest/);
});
