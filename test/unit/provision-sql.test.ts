// The SQL of each action quotes names and comments as data; no password is
// ever in it (a SCRAM verifier is); the TLS settings follow libpq's sslmode;
// errors map to the reasons status reports.
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { test } from 'node:test';
import { clientSettings, tlsOptions } from '../../src/provision/connection.ts';
import { classify } from '../../src/provision/errors.ts';
import { scramVerifier } from '../../src/provision/scram.ts';
import { statements } from '../../src/provision/sql.ts';

const evil = 'x"; DROP ROLE admin; --';
const evilComment = "it's \\ here";

test('sql: identifiers and literals are quoted', () => {
  assert.deepEqual(statements({ kind: 'createRole', role: evil, comment: evilComment }, () => 'SCRAM-SHA-256$v'), [
    `CREATE ROLE "x""; DROP ROLE admin; --" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$v'`,
    `COMMENT ON ROLE "x""; DROP ROLE admin; --" IS  E'it''s \\\\ here'`,
  ]);
  assert.deepEqual(statements({ kind: 'createDatabase', database: "d'b", owner: evil }, () => ''), [
    `CREATE DATABASE "d'b" OWNER "x""; DROP ROLE admin; --" ENCODING 'UTF8'`,
  ]);
  assert.deepEqual(statements({ kind: 'dropDatabase', database: 'd', force: true }, () => ''), ['DROP DATABASE IF EXISTS "d" WITH (FORCE)']);
  assert.deepEqual(statements({ kind: 'grantToAdmin', role: 'r' }, () => ''), ['GRANT "r" TO CURRENT_USER']);
});

test('scram: the verifier is what RFC 5802 derives, in PostgreSQL\'s format', () => {
  const salt = Buffer.from('0123456789abcdef');
  const v = scramVerifier('pencil', salt);
  const salted = pbkdf2Sync('pencil', salt, 4096, 32, 'sha256');
  const stored = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  const server = createHmac('sha256', salted).update('Server Key').digest('base64');
  assert.equal(v, `SCRAM-SHA-256$4096:${salt.toString('base64')}$${stored}:${server}`);
  assert.ok(!v.includes('pencil'));
  assert.throws(() => scramVerifier('pässword', salt), /ASCII/);
});

test('connection: sslmode as libpq has it', () => {
  const noIdentity = (o: ReturnType<typeof tlsOptions>): boolean => o !== false && typeof o.checkServerIdentity === 'function';
  assert.equal(tlsOptions('disable', 'CA'), false);
  assert.deepEqual(tlsOptions('require', undefined), { rejectUnauthorized: false });
  const requireWithCa = tlsOptions('require', 'CA');
  assert.ok(requireWithCa !== false && requireWithCa.rejectUnauthorized === true && requireWithCa.ca === 'CA' && noIdentity(requireWithCa), 'require with a CA verifies like verify-ca');
  const ca = tlsOptions('verify-ca', undefined);
  assert.ok(ca !== false && ca.rejectUnauthorized === true && ca.ca === undefined && noIdentity(ca), 'verify-ca: system CAs, no host name check');
  const full = tlsOptions('verify-full', 'CA');
  assert.ok(full !== false && full.rejectUnauthorized === true && full.ca === 'CA' && !noIdentity(full), 'verify-full checks the host name');
  const s = clientSettings({ host: 'h', port: 1, database: 'postgres', user: 'u', password: 'p', sslMode: 'disable' });
  assert.equal(s.application_name, 'harbor-operator');
  assert.ok(s.connectionTimeoutMillis > 0 && s.query_timeout > 0, 'bounded connect and query times');
});

const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code, severity: 'FATAL' });
const sysError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

const errorCases: [string, unknown, string][] = [
  ['wrong password', pgError('28P01', 'password authentication failed for user "admin"'), 'AuthenticationFailed'],
  ['pg_hba refusal', pgError('28000', 'no pg_hba.conf entry'), 'AuthenticationFailed'],
  ['no CREATEROLE', pgError('42501', 'permission denied to create role'), 'InsufficientPrivilege'],
  ['server starting up', pgError('57P03', 'the database system is starting up'), 'ServerUnreachable'],
  ['other SQL error', pgError('3D000', 'database "postgres" does not exist'), 'ProvisioningFailed'],
  ['refused', sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'ServerUnreachable'],
  ['unknown host', sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND pg.example'), 'ServerUnreachable'],
  ['connect timeout', new Error('timeout expired'), 'ServerUnreachable'],
  ['untrusted certificate', sysError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'TLSFailed'],
  ['wrong host name', sysError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'TLSFailed'],
  ['server without TLS', new Error('The server does not support SSL connections'), 'TLSFailed'],
  ['anything else', new Error('boom'), 'ProvisioningFailed'],
];

for (const [name, err, reason] of errorCases) {
  test(`errors: ${name} → ${reason}`, () => {
    const c = classify(err);
    assert.equal(c.reason, reason);
    assert.equal(c.message, (err as Error).message, "the server's own words");
  });
}
