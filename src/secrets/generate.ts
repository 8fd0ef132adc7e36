// The random values Harbor needs, generated once per HarborCluster and never
// again: completeSecrets() keeps every value that exists and adds only the
// missing ones. Randomness comes in as a function so tests are repeatable.
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { certificateFor, createTokenKeyPair } from './token-keypair.ts';

/** Keys of the generated Secret. */
export const GENERATED_KEYS = [
  'adminPassword',
  'coreSecret',
  'jobserviceSecret',
  'csrfKey',
  'secretKey',
  'registryHttpSecret',
  'registryPassword',
  'registryHtpasswd',
  'tokenKey',
  'tokenCert',
  'databasePassword',
  'cachePassword',
] as const;
/**
 * Kept in the same Secret by the database provisioning
 * (src/controller/database-provisioner.ts), which makes them: the id that
 * marks the role and database it created, and the value of the rotation
 * annotation it last carried out.
 */
export const PROVISION_KEYS = ['databaseProvisionId', 'databasePasswordRotation'] as const;
/** Every key of the generated Secret. */
export const SECRET_KEYS = [...GENERATED_KEYS, ...PROVISION_KEYS] as const;
export type GeneratedKey = (typeof SECRET_KEYS)[number];
export type GeneratedSecrets = Partial<Record<GeneratedKey, string>>;

export const REGISTRY_USER = 'harbor_registry_user';

/** Which values this cluster needs generated (user-given ones are not). */
export interface SecretNeeds {
  adminPassword: boolean;
  databasePassword: boolean;
  /** The in-cluster cache gets a password of its own. */
  cachePassword: boolean;
}

export type RandomBytes = (n: number) => Buffer;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric string of exactly `length` characters, unbiased. */
export function randomString(length: number, random: RandomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const b of random(length * 2)) {
      if (b < 248) out += ALPHANUMERIC.charAt(b % 62); // 248 = 4 * 62: no modulo bias
      if (out.length === length) break;
    }
  }
  return out;
}

const lengths: Partial<Record<GeneratedKey, number>> = {
  adminPassword: 20,
  coreSecret: 16,
  jobserviceSecret: 16,
  csrfKey: 32, // exactly 32
  secretKey: 16, // exactly 16
  registryHttpSecret: 32,
  registryPassword: 24,
  databasePassword: 24,
  cachePassword: 24,
};

export interface Completed {
  values: GeneratedSecrets;
  /** Keys that were added now (empty when nothing had to be generated). */
  added: GeneratedKey[];
}

/**
 * The bcrypt cost of the registry's htpasswd line: 5, as Apache's
 * `htpasswd -B` makes by default (Harbor's own chart uses Go's default, 10).
 * A cost protects guessable passwords from whoever holds the hash; this
 * password is 24 random alphanumerics (143 bits) and the line is stored in
 * the same Secret as the password itself, so a higher cost protects nothing
 * and costs CPU: at 10, bcryptjs took 16.5 of the operator's 40 CPU-s to
 * converge at N = 100 (profile of 2026-12-01), and the registry pays it on
 * every login it checks.
 * Lines made at another cost are kept while they match.
 */
export const HTPASSWD_COST = 5;

/**
 * bcrypt is slow on purpose and a reconcile
 * checks the line every time; a pair once found to match is remembered (by a
 * digest of both, in memory only) so the check costs one comparison after that.
 */
const matched = new Set<string>();
const MATCHED_MAX = 20_000;

const pairKey = (password: string, hash: string): string =>
  createHash('sha256').update(password).update('\0').update(hash).digest('base64');

/** A pair known to match: one just made, or one bcrypt confirmed. */
function remember(password: string, hash: string): void {
  if (matched.size >= MATCHED_MAX) matched.clear();
  matched.add(pairKey(password, hash));
}

function htpasswdMatches(password: string, hash: string): boolean {
  if (matched.has(pairKey(password, hash))) return true;
  if (!bcrypt.compareSync(password, hash)) return false;
  remember(password, hash);
  return true;
}

export async function completeSecrets(
  existing: GeneratedSecrets,
  needs: SecretNeeds,
  random: RandomBytes,
  now: Date,
  opts: { checkHtpasswd?: boolean } = {},
): Promise<Completed> {
  const values: GeneratedSecrets = { ...existing };
  const added: GeneratedKey[] = [];
  const want = (k: GeneratedKey): boolean =>
    (k !== 'adminPassword' || needs.adminPassword) &&
    (k !== 'databasePassword' || needs.databasePassword) &&
    (k !== 'cachePassword' || needs.cachePassword);
  for (const [k, len] of Object.entries(lengths) as [GeneratedKey, number][]) {
    if (want(k) && !values[k]) {
      values[k] = randomString(len, random);
      added.push(k);
    }
  }
  // The htpasswd line follows the registry password; it is made again only
  // if it is missing or no longer matches (bcrypt salts are random).
  const password = values.registryPassword ?? '';
  const line = values.registryHtpasswd;
  const hash = line?.startsWith(`${REGISTRY_USER}:`) ? line.slice(REGISTRY_USER.length + 1) : '';
  // checkHtpasswd false: a caller that knows the stored line is the one it
  // made (nobody touched the Secret since) keeps it without bcrypt.
  if (!hash || ((opts.checkHtpasswd ?? true) && !htpasswdMatches(password, hash))) {
    const salt = bcrypt.genSaltSync(HTPASSWD_COST);
    const made = bcrypt.hashSync(password, salt);
    remember(password, made);
    values.registryHtpasswd = `${REGISTRY_USER}:${made}`;
    added.push('registryHtpasswd');
  }
  if (!values.tokenKey) {
    const pair = await createTokenKeyPair(now, random);
    values.tokenKey = pair.key;
    values.tokenCert = pair.cert;
    added.push('tokenKey', 'tokenCert');
  } else if (!values.tokenCert) {
    // A lost certificate is made again from the key kept: it is derived from
    // the key alone, and the key core signs tokens with stays as it was.
    values.tokenCert = certificateFor(values.tokenKey, now, random);
    added.push('tokenCert');
  }
  return { values, added };
}
