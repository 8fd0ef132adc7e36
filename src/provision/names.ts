// Names of the role and database the operator provisions for a HarborCluster
// on an external PostgreSQL. Pure. Given names (spec.database.external.database
// and username) are used as they are; otherwise both are derived from the
// namespace and name: readable, deterministic, and distinct for distinct
// HarborClusters even where the readable part is cut or maps two names to the
// same characters (a-b/c and a/b-c), thanks to a hash of both.
import { createHash } from 'node:crypto';
import type { DatabaseExternal } from '../api/types.generated.ts';

/** PostgreSQL identifiers are at most NAMEDATALEN - 1 = 63 bytes; longer ones are cut silently. */
export const MAX_IDENTIFIER_BYTES = 63;

const HASH_CHARS = 10;

export interface ProvisionNames {
  role: string;
  database: string;
}

export class InvalidNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidNameError';
  }
}

/** harbor_<namespace>_<name>, lower case [a-z0-9_], cut to fit, then _<10 hex of sha256(namespace/name)>. */
export function derivedName(namespace: string, name: string): string {
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, HASH_CHARS);
  const readable = `harbor_${namespace}_${name}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${readable.slice(0, MAX_IDENTIFIER_BYTES - HASH_CHARS - 1)}_${hash}`;
}

function checked(field: string, value: string): string {
  if (value.length === 0) throw new InvalidNameError(`${field} is empty`);
  if (value.includes('\0')) throw new InvalidNameError(`${field} contains a NUL character`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES)
    throw new InvalidNameError(`${field} is ${bytes} bytes long; PostgreSQL identifiers are at most ${MAX_IDENTIFIER_BYTES}`);
  return value;
}

/** The role and database of a provisioned HarborCluster; throws InvalidNameError for a given name PostgreSQL would cut. */
export function provisionNames(namespace: string, name: string, external: Pick<DatabaseExternal, 'database' | 'username'>): ProvisionNames {
  const derived = derivedName(namespace, name);
  return {
    role: checked('spec.database.external.username', external.username ?? derived),
    database: checked('spec.database.external.database', external.database ?? derived),
  };
}
