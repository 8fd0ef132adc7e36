// The database-major decision: from the running release (the live database
// StatefulSet's image, else status.version) and the desired one, whether the
// in-cluster database crosses a PostgreSQL major, and what status says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Release } from '../../src/api/releases.ts';
import { releaseOf } from '../../src/api/releases.ts';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import type { Condition } from '../../src/status/conditions.ts';
import {
  DATABASE_UPGRADE,
  databaseUpgradeCondition,
  databaseUpgradeOf,
  decideDatabaseUpgrade,
  liveDatabase,
  versionOfImage,
  withDatabaseUpgrade,
  type DatabaseUpgrade,
  type DatabaseUpgradeInput,
} from '../../src/status/database-upgrade.ts';
import { COMPONENT_LABEL, observe } from '../../src/status/observe.ts';

const T0 = '2026-01-01T00:00:00Z';
const NOW = '2026-01-02T03:04:05Z';
const img = (v: string, registry = 'docker.io'): string => `${registry}/goharbor/harbor-db:v${v}`;

const announced: Condition = {
  type: DATABASE_UPGRADE,
  status: 'True',
  reason: 'PostgreSQL15To18',
  message: 'm',
  observedGeneration: 3,
  lastTransitionTime: T0,
};
const finished: Condition = { ...announced, status: 'False', reason: 'UpgradedToPostgreSQL18' };

function input(over: Partial<DatabaseUpgradeInput>): DatabaseUpgradeInput {
  return {
    inCluster: true,
    desiredVersion: '2.15.2',
    statusVersion: '2.15.1',
    live: { image: img('2.15.1'), rolledOut: true },
    condition: undefined,
    storageSize: '1Gi',
    ...over,
  };
}

const m1518 = { from: 15, to: 18, toVersion: '2.15.2', storageSize: '1Gi' };

const cases: { name: string; input: DatabaseUpgradeInput; expected: DatabaseUpgrade }[] = [
  { name: '2.15.1 → 2.15.2 crosses 15 → 18', input: input({}), expected: { kind: 'pending', ...m1518, fromVersion: '2.15.1' } },
  {
    name: '2.15.0 → 2.15.1: both PostgreSQL 15',
    input: input({ desiredVersion: '2.15.1', statusVersion: '2.15.0', live: { image: img('2.15.0'), rolledOut: true } }),
    expected: { kind: 'none' },
  },
  {
    name: '2.14.0 → 2.15.1: both PostgreSQL 15',
    input: input({ desiredVersion: '2.15.1', statusVersion: '2.14.0', live: { image: img('2.14.0'), rolledOut: true } }),
    expected: { kind: 'none' },
  },
  {
    name: '2.13.5 → 2.15.2 crosses 15 → 18',
    input: input({ statusVersion: '2.13.5', live: { image: img('2.13.5'), rolledOut: true } }),
    expected: { kind: 'pending', ...m1518, fromVersion: '2.13.5' },
  },
  {
    name: '2.14.4 → 2.15.2 through a mirror registry',
    input: input({ statusVersion: '2.14.4', live: { image: img('2.14.4', 'mirror.example.com:5000/dockerhub'), rolledOut: true } }),
    expected: { kind: 'pending', ...m1518, fromVersion: '2.14.4' },
  },
  { name: 'External database: never', input: input({ inCluster: false }), expected: { kind: 'none' } },
  { name: 'first install of 2.15.2: nothing runs yet', input: input({ statusVersion: undefined, live: undefined }), expected: { kind: 'none' } },
  {
    name: 'StatefulSet gone: status.version says what the data is',
    input: input({ live: undefined }),
    expected: { kind: 'pending', ...m1518, fromVersion: '2.15.1' },
  },
  {
    name: 'the live image wins over status.version (never Ready at 2.15.0, runs 2.15.1)',
    input: input({ statusVersion: undefined, live: { image: img('2.15.1'), rolledOut: false } }),
    expected: { kind: 'pending', ...m1518, fromVersion: '2.15.1' },
  },
  {
    name: 'a live image by digest: status.version instead',
    input: input({ live: { image: 'docker.io/goharbor/harbor-db@sha256:0123', rolledOut: true } }),
    expected: { kind: 'pending', ...m1518, fromVersion: '2.15.1' },
  },
  {
    name: 'announced, the apply not seen yet: still pending',
    input: input({ condition: announced }),
    expected: { kind: 'pending', ...m1518, fromVersion: '2.15.1' },
  },
  {
    name: 'announced, StatefulSet on the new image, not ready: rolling',
    input: input({ condition: announced, live: { image: img('2.15.2'), rolledOut: false } }),
    expected: { kind: 'rolling', ...m1518, fromVersion: '2.15.1' },
  },
  {
    name: 'announced, new image rolled out and ready: done',
    input: input({ condition: announced, live: { image: img('2.15.2'), rolledOut: true } }),
    expected: { kind: 'done', ...m1518, fromVersion: '2.15.1' },
  },
  {
    name: 'done, and status.version moved on: done again (same condition)',
    input: input({ condition: announced, statusVersion: '2.15.2', live: { image: img('2.15.2'), rolledOut: true } }),
    expected: { kind: 'done', ...m1518, fromVersion: '2.15.2' },
  },
  {
    name: 'after the upgrade (condition False): nothing more',
    input: input({ condition: finished, statusVersion: '2.15.2', live: { image: img('2.15.2'), rolledOut: true } }),
    expected: { kind: 'none' },
  },
  {
    name: 'on 2.15.2 without an announced upgrade (installed at 2.15.2): nothing',
    input: input({ statusVersion: '2.15.2', live: { image: img('2.15.2'), rolledOut: false } }),
    expected: { kind: 'none' },
  },
  {
    name: 'a version the table does not know: nothing (the CRD refuses it)',
    input: input({ desiredVersion: '2.16.0' }),
    expected: { kind: 'none' },
  },
];

for (const c of cases) {
  test(`decideDatabaseUpgrade: ${c.name}`, () => {
    assert.deepEqual(decideDatabaseUpgrade(c.input), c.expected);
  });
}

test('decideDatabaseUpgrade: a major the new image cannot upgrade from is unsupported', () => {
  // A made-up table: PostgreSQL 14 data, and an image that upgrades only from 15.
  const base = releaseOf('2.15.2');
  assert.ok(base);
  const fake: Record<string, Release> = {
    '1.0.0': { ...base, version: '1.0.0', tag: 'v1.0.0', database: { postgresMajor: 14, upgradesFromMajor: 13 } },
    '1.1.0': { ...base, version: '1.1.0', tag: 'v1.1.0', database: { postgresMajor: 18, upgradesFromMajor: 15 } },
  };
  const d = decideDatabaseUpgrade(
    input({ desiredVersion: '1.1.0', statusVersion: '1.0.0', live: { image: img('1.0.0'), rolledOut: true } }),
    (v) => fake[v],
  );
  assert.deepEqual(d, { kind: 'unsupported', upgradesFrom: 15, from: 14, to: 18, fromVersion: '1.0.0', toVersion: '1.1.0', storageSize: '1Gi' });
  assert.equal(databaseUpgradeCondition(d), undefined, 'no condition: the reconcile fails instead');
});

test('versionOfImage', () => {
  assert.equal(versionOfImage('docker.io/goharbor/harbor-db:v2.15.1'), '2.15.1');
  assert.equal(versionOfImage('mirror:5000/x/goharbor/harbor-db:v2.13.5'), '2.13.5');
  assert.equal(versionOfImage('goharbor/harbor-db:2.15.1'), undefined);
  assert.equal(versionOfImage('goharbor/harbor-db@sha256:abc'), undefined);
  assert.equal(versionOfImage('goharbor/harbor-db:v2.15.1-rc1'), undefined);
});

test('the condition while pending names the majors, the copy and the volume', () => {
  const c = databaseUpgradeCondition({ kind: 'pending', ...m1518, fromVersion: '2.15.1' });
  assert.ok(c);
  assert.equal(c.status, 'True');
  assert.equal(c.reason, 'PostgreSQL15To18');
  for (const part of ['PostgreSQL 15 (Harbor 2.15.1)', 'PostgreSQL 18 (Harbor 2.15.2)', '$PGDATA/pg15', '$PGDATA/pg18', 'second copy', 'storageSize 1Gi', 'cannot be undone']) {
    assert.ok(c.message.includes(part), `"${part}" in: ${c.message}`);
  }
  assert.deepEqual(databaseUpgradeCondition({ kind: 'rolling', ...m1518, fromVersion: '2.15.1' }), c, 'rolling says the same');
});

test('the condition when done', () => {
  const c = databaseUpgradeCondition({ kind: 'done', ...m1518, fromVersion: '2.15.1' });
  assert.deepEqual(c, {
    status: 'False',
    reason: 'UpgradedToPostgreSQL18',
    message: 'the in-cluster database was upgraded from PostgreSQL 15 to 18: harbor-db v2.15.2 is rolled out and ready',
  });
});

test('withDatabaseUpgrade leaves the conditions alone when there is nothing to say', () => {
  const before = [announced];
  assert.deepEqual(withDatabaseUpgrade(before, { kind: 'none' }, 4, NOW), before);
  const after = withDatabaseUpgrade(before, { kind: 'done', ...m1518, fromVersion: '2.15.1' }, 4, NOW);
  assert.equal(after.length, 1);
  assert.equal(after[0]?.status, 'False');
  assert.equal(after[0].lastTransitionTime, NOW);
  assert.equal(after[0].observedGeneration, 4);
});

interface StsOpts {
  image?: string;
  replicas?: number;
  generation?: number;
  status?: Record<string, unknown>;
  component?: string;
}

function sts(o: StsOpts = {}): KubeObject {
  const replicas = o.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'h-database', namespace: 'n', generation: o.generation ?? 2, labels: { [COMPONENT_LABEL]: o.component ?? 'database' } },
    spec: {
      replicas,
      template: { spec: { containers: [{ name: 'database', image: o.image ?? img('2.15.2') }] } },
    },
    status: {
      observedGeneration: 2,
      replicas,
      readyReplicas: replicas,
      updatedReplicas: replicas,
      currentRevision: 'h-database-2',
      updateRevision: 'h-database-2',
      ...o.status,
    },
  };
}

const liveCases: { name: string; input: KubeObject[]; expected: ReturnType<typeof liveDatabase> }[] = [
  { name: 'rolled out and ready', input: [sts()], expected: { image: img('2.15.2'), rolledOut: true } },
  { name: 'controller has not seen the new generation', input: [sts({ generation: 3 })], expected: { image: img('2.15.2'), rolledOut: false } },
  { name: 'pod not updated yet', input: [sts({ status: { updatedReplicas: 0 } })], expected: { image: img('2.15.2'), rolledOut: false } },
  { name: 'updated, not ready', input: [sts({ status: { readyReplicas: 0 } })], expected: { image: img('2.15.2'), rolledOut: false } },
  {
    name: 'revisions differ',
    input: [sts({ status: { currentRevision: 'h-database-1' } })],
    expected: { image: img('2.15.2'), rolledOut: false },
  },
  { name: 'scaled to 0 is not a rollout', input: [sts({ replicas: 0 })], expected: { image: img('2.15.2'), rolledOut: false } },
  { name: 'no database StatefulSet', input: [sts({ component: 'redis' })], expected: undefined },
  { name: 'no workloads', input: [], expected: undefined },
];

for (const c of liveCases) {
  test(`liveDatabase: ${c.name}`, () => {
    assert.deepEqual(liveDatabase(c.input, COMPONENT_LABEL), c.expected);
  });
}

function cluster(spec: Partial<HarborCluster['spec']>): HarborCluster {
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: 'h', namespace: 'n' },
    spec: { externalURL: 'https://h.example.com', ...spec },
  };
}

test('databaseUpgradeOf reads the spec (defaults included), the status and the live StatefulSet', () => {
  const live = [sts({ image: img('2.15.1') })];
  assert.deepEqual(databaseUpgradeOf(cluster({}), { version: '2.15.1' }, live, COMPONENT_LABEL), {
    kind: 'pending',
    ...m1518,
    fromVersion: '2.15.1',
  });
  assert.deepEqual(
    databaseUpgradeOf(cluster({ database: { inCluster: { storageSize: '20Gi' } } }), { version: '2.15.1' }, live, COMPONENT_LABEL),
    { kind: 'pending', ...m1518, storageSize: '20Gi', fromVersion: '2.15.1' },
  );
  assert.deepEqual(
    databaseUpgradeOf(cluster({ version: '2.15.1' }), { version: '2.15.0' }, [sts({ image: img('2.15.0') })], COMPONENT_LABEL),
    { kind: 'none' },
  );
  assert.deepEqual(
    databaseUpgradeOf(
      cluster({ database: { type: 'External', external: { host: 'pg', username: 'u', passwordSecretRef: { name: 's' } } } }),
      { version: '2.15.1' },
      live,
      COMPONENT_LABEL,
    ),
    { kind: 'none' },
  );
});

test('observe() carries the decision into status, after the other conditions', () => {
  const s = observe({
    generation: 4,
    version: '2.15.2',
    url: 'https://h.example.com',
    previous: undefined,
    outcome: { kind: 'applied', changed: 1 },
    workloads: [],
    databaseUpgrade: { kind: 'pending', ...m1518, fromVersion: '2.15.1' },
    now: NOW,
  });
  assert.deepEqual(
    s.conditions?.map((c) => `${c.type}=${c.status}`),
    ['Ready=True', 'Progressing=True', 'Degraded=False', 'DatabaseUpgrade=True'],
  );
  const none = observe({
    generation: 4,
    version: '2.15.1',
    url: 'https://h.example.com',
    previous: undefined,
    outcome: { kind: 'applied', changed: 1 },
    workloads: [],
    databaseUpgrade: { kind: 'none' },
    now: NOW,
  });
  assert.equal(none.conditions?.find((c) => c.type === DATABASE_UPGRADE), undefined);
});
