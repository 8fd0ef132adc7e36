// The Secret keys spec.secrets references: Harbor's own secrets brought by
// the user instead of generated (secret key, token key, core, jobservice and
// registry HTTP secrets). Part of secretRefs() (secret-refs.ts): read and
// watched like the others; the values are checked by secrets/own-secrets.ts.
import { harborClusterDefaults as D, type HarborCluster } from '../api/types.generated.ts';
import type { OwnSecretField } from '../secrets/own-secrets.ts';
import type { SecretRef } from './secret-refs.ts';

export function ownSecretRefs(cr: HarborCluster): Partial<Record<OwnSecretField, SecretRef>> {
  const s = cr.spec.secrets ?? {};
  const out: Partial<Record<OwnSecretField, SecretRef>> = {};
  const add = (k: OwnSecretField, field: string, ref: { name: string; key?: string } | undefined, defaultKey: string): void => {
    if (ref) out[k] = { field: `spec.secrets.${field}`, name: ref.name, key: ref.key ?? defaultKey };
  };
  add('secretKey', 'secretKeySecretRef', s.secretKeySecretRef, D['spec.secrets.secretKeySecretRef.key']);
  add('tokenKey', 'tokenKeySecretRef', s.tokenKeySecretRef, D['spec.secrets.tokenKeySecretRef.key']);
  add('coreSecret', 'coreSecretSecretRef', s.coreSecretSecretRef, D['spec.secrets.coreSecretSecretRef.key']);
  add('jobserviceSecret', 'jobserviceSecretSecretRef', s.jobserviceSecretSecretRef, D['spec.secrets.jobserviceSecretSecretRef.key']);
  add('registryHttpSecret', 'registryHttpSecretSecretRef', s.registryHttpSecretSecretRef, D['spec.secrets.registryHttpSecretSecretRef.key']);
  return out;
}
