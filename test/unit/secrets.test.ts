// completeSecrets(), randomString(), the token key pair and the DER encoder.
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { bitString, boolean, integer, nullValue, octetString, oid, sequence, set, time, tlv, utf8 } from '../../src/secrets/der.ts';
import {
  GENERATED_KEYS,
  REGISTRY_USER,
  completeSecrets,
  randomString,
  type GeneratedKey,
  type GeneratedSecrets,
  type RandomBytes,
  type SecretNeeds,
} from '../../src/secrets/generate.ts';
import { createTokenKeyPair } from '../../src/secrets/token-keypair.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;
const all: SecretNeeds = { adminPassword: true, databasePassword: true, cachePassword: true };
const none: SecretNeeds = { adminPassword: false, databasePassword: false, cachePassword: false };

/** Deterministic bytes: start, start+1, ... (mod 256), across calls. */
function counter(start = 0): RandomBytes {
  let next = start;
  return (n) => Buffer.from(Array.from({ length: n }, () => next++ % 256));
}

/** Hands out the scripted chunks in turn (each padded with zeros to the size asked), and records the sizes asked. */
function scripted(chunks: number[][]): RandomBytes & { asked: number[] } {
  const asked: number[] = [];
  let i = 0;
  const fn = (n: number): Buffer => {
    asked.push(n);
    const chunk = chunks[i++] ?? [];
    return Buffer.from(Array.from({ length: n }, (_, j) => chunk[j] ?? 0));
  };
  return Object.assign(fn, { asked });
}

const sorted = (keys: readonly string[]): string[] => [...keys].sort();

// Valid existing values to start from (a low bcrypt cost keeps the tests quick).
const registryPassword = 'existing-registry-password';
const validHtpasswd = `${REGISTRY_USER}:${bcrypt.hashSync(registryPassword, 4)}`;
const pair = await createTokenKeyPair(NOW, counter(7));
const fullExisting: Required<GeneratedSecrets> = {
  adminPassword: 'existing-admin',
  coreSecret: 'existing-core-01',
  jobserviceSecret: 'existing-jobs-01',
  csrfKey: 'existing-csrf-key-0123456789abcd',
  secretKey: 'existing-secret1',
  registryHttpSecret: 'existing-registry-http-secret-01',
  registryPassword,
  registryHtpasswd: validHtpasswd,
  tokenKey: pair.key,
  tokenCert: pair.cert,
  databasePassword: 'existing-database',
  cachePassword: 'existing-cache',
  // Made by the database provisioning, kept here like the rest.
  databaseProvisionId: 'existing-provision-id',
  databasePasswordRotation: 'existing-rotation',
};

function htpasswdMatches(line: string | undefined, password: string | undefined): boolean {
  if (line === undefined || password === undefined) return false;
  assert.ok(line.startsWith(`${REGISTRY_USER}:`), `htpasswd line ${line} is for ${REGISTRY_USER}`);
  return bcrypt.compareSync(password, line.slice(REGISTRY_USER.length + 1));
}

// --- lengths and alphabet ---------------------------------------------------

const lengths: [GeneratedKey, number][] = [
  ['adminPassword', 20],
  ['coreSecret', 16],
  ['jobserviceSecret', 16],
  ['csrfKey', 32],
  ['secretKey', 16],
  ['registryHttpSecret', 32],
  ['registryPassword', 24],
  ['databasePassword', 24],
  ['cachePassword', 24],
];

const fresh = await completeSecrets({}, all, counter(), NOW);

test('from nothing, every key is generated and reported added', () => {
  assert.deepEqual(sorted(Object.keys(fresh.values)), sorted(GENERATED_KEYS));
  assert.deepEqual(sorted(fresh.added), sorted(GENERATED_KEYS));
  assert.equal(new Set(fresh.added).size, fresh.added.length, 'no key reported twice');
});

for (const [key, length] of lengths) {
  test(`${key} is ${length} alphanumeric characters`, () => {
    const v = fresh.values[key];
    assert.equal(v?.length, length);
    assert.match(v, ALPHANUMERIC);
  });
}

test('the generated values are not all the same', () => {
  const values = lengths.map(([k]) => fresh.values[k]);
  assert.equal(new Set(values).size, values.length);
});

test('the same random bytes give the same values; other bytes give other values', async () => {
  const again = await completeSecrets({}, all, counter(), NOW);
  const other = await completeSecrets({}, all, counter(100), NOW);
  for (const [k] of lengths) {
    assert.equal(again.values[k], fresh.values[k], k);
    assert.notEqual(other.values[k], fresh.values[k], k);
  }
});

// --- what is generated, what is kept ------------------------------------------

const { tokenKey: _k, tokenCert: _c, ...withoutToken } = fullExisting;
const { registryHtpasswd: _h, ...withoutHtpasswd } = fullExisting;
const { registryPassword: _p, ...withoutRegistry } = withoutHtpasswd;

const keepCases: { name: string; existing: GeneratedSecrets; needs: SecretNeeds; added: GeneratedKey[]; absent?: GeneratedKey[] }[] = [
  {
    name: 'a user-given admin password: adminPassword is not generated',
    existing: {},
    needs: { ...all, adminPassword: false },
    added: GENERATED_KEYS.filter((k) => k !== 'adminPassword'),
    absent: ['adminPassword'],
  },
  {
    name: 'an external database: databasePassword is not generated',
    existing: {},
    needs: { ...all, databasePassword: false },
    added: GENERATED_KEYS.filter((k) => k !== 'databasePassword'),
    absent: ['databasePassword'],
  },
  {
    name: 'an external cache: cachePassword is not generated',
    existing: {},
    needs: { ...all, cachePassword: false },
    added: GENERATED_KEYS.filter((k) => k !== 'cachePassword'),
    absent: ['cachePassword'],
  },
  {
    name: 'none of the optional ones needed',
    existing: {},
    needs: none,
    added: GENERATED_KEYS.filter((k) => k !== 'databasePassword' && k !== 'adminPassword' && k !== 'cachePassword'),
    absent: ['adminPassword', 'databasePassword', 'cachePassword'],
  },
  { name: 'everything there: nothing added', existing: fullExisting, needs: all, added: [] },
  {
    name: 'a value no longer needed is kept, not removed',
    existing: fullExisting,
    needs: none,
    added: [],
  },
  {
    name: 'only csrfKey there',
    existing: { csrfKey: fullExisting.csrfKey },
    needs: all,
    added: GENERATED_KEYS.filter((k) => k !== 'csrfKey'),
  },
  {
    name: 'some secrets there, no registry password, no token pair',
    existing: { adminPassword: 'mine', coreSecret: 'core', secretKey: 'sixteen-chars-00' },
    needs: all,
    added: ['jobserviceSecret', 'csrfKey', 'registryHttpSecret', 'registryPassword', 'registryHtpasswd', 'tokenKey', 'tokenCert', 'databasePassword', 'cachePassword'],
  },
  {
    name: 'the registry password without its htpasswd line: only the line is added',
    existing: withoutHtpasswd,
    needs: all,
    added: ['registryHtpasswd'],
  },
  {
    name: 'the registry password and a matching line: both kept',
    existing: { registryPassword, registryHtpasswd: validHtpasswd },
    needs: all,
    added: GENERATED_KEYS.filter((k) => k !== 'registryPassword' && k !== 'registryHtpasswd'),
  },
  { name: 'no token pair: only the pair is added', existing: withoutToken, needs: all, added: ['tokenKey', 'tokenCert'] },
  {
    name: 'a token pair alone is kept',
    existing: { tokenKey: pair.key, tokenCert: pair.cert },
    needs: all,
    added: GENERATED_KEYS.filter((k) => k !== 'tokenKey' && k !== 'tokenCert'),
  },
];

for (const c of keepCases) {
  test(`completeSecrets: ${c.name}`, async () => {
    const existing = structuredClone(c.existing);
    const out = await completeSecrets(existing, c.needs, counter(3), NOW);
    assert.deepEqual(sorted(out.added), sorted(c.added));
    assert.deepEqual(existing, c.existing, 'the input object is not changed');
    for (const [k, v] of Object.entries(c.existing)) {
      assert.equal(out.values[k as GeneratedKey], v, `${k} kept`);
    }
    for (const k of c.added) assert.ok(out.values[k], `${k} set`);
    for (const k of c.absent ?? []) assert.equal(k in out.values, false, `${k} absent`);
    assert.ok(htpasswdMatches(out.values.registryHtpasswd, out.values.registryPassword));
  });
}

test('completeSecrets is stable: a second pass on its output adds and changes nothing', async () => {
  for (const needs of [all, none]) {
    const first = await completeSecrets({}, needs, counter(), NOW);
    const second = await completeSecrets(first.values, needs, counter(50), NOW);
    assert.deepEqual(second.added, []);
    assert.deepEqual(second.values, first.values);
  }
});

test('registryHtpasswd is the registry user with a bcrypt hash of registryPassword, at cost 5', () => {
  const line = fresh.values.registryHtpasswd ?? '';
  assert.match(line, /^harbor_registry_user:\$2[aby]\$05\$[./A-Za-z0-9]{53}$/);
  assert.ok(htpasswdMatches(line, fresh.values.registryPassword));
  assert.equal(htpasswdMatches(line, `${fresh.values.registryPassword ?? ''}x`), false);
});

const staleCases: { name: string; existing: GeneratedSecrets }[] = [
  { name: 'a line for another password', existing: { registryPassword, registryHtpasswd: `${REGISTRY_USER}:${bcrypt.hashSync('old-password', 4)}` } },
  { name: 'a line for another user', existing: { registryPassword, registryHtpasswd: `admin:${bcrypt.hashSync(registryPassword, 4)}` } },
  { name: 'a line that is no htpasswd line', existing: { registryPassword, registryHtpasswd: 'garbage' } },
  { name: 'a line for the user without a hash', existing: { registryPassword, registryHtpasswd: `${REGISTRY_USER}:` } },
  { name: 'a line whose password is gone', existing: { registryHtpasswd: validHtpasswd } },
];

for (const c of staleCases) {
  test(`a stale htpasswd is made again: ${c.name}`, async () => {
    const out = await completeSecrets({ ...withoutRegistry, ...c.existing }, all, counter(), NOW);
    assert.ok(out.added.includes('registryHtpasswd'));
    assert.notEqual(out.values.registryHtpasswd, c.existing.registryHtpasswd);
    assert.ok(htpasswdMatches(out.values.registryHtpasswd, out.values.registryPassword));
    if (c.existing.registryPassword) assert.equal(out.values.registryPassword, c.existing.registryPassword, 'the password itself is kept');
    else assert.equal(out.values.registryPassword?.length, 24, 'a new password');
    assert.deepEqual(sorted(out.added), c.existing.registryPassword ? ['registryHtpasswd'] : ['registryHtpasswd', 'registryPassword']);
  });
}

test('a token key without its certificate keeps the key and gets a certificate made from it', async () => {
  const out = await completeSecrets({ ...withoutToken, tokenKey: pair.key }, all, counter(), NOW);
  assert.deepEqual(sorted(out.added), ['tokenCert']);
  assert.equal(out.values.tokenKey, pair.key, 'the key core signs with is kept');
  assert.notEqual(out.values.tokenCert, pair.cert, 'a new certificate (another serial)');
  const cert = new X509Certificate(out.values.tokenCert ?? '');
  const data = Buffer.from('payload');
  assert.ok(verify('sha256', data, cert.publicKey, sign('sha256', data, pair.key)));
  assert.ok(cert.checkPrivateKey(createPrivateKey(pair.key)), 'the certificate of that key');
});


// --- token key pair -----------------------------------------------------------

test('tokenCert is a self-signed X.509 certificate for harbor-token-issuer, valid ten years from now', () => {
  const cert = new X509Certificate(fresh.values.tokenCert ?? '');
  assert.equal(cert.subject, 'CN=harbor-token-issuer');
  assert.equal(cert.issuer, 'CN=harbor-token-issuer');
  assert.equal(new Date(cert.validFrom).toISOString(), NOW.toISOString());
  const days = (new Date(cert.validTo).getTime() - NOW.getTime()) / 86_400_000;
  assert.equal(days, 3650);
  assert.ok(cert.checkIssued(cert));
  assert.ok(cert.verify(cert.publicKey), 'signed with its own key');
  assert.match(fresh.values.tokenCert ?? '', /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
});

test('tokenKey is an RSA 2048 PKCS#1 key whose signatures verify with the certificate', () => {
  const key = fresh.values.tokenKey ?? '';
  assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  const cert = new X509Certificate(fresh.values.tokenCert ?? '');
  assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.deepEqual(createPublicKey(key).export({ type: 'spki', format: 'der' }), cert.publicKey.export({ type: 'spki', format: 'der' }));
  const data = Buffer.from('a registry token');
  const signature = sign('sha256', data, key);
  assert.ok(verify('sha256', data, cert.publicKey, signature));
  assert.equal(verify('sha256', Buffer.from('another token'), cert.publicKey, signature), false);
});

test('the serial number comes from the random bytes', async () => {
  const p = await createTokenKeyPair(NOW, scripted([[0x12, 0x34, ...Array<number>(14).fill(0xab)]]));
  assert.equal(new X509Certificate(p.cert).serialNumber, `1234${'AB'.repeat(14)}`);
  const q = await createTokenKeyPair(NOW, scripted([[0x92, ...Array<number>(15).fill(1)]]));
  // A high first bit gets a leading zero byte: the serial stays positive.
  assert.equal(new X509Certificate(q.cert).serialNumber.replace(/^00/, ''), `92${'01'.repeat(15)}`);
});

test('a certificate made in 2045 ends in 2055 (GeneralizedTime) and still parses', async () => {
  const now = new Date('2045-06-01T00:00:00Z');
  const p = await createTokenKeyPair(now, counter());
  const cert = new X509Certificate(p.cert);
  assert.equal(new Date(cert.validFrom).toISOString(), now.toISOString());
  assert.equal(new Date(cert.validTo).getUTCFullYear(), 2055);
});

// --- randomString -------------------------------------------------------------

test('randomString skips bytes 248..255 (rejection, no modulo bias)', () => {
  const random = scripted([[248, 249, 250, 251, 252, 253, 254, 255], [0, 255, 25, 248, 26, 61, 62, 247]]);
  assert.equal(randomString(4, random), 'AZa9');
  assert.deepEqual(random.asked, [8, 8]);
});

test('randomString maps 0..247 onto the 62 characters exactly four times each', () => {
  const s = randomString(248, counter());
  assert.equal(s.length, 248);
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  assert.equal(counts.size, 62);
  assert.deepEqual(new Set(counts.values()), new Set([4]));
  assert.match(s, ALPHANUMERIC);
});

const stringCases: { name: string; length: number; random: RandomBytes; expected: string }[] = [
  { name: 'zero length', length: 0, random: counter(), expected: '' },
  { name: 'the alphabet in order', length: 62, random: counter(), expected: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789' },
  { name: 'wraps at 62', length: 3, random: scripted([[61, 62, 124]]), expected: '9AA' },
  { name: 'a run of rejected bytes in the middle', length: 3, random: scripted([[1, 250, 251, 252, 253, 2], [3]]), expected: 'BCD' },
];

for (const c of stringCases) {
  test(`randomString: ${c.name}`, () => {
    assert.equal(randomString(c.length, c.random), c.expected);
  });
}

// --- DER ---------------------------------------------------------------------

const derCases: { name: string; der: Buffer; hex: string }[] = [
  { name: 'oid 2.5.4.3 (commonName)', der: oid('2.5.4.3'), hex: '0603550403' },
  { name: 'oid 1.2.840.113549.1.1.11 (sha256WithRSAEncryption)', der: oid('1.2.840.113549.1.1.11'), hex: '06092a864886f70d01010b' },
  { name: 'oid 2.5.29.19 (basicConstraints)', der: oid('2.5.29.19'), hex: '0603551d13' },
  { name: 'oid with an arc of exactly 128', der: oid('1.2.128'), hex: '06032a8100' },
  { name: 'integer 0', der: integer(Buffer.from([0])), hex: '020100' },
  { name: 'integer 2', der: integer(Buffer.from([2])), hex: '020102' },
  { name: 'integer 0x7f', der: integer(Buffer.from([0x7f])), hex: '02017f' },
  { name: 'integer 0x80 gets a leading zero', der: integer(Buffer.from([0x80])), hex: '02020080' },
  { name: 'integer with redundant leading zeros', der: integer(Buffer.from([0, 0, 0x05])), hex: '020105' },
  { name: 'integer keeps the one zero a high bit needs', der: integer(Buffer.from([0, 0, 0x80, 0x01])), hex: '0203008001' },
  { name: 'integer of 0xff 0xff', der: integer(Buffer.from([0xff, 0xff])), hex: '020300ffff' },
  { name: 'UTCTime 2026-01-02T03:04:05Z', der: time(new Date('2026-01-02T03:04:05Z')), hex: '170d3236303130323033303430355a' },
  { name: 'UTCTime up to the end of 2049', der: time(new Date('2049-12-31T23:59:59.999Z')), hex: `170d${Buffer.from('491231235959Z').toString('hex')}` },
  { name: 'GeneralizedTime from 2050', der: time(new Date('2050-01-01T00:00:00Z')), hex: `180f${Buffer.from('20500101000000Z').toString('hex')}` },
  { name: 'GeneralizedTime 2061-07-08T09:10:11Z', der: time(new Date('2061-07-08T09:10:11Z')), hex: '180f32303631303730383039313031315a' },
  { name: 'empty sequence', der: sequence(), hex: '3000' },
  { name: 'sequence of two', der: sequence(nullValue(), boolean(false)), hex: '30050500010100' },
  { name: 'set', der: set(utf8('a')), hex: '31030c0161' },
  { name: 'utf8 is counted in bytes', der: utf8('é'), hex: '0c02c3a9' },
  { name: 'boolean true', der: boolean(true), hex: '0101ff' },
  { name: 'octet string', der: octetString(Buffer.from([1, 2])), hex: '04020102' },
  { name: 'bit string has no unused bits', der: bitString(Buffer.from([0xaa])), hex: '030200aa' },
  { name: 'length 127 is short form', der: tlv(0x04, Buffer.alloc(127)), hex: `047f${'00'.repeat(127)}` },
  { name: 'length 128 is long form, one byte', der: tlv(0x04, Buffer.alloc(128)), hex: `048180${'00'.repeat(128)}` },
  { name: 'length 300 is long form, two bytes', der: tlv(0x04, Buffer.alloc(300)), hex: `0482012c${'00'.repeat(300)}` },
];

for (const c of derCases) {
  test(`der: ${c.name}`, () => {
    assert.equal(c.der.toString('hex'), c.hex);
  });
}

const staleLine = `${REGISTRY_USER}:${bcrypt.hashSync('another-password', 4)}`;
const htpasswdCheckCases: { name: string; line: string; check: boolean | undefined; kept: boolean }[] = [
  { name: 'a matching line, checked: kept', line: validHtpasswd, check: true, kept: true },
  { name: 'a stale line, checked (the default): made again', line: staleLine, check: undefined, kept: false },
  { name: 'a stale line, checked: made again', line: staleLine, check: true, kept: false },
  { name: 'a stale line, not checked (the caller knows the Secret is untouched): kept', line: staleLine, check: false, kept: true },
  { name: 'a line for another user, not checked: made again', line: `someone:${bcrypt.hashSync(registryPassword, 4)}`, check: false, kept: false },
];

for (const c of htpasswdCheckCases) {
  test(`completeSecrets htpasswd: ${c.name}`, async () => {
    const existing = { ...fullExisting, registryHtpasswd: c.line };
    const out = await completeSecrets(existing, all, counter(5), NOW, c.check === undefined ? {} : { checkHtpasswd: c.check });
    assert.equal(out.values.registryHtpasswd === c.line, c.kept);
    assert.equal(out.added.includes('registryHtpasswd'), !c.kept);
    if (!c.kept) assert.ok(htpasswdMatches(out.values.registryHtpasswd, out.values.registryPassword));
  });
}
