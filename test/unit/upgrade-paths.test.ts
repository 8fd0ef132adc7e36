// Which version changes the operator accepts: every forward move between
// supported releases, no downgrade. Why no forward path is refused
// (checked against goharbor/harbor v2.13.0–v2.15.2, 2026-12):
// - the schema: core runs migration.Migrate at every start (src/core/main.go),
//   which is golang-migrate's Up over make/migrations/postgresql/*.up.sql
//   (src/common/dao/pgsql.go UpgradeSchema): every script after the schema's
//   version, in order. No release checks for a minimum schema version
//   (src/migration/migration.go only logs it), and every release keeps every
//   earlier release's scripts unchanged (`git ls-tree` of that folder at each
//   tag v2.13.0…v2.15.1 holds no blob that v2.15.2 lacks): 2.13.x last adds
//   0160_2.13.0, 2.14.0 adds 0170, 2.14.1 adds 0171, 2.15.0 adds 0180.
// - the data directory: harbor-db up to v2.15.1 runs PostgreSQL 15
//   (docker-entrypoint.sh "14" "15"), v2.15.2 runs 18 and upgrades from 15
//   ("15" "18"): every supported release's data is one the newer image reads
//   or upgrades. This test checks that against the release table.
// - upstream's guide ("Upgrade Harbor and Migrate Data", goharbor.io docs of
//   2.10, 2.11 and 2.12; the pages of 2.13–2.15 were not at hand) covers
//   moving to a release from two minor lines back (to 2.12 from 2.10.0 and
//   later) and names no step that cannot be skipped; 2.13.0 → 2.15.x would be
//   within the same window. The guide asks for a backup before every upgrade.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdFile } from '../../src/api/codegen.ts';
import { releases } from '../../src/api/releases.ts';
import { compareVersions, versionRule } from '../../src/api/versions.ts';
import { decideDatabaseUpgrade, versionOfImage } from '../../src/status/database-upgrade.ts';

const pairs = releases.flatMap((a) => releases.filter((b) => compareVersions(a.version, b.version) < 0).map((b) => [a, b] as const));

test(`every forward move between the ${releases.length} releases keeps the in-cluster database readable (${pairs.length} pairs)`, () => {
  assert.equal(pairs.length, (releases.length * (releases.length - 1)) / 2);
  for (const [a, b] of pairs) {
    const same = a.database.postgresMajor === b.database.postgresMajor;
    assert.ok(same || b.database.upgradesFromMajor === a.database.postgresMajor, `${a.version} → ${b.version}: harbor-db ${b.version} cannot read PostgreSQL ${a.database.postgresMajor} data`);
    const d = decideDatabaseUpgrade({
      inCluster: true,
      desiredVersion: b.version,
      statusVersion: a.version,
      live: { image: `docker.io/goharbor/harbor-db:v${a.version}`, rolledOut: true },
      condition: undefined,
      storageSize: '1Gi',
    });
    assert.notEqual(d.kind, 'unsupported', `${a.version} → ${b.version}`);
    assert.equal(d.kind, same ? 'none' : 'pending', `${a.version} → ${b.version}`);
  }
  assert.equal(versionOfImage('docker.io/goharbor/harbor-db:v2.13.0'), '2.13.0');
});

test("the CRD's rules on spec.version: a known release, and never lower; no rule on the path between", async () => {
  const crd = parse(await readFile(crdFile, 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: { version: { 'x-kubernetes-validations': { rule: string; message: string }[] } } } } } } }[] };
  };
  const rules = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties.version['x-kubernetes-validations'] ?? [];
  assert.deepEqual(
    rules.map((r) => r.rule),
    [versionRule(), '!isSemver(self) || !isSemver(oldSelf) || semver(self).compareTo(semver(oldSelf)) >= 0'],
  );
  assert.match(rules[1]?.message ?? '', /^spec\.version cannot be lowered/);
});
