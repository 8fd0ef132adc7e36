// What to do when the generated Secret (or some of its keys) is lost: the
// values Harbor runs with are recovered from the copies the operator put in
// the component Secrets the chart renders, and a value whose copies are gone
// too is made anew only where nothing stored depends on it. For a HarborCluster
// that has run, a lost database password, secretKey, token key or initial
// admin password is never minted anew: the reconcile stops instead and says how
// to restore the Secret. Pure: plain values in, a decision out.
import { GENERATED_KEYS, type GeneratedKey, type GeneratedSecrets, type SecretNeeds } from './generate.ts';

/**
 * Where the chart puts a copy of each generated value: the component (the
 * Secret `<cluster>-<component>`) and the key there, the main reader first.
 * From our chart: charts/harbor/templates/core/_data.tpl (harbor.core.secret),
 * registry/_data.tpl (harbor.registry.secret), jobservice/_data.tpl,
 * database/_data.tpl, redis/_data.tpl, exporter/_data.tpl. The database
 * provisioning's keys (PROVISION_KEYS) have no copy and are never recovered
 * here: a provisioned database whose id is lost is refused by the
 * provisioner itself (provision/plan.ts).
 */
export const COPIES: Readonly<Partial<Record<GeneratedKey, readonly { component: string; key: string }[]>>> = {
  adminPassword: [{ component: 'core', key: 'HARBOR_ADMIN_PASSWORD' }],
  coreSecret: [
    { component: 'core', key: 'CORE_SECRET' },
    { component: 'jobservice', key: 'CORE_SECRET' },
    { component: 'registry', key: 'CORE_SECRET' },
  ],
  jobserviceSecret: [
    { component: 'core', key: 'JOBSERVICE_SECRET' },
    { component: 'jobservice', key: 'JOBSERVICE_SECRET' },
    { component: 'registry', key: 'JOBSERVICE_SECRET' },
  ],
  csrfKey: [{ component: 'core', key: 'CSRF_KEY' }],
  secretKey: [{ component: 'core', key: 'key' }],
  registryHttpSecret: [{ component: 'registry', key: 'REGISTRY_HTTP_SECRET' }],
  registryPassword: [
    { component: 'core', key: 'REGISTRY_CREDENTIAL_PASSWORD' },
    { component: 'jobservice', key: 'REGISTRY_CREDENTIAL_PASSWORD' },
  ],
  registryHtpasswd: [{ component: 'registry', key: 'passwd' }],
  tokenKey: [{ component: 'core', key: 'private_key.pem' }],
  // No component reads the certificate (the registry mounts no root.crt):
  // it has no copy and is derived from the key again.
  tokenCert: [],
  databasePassword: [
    { component: 'core', key: 'POSTGRESQL_PASSWORD' },
    { component: 'database', key: 'POSTGRES_PASSWORD' },
    { component: 'exporter', key: 'HARBOR_DATABASE_PASSWORD' },
  ],
  cachePassword: [
    { component: 'redis', key: 'REDIS_PASSWORD' },
    { component: 'registry', key: 'REGISTRY_REDIS_PASSWORD' },
  ],
};

/**
 * PEM values end with a newline as generated; copies rendered by earlier
 * versions of the chart lost it (their Secret data went through toYaml and
 * fromYaml), so it is put back.
 */
const PEM_KEYS: ReadonlySet<GeneratedKey> = new Set(['tokenKey', 'tokenCert']);

/** The component Secrets whose data may hold copies. */
export const COPY_COMPONENTS: readonly string[] = [...new Set(Object.values(COPIES).flatMap((l) => l.map((c) => c.component)))];

/**
 * Values stored data was made with. A new one would lock Harbor out of what it
 * keeps, so for a HarborCluster that has run they are recovered or the
 * reconcile stops:
 * - databasePassword: the in-cluster PostgreSQL sets its password when it
 *   initializes its data directory, which the kept claim holds;
 * - secretKey: core encrypts the credentials it stores in the database with it;
 * - tokenKey: core signs the registry tokens it has handed out with it;
 * - adminPassword: core sets the admin's password from it only at its first
 *   start and ignores it once the database holds one (goharbor/harbor v2.15.2
 *   src/core/main.go), so a new value would be a password that logs in nowhere.
 */
export const BOUND_KEYS: ReadonlySet<GeneratedKey> = new Set(['databasePassword', 'secretKey', 'tokenKey', 'adminPassword']);

/**
 * Values made from another one, re-derived when lost: the htpasswd line from
 * the registry password (bcrypt), the token certificate from the token key
 * (self-signed). completeSecrets() makes them.
 */
export const DERIVED_KEYS: Readonly<Partial<Record<GeneratedKey, GeneratedKey>>> = {
  registryHtpasswd: 'registryPassword',
  tokenCert: 'tokenKey',
};

// The others (coreSecret, jobserviceSecret, csrfKey, registryHttpSecret,
// registryPassword, cachePassword) are read only from the Secrets the chart
// renders, by the pods whose checksums roll when they change: a value made
// anew ends sessions, uploads and tokens in flight, and nothing stored. A key
// added to GENERATED_KEYS later is of this kind unless listed above.

export interface RecoveryInput {
  /** What the generated Secret holds (empty when it is gone). */
  stored: GeneratedSecrets;
  /** Decoded data of this cluster's component Secrets, by component. */
  copies: Readonly<Partial<Record<string, Readonly<Record<string, string>>>>>;
  needs: SecretNeeds;
  /** Whether the HarborCluster has run (see runEvidence). */
  hasRun: boolean;
}

export type RecoveryDecision =
  | {
      kind: 'complete';
      /** The stored values and the recovered ones; completeSecrets() adds the rest. */
      values: GeneratedSecrets;
      /** Recovered keys with the components they were read from. */
      recovered: { key: GeneratedKey; from: string[] }[];
      /** Keys to make anew with random values. */
      mint: GeneratedKey[];
      /** Keys to make again from another value. */
      derive: GeneratedKey[];
    }
  | {
      kind: 'refused';
      /** Bound keys with no copy left. */
      lost: GeneratedKey[];
      /** Bound keys whose copies disagree (which one the data was made with is unknown). */
      conflicting: { key: GeneratedKey; from: string[] }[];
    };

/** The keys this cluster needs at all. */
export function neededKeys(needs: SecretNeeds): GeneratedKey[] {
  return GENERATED_KEYS.filter(
    (k) =>
      (k !== 'adminPassword' || needs.adminPassword) &&
      (k !== 'databasePassword' || needs.databasePassword) &&
      (k !== 'cachePassword' || needs.cachePassword),
  );
}

/** The needed keys the stored values lack (an empty value is lacking). */
export function missingKeys(stored: GeneratedSecrets, needs: SecretNeeds): GeneratedKey[] {
  return neededKeys(needs).filter((k) => !stored[k]);
}

export function decideRecovery(input: RecoveryInput): RecoveryDecision {
  const values: GeneratedSecrets = { ...input.stored };
  const recovered: { key: GeneratedKey; from: string[] }[] = [];
  const mint: GeneratedKey[] = [];
  const derive: GeneratedKey[] = [];
  const lost: GeneratedKey[] = [];
  const conflicting: { key: GeneratedKey; from: string[] }[] = [];
  const missing = missingKeys(input.stored, input.needs);
  // Sources before what is derived from them (the token key before its certificate).
  const order = [...missing.filter((k) => !DERIVED_KEYS[k]), ...missing.filter((k) => DERIVED_KEYS[k])];
  for (const key of order) {
    const found: { component: string; value: string }[] = [];
    for (const c of COPIES[key] ?? []) {
      const v = input.copies[c.component]?.[c.key];
      if (v) found.push({ component: c.component, value: PEM_KEYS.has(key) && !v.endsWith('\n') ? `${v}\n` : v });
    }
    const usable = found;
    const distinct = [...new Set(usable.map((f) => f.value))];
    const bound = BOUND_KEYS.has(key) && input.hasRun;
    const first = usable[0];
    if (distinct.length > 1 && bound) {
      conflicting.push({ key, from: usable.map((f) => f.component) });
    } else if (first) {
      // The main reader's copy, and every other component that agrees with it.
      values[key] = first.value;
      recovered.push({ key, from: usable.filter((f) => f.value === first.value).map((f) => f.component) });
    } else if (DERIVED_KEYS[key]) {
      derive.push(key);
    } else if (bound) {
      lost.push(key);
    } else {
      mint.push(key);
    }
  }
  if (lost.length > 0 || conflicting.length > 0) return { kind: 'refused', lost, conflicting };
  return { kind: 'complete', values, recovered, mint, derive };
}

export interface RunEvidenceInput {
  /** status.observedGeneration of the HarborCluster. */
  observedGeneration?: number | undefined;
  appliedDigest?: string | undefined;
  /** When the HarborCluster was created (RFC 3339). */
  created?: string | undefined;
  /** The objects of this cluster that exist (its own or kept), other than the generated Secret. */
  children: readonly { kind: string; name: string; created?: string | undefined }[];
  /** The in-cluster database's claim, when it exists. */
  databaseClaim?: string | undefined;
}

/**
 * Why the HarborCluster counts as having run (data may have been made with
 * its values); empty for a cluster that never ran. Signs: status recorded a
 * complete apply; a workload exists (pods ran); the database claim exists
 * (the database StatefulSet made it); a claim is older than the HarborCluster
 * (kept from an earlier one of the same name). Not signs: Secrets,
 * ConfigMaps, Services or claims made by this HarborCluster's first apply, as
 * an operator stopped before the workloads leaves them (those are applied
 * only after everything a pod reads, apply-order.ts).
 */
export function runEvidence(i: RunEvidenceInput): string[] {
  const out: string[] = [];
  if ((i.observedGeneration ?? 0) > 0) out.push(`status.observedGeneration is ${i.observedGeneration ?? 0}`);
  else if (i.appliedDigest) out.push('status records an applied digest');
  const workloads = i.children
    .filter((c) => c.kind === 'Deployment' || c.kind === 'StatefulSet')
    .map((c) => `${c.kind}/${c.name}`)
    .sort();
  if (workloads.length > 0) {
    const shown = workloads.slice(0, 3).join(', ');
    out.push(`${workloads.length} of its workloads exist (${shown}${workloads.length > 3 ? ', …' : ''})`);
  }
  if (i.databaseClaim) out.push(`the database claim ${i.databaseClaim} exists`);
  const kept = i.children
    .filter((c) => c.kind === 'PersistentVolumeClaim' && c.created !== undefined && i.created !== undefined && Date.parse(c.created) < Date.parse(i.created))
    .map((c) => c.name)
    .sort();
  if (kept.length > 0) out.push(`claims older than the HarborCluster are kept (${kept.join(', ')})`);
  return out;
}

/** Where a refusal happened: the Secret, and what makes a restored copy the operator's again. */
export interface RefusalContext {
  namespace: string;
  /** The generated Secret's name. */
  secret: string;
  /** Whether the Secret exists (and lacks keys) or is gone. */
  storedWasThere: boolean;
  /**
   * The annotation that hands an object over to the HarborCluster, with its
   * value ("harbor-operator.dev/adopt=h"): a Secret someone restores is not
   * one the operator applied, so the operator takes it only so.
   */
  adopt: string;
}

/** The status and event message of a refusal: names keys and objects, never a value. */
export function refusalMessage(c: RefusalContext, d: Extract<RecoveryDecision, { kind: 'refused' }>, evidence: readonly string[]): string {
  const keys = [...d.lost, ...d.conflicting.map((x) => x.key)];
  const secret = `${c.namespace}/${c.secret}`;
  const what = c.storedWasThere ? `Secret ${secret} lacks ${keys.join(', ')}` : `Secret ${secret} is gone`;
  const why = [
    d.lost.length > 0 ? `no copy of ${d.lost.join(', ')} is left` : '',
    ...d.conflicting.map((x) => `the copies of ${x.key} in the Secrets of ${x.from.join(', ')} differ`),
  ].filter((s) => s !== '');
  return (
    `${what} and ${why.join('; ')}, for a HarborCluster that has run (${evidence.join('; ')}): ` +
    `new values would lock Harbor out of the data made with the old ones, so nothing is written until the Secret is back. ` +
    `Restore it from a backup (kubectl apply -f <saved copy>, then kubectl annotate secret ${c.secret} ${c.adopt}), ` +
    `or create it so with the keys ${keys.join(', ')} holding the values the data was made with; the operator completes the rest.`
  );
}

/** The event message after a recovery: which keys came from where, which were made anew. Never a value. */
export function recoveryMessage(secret: string, d: Extract<RecoveryDecision, { kind: 'complete' }>): string {
  const parts: string[] = [];
  const bySource = new Map<string, GeneratedKey[]>();
  for (const r of d.recovered) {
    const from = r.from.join('+');
    bySource.set(from, [...(bySource.get(from) ?? []), r.key]);
  }
  for (const [from, keys] of bySource) parts.push(`recovered ${keys.join(', ')} from the Secret(s) of ${from.replaceAll('+', ', ')}`);
  if (d.mint.length > 0) parts.push(`made ${d.mint.join(', ')} anew (no copy was left; nothing stored depends on them, the pods reading them restart)`);
  if (d.derive.length > 0) parts.push(`derived ${d.derive.join(', ')} again`);
  return `Secret ${secret} was missing values: ${parts.join('; ')}. Keep a backup of it: kubectl get secret ${secret.slice(secret.indexOf('/') + 1)} -o yaml`;
}
