// Database provisioning end to end: the operator on the local control plane
// and a real PostgreSQL (test/harness/postgres.ts). A HarborCluster with only
// an admin Secret ref becomes Ready with its role and database made on the
// server; foreign names, missing privileges and an unreachable server are
// reported and nothing of Harbor is applied; deletion keeps or drops; the
// rotation annotation rotates in the database and rolls only the pods that
// read the password; no credential reaches logs, events or status.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../../src/model/object.ts';
import { ROTATE_ANNOTATION, DATABASE_FINALIZER } from '../../src/controller/database-provisioner.ts';
import { derivedName } from '../../src/provision/names.ts';
import { apiVersion, ensureCrd, harborClusters, refusal } from '../harness/crd.ts';
import { condition, createCluster, get, getCluster, harborCluster, list, patchCluster, raw, remove, versions, waitForCondition } from '../harness/harbor.ts';
import { testNamespace, waitUntil } from '../harness/kube.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { startPostgres, type Credentials, type PgServer } from '../harness/postgres.ts';

let pg: PgServer;
before(async () => {
  await ensureCrd();
  pg = await startPostgres();
});
after(async () => {
  await pg.stop();
});

const ADMIN_SECRET = 'pg-admin';

async function adminSecret(ns: string, who: Credentials, name = ADMIN_SECRET): Promise<void> {
  await raw().request('PATCH', `/api/v1/namespaces/${ns}/secrets/${name}`, {
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: { username: who.user, password: who.password } },
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'tests', force: true },
  });
}

function provisioned(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return harborCluster(name, {
    database: { type: 'External', external: { host: '127.0.0.1', port: pg.port, provision: { adminSecretRef: { name: ADMIN_SECRET } } } },
    ...extra,
  });
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const decode = (o: KubeObject | undefined, key: string): string | undefined => {
  const v = (o?.['data'] as Record<string, string> | undefined)?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
};
const configValue = (o: KubeObject | undefined, key: string): string | undefined => (o?.['data'] as Record<string, string> | undefined)?.[key];

async function roleAndDatabase(n: string): Promise<{ role: string; database: string }> {
  return {
    role: await pg.psql(`SELECT rolname || ' ' || xmin || ' ' || rolpassword || ' ' || coalesce(shobj_description(oid, 'pg_authid'), '-') FROM pg_authid WHERE rolname = ${quote(n)}`),
    database: await pg.psql(`SELECT datname || ' ' || pg_get_userbyid(datdba) || ' ' || coalesce(shobj_description(oid, 'pg_database'), '-') FROM pg_database WHERE datname = ${quote(n)}`),
  };
}

/** No credential of this test in the operator's log lines, the namespace's events or the HarborCluster's status. */
async function noLeak(ns: string, op: RunningOperator, values: (string | undefined)[]): Promise<void> {
  const events = JSON.stringify(await raw().request('GET', `/api/v1/namespaces/${ns}/events`));
  const statuses = JSON.stringify(await raw().request('GET', `/apis/${apiVersion}/namespaces/${ns}/harborclusters`));
  const logs = op.logs.join('');
  for (const v of values) {
    assert.ok(v && v.length >= 8, 'a credential to look for');
    for (const [where, text] of Object.entries({ logs, events, statuses })) assert.ok(!text.includes(v), `a credential appears in ${where}`);
  }
}

async function eventsOf(ns: string, name: string): Promise<{ reason: string; type: string; message: string }[]> {
  const l = await raw().request<{ items: { reason: string; type: string; message: string; involvedObject: { name: string } }[] }>('GET', `/api/v1/namespaces/${ns}/events`);
  return l.items.filter((e) => e.involvedObject.name === name);
}

async function gone(ns: string, name: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(`HarborCluster ${ns}/${name} gone`, async () => {
    try {
      await getCluster(ns, name);
      return false;
    } catch {
      return true;
    }
  }, { timeoutMs });
}

/**
 * Deletes the HarborCluster after the test and waits for it to go. Hooks run
 * in the order they were added: call it before startOperator, so that the
 * operator still runs to release a finalizer.
 */
function cleanUp(t: TestContext, ns: string, name: string): void {
  t.after(async () => {
    await remove(ns, 'HarborCluster', name).catch(() => undefined);
    await gone(ns, name).catch(() => undefined);
  });
}

type Pod = { metadata: { annotations?: Record<string, string> } };
const template = (o: KubeObject | undefined): Pod | undefined => (o?.['spec'] as { template?: Pod } | undefined)?.template;

describe('database provisioning on an external PostgreSQL', () => {
  test('a HarborCluster with only an admin Secret ref becomes Ready with its role and database made on the real server', async (t) => {
    const ns = await testNamespace(t);
    await adminSecret(ns, pg.admin);
    cleanUp(t, ns, 'p1');
    const op = await startOperator(t, ns, { resyncMs: 1000 });
    await createCluster(ns, provisioned('p1'));
    const ready = await waitForCondition(ns, 'p1', 'Ready', 'True');
    const n = derivedName(ns, 'p1');
    assert.equal(condition(ready, 'DatabaseProvisioned')?.status, 'True');
    assert.match(condition(ready, 'DatabaseProvisioned')?.message ?? '', new RegExp(`role "${n}" owns database "${n}" on 127\\.0\\.0\\.1:${String(pg.port)}`));
    assert.equal(ready.metadata.finalizers, undefined, 'kept on deletion by default: no finalizer');

    const generated = await get(ns, 'Secret', 'p1-generated-secrets');
    const password = decode(generated, 'databasePassword');
    const id = decode(generated, 'databaseProvisionId');
    assert.ok(password && id);
    const made = await roleAndDatabase(n);
    assert.match(made.role, new RegExp(`^${n} \\d+ SCRAM-SHA-256\\$.* created by harbor-operator for HarborCluster ${ns}/p1, provisioning id ${id};`));
    assert.match(made.database, new RegExp(`^${n} ${n} created by harbor-operator for HarborCluster ${ns}/p1, provisioning id ${id};`), 'owned by the role, marked');
    // The generated password logs in and owns the database (what Harbor's migrator needs).
    const harbor = { user: n, password };
    assert.equal(await pg.psql('CREATE TABLE probe (id int); SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = $$probe$$', { as: harbor, database: n }), n);

    // Harbor's connection settings point at it.
    const coreEnv = await get(ns, 'ConfigMap', 'p1-core');
    assert.deepEqual(
      ['POSTGRESQL_HOST', 'POSTGRESQL_PORT', 'POSTGRESQL_DATABASE', 'POSTGRESQL_USERNAME', 'POSTGRESQL_SSLMODE'].map((k) => configValue(coreEnv, k)),
      ['127.0.0.1', String(pg.port), n, n, 'disable'],
    );
    assert.equal(decode(await get(ns, 'Secret', 'p1-core'), 'POSTGRESQL_PASSWORD'), password);
    const exporterEnv = await get(ns, 'ConfigMap', 'p1-exporter');
    assert.deepEqual(
      ['HARBOR_DATABASE_HOST', 'HARBOR_DATABASE_PORT', 'HARBOR_DATABASE_DBNAME', 'HARBOR_DATABASE_USERNAME', 'HARBOR_DATABASE_SSLMODE'].map((k) => configValue(exporterEnv, k)),
      ['127.0.0.1', String(pg.port), n, n, 'disable'],
    );
    assert.equal(decode(await get(ns, 'Secret', 'p1-exporter'), 'HARBOR_DATABASE_PASSWORD'), password);
    assert.equal(await get(ns, 'StatefulSet', 'p1-database'), undefined, 'no in-cluster database');
    assert.ok((await eventsOf(ns, 'p1')).some((e) => e.reason === 'DatabaseProvisioned' && e.message.includes(`created role "${n}"`)));

    // Steady state: over several resyncs, nothing written to the API server or the database, no connection made.
    await sleep(1500);
    const logins = (await pg.log()).split('connection authorized: user=harbor_admin').length;
    const children = await versions(ns, ['Deployment', 'Secret', 'ConfigMap']);
    const writes = op.writes.length;
    await sleep(3500);
    assert.deepEqual(op.writes.slice(writes), [], 'no writes at rest');
    assert.deepEqual(await versions(ns, ['Deployment', 'Secret', 'ConfigMap']), children);
    assert.deepEqual(await roleAndDatabase(n), made, 'role (same xmin, same verifier) and database unchanged');
    assert.equal((await pg.log()).split('connection authorized: user=harbor_admin').length, logins, 'no new admin connection');
    await noLeak(ns, op, [pg.admin.password, password]);
  });

  test('an existing database of that name the operator did not create is refused, and nothing of Harbor is applied', async (t) => {
    const ns = await testNamespace(t);
    await adminSecret(ns, pg.admin);
    const n = derivedName(ns, 'p2');
    await pg.psql(`CREATE DATABASE ${n}`);
    cleanUp(t, ns, 'p2');
    const op = await startOperator(t, ns);
    await createCluster(ns, provisioned('p2'));
    const refused = await waitForCondition(ns, 'p2', 'DatabaseProvisioned', 'False', 'NotOwned', 30_000);
    assert.match(condition(refused, 'DatabaseProvisioned')?.message ?? '', new RegExp(`database "${n}" already exists and was not created by harbor-operator`));
    assert.equal(condition(refused, 'Degraded')?.reason, 'DatabaseProvisionFailed');
    assert.equal(condition(refused, 'Ready')?.status, 'False');
    await sleep(1000); // retries meanwhile
    assert.deepEqual(await list(ns, 'Deployment'), [], 'core and the rest not applied');
    assert.deepEqual(await roleAndDatabase(n), { role: '', database: `${n} postgres -` }, 'no role made, the database untouched');
    await noLeak(ns, op, [pg.admin.password]);
  });

  test('insufficient privilege is reported with the server\'s error; a better admin Secret then goes through', async (t) => {
    const ns = await testNamespace(t);
    const weak = { user: `weak_${ns.replace(/-/g, '_').slice(-6)}`, password: 'weak-password-0123' };
    await pg.psql(`CREATE ROLE ${weak.user} LOGIN CREATEDB PASSWORD '${weak.password}'`);
    await adminSecret(ns, weak);
    cleanUp(t, ns, 'p3');
    const op = await startOperator(t, ns);
    await createCluster(ns, provisioned('p3'));
    const failed = await waitForCondition(ns, 'p3', 'DatabaseProvisioned', 'False', 'InsufficientPrivilege', 30_000);
    assert.match(condition(failed, 'DatabaseProvisioned')?.message ?? '', /permission denied to create role/);
    assert.deepEqual(await list(ns, 'Deployment'), []);
    await adminSecret(ns, { user: weak.user, password: 'not-the-password' });
    await waitForCondition(ns, 'p3', 'DatabaseProvisioned', 'False', 'AuthenticationFailed', 30_000);
    await adminSecret(ns, pg.admin);
    await waitForCondition(ns, 'p3', 'Ready', 'True');
    await noLeak(ns, op, [pg.admin.password, weak.password, 'not-the-password']);
  });

  test('the server down during provisioning: reported, and provisioned when it is back', async (t) => {
    const ns = await testNamespace(t);
    await adminSecret(ns, pg.admin);
    cleanUp(t, ns, 'p4');
    await startOperator(t, ns);
    await pg.down();
    try {
      await createCluster(ns, provisioned('p4'));
      const down = await waitForCondition(ns, 'p4', 'DatabaseProvisioned', 'False', 'ServerUnreachable', 30_000);
      assert.match(condition(down, 'DatabaseProvisioned')?.message ?? '', /ECONNREFUSED/);
      assert.deepEqual(await list(ns, 'Deployment'), []);
    } finally {
      await pg.up();
    }
    await waitForCondition(ns, 'p4', 'Ready', 'True');
    assert.notEqual((await roleAndDatabase(derivedName(ns, 'p4'))).database, '');
  });

  test('deletion keeps the role and database by default, and a re-created HarborCluster adopts them', async (t) => {
    const ns = await testNamespace(t);
    await adminSecret(ns, pg.admin);
    cleanUp(t, ns, 'p5');
    await startOperator(t, ns);
    await createCluster(ns, provisioned('p5'));
    await waitForCondition(ns, 'p5', 'Ready', 'True');
    const n = derivedName(ns, 'p5');
    const before = await roleAndDatabase(n);
    const password = decode(await get(ns, 'Secret', 'p5-generated-secrets'), 'databasePassword');
    await remove(ns, 'HarborCluster', 'p5');
    await gone(ns, 'p5');
    await waitUntil('workloads garbage-collected', async () => (await list(ns, 'Deployment')).length === 0);
    assert.deepEqual(await roleAndDatabase(n), before, 'role and database kept as they were');
    await createCluster(ns, provisioned('p5'));
    await waitForCondition(ns, 'p5', 'Ready', 'True');
    assert.deepEqual(await roleAndDatabase(n), before, 'adopted, not made again or altered');
    assert.equal(decode(await get(ns, 'Secret', 'p5-generated-secrets'), 'databasePassword'), password, 'the same password');
    assert.equal(await pg.canLogin({ user: n, password: password ?? '' }, n), true);
  });

  test('deleteClaimsWithCluster: a finalizer drops the role and database before the HarborCluster goes', async (t) => {
    const ns = await testNamespace(t);
    await adminSecret(ns, pg.admin);
    cleanUp(t, ns, 'p6');
    const op = await startOperator(t, ns);
    await createCluster(ns, provisioned('p6', { persistence: { deleteClaimsWithCluster: true } }));
    const ready = await waitForCondition(ns, 'p6', 'Ready', 'True');
    assert.deepEqual(ready.metadata.finalizers, [DATABASE_FINALIZER]);
    const n = derivedName(ns, 'p6');
    assert.notEqual((await roleAndDatabase(n)).role, '');
    await remove(ns, 'HarborCluster', 'p6');
    await gone(ns, 'p6');
    assert.deepEqual(await roleAndDatabase(n), { role: '', database: '' }, 'both dropped');
    await waitUntil('children, volumes and the generated Secret garbage-collected', async () => {
      const pvcs = (await list(ns, 'PersistentVolumeClaim')).filter((p) => !p.metadata.deletionTimestamp);
      return (await list(ns, 'Deployment')).length === 0 && pvcs.length === 0 && !(await get(ns, 'Secret', 'p6-generated-secrets'));
    });
    const dropped = (await eventsOf(ns, 'p6')).find((e) => e.reason === 'DatabaseDropped');
    assert.match(dropped?.message ?? '', new RegExp(`dropped database "${n}", role "${n}"`));
    await noLeak(ns, op, [pg.admin.password]);
  });

  test('the server gone for good: the finalizer is let go after the bounded time, with an event', async (t) => {
    const ns = await testNamespace(t);
    await adminSecret(ns, pg.admin);
    cleanUp(t, ns, 'p7');
    await startOperator(t, ns, { databaseDropTimeoutMs: 6000 });
    await createCluster(ns, provisioned('p7', { persistence: { deleteClaimsWithCluster: true } }));
    await waitForCondition(ns, 'p7', 'Ready', 'True');
    const n = derivedName(ns, 'p7');
    await pg.down();
    try {
      const t0 = Date.now();
      await remove(ns, 'HarborCluster', 'p7');
      await waitUntil('a failed drop reported', async () => (await eventsOf(ns, 'p7')).some((e) => e.reason === 'DatabaseDropFailed'));
      assert.ok((await getCluster(ns, 'p7')).metadata.deletionTimestamp, 'held by the finalizer meanwhile');
      await gone(ns, 'p7', 30_000);
      // deletionTimestamp has whole seconds: up to 1 s earlier than t0.
      assert.ok(Date.now() - t0 >= 4500, 'not let go before the time');
      const given = (await eventsOf(ns, 'p7')).find((e) => e.reason === 'DatabaseNotDropped');
      assert.equal(given?.type, 'Warning');
      assert.match(given.message, new RegExp(`gave up dropping database "${n}" and role "${n}" on 127\\.0\\.0\\.1:${String(pg.port)} after 6 s of failures \\(.*ECONNREFUSED.*\\); they are left on the server`));
    } finally {
      await pg.up();
    }
    assert.notEqual((await roleAndDatabase(n)).role, '', 'left on the server, as the event says');
  });

  test('the rotation annotation sets a new password in the database, then in Harbor, rolling only core and the exporter', async (t) => {
    const ns = await testNamespace(t);
    await adminSecret(ns, pg.admin);
    cleanUp(t, ns, 'p8');
    const op = await startOperator(t, ns);
    await createCluster(ns, provisioned('p8'));
    await waitForCondition(ns, 'p8', 'Ready', 'True');
    const n = derivedName(ns, 'p8');
    const old = decode(await get(ns, 'Secret', 'p8-generated-secrets'), 'databasePassword') ?? '';
    const deployments = new Map((await list(ns, 'Deployment')).map((d) => [d.metadata.name, d]));
    await patchCluster(ns, 'p8', { metadata: { annotations: { [ROTATE_ANNOTATION]: 'first' } } });
    const next = await waitUntil('a new password in the generated Secret', async () => {
      const p = decode(await get(ns, 'Secret', 'p8-generated-secrets'), 'databasePassword');
      return p && p !== old ? p : undefined;
    });
    assert.equal(await pg.canLogin({ user: n, password: next }, n), true, 'the new password logs in');
    assert.equal(await pg.canLogin({ user: n, password: old }, n), false, 'the old one no longer does');
    assert.equal(decode(await get(ns, 'Secret', 'p8-generated-secrets'), 'databasePasswordRotation'), 'first');
    await waitUntil('core and exporter rolled', async () => {
      const core = await get(ns, 'Deployment', 'p8-core');
      const exporter = await get(ns, 'Deployment', 'p8-exporter');
      return core?.metadata.generation !== deployments.get('p8-core')?.metadata.generation && exporter?.metadata.generation !== deployments.get('p8-exporter')?.metadata.generation;
    });
    assert.equal(decode(await get(ns, 'Secret', 'p8-core'), 'POSTGRESQL_PASSWORD'), next);
    assert.notDeepEqual(template(await get(ns, 'Deployment', 'p8-core'))?.metadata.annotations, template(deployments.get('p8-core'))?.metadata.annotations);
    for (const name of ['p8-portal', 'p8-registry', 'p8-jobservice']) {
      assert.equal((await get(ns, 'Deployment', name))?.metadata.generation, deployments.get(name)?.metadata.generation, `${name} not rolled`);
    }
    assert.ok((await eventsOf(ns, 'p8')).some((e) => e.reason === 'DatabasePasswordRotated'));
    await waitForCondition(ns, 'p8', 'Ready', 'True');
    // The same value again rotates nothing.
    const role = (await roleAndDatabase(n)).role;
    await patchCluster(ns, 'p8', { metadata: { annotations: { [ROTATE_ANNOTATION]: 'first', 'example.test/other': 'x' } } });
    await sleep(2000);
    assert.equal((await roleAndDatabase(n)).role, role, 'no second rotation');
    assert.equal(decode(await get(ns, 'Secret', 'p8-generated-secrets'), 'databasePassword'), next);
    await noLeak(ns, op, [pg.admin.password, old, next]);
  });

  test('the API server refuses provision without External, with a password ref, added later, or without the admin Secret ref', async (t) => {
    const ns = await testNamespace(t);
    const api = harborClusters();
    const spec = (database: unknown): KubeObject => ({ ...harborCluster('v'), spec: { ...(harborCluster('v')['spec'] as object), database } });
    const refused = async (body: KubeObject, message: RegExp): Promise<void> => {
      const err = await api.create(ns, body, { dryRun: true }).then(() => undefined, (e: unknown) => e);
      assert.match(refusal(err)?.message ?? 'accepted', message);
    };
    const provision = { adminSecretRef: { name: 'a' } };
    await refused(spec({ type: 'InCluster', external: { host: 'h', provision } }), /spec\.database\.external\.provision needs spec\.database\.type External/);
    await refused(spec({ type: 'External', external: { host: 'h', provision, passwordSecretRef: { name: 'p' } } }), /passwordSecretRef cannot be set with provision/);
    await refused(spec({ type: 'External', external: { host: 'h' } }), /needs username and passwordSecretRef, or provision/);
    await refused(spec({ type: 'External', external: { host: 'h', provision: {} } }), /adminSecretRef: Required value/);
    await api.create(ns, spec({ type: 'External', external: { host: 'h', provision, username: 'harbor' } }), { dryRun: true });
    // Transition rules need a stored object.
    const created = await api.create(ns, spec({ type: 'External', external: { host: 'h', username: 'u', passwordSecretRef: { name: 'p' } } }));
    const withProvision = structuredClone(created);
    const ext = (withProvision.spec.database?.external ?? {}) as Record<string, unknown>;
    delete ext['passwordSecretRef'];
    ext['provision'] = provision;
    const err = await api.replace(ns, withProvision).then(() => undefined, (e: unknown) => e);
    assert.match(refusal(err)?.message ?? 'accepted', /provision cannot be added or removed after creation/);
    await remove(ns, 'HarborCluster', 'v');
  });
});
