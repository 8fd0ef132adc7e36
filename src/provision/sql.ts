// The SQL of each action. Identifiers and literals are quoted with pg's
// escapeIdentifier and escapeLiteral (a HarborCluster's name is user data);
// DDL takes no parameters. Passwords never appear: roles get a SCRAM-SHA-256
// verifier (scram.ts), so the password is not in the server's statement log.
import pg from 'pg';
import type { Action } from './plan.ts';

const id = (s: string): string => pg.escapeIdentifier(s);
const lit = (s: string): string => pg.escapeLiteral(s);

/** Statements of one action; each array runs in one transaction when it has several. */
export function statements(a: Action, verifier: () => string): string[] {
  switch (a.kind) {
    case 'createRole':
      return [
        `CREATE ROLE ${id(a.role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${lit(verifier())}`,
        `COMMENT ON ROLE ${id(a.role)} IS ${lit(a.comment)}`,
      ];
    case 'setPassword':
      return [`ALTER ROLE ${id(a.role)} PASSWORD ${lit(verifier())}`];
    case 'grantToAdmin':
      return [`GRANT ${id(a.role)} TO CURRENT_USER`];
    case 'createDatabase':
      // Harbor creates its own database with ENCODING 'UTF8'
      // (goharbor/harbor v2.15.2 make/photon/db/initial-registry.sql).
      return [`CREATE DATABASE ${id(a.database)} OWNER ${id(a.owner)} ENCODING 'UTF8'`];
    case 'setOwner':
      return [`ALTER DATABASE ${id(a.database)} OWNER TO ${id(a.owner)}`];
    case 'commentDatabase':
      return [`COMMENT ON DATABASE ${id(a.database)} IS ${lit(a.comment)}`];
    case 'dropDatabase':
      return [`DROP DATABASE IF EXISTS ${id(a.database)}${a.force ? ' WITH (FORCE)' : ''}`];
    case 'dropRole':
      return [`DROP ROLE IF EXISTS ${id(a.role)}`];
  }
}
