// The backup and restore scripts the operator's Jobs run in harbor-db's image
// (src/backup/backup.sh, restore.sh), run here with bash against a real
// PostgreSQL server (Debian's, on loopback: test/harness/postgres.ts). A
// database with rows in several tables (a few hundred rows, bytea, a
// sequence, a foreign key, an index) is dumped, restored into an empty one,
// and compared table by table: row counts, a checksum of every row, the
// sequence's position. Also: retention, the refusals (a database that holds
// data, an unreadable file, a wrong password) and what each reports in its
// termination message.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { BACKUP_SCRIPT, RESTORE_SCRIPT } from '../../src/backup/scripts.ts';
import { postgresBin, startPostgres, type PgServer } from '../harness/postgres.ts';
import { SCRATCH_PREFIX } from '../harness/scratch.ts';

let pg: PgServer;
let dir: string;
/** Termination messages, apart from the dumps. */
let logs: string;

before(async () => {
  pg = await startPostgres();
  dir = await mkdtemp(join(tmpdir(), `${SCRATCH_PREFIX}backup-`));
  logs = await mkdtemp(join(tmpdir(), `${SCRATCH_PREFIX}backup-logs-`));
});
after(async () => {
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(logs, { recursive: true, force: true });
});

const TABLES = ['project', 'artifact', 'blob', 'schema_migrations'];

/** A small Harbor-like database: rows in several tables, bytea, a sequence, a foreign key. */
async function fill(database: string): Promise<void> {
  await pg.psql(`CREATE DATABASE ${database}`);
  const sql = `
    CREATE TABLE schema_migrations(version bigint not null primary key, dirty boolean not null);
    INSERT INTO schema_migrations VALUES (170, false);
    CREATE TABLE project (project_id serial PRIMARY KEY, name varchar(255) UNIQUE NOT NULL, creation_time timestamp DEFAULT now());
    INSERT INTO project (name) SELECT 'project-' || g FROM generate_series(1, 40) g;
    CREATE TABLE artifact (id bigserial PRIMARY KEY, project_id int REFERENCES project(project_id), digest text NOT NULL, size bigint, annotations jsonb);
    INSERT INTO artifact (project_id, digest, size, annotations)
      SELECT 1 + g % 40, 'sha256:' || md5(g::text) || md5((g * 7)::text), g * 1024, jsonb_build_object('n', g, 'label', 'é ü ' || g)
      FROM generate_series(1, 300) g;
    CREATE INDEX artifact_digest ON artifact (digest);
    CREATE TABLE blob (id serial PRIMARY KEY, content bytea NOT NULL);
    INSERT INTO blob (content) SELECT decode(md5(g::text) || '00ff10', 'hex') || gen_random_bytes_stub(g) FROM generate_series(1, 120) g;
    CREATE SEQUENCE job_seq START 1000;
    SELECT nextval('job_seq') FROM generate_series(1, 17);
  `.replace(/gen_random_bytes_stub\(g\)/g, "convert_to(repeat(chr(65 + g % 26), g), 'UTF8')");
  await pg.psql(sql, { database });
}

/** Per table: rows and a checksum over every row in primary-key order; and the sequence. */
async function fingerprint(database: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    out[t] = await pg.psql(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM ${t} x`, { database });
  }
  out['job_seq'] = await pg.psql('SELECT last_value FROM job_seq', { database });
  out['artifact_id_seq'] = await pg.psql('SELECT last_value FROM artifact_id_seq', { database });
  return out;
}

interface Run {
  code: number;
  stderr: string;
  stdout: string;
  message: string;
}

let runs = 0;
/** bash -c <script> as the Job runs it, with libpq's environment pointing at the test server. */
async function runScript(script: string, env: Record<string, string>, as?: { user: string; password: string }): Promise<Run> {
  const log = join(logs, `termination-${String(++runs)}`);
  const who = as ?? pg.superuser;
  const res = await execa('bash', ['-c', script, 'harbor-test'], {
    reject: false,
    stdin: 'ignore',
    extendEnv: false,
    env: {
      PATH: '/usr/bin:/bin',
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGUSER: who.user,
      PGPASSWORD: who.password,
      PGSSLMODE: 'disable',
      PGBIN: postgresBin().bin,
      PG_MAJOR: String(pg.major),
      TERMINATION_LOG: log,
      WAIT_SECONDS: '10',
      ...env,
    },
  });
  const message = await readFile(log, 'utf8').catch(() => '');
  return { code: res.exitCode ?? -1, stderr: res.stderr, stdout: res.stdout, message: message.trim() };
}

const backup = (database: string, keep = 5, as?: { user: string; password: string }): Promise<Run> =>
  runScript(
    BACKUP_SCRIPT,
    { PGDATABASE: database, BACKUP_DIR: dir, BACKUP_PREFIX: 'harbor', BACKUP_RELEASE: '2.14.4', BACKUP_KEEP: String(keep) },
    as,
  );
const restore = (database: string, file: string): Promise<Run> => runScript(RESTORE_SCRIPT, { PGDATABASE: database, RESTORE_FILE: join(dir, file) });

function parse(message: string): Record<string, string> {
  return Object.fromEntries(message.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

describe('backup.sh and restore.sh against PostgreSQL', () => {
  test('a dump restored into an empty database has every row of every table', async () => {
    await fill('registry');
    const source = await fingerprint('registry');
    assert.match(source['artifact'] ?? '', /^300:/);
    assert.match(source['blob'] ?? '', /^120:/);

    const b = await backup('registry');
    assert.equal(b.code, 0, b.stderr);
    const m = parse(b.message);
    assert.match(m['file'] ?? '', /^harbor-\d{8}T\d{6}Z-2\.14\.4\.dump$/);
    assert.equal(m['release'], '2.14.4');
    const file = m['file'] ?? '';
    assert.equal(Number(m['size']), (await stat(join(dir, file))).size, 'the size reported is the file size');
    assert.ok(Number(m['size']) > 1000);
    const names = await readdir(dir);
    assert.ok(!names.some((n) => n.endsWith('.partial')), 'no temporary file is left');

    // Empty as harbor-db leaves it at first start (initial-registry.sql): only an empty schema_migrations.
    await pg.psql('CREATE DATABASE restored');
    await pg.psql('CREATE TABLE schema_migrations(version bigint not null primary key, dirty boolean not null)', { database: 'restored' });
    const r = await restore('restored', file);
    assert.equal(r.code, 0, r.stderr);
    const rm2 = parse(r.message);
    assert.equal(rm2['restored'], file);
    assert.equal(rm2['tables'], String(TABLES.length));
    assert.deepEqual(await fingerprint('restored'), await fingerprint('registry'));
    assert.deepEqual(await fingerprint('restored'), source);
  });

  test('a restore never goes into a database that holds data, and a failed one leaves it empty', async () => {
    const b = await backup('registry');
    assert.equal(b.code, 0, b.stderr);
    const file = parse(b.message)['file'] ?? '';
    // 'restored' holds the first test's data now.
    const again = await restore('restored', file);
    assert.equal(again.code, 1);
    assert.match(again.message, /^error=database restored already holds data \(3 table\(s\), 1 schema migration\(s\)\)/);

    await pg.psql('CREATE DATABASE migrated');
    await pg.psql('CREATE TABLE schema_migrations(version bigint not null primary key, dirty boolean not null); INSERT INTO schema_migrations VALUES (1, false)', { database: 'migrated' });
    assert.match((await restore('migrated', file)).message, /already holds data \(0 table\(s\), 1 schema migration\(s\)\)/);

    // A dump cut short is refused before anything is written.
    await pg.psql('CREATE DATABASE fresh');
    const whole = await readFile(join(dir, file));
    await writeFile(join(dir, 'cut.dump'), whole.subarray(0, Math.floor(whole.length / 3)));
    const cut = await restore('fresh', 'cut.dump');
    assert.equal(cut.code, 1);
    assert.match(cut.message, /^error=/);
    assert.equal(await pg.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", { database: 'fresh' }), '0');

    const missing = await restore('fresh', 'nothing.dump');
    assert.match(missing.message, /^error=the dump .*nothing\.dump does not exist/);
  });

  test('retention keeps the newest dumps of this cluster and no other cluster\'s', async () => {
    // Another cluster's dump whose name starts with this prefix and a dash.
    const other = 'harbor-b-20200101T000000Z-2.14.4.dump';
    await writeFile(join(dir, other), 'not ours');
    const old = 'harbor-20200101T000000Z-2.13.0.dump';
    await writeFile(join(dir, old), 'an old dump');
    const before = (await readdir(dir)).filter((n) => /^harbor-\d/.test(n)).sort();
    assert.ok(before.length >= 3, `dumps so far: ${before.join(', ')}`);

    const b = await backup('registry', 2);
    assert.equal(b.code, 0, b.stderr);
    const after = (await readdir(dir)).filter((n) => /^harbor-\d/.test(n)).sort();
    assert.equal(after.length, 2);
    assert.equal(after[1], parse(b.message)['file'], 'the newest is the one just written');
    assert.equal(after[0], before.at(-1), 'the one before it is kept');
    assert.ok(!after.includes(old));
    assert.equal(Number(parse(b.message)['removed']), before.length + 1 - 2);
    assert.ok((await readdir(dir)).includes(other), 'a dump of cluster harbor-b is not touched');
  });

  test('a failed dump reports why and leaves no file', async () => {
    const before = await readdir(dir);
    const wrong = await backup('registry', 5, { user: 'postgres', password: 'wrong' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.message, /^error=cannot connect to database registry at 127\.0\.0\.1:\d+ as postgres$/);
    assert.ok(!wrong.message.includes(pg.superuser.password));
    const missingDb = await backup('nosuchdb');
    assert.equal(missingDb.code, 1);
    assert.match(missingDb.message, /^error=cannot connect to database nosuchdb/);
    assert.deepEqual((await readdir(dir)).sort(), before.sort());
  });

  test('the backup folder must exist', async () => {
    const ro = await mkdtemp(join(tmpdir(), `${SCRATCH_PREFIX}backup-ro-`));
    try {
      const res = await runScript(BACKUP_SCRIPT, {
        PGDATABASE: 'registry',
        BACKUP_DIR: join(ro, 'missing'),
        BACKUP_PREFIX: 'harbor',
        BACKUP_RELEASE: '2.14.4',
        BACKUP_KEEP: '1',
      });
      assert.equal(res.code, 1);
      assert.match(res.message, /^error=.*missing is not a writable folder$/);
    } finally {
      await rm(ro, { recursive: true, force: true });
    }
  });
});
