// The upgrade's state machine (nextPhase) and the releases of each phase
// (upgradePlan): tables of cases, no cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniformVersions } from '../../src/api/component-versions.ts';
import type { KubeObject } from '../../src/model/object.ts';
import {
  neverOlderThanLive,
  BACKUP_POLL_MS,
  DEFAULT_BOUNDS,
  FAILED_POLL_MS,
  liveVersion,
  nextPhase,
  upgradeWakeMs,
  workloadFacts,
  type GateResult,
  type UpgradeObservation,
  type WorkloadFact,
} from '../../src/status/upgrade-phase.ts';
import { plannedVersions, upgradePlan, type UpgradePhase, type UpgradeStatus } from '../../src/status/upgrade-plan.ts';

describe('upgradePlan: the release of each component in each phase', () => {
  const from = '2.14.4';
  const to = '2.15.2';
  const cases: { phase: UpgradePhase; atTo: string[] }[] = [
    { phase: 'BackingUp', atTo: [] },
    { phase: 'Failed', atTo: [] },
    { phase: 'UpgradingDatabase', atTo: ['database'] },
    { phase: 'UpgradingCore', atTo: ['database', 'core'] },
    { phase: 'Rolling', atTo: ['database', 'core', 'portal', 'jobservice', 'registry', 'trivy', 'exporter', 'proxy', 'cache'] },
    { phase: 'Done', atTo: ['database', 'core', 'portal', 'jobservice', 'registry', 'trivy', 'exporter', 'proxy', 'cache'] },
  ];
  for (const c of cases) {
    test(c.phase, () => {
      const plan = upgradePlan(from, to, c.phase);
      const atTo = Object.entries(plan).filter(([, v]) => v === to).map(([k]) => k).sort();
      assert.deepEqual(atTo, [...c.atTo].sort());
      assert.ok(Object.values(plan).every((v) => v === from || v === to));
    });
  }
  test('plannedVersions: spec.version outside an upgrade, the phase during one', () => {
    assert.deepEqual(plannedVersions('2.15.2', undefined), uniformVersions('2.15.2'));
    const u: UpgradeStatus = { from, to, phase: 'UpgradingCore', startedAt: 't', phases: [], message: '' };
    assert.deepEqual(plannedVersions('2.15.2', u), upgradePlan(from, to, 'UpgradingCore'));
    assert.deepEqual(plannedVersions('2.15.2', { ...u, phase: 'Done' }), uniformVersions('2.15.2'));
  });
});

const T0 = '2026-12-01T10:00:00Z';
const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

const fact = (component: string, version: string, rolledOut = true): WorkloadFact => ({
  component,
  kind: component === 'database' || component === 'redis' || component === 'trivy' ? 'StatefulSet' : 'Deployment',
  name: `h-${component}`,
  version,
  ready: rolledOut ? 1 : 0,
  desired: 1,
  rolledOut,
});
const all = ['database', 'core', 'portal', 'jobservice', 'registry', 'trivy', 'exporter', 'redis'];
/** Every workload at `v`, with `overrides` by component. */
const cluster = (v: string, overrides: Record<string, WorkloadFact> = {}): WorkloadFact[] => all.map((c) => overrides[c] ?? fact(c, v));

const obs = (o: Partial<UpgradeObservation> = {}): UpgradeObservation => ({
  specVersion: '2.15.2',
  runningVersion: '2.14.4',
  inClusterDatabase: true,
  workloads: cluster('2.14.4'),
  now: at(1),
  ...o,
});

const state = (phase: UpgradePhase, o: Partial<UpgradeStatus> = {}): UpgradeStatus => ({
  from: '2.14.4',
  to: '2.15.2',
  phase,
  startedAt: T0,
  phases: [{ name: phase, startedAt: T0 }],
  message: 'whatever was said',
  ...o,
});

const succeeded: GateResult = { state: 'succeeded', backup: { time: T0, location: 'pvc/x', release: '2.14.4' } };

interface Case {
  name: string;
  state: UpgradeStatus | undefined;
  observed: UpgradeObservation;
  gate?: GateResult;
  /** undefined: no upgrade; 'same': the very same state object. */
  expect: { phase?: UpgradePhase; from?: string; to?: string; reason?: string | undefined; message?: RegExp; backup?: boolean } | 'same' | undefined;
}

const cases: Case[] = [
  { name: 'first install: nothing runs yet', state: undefined, observed: obs({ runningVersion: undefined, workloads: [] }), expect: undefined },
  { name: 'the version runs already', state: undefined, observed: obs({ runningVersion: '2.15.2' }), expect: undefined },
  {
    name: 'spec.version moved on: the upgrade begins with a backup, every component still at from',
    state: undefined,
    observed: obs(),
    expect: { phase: 'BackingUp', from: '2.14.4', to: '2.15.2', message: /backing up .* every component runs 2\.14\.4/ },
  },
  {
    name: 'after a Done upgrade, the next begins from its to',
    state: state('Done', { from: '2.14.0', to: '2.14.4' }),
    observed: obs(),
    expect: { phase: 'BackingUp', from: '2.14.4', to: '2.15.2' },
  },
  { name: 'Done and nothing new: unchanged', state: state('Done', { to: '2.15.2' }), observed: obs({ runningVersion: '2.15.2' }), expect: 'same' },
  { name: 'BackingUp without the gate asked yet: unchanged', state: state('BackingUp'), observed: obs(), expect: 'same' },
  {
    name: 'BackingUp, the backup runs: the message names its Job',
    state: state('BackingUp'),
    observed: obs(),
    gate: { state: 'running', job: 'h-backup-v2-15-2' },
    expect: { phase: 'BackingUp', message: /\(Job h-backup-v2-15-2\)/ },
  },
  {
    name: 'BackingUp, the backup succeeded: the database next, with the backup recorded',
    state: state('BackingUp'),
    observed: obs(),
    gate: succeeded,
    expect: { phase: 'UpgradingDatabase', backup: true, message: /harbor-db v2\.15\.2/ },
  },
  {
    name: 'BackingUp, external database (no backup needed): straight to core',
    state: state('BackingUp'),
    observed: obs({ inClusterDatabase: false }),
    gate: { state: 'not-needed' },
    expect: { phase: 'UpgradingCore', backup: false },
  },
  {
    name: 'BackingUp, the backup failed: Failed with the reason, nothing changed',
    state: state('BackingUp'),
    observed: obs(),
    gate: { state: 'failed', message: 'Job h-backup-v2-15-2 failed (BackoffLimitExceeded)' },
    expect: { phase: 'Failed', reason: 'UpgradeBackupFailed', message: /failed: Job h-backup-v2-15-2 failed .* every component still runs 2\.14\.4/ },
  },
  {
    name: 'Failed, still failed: unchanged',
    state: state('Failed', {
      reason: 'UpgradeBackupFailed',
      message: 'the backup before the upgrade from 2.14.4 to 2.15.2 failed: x. Nothing was changed: every component still runs 2.14.4',
    }),
    observed: obs(),
    gate: { state: 'failed', message: 'x' },
    expect: 'same',
  },
  {
    name: 'Failed, the backup runs again (a retry): BackingUp, reason cleared',
    state: state('Failed', { reason: 'UpgradeBackupFailed' }),
    observed: obs(),
    gate: { state: 'running', job: 'j' },
    expect: { phase: 'BackingUp', reason: undefined },
  },
  {
    name: 'Failed, then the retried backup succeeded: the database next',
    state: state('Failed', { reason: 'UpgradeBackupFailed' }),
    observed: obs(),
    gate: succeeded,
    expect: { phase: 'UpgradingDatabase', reason: undefined },
  },
  {
    name: 'Failed and spec.version moved on again: a new upgrade towards it, from the same release',
    state: state('Failed', { reason: 'UpgradeBackupFailed', to: '2.15.1' }),
    observed: obs({ specVersion: '2.15.2' }),
    expect: { phase: 'BackingUp', from: '2.14.4', to: '2.15.2' },
  },
  {
    name: 'BackingUp and spec.version moved on: the upgrade aims at it',
    state: state('BackingUp', { to: '2.15.1' }),
    observed: obs({ specVersion: '2.15.2' }),
    expect: { phase: 'BackingUp', to: '2.15.2' },
  },
  {
    name: 'UpgradingDatabase and spec.version moved on: this upgrade goes on to its own to',
    state: state('UpgradingDatabase', { to: '2.15.1' }),
    observed: obs({ specVersion: '2.15.2' }),
    expect: 'same',
  },
  {
    name: 'UpgradingDatabase, the database still on from: waits',
    state: state('UpgradingDatabase'),
    observed: obs(),
    expect: 'same',
  },
  {
    name: 'UpgradingDatabase, the database at to but not ready: waits',
    state: state('UpgradingDatabase'),
    observed: obs({ workloads: cluster('2.14.4', { database: fact('database', '2.15.2', false) }) }),
    expect: 'same',
  },
  {
    name: 'UpgradingDatabase, the database at to and ready: core next',
    state: state('UpgradingDatabase'),
    observed: obs({ workloads: cluster('2.14.4', { database: fact('database', '2.15.2') }) }),
    expect: { phase: 'UpgradingCore', message: /core runs 2\.15\.2 and migrates the database schema/ },
  },
  {
    name: 'UpgradingDatabase, no database workload at all: waits (never skipped)',
    state: state('UpgradingDatabase'),
    observed: obs({ workloads: cluster('2.14.4').filter((f) => f.component !== 'database') }),
    expect: 'same',
  },
  {
    name: 'UpgradingDatabase past its bound: reported, the phase stays',
    state: state('UpgradingDatabase'),
    observed: obs({ now: at(16), workloads: cluster('2.14.4', { database: fact('database', '2.15.2', false) }) }),
    expect: { phase: 'UpgradingDatabase', reason: 'UpgradeDatabaseNotReady', message: /Not ready within 15 min .*database 0\/1 ready.* not rolled back/ },
  },
  {
    name: 'UpgradingDatabase overdue, then ready: core next, the reason gone',
    state: state('UpgradingDatabase', { reason: 'UpgradeDatabaseNotReady' }),
    observed: obs({ now: at(30), workloads: cluster('2.14.4', { database: fact('database', '2.15.2') }) }),
    expect: { phase: 'UpgradingCore', reason: undefined },
  },
  {
    name: 'UpgradingCore, core at to and ready: the rest next',
    state: state('UpgradingCore'),
    observed: obs({ workloads: cluster('2.14.4', { database: fact('database', '2.15.2'), core: fact('core', '2.15.2') }) }),
    expect: { phase: 'Rolling' },
  },
  {
    name: 'UpgradingCore within its bound (60 min for the schema migration): waits',
    state: state('UpgradingCore'),
    observed: obs({ now: at(64), workloads: cluster('2.14.4', { database: fact('database', '2.15.2'), core: fact('core', '2.15.2', false) }) }),
    expect: 'same',
  },
  {
    name: 'UpgradingCore past its bound: reported',
    state: state('UpgradingCore'),
    observed: obs({ now: at(66), workloads: cluster('2.14.4', { database: fact('database', '2.15.2'), core: fact('core', '2.15.2', false) }) }),
    expect: { phase: 'UpgradingCore', reason: 'UpgradeCoreNotReady', message: /core 0\/1 ready/ },
  },
  {
    name: 'Rolling, one component still on from: waits',
    state: state('Rolling'),
    observed: obs({ workloads: cluster('2.15.2', { portal: fact('portal', '2.14.4') }) }),
    expect: 'same',
  },
  {
    name: 'Rolling past its bound: reported, naming what runs the old release',
    state: state('Rolling'),
    observed: obs({ now: at(20), workloads: cluster('2.15.2', { portal: fact('portal', '2.14.4', false) }) }),
    expect: { phase: 'Rolling', reason: 'UpgradeComponentsNotReady', message: /portal 0\/1 ready \(runs 2\.14\.4\)/ },
  },
  {
    name: 'Rolling, everything at to and ready: Done',
    state: state('Rolling'),
    observed: obs({ workloads: cluster('2.15.2') }),
    expect: { phase: 'Done', message: /^upgraded from 2\.14\.4 to 2\.15\.2$/ },
  },
];

describe('nextPhase', () => {
  for (const c of cases) {
    test(c.name, () => {
      const next = nextPhase(c.state, c.observed, c.gate);
      if (c.expect === undefined) {
        assert.equal(next, undefined);
        return;
      }
      if (c.expect === 'same') {
        assert.equal(next, c.state, 'the very same state: nothing to write');
        return;
      }
      assert.ok(next);
      if (c.expect.phase) assert.equal(next.phase, c.expect.phase);
      if (c.expect.from) assert.equal(next.from, c.expect.from);
      if (c.expect.to) assert.equal(next.to, c.expect.to);
      if ('reason' in c.expect) assert.equal(next.reason, c.expect.reason);
      if (c.expect.message) assert.match(next.message, c.expect.message);
      if (c.expect.backup !== undefined) assert.equal(next.backup !== undefined, c.expect.backup);
      // The phase just entered is the last one recorded, open unless Done; every earlier one is closed.
      const last = next.phases.at(-1);
      assert.equal(last?.name, next.phase);
      assert.equal(last.finishedAt !== undefined, next.phase === 'Done');
      for (const p of next.phases.slice(0, -1)) assert.ok(p.finishedAt, `${p.name} closed`);
      assert.equal(new Set(next.phases.map((p) => p.name)).size, next.phases.length, 'each phase once (a list-map in the CRD)');
    });
  }
});

test('a whole upgrade through nextPhase: BackingUp → UpgradingDatabase → UpgradingCore → Rolling → Done, times kept', () => {
  let s = nextPhase(undefined, obs({ now: at(0) }), undefined);
  const seen = [s?.phase];
  s = nextPhase(s, obs({ now: at(1) }), succeeded);
  seen.push(s?.phase);
  s = nextPhase(s, obs({ now: at(2), workloads: cluster('2.14.4', { database: fact('database', '2.15.2') }) }), undefined);
  seen.push(s?.phase);
  s = nextPhase(s, obs({ now: at(3), workloads: cluster('2.14.4', { database: fact('database', '2.15.2'), core: fact('core', '2.15.2') }) }), undefined);
  seen.push(s?.phase);
  s = nextPhase(s, obs({ now: at(4), workloads: cluster('2.15.2') }), undefined);
  seen.push(s?.phase);
  assert.deepEqual(seen, ['BackingUp', 'UpgradingDatabase', 'UpgradingCore', 'Rolling', 'Done']);
  assert.deepEqual(
    s?.phases.map((p) => [p.name, p.startedAt, p.finishedAt]),
    [
      ['BackingUp', at(0), at(1)],
      ['UpgradingDatabase', at(1), at(2)],
      ['UpgradingCore', at(2), at(3)],
      ['Rolling', at(3), at(4)],
      ['Done', at(4), at(4)],
    ],
  );
  assert.equal(s.startedAt, at(0));
});

describe('upgradeWakeMs', () => {
  const cases: { name: string; s: UpgradeStatus | undefined; now: string; expect: number | undefined }[] = [
    { name: 'no upgrade', s: undefined, now: at(0), expect: undefined },
    { name: 'a running backup is polled', s: state('BackingUp'), now: at(0), expect: BACKUP_POLL_MS },
    { name: 'a failed backup is looked at again slowly', s: state('Failed'), now: at(0), expect: FAILED_POLL_MS },
    { name: 'Done', s: state('Done'), now: at(0), expect: undefined },
    { name: 'a waiting phase comes back at its bound', s: state('UpgradingDatabase'), now: at(5), expect: DEFAULT_BOUNDS.UpgradingDatabase - 5 * 60_000 + 1_000 },
    { name: 'an overdue phase already said so', s: state('UpgradingCore', { reason: 'UpgradeCoreNotReady' }), now: at(90), expect: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(upgradeWakeMs(c.s, c.now), c.expect);
    });
  }
});

describe('workloadFacts', () => {
  const deployment = (o: { image: string; gen?: number; observed?: number; replicas?: number; ready?: number; updated?: number; total?: number }): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'h-core', generation: o.gen ?? 2, labels: { 'app.kubernetes.io/component': 'core' } },
    spec: { replicas: o.replicas ?? 1, template: { spec: { containers: [{ name: 'core', image: o.image }] } } },
    status: { observedGeneration: o.observed ?? 2, replicas: o.total ?? 1, readyReplicas: o.ready ?? 1, updatedReplicas: o.updated ?? 1 },
  });
  const cases: { name: string; w: KubeObject; version: string | undefined; rolledOut: boolean }[] = [
    { name: 'rolled out', w: deployment({ image: 'docker.io/goharbor/harbor-core:v2.15.2' }), version: '2.15.2', rolledOut: true },
    { name: 'a new template not yet seen by the controller', w: deployment({ image: 'x/harbor-core:v2.15.2', gen: 3 }), version: '2.15.2', rolledOut: false },
    { name: 'an old pod still there', w: deployment({ image: 'x/harbor-core:v2.15.2', total: 2 }), version: '2.15.2', rolledOut: false },
    { name: 'not ready', w: deployment({ image: 'x/harbor-core:v2.15.2', ready: 0 }), version: '2.15.2', rolledOut: false },
    { name: 'an image without a release tag', w: deployment({ image: 'x/harbor-core:latest' }), version: undefined, rolledOut: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const [f] = workloadFacts([c.w], 'app.kubernetes.io/component');
      assert.equal(f?.component, 'core');
      assert.equal(f.version, c.version);
      assert.equal(f.rolledOut, c.rolledOut);
    });
  }
  test('containers of two releases: no single version', () => {
    const w = deployment({ image: 'x/registry-photon:v2.15.2' });
    (w['spec'] as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers.push({ name: 'ctl', image: 'x/harbor-registryctl:v2.14.4' });
    assert.equal(workloadFacts([w], 'app.kubernetes.io/component')[0]?.version, undefined);
  });
  test('liveVersion: the oldest release a workload runs', () => {
    assert.equal(liveVersion([fact('database', '2.15.2'), fact('core', '2.14.3'), fact('portal', '2.14.4')]), '2.14.3');
    assert.equal(liveVersion([fact('database', '2.14.4')]), '2.14.4');
    assert.equal(liveVersion([{ ...fact('core', 'x'), version: undefined }]), undefined);
    assert.equal(liveVersion([]), undefined);
  });
});

describe('neverOlderThanLive: no component is rendered older than its live workload runs', () => {
  const cases: { name: string; planned: string; live: WorkloadFact[]; expect: Partial<Record<string, string>> }[] = [
    { name: 'the plan is ahead or equal: unchanged', planned: '2.15.2', live: cluster('2.14.4'), expect: {} },
    {
      name: 'a database already on 2.15.2 stays (status said 2.14.4)',
      planned: '2.14.4',
      live: cluster('2.14.4', { database: fact('database', '2.15.2') }),
      expect: { database: '2.15.2' },
    },
    { name: "the cache's workload is redis", planned: '2.15.1', live: cluster('2.15.1', { redis: fact('redis', '2.15.2') }), expect: { cache: '2.15.2' } },
    { name: 'an unknown live release changes nothing', planned: '2.14.4', live: [{ ...fact('core', 'x'), version: undefined }], expect: {} },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(neverOlderThanLive(uniformVersions(c.planned), c.live), { ...uniformVersions(c.planned), ...c.expect });
    });
  }
});
