// Names of the provisioned role and database: derived ones are readable,
// within PostgreSQL's 63 bytes, deterministic and distinct; given ones are
// used as they are unless PostgreSQL would cut them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { derivedName, InvalidNameError, MAX_IDENTIFIER_BYTES, provisionNames } from '../../src/provision/names.ts';

const longNs = 'n'.repeat(63);
const longName = 'h'.repeat(40);

const cases: { name: string; ns: string; cluster: string; given?: { database?: string; username?: string }; expected: RegExp | { role: string; database: string } }[] = [
  { name: 'short names stay readable', ns: 'team-a', cluster: 'harbor', expected: /^harbor_team_a_harbor_[0-9a-f]{10}$/ },
  { name: 'the longest namespace and name are cut to fit', ns: longNs, cluster: longName, expected: /^harbor_n{45}_[0-9a-f]{10}$/ },
  { name: 'given names are used as they are', ns: 'a', cluster: 'b', given: { database: 'registry', username: 'harbor' }, expected: { role: 'harbor', database: 'registry' } },
  { name: 'a given name of any characters is data', ns: 'a', cluster: 'b', given: { database: 'x"; DROP ROLE y; --', username: "o'brien" }, expected: { role: "o'brien", database: 'x"; DROP ROLE y; --' } },
];

for (const c of cases) {
  test(`names: ${c.name}`, () => {
    const got = provisionNames(c.ns, c.cluster, c.given ?? {});
    if (c.expected instanceof RegExp) {
      assert.match(got.role, c.expected);
      assert.equal(got.database, got.role, 'role and database share the derived name');
    } else assert.deepEqual(got, c.expected);
    assert.ok(Buffer.byteLength(got.role) <= MAX_IDENTIFIER_BYTES && Buffer.byteLength(got.database) <= MAX_IDENTIFIER_BYTES);
  });
}

test('names: derived names are deterministic', () => {
  assert.equal(derivedName('team-a', 'harbor'), derivedName('team-a', 'harbor'));
});

test('names: names that read the same after mapping or cutting still differ', () => {
  const pairs: [string, string, string, string][] = [
    ['a-b', 'c', 'a', 'b-c'], // both read harbor_a_b_c
    [longNs, `${longName.slice(0, 39)}x`, longNs, longName], // differ only after the cut
    ['team-a', 'harbor', 'team-a', 'harbor2'],
  ];
  for (const [n1, c1, n2, c2] of pairs) assert.notEqual(derivedName(n1, c1), derivedName(n2, c2), `${n1}/${c1} vs ${n2}/${c2}`);
});

test('names: a given name PostgreSQL would cut, or with NUL, is refused with the field named', () => {
  assert.throws(() => provisionNames('a', 'b', { database: 'é'.repeat(32) }), (e: unknown) => e instanceof InvalidNameError && /spec\.database\.external\.database is 64 bytes/.test(e.message));
  assert.throws(() => provisionNames('a', 'b', { username: 'a\0b' }), /spec\.database\.external\.username contains a NUL/);
  assert.doesNotThrow(() => provisionNames('a', 'b', { database: 'x'.repeat(63) }));
});

test('values: Harbor connects to the provisioned role and database, on the spec\'s host, port and sslmode', async () => {
  const { toValues } = await import('../../src/render/values.ts');
  const { fixedSecrets } = await import('../harness/golden-cases.ts');
  const cr = (external: Record<string, unknown>): Parameters<typeof toValues>[0] => ({
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: 'harbor', namespace: 'team-a' },
    spec: {
      externalURL: 'https://h.example.com',
      expose: { type: 'ClusterIP' },
      database: { type: 'External', external: { host: 'pg.example.com', port: 6432, sslMode: 'verify-full', provision: { adminSecretRef: { name: 'a' } }, ...external } },
    },
  });
  const derived = derivedName('team-a', 'harbor');
  assert.deepEqual(toValues(cr({}), fixedSecrets).database.external, { host: 'pg.example.com', port: 6432, database: derived, username: derived, sslmode: 'verify-full' });
  assert.deepEqual(toValues(cr({ database: 'registry', username: 'harbor' }), fixedSecrets).database.external, {
    host: 'pg.example.com',
    port: 6432,
    database: 'registry',
    username: 'harbor',
    sslmode: 'verify-full',
  });
  assert.equal(toValues(cr({}), fixedSecrets).database.password, fixedSecrets.databasePassword, 'the generated password');
});
