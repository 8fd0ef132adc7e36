// What the operator wants to exist for a HarborCluster, from the rendered
// chart and the generated secrets: normalized (namespace, labels, owner
// references), with the generated Secret kept like the volumes unless those
// are deleted with the cluster. Pure; shared by the reconciler and `diff`.
import type { KubeObject } from '../model/object.ts';
import { normalize, type Owner } from '../render/normalize.ts';
import type { HarborSecrets } from '../render/secrets-input.ts';
import { clusterLabel } from '../render/values.ts';
import { REGISTRY_USER, type GeneratedSecrets, type SecretNeeds } from '../secrets/generate.ts';
import { generatedSecretName, generatedSecretObject } from './generated-secret.ts';
import { moreSecretFields, type MoreSecretField } from './more-secret-refs.ts';
import type { secretRefs } from './secret-refs.ts';

export function desiredObjects(
  rendered: readonly KubeObject[],
  owner: Owner,
  generated: GeneratedSecrets,
  deleteClaims: boolean,
): KubeObject[] {
  const secret = generatedSecretObject(owner.name, owner.namespace, generated);
  return normalize([...rendered, secret], owner, {
    labels: { [clusterLabel]: owner.name, 'app.kubernetes.io/managed-by': 'harbor-operator' },
    deleteClaimsWithOwner: deleteClaims,
  }).map((o) => (deleteClaims || !isGeneratedSecret(o, owner.name) ? o : keptWithData(o)));
}

function isGeneratedSecret(o: KubeObject, cluster: string): boolean {
  return o.kind === 'Secret' && o.metadata.name === generatedSecretName(cluster);
}

/** Kept when the HarborCluster goes, like the volumes whose data it unlocks. */
function keptWithData(o: KubeObject): KubeObject {
  const { ownerReferences: _drop, ...metadata } = o.metadata;
  return { ...o, metadata };
}

type Refs = ReturnType<typeof secretRefs>;
export type UserSecrets = Partial<Record<keyof Refs, string>>;

/** Which values must be generated: none that the user references. */
export function secretNeeds(refs: Refs, cacheInCluster: boolean): SecretNeeds {
  return { adminPassword: !refs.adminPassword, databasePassword: !refs.databasePassword, cachePassword: cacheInCluster };
}

/** Every secret value the chart needs: referenced ones win over generated ones. */
export function assembleSecrets(user: UserSecrets, values: GeneratedSecrets): HarborSecrets {
  return {
    adminPassword: user.adminPassword ?? values.adminPassword ?? '',
    coreSecret: values.coreSecret ?? '',
    jobserviceSecret: values.jobserviceSecret ?? '',
    csrfKey: values.csrfKey ?? '',
    secretKey: values.secretKey ?? '',
    registryHttpSecret: values.registryHttpSecret ?? '',
    registryUsername: REGISTRY_USER,
    registryPassword: values.registryPassword ?? '',
    registryHtpasswd: values.registryHtpasswd ?? '',
    tokenKey: values.tokenKey ?? '',
    tokenCert: values.tokenCert ?? '',
    databasePassword: user.databasePassword ?? values.databasePassword ?? '',
    cachePassword: user.cachePassword ?? values.cachePassword ?? '',
    ...(user.s3AccessKey !== undefined ? { s3AccessKey: user.s3AccessKey } : {}),
    ...(user.s3SecretKey !== undefined ? { s3SecretKey: user.s3SecretKey } : {}),
    ...moreUserSecrets(user),
  };
}

/** The values of more-secret-refs.ts that were read, under the same names. */
function moreUserSecrets(user: UserSecrets): Partial<Record<MoreSecretField, string>> {
  const out: Partial<Record<MoreSecretField, string>> = {};
  for (const k of moreSecretFields) {
    const v = user[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
