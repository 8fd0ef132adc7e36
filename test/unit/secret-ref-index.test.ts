// SecretRefIndex: which clusters reference which Secrets, and which Secrets
// nobody references any more (so the watch can forget them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretRefIndex } from '../../src/controller/secret-ref-index.ts';

type Step = { op: 'set'; cluster: string; secrets: string[] } | { op: 'forget'; cluster: string };

const cases: {
  name: string;
  steps: Step[];
  dropped: string[][];
  clustersOf: Record<string, string[]>;
  size: number;
}[] = [
  {
    name: 'one cluster, two Secrets',
    steps: [{ op: 'set', cluster: 'a/h', secrets: ['a/db', 'a/s3'] }],
    dropped: [[]],
    clustersOf: { 'a/db': ['a/h'], 'a/s3': ['a/h'], 'a/other': [] },
    size: 2,
  },
  {
    name: 'a Secret named twice by one cluster counts once',
    steps: [{ op: 'set', cluster: 'a/h', secrets: ['a/s3', 'a/s3'] }],
    dropped: [[]],
    clustersOf: { 'a/s3': ['a/h'] },
    size: 1,
  },
  {
    name: 'a spec change drops a reference: that Secret is forgotten',
    steps: [
      { op: 'set', cluster: 'a/h', secrets: ['a/db', 'a/admin'] },
      { op: 'set', cluster: 'a/h', secrets: ['a/db'] },
    ],
    dropped: [[], ['a/admin']],
    clustersOf: { 'a/db': ['a/h'], 'a/admin': [] },
    size: 1,
  },
  {
    name: 'a Secret two clusters share stays while one still references it',
    steps: [
      { op: 'set', cluster: 'a/h1', secrets: ['a/shared'] },
      { op: 'set', cluster: 'a/h2', secrets: ['a/shared'] },
      { op: 'forget', cluster: 'a/h1' },
    ],
    dropped: [[], [], []],
    clustersOf: { 'a/shared': ['a/h2'] },
    size: 1,
  },
  {
    name: 'the last cluster goes: everything is forgotten',
    steps: [
      { op: 'set', cluster: 'a/h1', secrets: ['a/shared', 'a/own'] },
      { op: 'set', cluster: 'a/h2', secrets: ['a/shared'] },
      { op: 'forget', cluster: 'a/h1' },
      { op: 'forget', cluster: 'a/h2' },
    ],
    dropped: [[], [], ['a/own'], ['a/shared']],
    clustersOf: { 'a/shared': [], 'a/own': [] },
    size: 0,
  },
  {
    name: 'forgetting a cluster that references nothing drops nothing',
    steps: [{ op: 'forget', cluster: 'a/none' }],
    dropped: [[]],
    clustersOf: {},
    size: 0,
  },
];

for (const c of cases) {
  test(`SecretRefIndex: ${c.name}`, () => {
    const index = new SecretRefIndex();
    const dropped = c.steps.map((s) => (s.op === 'set' ? index.set(s.cluster, s.secrets) : index.forget(s.cluster)));
    assert.deepEqual(dropped, c.dropped);
    for (const [secret, clusters] of Object.entries(c.clustersOf)) {
      assert.deepEqual(index.clustersOf(secret).sort(), clusters, secret);
      assert.equal(index.has(secret), clusters.length > 0, `has ${secret}`);
    }
    assert.equal(index.size, c.size);
  });
}
