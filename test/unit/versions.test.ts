// The version table and the CRD's rule on spec.version agree.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdFile } from '../../src/api/codegen.ts';
import { harborClusterDefaults } from '../../src/api/types.generated.ts';
import {
  defaultVersion,
  isSupportedVersion,
  redisImage,
  supportedLines,
  versionPattern,
} from '../../src/api/versions.ts';

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

/** The regular expression of the CRD's `self.matches('...')` rule, CEL string escapes undone. */
async function crdVersionRegex(): Promise<string> {
  const rules = (await versionSchema())['x-kubernetes-validations'];
  const m = rules.map((r) => /^self\.matches\('(.*)'\)$/.exec(r.rule)).find((x) => x);
  assert.ok(m?.[1], 'spec.version has a self.matches rule');
  return m[1].replace(/\\\\/g, '\\');
}

test('the CRD rule on spec.version is the pattern of the version table', async () => {
  assert.equal(await crdVersionRegex(), versionPattern());
});

test('the CRD message lists the supported lines', async () => {
  const rules = (await versionSchema())['x-kubernetes-validations'];
  const message = rules.find((r) => r.rule.startsWith('self.matches'))?.message ?? '';
  for (const { line } of supportedLines) assert.ok(message.includes(`${line}.x`), `${line}.x in "${message}"`);
});

test('the CRD default version is the default of the table, and supported', async () => {
  assert.equal((await versionSchema()).default, defaultVersion);
  assert.equal(harborClusterDefaults['spec.version'], defaultVersion);
  assert.ok(isSupportedVersion(defaultVersion));
  const newest = supportedLines.at(-1)?.line ?? '';
  assert.ok(defaultVersion.startsWith(`${newest}.`), 'the default is on the newest line');
});

const supportCases: { name: string; input: string; expected: boolean }[] = [
  ...supportedLines.flatMap(({ line }) =>
    ['0', '1', '12'].map((patch) => ({ name: `${line}.${patch}`, input: `${line}.${patch}`, expected: true })),
  ),
  { name: 'line below the table', input: '2.12.9', expected: false },
  { name: 'line above the table', input: '2.16.0', expected: false },
  { name: 'next major', input: '3.0.0', expected: false },
  { name: 'old major, same minor number', input: '1.15.0', expected: false },
  { name: 'latest', input: 'latest', expected: false },
  { name: 'v prefix', input: 'v2.15.1', expected: false },
  { name: 'no patch', input: '2.15', expected: false },
  { name: 'leading zero', input: '2.15.01', expected: false },
  { name: 'pre-release', input: '2.15.0-rc1', expected: false },
  { name: 'empty', input: '', expected: false },
];

for (const c of supportCases) {
  test(`isSupportedVersion and the CRD rule agree: ${c.name}`, async () => {
    assert.equal(isSupportedVersion(c.input), c.expected);
    assert.equal(new RegExp(await crdVersionRegex()).test(c.input), c.expected);
  });
}

const imageCases: { name: string; input: string; expected: string }[] = [
  { name: '2.13 uses redis-photon', input: '2.13.2', expected: 'redis-photon' },
  { name: '2.14 uses redis-photon', input: '2.14.0', expected: 'redis-photon' },
  { name: '2.15 uses valkey-photon', input: '2.15.1', expected: 'valkey-photon' },
];

for (const c of imageCases) {
  test(`cache image: ${c.name}`, () => {
    assert.equal(redisImage(c.input), c.expected);
  });
}

test('redisImage refuses an unsupported version', () => {
  assert.throws(() => redisImage('2.12.0'), /unsupported Harbor version 2\.12\.0/);
});
