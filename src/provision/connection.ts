// The operator's own connection to the PostgreSQL server, with the sslmode
// semantics of libpq (https://www.postgresql.org/docs/current/libpq-ssl.html):
// disable: no TLS; require: TLS without verification, unless a CA is given,
// which then verifies the chain as verify-ca does; verify-ca: the chain;
// verify-full: the chain and the host name. Pure.
import type { ConnectionOptions } from 'node:tls';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface AdminConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  sslMode: SslMode;
  /** PEM CA certificate(s) to trust instead of the system's. */
  ca?: string;
}

export interface ClientSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: false | ConnectionOptions;
  connectionTimeoutMillis: number;
  query_timeout: number;
  application_name: string;
}

export const CONNECT_TIMEOUT_MS = 10_000;
export const QUERY_TIMEOUT_MS = 60_000;

export function tlsOptions(mode: SslMode, ca: string | undefined): false | ConnectionOptions {
  if (mode === 'disable') return false;
  const verifyChain = mode === 'verify-ca' || mode === 'verify-full' || ca !== undefined;
  if (!verifyChain) return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    ...(ca !== undefined ? { ca } : {}),
    // The chain is checked either way; the host name only with verify-full.
    ...(mode === 'verify-full' ? {} : { checkServerIdentity: (): undefined => undefined }),
  };
}

export function clientSettings(c: AdminConnection): ClientSettings {
  return {
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    password: c.password,
    ssl: tlsOptions(c.sslMode, c.ca),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: 'harbor-operator',
  };
}
