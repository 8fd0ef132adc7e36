// The PostgreSQL side of provisioning against a real server (test/harness/
// postgres.ts; no Kubernetes): what src/provision/postgres.ts observes and
// does with the plans of src/provision/plan.ts, as the non-superuser admin
// role with CREATEDB and CREATEROLE the harness makes. Names are quoted as
// data, the password never reaches the server's log, TLS follows sslmode.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { AdminConnection, SslMode } from '../../src/provision/connection.ts';
import { classify } from '../../src/provision/errors.ts';
import { markText } from '../../src/provision/mark.ts';
import type { ProvisionNames } from '../../src/provision/names.ts';
import { planDrop, planProvision, type Action } from '../../src/provision/plan.ts';
import { pgConnector } from '../../src/provision/postgres.ts';
import { scramVerifier } from '../../src/provision/scram.ts';
import { startPostgres, type Credentials, type PgServer } from '../harness/postgres.ts';

let pg: PgServer;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg.stop();
});

const conn = (who: Credentials = pg.admin, extra: Partial<AdminConnection> = {}): AdminConnection => ({
  host: '127.0.0.1',
  port: pg.port,
  database: 'postgres',
  user: who.user,
  password: who.password,
  sslMode: 'disable',
  ...extra,
});

const uniq = (): string => randomBytes(4).toString('hex');
const password = (): string => randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');

/** What the operator's step does: observe, plan, run. Returns the actions, or throws the refusal. */
async function provision(c: AdminConnection, names: ProvisionNames, id: string, pw: string, setPassword: boolean): Promise<Action[]> {
  const s = await pgConnector.connect(c);
  try {
    const d = planProvision(await s.observe(names), { names, id, comment: markText('ns', 'h', id), setPassword });
    if (d.kind === 'refused') throw new Error(d.message);
    await s.run(d.actions, () => scramVerifier(pw, randomBytes(16)));
    return d.actions;
  } finally {
    await s.end();
  }
}

async function drop(c: AdminConnection, names: ProvisionNames, id: string): Promise<ReturnType<typeof planDrop>> {
  const s = await pgConnector.connect(c);
  try {
    const p = planDrop(await s.observe(names), { names, id });
    await s.run(p.actions, () => '');
    return p;
  } finally {
    await s.end();
  }
}

/** Everything about a role and a database that provisioning could change. */
async function state(names: ProvisionNames): Promise<string> {
  const role = await pg.psql(
    `SELECT rolname, rolpassword, rolsuper, rolcreatedb, rolcreaterole, xmin, shobj_description(oid, 'pg_authid') FROM pg_authid WHERE rolname = ${quote(names.role)}`,
  );
  const db = await pg.psql(
    `SELECT datname, pg_get_userbyid(datdba), pg_encoding_to_char(encoding), xmin, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ${quote(names.database)}`,
  );
  return role || db ? `${role}|${db}` : '';
}
const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

describe('provisioning on a real PostgreSQL', () => {
  test('first provisioning: role and database, marked; the password logs in and owns the database', async () => {
    const n = `harbor_first_${uniq()}`;
    const names = { role: n, database: n };
    const pw = password();
    const actions = await provision(conn(), names, 'ID1', pw, true);
    assert.deepEqual(actions.map((a) => a.kind), ['createRole', 'grantToAdmin', 'createDatabase', 'commentDatabase']);
    const row = (await state(names)).split('|');
    assert.equal(row[0], n);
    assert.match(row[1] ?? '', /^SCRAM-SHA-256\$4096:/, 'a SCRAM verifier is stored');
    assert.deepEqual([row[2], row[3], row[4]], ['f', 'f', 'f'], 'no superuser, CREATEDB or CREATEROLE');
    assert.match(row[6] ?? '', /provisioning id ID1/);
    assert.deepEqual([row[7], row[8], row[9]], [n, n, 'UTF8'], 'the database, owned by the role, UTF8 as Harbor makes it');
    assert.match(row[11] ?? '', /provisioning id ID1/);
    // What Harbor's migrator does: log in, create tables in the public schema.
    const harbor = { user: n, password: pw };
    assert.equal(await pg.psql('CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL); SELECT current_user', { as: harbor, database: n }), n);
    assert.equal(await pg.psql("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'schema_migrations'", { database: n }), n);
    assert.equal(await pg.canLogin({ user: n, password: 'wrong' }, n), false);
    assert.ok(!(await pg.log()).includes(pw), 'the password is not in the server log (statements are logged)');
  });

  test('a second provisioning changes nothing', async () => {
    const n = `harbor_again_${uniq()}`;
    const names = { role: n, database: n };
    await provision(conn(), names, 'ID1', password(), true);
    const before = await state(names);
    assert.deepEqual(await provision(conn(), names, 'ID1', 'unused', false), []);
    assert.equal(await state(names), before, 'same rows, same versions (xmin), same password verifier');
  });

  test('a database or role of that name the operator did not create is refused, and nothing is done', async () => {
    const n = `harbor_foreign_${uniq()}`;
    await pg.psql(`CREATE DATABASE ${n}`);
    await assert.rejects(provision(conn(), { role: n, database: n }, 'ID1', password(), true), /database "harbor_foreign_\w+" already exists and was not created by harbor-operator/);
    assert.equal(await pg.psql(`SELECT count(*) FROM pg_roles WHERE rolname = '${n}'`), '0', 'no role created');
    assert.equal(await pg.psql(`SELECT pg_get_userbyid(datdba) || ' ' || coalesce(shobj_description(oid, 'pg_database'), '-') FROM pg_database WHERE datname = '${n}'`), 'postgres -', 'the database untouched');

    const r = `harbor_foreign_role_${uniq()}`;
    await pg.psql(`CREATE ROLE ${r} LOGIN PASSWORD 'theirs'`);
    await assert.rejects(provision(conn(), { role: r, database: r }, 'ID1', password(), true), /role "harbor_foreign_role_\w+" already exists/);
    assert.equal(await pg.psql(`SELECT count(*) FROM pg_database WHERE datname = '${r}'`), '0');
    // Another HarborCluster's (another provisioning id) is refused too.
    const o = `harbor_other_${uniq()}`;
    await provision(conn(), { role: o, database: o }, 'OTHER', password(), true);
    await assert.rejects(provision(conn(), { role: o, database: o }, 'ID1', password(), true), /another provisioning id/);
  });

  test('insufficient privilege and a wrong password are reported with the server\'s words', async () => {
    const weak = { user: `weak_${uniq()}`, password: password() };
    await pg.psql(`CREATE ROLE ${weak.user} LOGIN CREATEDB PASSWORD '${weak.password}'`);
    const n = `harbor_weak_${uniq()}`;
    const err = await provision(conn(weak), { role: n, database: n }, 'ID1', password(), true).then(() => undefined, (e: unknown) => e);
    assert.deepEqual(classify(err), { reason: 'InsufficientPrivilege', message: 'permission denied to create role' });
    const denied = await provision(conn({ user: pg.admin.user, password: 'wrong' }), { role: n, database: n }, 'ID1', password(), true).then(() => undefined, (e: unknown) => e);
    assert.equal(classify(denied).reason, 'AuthenticationFailed');
    assert.match(classify(denied).message, /password authentication failed for user "harbor_admin"/);
  });

  test('the password is set again when asked (rotation): the old one no longer logs in', async () => {
    const n = `harbor_rotate_${uniq()}`;
    const names = { role: n, database: n };
    const old = password();
    await provision(conn(), names, 'ID1', old, true);
    const next = password();
    assert.deepEqual((await provision(conn(), names, 'ID1', next, true)).map((a) => a.kind), ['setPassword']);
    assert.equal(await pg.canLogin({ user: n, password: next }, n), true);
    assert.equal(await pg.canLogin({ user: n, password: old }, n), false);
  });

  test('names are data: quotes and semicolons make a role and a database of exactly that name', async () => {
    const names = { role: `r"; DROP ROLE ${pg.admin.user}; --${uniq()}`, database: `d'; DROP DATABASE postgres; --${uniq()}` };
    const pw = password();
    await provision(conn(), names, 'ID1', pw, true);
    assert.equal(await pg.psql(`SELECT count(*) FROM pg_roles WHERE rolname IN (${quote(names.role)}, '${pg.admin.user}')`), '2');
    assert.equal(await pg.psql(`SELECT pg_get_userbyid(datdba) = ${quote(names.role)} FROM pg_database WHERE datname = ${quote(names.database)}`), 't');
    assert.equal(await pg.canLogin({ user: names.role, password: pw }, names.database), true);
    await drop(conn(), names, 'ID1');
    assert.equal(await pg.psql(`SELECT count(*) FROM pg_roles WHERE rolname = ${quote(names.role)}`), '0');
  });

  test('drop: what the operator made goes, even while connected; what it did not make stays', async () => {
    const n = `harbor_drop_${uniq()}`;
    const names = { role: n, database: n };
    const pw = password();
    await provision(conn(), names, 'ID1', pw, true);
    // Harbor still connected: WITH (FORCE) ends its session.
    const { Client } = (await import('pg')).default;
    const harbor = new Client({ host: '127.0.0.1', port: pg.port, user: n, password: pw, database: n });
    harbor.on('error', () => undefined);
    await harbor.connect();
    const p = await drop(conn(), names, 'ID1');
    await harbor.end().catch(() => undefined);
    assert.deepEqual(p.actions.map((a) => a.kind), ['grantToAdmin', 'dropDatabase', 'dropRole']);
    assert.equal(await state(names), '', 'both gone');
    assert.deepEqual((await drop(conn(), names, 'ID1')).actions, [], 'a second drop has nothing to do');

    const f = `harbor_keep_${uniq()}`;
    await pg.psql(`CREATE ROLE ${f}`);
    await pg.psql(`CREATE DATABASE ${f} OWNER ${f}`);
    const kept = await drop(conn(), { role: f, database: f }, 'ID1');
    assert.deepEqual(kept.actions, []);
    assert.deepEqual(kept.kept, [`database "${f}"`, `role "${f}"`]);
    assert.equal(await pg.psql(`SELECT count(*) FROM pg_database WHERE datname = '${f}'`), '1');
  });

  test('the server down: unreachable; back: provisioning goes through', async () => {
    const n = `harbor_down_${uniq()}`;
    await pg.down();
    try {
      const err = await provision(conn(), { role: n, database: n }, 'ID1', password(), true).then(() => undefined, (e: unknown) => e);
      assert.equal(classify(err).reason, 'ServerUnreachable');
      assert.match(classify(err).message, /ECONNREFUSED/);
    } finally {
      await pg.up();
    }
    assert.equal((await provision(conn(), { role: n, database: n }, 'ID1', password(), true)).length, 4);
  });
});

describe('the operator\'s connection honours sslmode and a CA', () => {
  let tls: PgServer;
  before(async () => {
    tls = await startPostgres({ tls: true });
  });
  after(async () => {
    await tls.stop();
  });
  const attempt = async (host: string, sslMode: SslMode, ca?: string): Promise<string> => {
    try {
      const s = await pgConnector.connect({ host, port: tls.port, database: 'postgres', user: tls.admin.user, password: tls.admin.password, sslMode, ...(ca ? { ca } : {}) });
      await s.observe({ role: 'x', database: 'x' });
      await s.end();
      return 'ok';
    } catch (err) {
      return classify(err).reason;
    }
  };
  const cases: [string, string, SslMode, 'ca' | 'other' | undefined, string][] = [
    ['disable: plain connection', '127.0.0.1', 'disable', undefined, 'ok'],
    ['require: encrypted, not verified', '127.0.0.1', 'require', undefined, 'ok'],
    ['require with the wrong CA verifies the chain like verify-ca', '127.0.0.1', 'require', 'other', 'TLSFailed'],
    ['verify-ca with the CA, host name not checked', '127.0.0.1', 'verify-ca', 'ca', 'ok'],
    ['verify-ca with another CA', '127.0.0.1', 'verify-ca', 'other', 'TLSFailed'],
    ['verify-ca with the system CAs', '127.0.0.1', 'verify-ca', undefined, 'TLSFailed'],
    ['verify-full with the CA and the name in the certificate', 'localhost', 'verify-full', 'ca', 'ok'],
    ['verify-full with a host name the certificate does not have', '127.0.0.1', 'verify-full', 'ca', 'TLSFailed'],
  ];
  for (const [name, host, mode, ca, expected] of cases) {
    test(name, async () => {
      const pem = ca === 'ca' ? tls.tls?.ca : ca === 'other' ? tls.tls?.otherCa : undefined;
      assert.equal(await attempt(host, mode, pem), expected);
    });
  }
  test('a TLS mode against a server without TLS fails as TLSFailed', async () => {
    const s = await pgConnector.connect(conn(pg.admin, { sslMode: 'require' })).then(
      async (x) => {
        await x.end();
        return 'ok';
      },
      (e: unknown) => classify(e).reason,
    );
    assert.equal(s, 'TLSFailed');
  });
});
