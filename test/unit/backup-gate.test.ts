// The minimal backup gate's pure parts: the Job it creates and how it reads
// the Job's state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobState, upgradeBackupJobName, upgradeBackupObjects } from '../../src/controller/backup-gate.ts';
import type { KubeObject } from '../../src/model/object.ts';

const cr: KubeObject = {
  apiVersion: 'harbor-operator.dev/v1alpha1',
  kind: 'HarborCluster',
  metadata: { name: 'h', namespace: 'team', uid: 'uid-1' },
  spec: { version: '2.15.2', externalURL: 'https://h.example.com', imageRegistry: 'mirror.example.com' },
};

interface JobSpec {
  backoffLimit: number;
  template: { spec: { containers: { image: string; env: { name: string; value?: string; valueFrom?: unknown }[] }[] } };
}

test("the Job dumps with the running release's database image, once, owned by the HarborCluster", () => {
  const { job, claim } = upgradeBackupObjects(cr, '2.14.4', '2.15.2');
  assert.equal(job.metadata.name, 'h-backup-v2-15-2');
  assert.ok(upgradeBackupJobName('a'.repeat(40), '2.15.12').length <= 63, 'a Job name fits its 63-character label');
  const spec = job['spec'] as JobSpec;
  assert.equal(spec.backoffLimit, 0);
  const c = spec.template.spec.containers[0];
  assert.equal(c?.image, 'mirror.example.com/goharbor/harbor-db:v2.14.4');
  assert.deepEqual(
    c.env.find((e) => e.name === 'PGPASSWORD')?.valueFrom,
    { secretKeyRef: { name: 'h-database', key: 'POSTGRES_PASSWORD' } },
    'the password from the Secret, never in the Job',
  );
  assert.equal(c.env.find((e) => e.name === 'DUMP')?.value, '/backup/registry-2.14.4-to-2.15.2.dump');
  assert.deepEqual(job.metadata.ownerReferences?.map((o) => [o.uid, o.controller]), [['uid-1', true]]);
  assert.equal(claim.metadata.ownerReferences, undefined, 'the claim is kept like the data');
  assert.equal(claim.metadata.labels?.['harbor-operator.dev/cluster'], 'h');
});

const job = (status: unknown, uid = 'uid-1'): KubeObject => ({
  ...upgradeBackupObjects(cr, '2.14.4', '2.15.2').job,
  metadata: { name: 'h-backup-v2-15-2', namespace: 'team', ownerReferences: [{ apiVersion: 'x', kind: 'HarborCluster', name: 'h', uid, controller: true }] },
  status,
});

const cases: { name: string; job: KubeObject; expect: RegExp | string }[] = [
  { name: 'no condition yet: running', job: job({ active: 1 }), expect: 'running' },
  {
    name: 'Complete: succeeded, with where the dump is',
    job: job({ completionTime: '2026-12-01T10:00:00Z', conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] }),
    expect: 'succeeded',
  },
  {
    name: 'Failed: failed, saying how to retry',
    job: job({ conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] }),
    expect: /failed \(BackoffLimitExceeded: Job has reached the specified backoff limit\).*delete job h-backup-v2-15-2/,
  },
  { name: "someone else's Job of that name: failed", job: job({}, 'other'), expect: /does not own/ },
];

for (const c of cases) {
  test(`jobState: ${c.name}`, () => {
    const s = jobState(c.job, cr, '2.14.4', '2.15.2');
    if (typeof c.expect === 'string') assert.equal(s.state, c.expect);
    else {
      assert.ok(s.state === 'failed', s.state);
      assert.match(s.message, c.expect);
    }
    if (s.state === 'succeeded') {
      assert.deepEqual(s.backup, {
        time: '2026-12-01T10:00:00Z',
        location: 'persistentvolumeclaim/h-upgrade-backups/registry-2.14.4-to-2.15.2.dump',
        release: '2.14.4',
      });
    }
  });
}
