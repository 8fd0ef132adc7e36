// Which claims to grow, whether a StatefulSet must be re-created, and what
// is refused: decided from the plan's updates, the live claims and the
// StorageClasses. Tables, no cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Update } from '../../src/diff/plan.ts';
import { compareQuantity, parseQuantity } from '../../src/diff/quantity.ts';
import { diffObject } from '../../src/diff/compare.ts';
import {
  classesToRead,
  decideVolumes,
  templateClaims,
  volumeUpdates,
  withLiveVolumes,
  type StorageClassInfo,
  type VolumeDecision,
} from '../../src/diff/volume-plan.ts';
import type { KubeObject } from '../../src/model/object.ts';

const ns = 'team-a';

function sts(name: string, size: string, opts: { storageClassName?: string; uid?: string; deleting?: boolean; template?: string } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: ns,
      uid: opts.uid ?? `uid-${name}`,
      ...(opts.deleting ? { deletionTimestamp: '2026-12-01T00:00:00Z' } : {}),
    },
    spec: {
      replicas: 1,
      volumeClaimTemplates: [
        {
          metadata: { name: opts.template ?? 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(opts.storageClassName ? { storageClassName: opts.storageClassName } : {}),
            resources: { requests: { storage: size } },
          },
        },
      ],
    },
  };
}

function claim(name: string, size: string, opts: { storageClassName?: string | null; phase?: string } = {}): KubeObject {
  const cls = opts.storageClassName === undefined ? 'standard' : opts.storageClassName;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns },
    spec: { accessModes: ['ReadWriteOnce'], ...(cls ? { storageClassName: cls } : {}), resources: { requests: { storage: size } } },
    status: { phase: opts.phase ?? 'Bound' },
  };
}

/** The plan's update for desired over live, with the paths the diff finds. */
function update(desired: KubeObject, live: KubeObject): Update {
  return { desired, live, paths: diffObject(desired, live) };
}

const expandable = new Map<string, StorageClassInfo>([
  ['standard', { allowVolumeExpansion: true }],
  ['fixed', { allowVolumeExpansion: false }],
]);

interface Case {
  name: string;
  updates: Update[];
  claims: KubeObject[];
  classes?: Map<string, StorageClassInfo>;
  expect: Partial<Omit<VolumeDecision, 'recreate' | 'refused'>> & { recreate?: string[]; refused?: { reason: string; message: RegExp }[] };
}

const dbLive = sts('h-database', '1Gi');
const cases: Case[] = [
  {
    name: 'database 1Gi → 2Gi: its claim grown, the StatefulSet re-created',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [claim('data-h-database-0', '1Gi'), claim('data-h-redis-0', '1Gi')],
    expect: { grow: [{ claim: 'data-h-database-0', from: '1Gi', to: '2Gi' }], recreate: ['h-database'] },
  },
  {
    name: 'every ordinal is grown, also one scaled away, in ordinal order; lookalikes are not',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [
      claim('data-h-database-10', '1Gi'),
      claim('data-h-database-0', '1Gi'),
      claim('data-h-database-1', '1Gi'),
      claim('data-h-database-01', '1Gi'),
      claim('data-h-database-x', '1Gi'),
      claim('data-h-database-extra-0', '1Gi'),
    ],
    expect: {
      grow: [
        { claim: 'data-h-database-0', from: '1Gi', to: '2Gi' },
        { claim: 'data-h-database-1', from: '1Gi', to: '2Gi' },
        { claim: 'data-h-database-10', from: '1Gi', to: '2Gi' },
      ],
      recreate: ['h-database'],
    },
  },
  {
    name: 'the same size written differently is no change (1024Mi = 1Gi)',
    updates: [update(sts('h-database', '1024Mi'), dbLive)],
    claims: [claim('data-h-database-0', '1Gi')],
    expect: { grow: [], recreate: [] },
  },
  {
    name: 'a claim already grown (by hand) beyond the new size is left; the StatefulSet still re-created',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [claim('data-h-database-0', '5Gi')],
    expect: { grow: [], recreate: ['h-database'] },
  },
  {
    name: 'no claim yet (0 replicas so far): only the re-creation',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [],
    expect: { grow: [], recreate: ['h-database'] },
  },
  {
    name: 'a class without expansion: refused, nothing grown or re-created',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [claim('data-h-database-0', '1Gi', { storageClassName: 'fixed' })],
    expect: {
      grow: [],
      recreate: [],
      refused: [
        {
          reason: 'VolumeExpansionNotAllowed',
          message: /^PersistentVolumeClaim\/data-h-database-0 cannot grow from 1Gi to 2Gi: its StorageClass fixed does not allow volume expansion/,
        },
      ],
    },
  },
  {
    name: 'a class that does not exist: refused',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [claim('data-h-database-0', '1Gi', { storageClassName: 'gone' })],
    expect: { recreate: [], refused: [{ reason: 'VolumeExpansionNotAllowed', message: /its StorageClass gone does not exist/ }] },
  },
  {
    name: 'a claim without class: refused',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [claim('data-h-database-0', '1Gi', { storageClassName: null })],
    expect: { recreate: [], refused: [{ reason: 'VolumeExpansionNotAllowed', message: /it has no StorageClass/ }] },
  },
  {
    name: 'a claim not bound yet: waits, nothing re-created',
    updates: [update(sts('h-database', '2Gi'), dbLive)],
    claims: [claim('data-h-database-0', '1Gi', { phase: 'Pending' })],
    expect: { grow: [], recreate: [], refused: [], waiting: ['PersistentVolumeClaim/data-h-database-0 is Pending, not Bound: only a bound claim can grow'] },
  },
  {
    name: 'a StatefulSet still being deleted: waits',
    updates: [update(sts('h-database', '2Gi'), sts('h-database', '1Gi', { deleting: true }))],
    claims: [claim('data-h-database-0', '2Gi')],
    expect: { grow: [], recreate: [], waiting: ['StatefulSet/h-database is being deleted; it is applied again once it is gone'] },
  },
  {
    name: 'a smaller template: refused',
    updates: [update(sts('h-database', '500Mi'), dbLive)],
    claims: [claim('data-h-database-0', '1Gi')],
    expect: { grow: [], recreate: [], refused: [{ reason: 'VolumeCannotShrink', message: /^StatefulSet\/h-database: volume data cannot shrink from 1Gi to 500Mi$/ }] },
  },
  {
    name: 'another class on the template than the claims have: refused',
    updates: [update(sts('h-database', '2Gi', { storageClassName: 'fast' }), dbLive)],
    claims: [claim('data-h-database-0', '1Gi')],
    classes: new Map([...expandable, ['fast', { allowVolumeExpansion: true }]]),
    expect: { grow: [], recreate: [], refused: [{ reason: 'StorageClassCannotChange', message: /has StorageClass standard; the spec asks for fast/ }] },
  },
  {
    name: 'the template names the class its claims already have: grown and re-created',
    updates: [update(sts('h-database', '2Gi', { storageClassName: 'standard' }), dbLive)],
    claims: [claim('data-h-database-0', '1Gi')],
    expect: { grow: [{ claim: 'data-h-database-0', from: '1Gi', to: '2Gi' }], recreate: ['h-database'] },
  },
  {
    name: 'another template change than size: re-created, no claim touched',
    updates: [update(sts('h-database', '1Gi', { template: 'pgdata' }), dbLive)],
    claims: [claim('data-h-database-0', '1Gi')],
    expect: { grow: [], recreate: ['h-database'] },
  },
  {
    name: 'a StatefulSet update elsewhere (replicas) is no volume change',
    updates: [update({ ...dbLive, spec: { ...(dbLive['spec'] as object), replicas: 2 } }, dbLive)],
    claims: [claim('data-h-database-0', '1Gi')],
    expect: { grow: [], recreate: [], refused: [], waiting: [] },
  },
  {
    name: 'a plain claim grows by the apply when its class allows',
    updates: [update(claim('h-registry', '10Gi'), claim('h-registry', '5Gi'))],
    claims: [claim('h-registry', '5Gi')],
    expect: { grow: [], growByApply: [{ claim: 'h-registry', from: '5Gi', to: '10Gi' }], recreate: [] },
  },
  {
    name: 'a plain claim of a class without expansion: refused',
    updates: [update(claim('h-jobservice', '2Gi', { storageClassName: null }), claim('h-jobservice', '1Gi'))],
    claims: [claim('h-jobservice', '1Gi', { storageClassName: 'fixed' })],
    expect: { growByApply: [], refused: [{ reason: 'VolumeExpansionNotAllowed', message: /h-jobservice cannot grow from 1Gi to 2Gi: its StorageClass fixed/ }] },
  },
  {
    name: 'a plain claim larger than the spec: refused (a volume cannot shrink)',
    updates: [update(claim('h-registry', '5Gi'), claim('h-registry', '8Gi'))],
    claims: [claim('h-registry', '8Gi')],
    expect: { refused: [{ reason: 'VolumeCannotShrink', message: /h-registry requests 8Gi; the spec asks for 5Gi/ }] },
  },
  {
    name: 'a plain claim asked into another class: refused',
    updates: [update(claim('h-registry', '5Gi', { storageClassName: 'fast' }), claim('h-registry', '5Gi'))],
    claims: [claim('h-registry', '5Gi')],
    expect: { refused: [{ reason: 'StorageClassCannotChange', message: /h-registry has StorageClass standard; the spec asks for fast/ }] },
  },
  {
    name: 'several at once: what can be done is listed with what cannot',
    updates: [update(sts('h-database', '2Gi'), dbLive), update(sts('h-redis', '2Gi'), sts('h-redis', '1Gi'))],
    claims: [claim('data-h-database-0', '1Gi'), claim('data-h-redis-0', '1Gi', { storageClassName: 'fixed' })],
    expect: {
      grow: [{ claim: 'data-h-database-0', from: '1Gi', to: '2Gi' }],
      recreate: ['h-database'],
      refused: [{ reason: 'VolumeExpansionNotAllowed', message: /data-h-redis-0 cannot grow/ }],
    },
  },
];

describe('decideVolumes', () => {
  for (const c of cases) {
    test(c.name, () => {
      const d = decideVolumes({ updates: c.updates, claims: c.claims, classes: c.classes ?? expandable });
      const e = c.expect;
      if (e.grow) assert.deepEqual(d.grow, e.grow, 'grow');
      if (e.growByApply) assert.deepEqual(d.growByApply, e.growByApply, 'growByApply');
      if (e.recreate) assert.deepEqual(d.recreate.map((s) => s.metadata.name), e.recreate, 'recreate');
      if (e.waiting) assert.deepEqual(d.waiting, e.waiting, 'waiting');
      if (e.refused) {
        assert.equal(d.refused.length, e.refused.length, `refused: ${JSON.stringify(d.refused)}`);
        e.refused.forEach((r, i) => {
          const got = d.refused[i];
          assert.ok(got);
          assert.equal(got.reason, r.reason);
          assert.match(got.message, r.message);
        });
      }
    });
  }
  test('the re-created StatefulSet is the live one (its uid is the delete precondition)', () => {
    const d = decideVolumes({ updates: [update(sts('h-database', '2Gi', { uid: 'new' }), dbLive)], claims: [], classes: expandable });
    assert.equal(d.recreate[0]?.metadata.uid, 'uid-h-database');
  });
});

describe('volumeUpdates and classesToRead', () => {
  test('only StatefulSet template changes and claim size or class changes count', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h-core' }, data: { a: 'b' } };
    const updates = [
      update(sts('h-database', '2Gi'), dbLive),
      update({ ...dbLive, spec: { ...(dbLive['spec'] as object), replicas: 3 } }, dbLive),
      update(claim('h-registry', '10Gi'), claim('h-registry', '5Gi')),
      update(cm, { ...cm, data: { a: 'c' } }),
    ];
    assert.deepEqual(
      volumeUpdates(updates).map((u) => `${u.desired.kind}/${u.desired.metadata.name}`),
      ['StatefulSet/h-database', 'PersistentVolumeClaim/h-registry'],
    );
  });
  test('the classes of the claims concerned, each once, sorted', () => {
    const updates = [update(sts('h-database', '2Gi'), dbLive), update(claim('h-registry', '10Gi'), claim('h-registry', '5Gi'))];
    const claims = [
      claim('data-h-database-0', '1Gi', { storageClassName: 'zeta' }),
      claim('data-h-database-1', '1Gi', { storageClassName: 'zeta' }),
      claim('h-registry', '5Gi', { storageClassName: 'alpha' }),
      claim('data-h-redis-0', '1Gi', { storageClassName: 'other' }),
      claim('h-jobservice', '1Gi', { storageClassName: null }),
    ];
    assert.deepEqual(classesToRead(updates, claims), ['alpha', 'zeta']);
    assert.deepEqual(classesToRead([], claims), []);
  });
  test('templateClaims: <template>-<statefulset>-<ordinal>, in ordinal order', () => {
    const claims = ['data-h-trivy-2', 'data-h-trivy-0', 'data-h-trivy-1x', 'cache-h-trivy-0', 'data-h-trivy-'].map((n) => claim(n, '1Gi'));
    assert.deepEqual(templateClaims('data', 'h-trivy', claims).map((c) => c.metadata.name), ['data-h-trivy-0', 'data-h-trivy-2']);
  });
});

describe('compareQuantity', () => {
  const cases: [string, string, -1 | 0 | 1][] = [
    ['1Gi', '2Gi', -1],
    ['2Gi', '1Gi', 1],
    ['1Gi', '1024Mi', 0],
    ['1G', '1Gi', -1],
    ['1.5Gi', '1536Mi', 0],
    ['500M', '0.5G', 0],
    ['10k', '10Ki', -1],
  ];
  for (const [a, b, want] of cases) {
    test(`${a} vs ${b}`, () => {
      const qa = parseQuantity(a);
      const qb = parseQuantity(b);
      assert.ok(qa && qb);
      assert.equal(compareQuantity(qa, qb), want);
    });
  }
});

describe('withLiveVolumes: a refused volume change leaves the volumes as they are and the rest of the plan', () => {
  const withReplicas = (o: KubeObject, replicas: number): KubeObject => ({ ...o, spec: { ...(o['spec'] as object), replicas } });
  const plainClaimUpdate = update(claim('h-registry', '10Gi', { storageClassName: 'slow' }), claim('h-registry', '5Gi', { storageClassName: 'slow' }));
  const cases: {
    name: string;
    updates: Update[];
    claims: KubeObject[];
    /** Names left in update, with their paths. */
    update: Record<string, string[]>;
    /** Names moved to unchanged. */
    unchanged: string[];
  }[] = [
    {
      name: 'only the template size changed: the StatefulSet becomes unchanged',
      updates: [update(sts('h-database', '2Gi'), sts('h-database', '1Gi'))],
      claims: [claim('data-h-database-0', '1Gi')],
      update: {},
      unchanged: ['h-database'],
    },
    {
      name: 'size and replicas changed: replicas are still applied, the template keeps 1Gi',
      updates: [update(withReplicas(sts('h-database', '2Gi'), 0), sts('h-database', '1Gi'))],
      claims: [claim('data-h-database-0', '1Gi')],
      update: { 'h-database': ['spec.replicas'] },
      unchanged: [],
    },
    {
      name: 'a plain claim keeps the size the server has',
      updates: [plainClaimUpdate],
      claims: [claim('h-registry', '5Gi', { storageClassName: 'slow' })],
      update: {},
      unchanged: ['h-registry'],
    },
    {
      name: 'updates that are not about volumes pass untouched',
      updates: [update(withReplicas(sts('h-redis', '1Gi'), 0), sts('h-redis', '1Gi'))],
      claims: [],
      update: { 'h-redis': ['spec.replicas'] },
      unchanged: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = withLiveVolumes({ create: [], update: c.updates, unchanged: [], prune: [] }, c.claims);
      assert.deepEqual(Object.fromEntries(p.update.map((u) => [u.desired.metadata.name, u.paths])), c.update);
      assert.deepEqual(p.unchanged.map((o) => o.metadata.name), c.unchanged);
      for (const u of p.update) assert.deepEqual(volumeUpdates([u]), [], `${u.desired.metadata.name} holds no volume change any more`);
    });
  }
});
