// What provisioning does on the server, from what is there: tables of
// observations. Foreign roles and databases are refused before any action;
// the operator's own are completed, and dropped only when they carry its mark.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markIdOf, markText } from '../../src/provision/mark.ts';
import { dropGivenUp, planDrop, planProvision, type Observation, type Want } from '../../src/provision/plan.ts';

const names = { role: 'harbor_r', database: 'harbor_d' };
const mine = markText('ns', 'h', 'ID1');
const theirs = markText('ns', 'h', 'ID2');
const want: Want = { names, id: 'ID1', comment: mine, setPassword: false };
const base: Observation = { superuser: false, serverVersion: 150010 };

test('mark: the id is read back from the comment, and only from a mark', () => {
  assert.equal(markIdOf(mine), 'ID1');
  assert.equal(markIdOf('provisioning id ID1'), undefined, 'not our comment format');
  assert.equal(markIdOf(null), undefined);
});

const provisionCases: { name: string; obs: Observation; want?: Partial<Want>; expected: string[] | RegExp }[] = [
  {
    name: 'nothing there: role, membership, database, mark',
    obs: base,
    want: { setPassword: true },
    expected: ['createRole harbor_r', 'grantToAdmin harbor_r', 'createDatabase harbor_d', 'commentDatabase harbor_d'],
  },
  { name: 'a superuser needs no membership', obs: { ...base, superuser: true }, expected: ['createRole harbor_r', 'createDatabase harbor_d', 'commentDatabase harbor_d'] },
  { name: 'everything ours and in place: nothing', obs: { ...base, role: { comment: mine }, database: { owner: 'harbor_r', comment: mine } }, expected: [] },
  {
    name: 'ours, password to set (lost Secret value or rotation)',
    obs: { ...base, role: { comment: mine }, database: { owner: 'harbor_r', comment: mine } },
    want: { setPassword: true },
    expected: ['setPassword harbor_r'],
  },
  { name: 'role ours, database missing (crash between)', obs: { ...base, role: { comment: mine } }, expected: ['grantToAdmin harbor_r', 'createDatabase harbor_d', 'commentDatabase harbor_d'] },
  {
    name: 'database created but not yet marked (crash before COMMENT)',
    obs: { ...base, role: { comment: mine }, database: { owner: 'harbor_r', comment: null } },
    expected: ['grantToAdmin harbor_r', 'commentDatabase harbor_d'],
  },
  {
    name: 'our database given to someone else is given back',
    obs: { ...base, role: { comment: mine }, database: { owner: 'dba', comment: mine } },
    expected: ['grantToAdmin harbor_r', 'setOwner harbor_d'],
  },
  { name: 'a role not created by the operator is refused', obs: { ...base, role: { comment: null } }, expected: /role "harbor_r" already exists and was not created by harbor-operator/ },
  { name: 'a role with a comment of its own is refused', obs: { ...base, role: { comment: 'the DBA made this' } }, expected: /was not created by harbor-operator/ },
  { name: "another HarborCluster's role is refused", obs: { ...base, role: { comment: theirs } }, expected: /another provisioning id/ },
  { name: 'a foreign database is refused, even with the role absent', obs: { ...base, database: { owner: 'postgres', comment: null } }, expected: /database "harbor_d" already exists and was not created/ },
  {
    name: 'an unmarked database of our role name, while the role is foreign, is refused',
    obs: { ...base, role: { comment: null }, database: { owner: 'harbor_r', comment: null } },
    expected: /role "harbor_r"/,
  },
  {
    name: "an unmarked database owned by someone else, with our role, is refused",
    obs: { ...base, role: { comment: mine }, database: { owner: 'app', comment: null } },
    expected: /database "harbor_d" already exists and was not created/,
  },
];

for (const c of provisionCases) {
  test(`plan: ${c.name}`, () => {
    const d = planProvision(c.obs, { ...want, ...c.want });
    const got = d.kind === 'refused' ? d.message : d.actions.map((a) => `${a.kind} ${'role' in a ? a.role : a.database}`);
    if (c.expected instanceof RegExp) assert.match(typeof got === 'string' ? got : `not refused: ${got.join(', ')}`, c.expected);
    else assert.deepEqual(got, c.expected);
  });
}

const dropCases: { name: string; obs: Observation; expected: string[]; kept: string[] }[] = [
  {
    name: 'ours: database (with FORCE from 13 on), then role',
    obs: { ...base, role: { comment: mine }, database: { owner: 'harbor_r', comment: mine } },
    expected: ['grantToAdmin', 'dropDatabase force', 'dropRole'],
    kept: [],
  },
  {
    name: 'PostgreSQL 12: no FORCE',
    obs: { ...base, superuser: true, serverVersion: 120017, role: { comment: mine }, database: { owner: 'harbor_r', comment: mine } },
    expected: ['dropDatabase', 'dropRole'],
    kept: [],
  },
  { name: 'nothing there', obs: base, expected: [], kept: [] },
  {
    name: 'foreign ones are kept',
    obs: { ...base, role: { comment: null }, database: { owner: 'x', comment: theirs } },
    expected: [],
    kept: ['database "harbor_d"', 'role "harbor_r"'],
  },
  { name: 'only the role left', obs: { ...base, role: { comment: mine } }, expected: ['dropRole'], kept: [] },
];

for (const c of dropCases) {
  test(`drop: ${c.name}`, () => {
    const p = planDrop(c.obs, want);
    assert.deepEqual(p.actions.map((a) => (a.kind === 'dropDatabase' && a.force ? 'dropDatabase force' : a.kind)), c.expected);
    assert.deepEqual(p.kept, c.kept);
  });
}

test('drop: the deletion is let go only after the timeout', () => {
  const deleted = '2026-12-01T10:00:00Z';
  const at = (s: string): Date => new Date(s);
  assert.equal(dropGivenUp(deleted, at('2026-12-01T10:09:59Z'), 600_000), false);
  assert.equal(dropGivenUp(deleted, at('2026-12-01T10:10:00Z'), 600_000), true);
  assert.equal(dropGivenUp('', at('2026-12-01T10:10:00Z'), 600_000), false, 'no timestamp: keep trying');
});
