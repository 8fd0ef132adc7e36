// The token service's key pair: core signs registry tokens with the RSA key,
// the registry checks them against this self-signed certificate.
import { createPrivateKey, createPublicKey, generateKeyPair, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { bitString, boolean, explicit, integer, nullValue, octetString, oid, sequence, set, time, utf8 } from './der.ts';

export interface TokenKeyPair {
  /** RSA private key, PKCS#1 PEM. */
  key: string;
  /** Self-signed certificate, PEM. */
  cert: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';

const generate = promisify(generateKeyPair);

export async function createTokenKeyPair(now: Date, random: (n: number) => Buffer): Promise<TokenKeyPair> {
  const { privateKey } = await generate('rsa', { modulusLength: 2048 });
  const key = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { key, cert: certificateFor(key, now, random) };
}

/**
 * A self-signed certificate for an existing key: the certificate is made from
 * the key alone, so a lost one is made again without touching the key.
 */
export function certificateFor(keyPem: string, now: Date, random: (n: number) => Buffer): string {
  const privateKey = createPrivateKey(keyPem);
  const publicKey = createPublicKey(privateKey);
  const algorithm = sequence(oid(SHA256_WITH_RSA), nullValue());
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8('harbor-token-issuer'))));
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(random(16)),
    algorithm,
    name,
    sequence(time(now), time(new Date(now.getTime() + TEN_YEARS_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(sequence(oid(BASIC_CONSTRAINTS), boolean(true), octetString(sequence())))),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
