// What status says during an upgrade (observe with status.upgrade): the
// Progressing reason Upgrading with the phase, Degraded while it is stopped or
// overdue, status.version moving to `to` only at Done. Tables, no cluster.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdFile } from '../../src/api/codegen.ts';
import type { KubeObject } from '../../src/model/object.ts';
import type { Condition } from '../../src/status/conditions.ts';
import { COMPONENT_LABEL, observe, type HarborClusterStatus, type ObserveInput, type Outcome } from '../../src/status/observe.ts';
import { upgradeConditions } from '../../src/status/upgrade-conditions.ts';
import type { UpgradePhase, UpgradeStatus } from '../../src/status/upgrade-plan.ts';

const T0 = '2026-01-01T00:00:00Z';
const NOW = '2026-01-02T03:04:05Z';

function workload(component: string, ready = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `h-${component}`, generation: 2, labels: { [COMPONENT_LABEL]: component } },
    spec: { replicas: 1 },
    status: { observedGeneration: 2, replicas: 1, readyReplicas: ready, updatedReplicas: 1 },
  };
}

function upgrade(phase: UpgradePhase, o: Partial<UpgradeStatus> = {}): UpgradeStatus {
  return { from: '2.14.4', to: '2.15.2', phase, startedAt: T0, phases: [{ name: phase, startedAt: T0 }], message: `${phase} message`, ...o };
}

function run(u: UpgradeStatus | undefined, outcome: Outcome = { kind: 'applied', changed: 0 }, ready = 1): HarborClusterStatus {
  const previous: HarborClusterStatus = { observedGeneration: 3, conditions: [], version: '2.14.4', ...(u ? { upgrade: u } : {}) };
  const input: ObserveInput = {
    generation: 4,
    version: '2.15.2',
    url: 'https://h.example.com',
    previous,
    outcome,
    workloads: [workload('core', ready), workload('portal')],
    now: NOW,
  };
  return observe(input);
}

const c = (s: HarborClusterStatus, type: string): Condition | undefined => s.conditions?.find((x) => x.type === type);

const cases: {
  name: string;
  u: UpgradeStatus | undefined;
  outcome?: Outcome;
  ready?: number;
  version: string;
  progressing: [string, string];
  degraded: [string, string];
}[] = [
  { name: 'no upgrade: as before', u: undefined, version: '2.15.2', progressing: ['False', 'ReconcileComplete'], degraded: ['False', 'AsExpected'] },
  { name: 'BackingUp: Upgrading, version stays from', u: upgrade('BackingUp'), version: '2.14.4', progressing: ['True', 'Upgrading'], degraded: ['False', 'AsExpected'] },
  { name: 'UpgradingCore: Upgrading', u: upgrade('UpgradingCore'), version: '2.14.4', progressing: ['True', 'Upgrading'], degraded: ['False', 'AsExpected'] },
  {
    name: 'UpgradingCore overdue: Degraded with the reason, still Upgrading',
    u: upgrade('UpgradingCore', { reason: 'UpgradeCoreNotReady' }),
    ready: 0,
    version: '2.14.4',
    progressing: ['True', 'Upgrading'],
    degraded: ['True', 'UpgradeCoreNotReady'],
  },
  {
    name: 'Failed: Degraded says why, Progressing stopped, version stays from',
    u: upgrade('Failed', { reason: 'UpgradeBackupFailed' }),
    version: '2.14.4',
    progressing: ['False', 'UpgradeBackupFailed'],
    degraded: ['True', 'UpgradeBackupFailed'],
  },
  { name: 'Done and Ready: version is to', u: upgrade('Done'), version: '2.15.2', progressing: ['False', 'ReconcileComplete'], degraded: ['False', 'AsExpected'] },
  { name: 'Done but not Ready: version waits', u: upgrade('Done'), ready: 0, version: '2.14.4', progressing: ['True', 'RollingOut'], degraded: ['False', 'AsExpected'] },
  {
    name: "an apply's own degradation is not hidden by the upgrade's",
    u: upgrade('Failed', { reason: 'UpgradeBackupFailed' }),
    outcome: { kind: 'applied', changed: 0, degraded: { reason: 'VolumeExpansionNotAllowed', message: 'm' } },
    version: '2.14.4',
    progressing: ['False', 'UpgradeBackupFailed'],
    degraded: ['True', 'VolumeExpansionNotAllowed'],
  },
  {
    name: 'a failed reconcile during an upgrade: the failure wins',
    u: upgrade('UpgradingCore'),
    outcome: { kind: 'failed', reason: 'ApplyFailed', message: 'm' },
    version: '2.14.4',
    progressing: ['False', 'ApplyFailed'],
    degraded: ['True', 'ApplyFailed'],
  },
];

for (const k of cases) {
  test(k.name, () => {
    const s = run(k.u, k.outcome, k.ready);
    assert.equal(s.version, k.version);
    assert.deepEqual([c(s, 'Progressing')?.status, c(s, 'Progressing')?.reason], k.progressing);
    assert.deepEqual([c(s, 'Degraded')?.status, c(s, 'Degraded')?.reason], k.degraded);
    assert.deepEqual(s.upgrade, k.u, 'status.upgrade is carried as it is');
  });
}

test('the Progressing message names from, to, the phase and what it does', () => {
  const [p] = upgradeConditions(upgrade('UpgradingDatabase', { message: 'the in-cluster database runs harbor-db v2.15.2' }), false);
  assert.equal(p?.message, 'upgrade 2.14.4 → 2.15.2, phase UpgradingDatabase: the in-cluster database runs harbor-db v2.15.2');
});

test('kubectl get hc shows the phase in an Upgrade column', async () => {
  const crd = parse(await readFile(crdFile, 'utf8')) as { spec: { versions: { additionalPrinterColumns: { name: string; jsonPath: string; priority?: number }[] }[] } };
  const col = crd.spec.versions[0]?.additionalPrinterColumns.find((x) => x.name === 'Upgrade');
  assert.equal(col?.jsonPath, '.status.upgrade.phase');
  assert.equal(col.priority, undefined, 'shown without -o wide');
});
