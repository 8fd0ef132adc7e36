// Reads the values of Secrets a HarborCluster references (admin password,
// external database, cache and storage credentials, Harbor's settings,
// Trivy's token). A missing Secret or key is an
// error that names the reference, never the value.
import { harborClusterDefaults as D, type HarborCluster } from '../api/types.generated.ts';
import type { KubeObject } from '../model/object.ts';
import { moreSecretRefs, type MoreSecretField } from './more-secret-refs.ts';

export class SecretRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretRefError';
  }
}

export interface SecretRef {
  field: string;
  name: string;
  key: string;
}

/** Every Secret key the spec references, with the field that references it (those of more-secret-refs.ts only when in use). */
export function secretRefs(
  cr: HarborCluster,
): Record<'adminPassword' | 'databasePassword' | 'cachePassword' | 's3AccessKey' | 's3SecretKey', SecretRef | undefined> & Partial<Record<MoreSecretField, SecretRef>> {
  const s = cr.spec;
  const admin = s.adminPasswordSecretRef;
  const db = s.database?.type === 'External' ? s.database.external?.passwordSecretRef : undefined;
  const cache = s.cache?.type === 'External' ? s.cache.external?.passwordSecretRef : undefined;
  const s3 = s.storage?.type === 'S3' ? s.storage.s3?.credentialsSecretRef : undefined;
  return {
    adminPassword: admin && { field: 'spec.adminPasswordSecretRef', name: admin.name, key: admin.key ?? D['spec.adminPasswordSecretRef.key'] },
    databasePassword: db && {
      field: 'spec.database.external.passwordSecretRef',
      name: db.name,
      key: db.key ?? D['spec.database.external.passwordSecretRef.key'],
    },
    cachePassword: cache && {
      field: 'spec.cache.external.passwordSecretRef',
      name: cache.name,
      key: cache.key ?? D['spec.cache.external.passwordSecretRef.key'],
    },
    s3AccessKey: s3 && {
      field: 'spec.storage.s3.credentialsSecretRef',
      name: s3.name,
      key: s3.accessKeyKey ?? D['spec.storage.s3.credentialsSecretRef.accessKeyKey'],
    },
    s3SecretKey: s3 && {
      field: 'spec.storage.s3.credentialsSecretRef',
      name: s3.name,
      key: s3.secretKeyKey ?? D['spec.storage.s3.credentialsSecretRef.secretKeyKey'],
    },
    ...moreSecretRefs(cr),
  };
}

/** The decoded value of data[key] of a Secret, or a SecretRefError. */
export function valueOf(ref: SecretRef, secret: KubeObject | undefined, namespace: string): string {
  if (!secret) throw new SecretRefError(`${ref.field}: Secret ${namespace}/${ref.name} not found`);
  const data = (secret['data'] ?? {}) as Record<string, string>;
  const b64 = data[ref.key];
  if (b64 === undefined) throw new SecretRefError(`${ref.field}: Secret ${namespace}/${ref.name} has no key "${ref.key}"`);
  return Buffer.from(b64, 'base64').toString('utf8');
}
