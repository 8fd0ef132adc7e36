// The only code that talks to PostgreSQL: one short connection per use, as
// the administrative user, through node-postgres. Narrow on purpose: read
// what exists under two names, run planned actions (sql.ts), close.
import pg from 'pg';
import { clientSettings, type AdminConnection } from './connection.ts';
import type { ProvisionNames } from './names.ts';
import type { Action, Observation } from './plan.ts';
import { statements } from './sql.ts';

export interface PostgresSession {
  observe(names: ProvisionNames): Promise<Observation>;
  /** Runs the actions in order; `verifier` makes the password verifier of a createRole or setPassword. */
  run(actions: readonly Action[], verifier: () => string): Promise<void>;
  end(): Promise<void>;
}

export interface PostgresConnector {
  connect(conn: AdminConnection): Promise<PostgresSession>;
}

export const pgConnector: PostgresConnector = {
  async connect(conn) {
    const client = new pg.Client(clientSettings(conn));
    // A connection that breaks while idle emits 'error'; the next query fails anyway.
    client.on('error', () => undefined);
    await client.connect();
    return {
      async observe(names) {
        const self = await client.query<{ superuser: boolean; version: string }>(
          `SELECT r.rolsuper AS superuser, current_setting('server_version_num') AS version
             FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`,
        );
        const role = await client.query<{ comment: string | null }>(
          `SELECT pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment FROM pg_catalog.pg_roles r WHERE r.rolname = $1`,
          [names.role],
        );
        const db = await client.query<{ owner: string; comment: string | null }>(
          `SELECT pg_catalog.pg_get_userbyid(d.datdba) AS owner, pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
             FROM pg_catalog.pg_database d WHERE d.datname = $1`,
          [names.database],
        );
        const r = role.rows[0];
        const d = db.rows[0];
        return {
          superuser: self.rows[0]?.superuser === true,
          serverVersion: Number(self.rows[0]?.version ?? 0),
          ...(r ? { role: { comment: r.comment } } : {}),
          ...(d ? { database: { owner: d.owner, comment: d.comment } } : {}),
        };
      },
      async run(actions, verifier) {
        for (const a of actions) {
          const sql = statements(a, verifier);
          if (sql.length === 1) {
            await client.query(sql[0] ?? '');
            continue;
          }
          await client.query('BEGIN');
          try {
            for (const s of sql) await client.query(s);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }
      },
      async end() {
        await client.end().catch(() => undefined);
      },
    };
  },
};
