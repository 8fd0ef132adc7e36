// Where a reconcile's secret values come from: the values the operator
// generated (kept in <name>-generated-secrets, completed, never rotated) and
// the Secrets the spec references (read when the spec's generation changes).
// The decisions are pure (secrets/generate.ts, desired.ts); this file reads.
import type { HarborCluster } from '../api/types.generated.ts';
import type { SecretReader } from '../kube/writer.ts';
import type { KubeObject } from '../model/object.ts';
import type { HarborSecrets } from '../render/secrets-input.ts';
import { completeSecrets, type GeneratedSecrets, type RandomBytes } from '../secrets/generate.ts';
import { assembleSecrets, secretNeeds, type UserSecrets } from './desired.ts';
import { generatedSecretName, readGenerated } from './generated-secret.ts';
import type { ClusterCache, Logger } from './ports.ts';
import { secretRefs, valueOf } from './secret-refs.ts';

export interface ResolvedSecrets {
  /** Every value the chart needs. */
  secrets: HarborSecrets;
  /** The values kept in the generated Secret. */
  generated: GeneratedSecrets;
}

interface Memo {
  generation: number;
  user: UserSecrets;
}

export interface SecretsSourceDeps {
  cache: ClusterCache;
  reader: SecretReader;
  log: Logger;
  now: () => Date;
  random: RandomBytes;
}

export class SecretsSource {
  /** Referenced values by cluster key, read at one generation of its spec. */
  private readonly memo = new Map<string, Memo>();

  private readonly d: SecretsSourceDeps;

  constructor(deps: SecretsSourceDeps) {
    this.d = deps;
  }

  /** Throws SecretRefError when a referenced Secret or key is missing. */
  async resolve(key: string, cr: HarborCluster, live: KubeObject, checkHtpasswd: boolean): Promise<ResolvedSecrets> {
    const namespace = live.metadata.namespace ?? '';
    const name = live.metadata.name;
    const refs = secretRefs(cr);
    const generation = live.metadata.generation ?? 0;
    let memo = this.memo.get(key);
    if (memo?.generation !== generation) {
      const user: UserSecrets = {};
      const fetched = new Map<string, KubeObject | undefined>();
      for (const [field, ref] of Object.entries(refs)) {
        if (!ref) continue;
        if (!fetched.has(ref.name)) fetched.set(ref.name, await this.d.reader.readSecret(namespace, ref.name));
        user[field as keyof UserSecrets] = valueOf(ref, fetched.get(ref.name), namespace);
      }
      memo = { generation, user };
      this.memo.set(key, memo);
    }
    const secretName = generatedSecretName(name);
    // The cache may lag a Secret created a moment ago: ask the server before
    // generating anything, so values are never made twice.
    const stored =
      this.d.cache.getChild('v1', 'Secret', namespace, secretName) ?? (await this.d.reader.readSecret(namespace, secretName));
    const existing: GeneratedSecrets = readGenerated(stored);
    const { values, added } = await completeSecrets(
      existing,
      secretNeeds(refs, (cr.spec.cache?.type ?? 'InCluster') === 'InCluster'),
      this.d.random,
      this.d.now(),
      { checkHtpasswd },
    );
    if (added.length > 0 && stored) {
      this.d.log.info({ key, keys: added }, 'generated missing secret values');
    }
    return { secrets: assembleSecrets(memo.user, values), generated: values };
  }

  /** The cluster is gone: drop what was read for it. */
  forget(key: string): void {
    this.memo.delete(key);
  }
}
