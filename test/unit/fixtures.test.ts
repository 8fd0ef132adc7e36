// The fixed key material of the golden renders and of the chart's defaults has
// the shape of what the operator really generates: a PKCS#1 RSA key, a
// self-signed certificate of that key openssl-style parsers read, and an
// htpasswd line whose bcrypt hash matches the password.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { parse } from 'yaml';
import { REGISTRY_USER } from '../../src/secrets/generate.ts';
import { fixedSecrets } from '../harness/golden-cases.ts';

const chartValues = new URL('../../charts/harbor/values.yaml', import.meta.url);

function checkKey(pem: string, what: string): void {
  assert.match(pem, /^-----BEGIN RSA PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END RSA PRIVATE KEY-----\n$/, `${what}: PKCS#1 PEM`);
  const key = createPrivateKey(pem);
  assert.equal(key.asymmetricKeyType, 'rsa', what);
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048, what);
}

function checkHtpasswd(line: string, password: string, what: string): void {
  const [user, hash, ...rest] = line.split(':');
  assert.equal(user, REGISTRY_USER, `${what}: user`);
  assert.deepEqual(rest, [], `${what}: one colon`);
  assert.match(hash ?? '', /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/, `${what}: bcrypt hash`);
  assert.ok(bcrypt.compareSync(password, hash ?? ''), `${what}: the hash matches the password`);
  assert.ok(!bcrypt.compareSync(`${password}x`, hash ?? ''), `${what}: and nothing else`);
}

test('golden token key is an RSA 2048 PKCS#1 key', () => {
  checkKey(fixedSecrets.tokenKey, 'fixedSecrets.tokenKey');
});

test('golden token certificate is self-signed for harbor-token-issuer and holds the public half of the key', () => {
  const cert = new X509Certificate(fixedSecrets.tokenCert);
  assert.equal(cert.subject, 'CN=harbor-token-issuer');
  assert.equal(cert.issuer, cert.subject);
  assert.ok(cert.verify(cert.publicKey), 'signed by its own key');
  assert.ok(cert.checkPrivateKey(createPrivateKey(fixedSecrets.tokenKey)), 'the certificate is of the token key');
  const data = Buffer.from('registry token');
  assert.ok(verify('sha256', data, createPublicKey(fixedSecrets.tokenCert), sign('sha256', data, fixedSecrets.tokenKey)));
});

test('golden htpasswd line is bcrypt of the golden registry password', () => {
  checkHtpasswd(fixedSecrets.registryHtpasswd, fixedSecrets.registryPassword, 'fixedSecrets.registryHtpasswd');
});

test("the chart's default token key and htpasswd line are real too", async () => {
  const values = parse(await readFile(chartValues, 'utf8')) as { secrets: Record<string, string> };
  const s = values.secrets;
  checkKey(s['tokenKey'] ?? '', 'values.yaml secrets.tokenKey');
  checkHtpasswd(s['registryHtpasswd'] ?? '', s['registryPassword'] ?? '', 'values.yaml secrets.registryHtpasswd');
  assert.equal(s['tokenCert'], undefined, 'no token certificate: nothing in the chart reads one');
});
