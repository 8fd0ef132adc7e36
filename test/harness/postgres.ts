// A throwaway PostgreSQL server for tests: initdb in a temporary folder, the
// server on 127.0.0.1 on a free port, a superuser and a non-superuser admin
// role with CREATEDB and CREATEROLE. stop() ends the process and removes the
// folder; a test process that exits without stop() still kills the server
// and removes the folder. Optionally TLS with a CA of its own.
//
// The binaries are Debian's (`apt-get install postgresql`, which .ci/run
// does): /usr/lib/postgresql/<major>/bin, the newest major, or PG_BIN. Without
// them the tests fail with a message saying so; they are never skipped.
// PostgreSQL refuses to run as root: as root, initdb and the server run as the
// system user postgres (made by that package) through setpriv (util-linux),
// which also makes the server die with the test process.
//
//   const pg = await startPostgres();
//   await pg.psql('SELECT 1');                       // as the superuser
//   await pg.psql('SELECT 1', { as: pg.admin });     // as the admin role
//   pg.url(pg.admin)                                 // postgres://…@127.0.0.1:port/postgres
//   await pg.down(); await pg.up();                  // the server away for a while
//   await pg.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { freePort } from '../cluster/controlplane.ts';

export interface Credentials {
  user: string;
  password: string;
}

export interface PsqlOptions {
  as?: Credentials;
  database?: string;
  /** libpq sslmode of psql's connection (default: prefer). */
  sslMode?: string;
}

export interface PgServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Major version of the binaries, e.g. 15. */
  readonly major: number;
  readonly superuser: Credentials;
  /** Not a superuser: LOGIN CREATEDB CREATEROLE. */
  readonly admin: Credentials;
  /** With tls: the CA that signed the server's certificate (PEM; its only name is DNS:localhost), and one that did not. */
  readonly tls?: { ca: string; otherCa: string };
  /** A libpq connection string. */
  url(who?: Credentials, database?: string): string;
  /** Runs SQL with psql (unaligned, tuples only) and returns its output, trimmed; throws with psql's error. */
  psql(sql: string, opts?: PsqlOptions): Promise<string>;
  /** Whether these credentials log in to the database. */
  canLogin(who: Credentials, database: string): Promise<boolean>;
  /** Everything the server logged so far (statements included). */
  log(): Promise<string>;
  /** Stops the server process, keeping its data (the server is away until up()). */
  down(): Promise<void>;
  /** Starts it again on the same port. */
  up(): Promise<void>;
  /** Stops the server and removes every file. */
  stop(): Promise<void>;
}

export interface StartOptions {
  tls?: boolean;
}

/** The folder with initdb, postgres and psql; a clear error when there is none. */
export function postgresBin(): { bin: string; major: number } {
  const given = process.env['PG_BIN'];
  if (given) {
    if (!existsSync(join(given, 'initdb'))) throw new Error(`PG_BIN=${given} has no initdb`);
    const m = /\/(\d+)\/bin\/?$/.exec(given);
    return { bin: given, major: m ? Number(m[1]) : 0 };
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')) && existsSync(join(root, d, 'bin', 'postgres')))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  const major = majors[0];
  if (major === undefined) {
    throw new Error(
      'PostgreSQL server binaries not found: no /usr/lib/postgresql/*/bin/initdb. Install Debian\'s postgresql (apt-get install -y postgresql; .ci/run does) or set PG_BIN to a folder with initdb, postgres and psql.',
    );
  }
  return { bin: join(root, String(major), 'bin'), major };
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const { stdout } = await execa('getent', ['passwd', name], { reject: false });
  const f = stdout.split(':');
  if (f.length < 4) {
    throw new Error(`running as root, PostgreSQL needs another user to run as; the system user "${name}" (made by Debian's postgresql package) does not exist`);
  }
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

const secret = (): string => randomBytes(18).toString('base64url');

async function makeTls(dir: string): Promise<{ ca: string; otherCa: string }> {
  const ssl = (args: string[]): Promise<unknown> => execa('openssl', args, { cwd: dir, stdin: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await ssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=pg-test-ca']);
  await ssl(['req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=pg-test-other-ca']);
  await ssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\n');
  await ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.crt', '-extfile', 'server.ext']);
  return { ca: await readFile(join(dir, 'ca.crt'), 'utf8'), otherCa: await readFile(join(dir, 'other-ca.crt'), 'utf8') };
}

export async function startPostgres(opts: StartOptions = {}): Promise<PgServer> {
  const { bin, major } = postgresBin();
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await systemUser('postgres') : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'harbor-operator-pg-'));
  let proc: ChildProcess | undefined;
  // A test process that dies without stop() leaves nothing behind.
  const onExit = (): void => {
    if (proc?.pid !== undefined && proc.exitCode === null) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  // Interrupted (Ctrl-C, a runner's timeout): clean up, then die of the signal as before.
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const unhook = (): void => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  // The server dies with the test process even when that is killed outright (parent death signal).
  const run = (cmd: string, args: string[]): [string, string[]] => [
    'setpriv',
    [...(owner ? [`--reuid=${String(owner.uid)}`, `--regid=${String(owner.gid)}`, '--clear-groups'] : []), '--pdeathsig', 'SIGKILL', '--', cmd, ...args],
  ];
  const own = async (path: string): Promise<void> => {
    if (owner) await chown(path, owner.uid, owner.gid);
  };

  try {
    await own(dir);
    const data = join(dir, 'data');
    const sockets = join(dir, 'sockets');
    await mkdir(sockets);
    await own(sockets);
    const superuser = { user: 'postgres', password: secret() };
    const admin = { user: 'harbor_admin', password: secret() };
    const pwfile = join(dir, 'superuser-password');
    await writeFile(pwfile, `${superuser.password}\n`, { mode: 0o600 });
    await own(pwfile);
    const [initCmd, initArgs] = run(join(bin, 'initdb'), [
      '-D', data, '-U', superuser.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    const init = await execa(initCmd, initArgs, { reject: false, stdin: 'ignore', cwd: dir });
    if (init.exitCode !== 0) throw new Error(`initdb failed (${String(init.exitCode)}): ${init.stderr || init.stdout}`);
    await rm(pwfile);

    const tls = opts.tls ? await makeTls(dir) : undefined;
    const settings = [
      'listen_addresses=127.0.0.1',
      `unix_socket_directories=${sockets}`,
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      'log_statement=all',
      'log_connections=on',
      'max_connections=50',
      'shared_buffers=16MB',
    ];
    if (tls) {
      for (const f of ['server.crt', 'server.key']) {
        await own(join(dir, f));
        await chmod(join(dir, f), 0o600);
      }
      settings.push('ssl=on', `ssl_cert_file=${join(dir, 'server.crt')}`, `ssl_key_file=${join(dir, 'server.key')}`);
    }
    const port = await freePort();
    let logText = '';
    let exited: Promise<void> = Promise.resolve();

    const startServer = async (): Promise<void> => {
      const [cmd, args] = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])]);
      const p = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      const keep = (c: Buffer): void => {
        logText += c.toString();
      };
      p.stdout.on('data', keep);
      p.stderr.on('data', keep);
      exited = new Promise((resolve) => p.once('exit', () => {
        resolve();
      }));
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (p.exitCode !== null || p.signalCode !== null) throw new Error(`postgres exited (${String(p.exitCode ?? p.signalCode)}): ${logText.slice(-2000)}`);
        const ready = await execa(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)], { reject: false });
        if (ready.exitCode === 0) return;
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections on port ${String(port)} within 30 s: ${logText.slice(-2000)}`);
        await sleep(100);
      }
    };
    const stopServer = async (): Promise<void> => {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      p.kill('SIGINT'); // fast shutdown: ends sessions, exits
      const done = await Promise.race([exited.then(() => true), sleep(15_000, undefined, { ref: false }).then(() => false)]);
      if (!done) {
        p.kill('SIGKILL');
        await exited;
      }
    };

    const url = (who: Credentials = superuser, database = 'postgres'): string =>
      `postgres://${encodeURIComponent(who.user)}:${encodeURIComponent(who.password)}@127.0.0.1:${String(port)}/${encodeURIComponent(database)}`;
    const psql = async (sql: string, o: PsqlOptions = {}): Promise<string> => {
      const who = o.as ?? superuser;
      const res = await execa(
        join(bin, 'psql'),
        ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', who.user, '-d', o.database ?? 'postgres', '-c', sql],
        { reject: false, stdin: 'ignore', env: { PGPASSWORD: who.password, PGSSLMODE: o.sslMode ?? 'prefer', PGCONNECT_TIMEOUT: '10' }, extendEnv: false },
      );
      if (res.exitCode !== 0) throw new Error(`psql as ${who.user}: ${res.stderr.trim() || `exit ${String(res.exitCode)}`}`);
      return res.stdout.trim();
    };

    await startServer();
    await psql(`CREATE ROLE ${admin.user} LOGIN CREATEDB CREATEROLE PASSWORD '${admin.password}'`);

    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      major,
      superuser,
      admin,
      ...(tls ? { tls } : {}),
      url,
      psql,
      async canLogin(who, database) {
        try {
          return (await psql('SELECT 1', { as: who, database })) === '1';
        } catch {
          return false;
        }
      },
      log: () => Promise.resolve(logText),
      down: stopServer,
      up: startServer,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopServer();
        unhook();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    onExit();
    unhook();
    throw err;
  }
}
