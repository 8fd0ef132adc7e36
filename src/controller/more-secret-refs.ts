// The Secret keys spec.configuration, the storage drivers other than S3's key
// pair, S3's CloudFront key and Trivy's GitHub token reference. Part of
// secretRefs() (secret-refs.ts): read and watched like the others
// (referenced-secrets.ts). Only the
// references in use are returned (a section its type or mode does not use is
// ignored, as the chart ignores it).
import { harborClusterDefaults as D, type HarborCluster } from '../api/types.generated.ts';
import type { SecretRef } from './secret-refs.ts';

/** The fields, named as in HarborSecrets (src/render/secrets-input.ts). */
export const moreSecretFields = [
  'oidcClientSecret',
  'ldapSearchPassword',
  'uaaClientSecret',
  'cloudFrontPrivateKey',
  'azureAccountKey',
  'gcsKeyFile',
  'swiftPassword',
  'swiftSecretKey',
  'swiftAccessKey',
  'ossAccessKeyId',
  'ossAccessKeySecret',
  'trivyGithubToken',
] as const;

export type MoreSecretField = (typeof moreSecretFields)[number];

export function moreSecretRefs(cr: HarborCluster): Partial<Record<MoreSecretField, SecretRef>> {
  const s = cr.spec;
  const out: Partial<Record<MoreSecretField, SecretRef>> = {};
  const add = (k: MoreSecretField, field: string, ref: { name: string } | undefined, key: string | undefined): void => {
    if (ref && key !== undefined) out[k] = { field, name: ref.name, key };
  };
  const auth = s.configuration?.auth;
  if (auth?.mode === 'OIDC' && auth.oidc) {
    const r = auth.oidc.clientSecretSecretRef;
    add('oidcClientSecret', 'spec.configuration.auth.oidc.clientSecretSecretRef', r, r.key ?? D['spec.configuration.auth.oidc.clientSecretSecretRef.key']);
  }
  if (auth?.mode === 'LDAP' && auth.ldap?.searchPasswordSecretRef) {
    const r = auth.ldap.searchPasswordSecretRef;
    add('ldapSearchPassword', 'spec.configuration.auth.ldap.searchPasswordSecretRef', r, r.key ?? D['spec.configuration.auth.ldap.searchPasswordSecretRef.key']);
  }
  if (auth?.mode === 'UAA' && auth.uaa) {
    const r = auth.uaa.clientSecretSecretRef;
    add('uaaClientSecret', 'spec.configuration.auth.uaa.clientSecretSecretRef', r, r.key ?? D['spec.configuration.auth.uaa.clientSecretSecretRef.key']);
  }
  const st = s.storage;
  const cf = st?.type === 'S3' ? st.s3?.cloudFront?.privateKeySecretRef : undefined;
  add('cloudFrontPrivateKey', 'spec.storage.s3.cloudFront.privateKeySecretRef', cf, cf && (cf.key ?? D['spec.storage.s3.cloudFront.privateKeySecretRef.key']));
  const az = st?.type === 'Azure' ? st.azure?.accountKeySecretRef : undefined;
  add('azureAccountKey', 'spec.storage.azure.accountKeySecretRef', az, az && (az.key ?? D['spec.storage.azure.accountKeySecretRef.key']));
  const gcs = st?.type === 'GCS' ? st.gcs?.keyFileSecretRef : undefined;
  add('gcsKeyFile', 'spec.storage.gcs.keyFileSecretRef', gcs, gcs && (gcs.key ?? D['spec.storage.gcs.keyFileSecretRef.key']));
  const sw = st?.type === 'Swift' ? st.swift?.credentialsSecretRef : undefined;
  const swField = 'spec.storage.swift.credentialsSecretRef';
  add('swiftPassword', swField, sw, sw && (sw.passwordKey ?? D['spec.storage.swift.credentialsSecretRef.passwordKey']));
  add('swiftSecretKey', swField, sw, sw?.secretKeyKey);
  add('swiftAccessKey', swField, sw, sw?.accessKeyKey);
  const oss = st?.type === 'OSS' ? st.oss?.credentialsSecretRef : undefined;
  const ossField = 'spec.storage.oss.credentialsSecretRef';
  add('ossAccessKeyId', ossField, oss, oss && (oss.accessKeyIDKey ?? D['spec.storage.oss.credentialsSecretRef.accessKeyIDKey']));
  add('ossAccessKeySecret', ossField, oss, oss && (oss.accessKeySecretKey ?? D['spec.storage.oss.credentialsSecretRef.accessKeySecretKey']));
  const trivy = s.components?.trivy;
  const gh = (trivy?.enabled ?? D['spec.components.trivy.enabled']) ? trivy?.githubTokenSecretRef : undefined;
  add('trivyGithubToken', 'spec.components.trivy.githubTokenSecretRef', gh, gh && (gh.key ?? D['spec.components.trivy.githubTokenSecretRef.key']));
  return out;
}
