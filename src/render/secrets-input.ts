// Every secret value the chart needs, already resolved by the I/O layer
// (generated once and kept in a Secret the operator owns, or read from the
// Secrets the HarborCluster references). toValues only copies them.

export interface HarborSecrets {
  /** Initial password of the admin user (spec.adminPasswordSecretRef, or generated). */
  adminPassword: string;
  /** CORE_SECRET, 16 characters. */
  coreSecret: string;
  /** JOBSERVICE_SECRET, 16 characters. */
  jobserviceSecret: string;
  /** CSRF_KEY, exactly 32 characters. */
  csrfKey: string;
  /** Key encrypting stored credentials (/etc/core/key), exactly 16 characters. */
  secretKey: string;
  /** REGISTRY_HTTP_SECRET, 16 characters or more. */
  registryHttpSecret: string;
  /** User core authenticates to the registry as (harbor_registry_user). */
  registryUsername: string;
  registryPassword: string;
  /** htpasswd line of the registry user, bcrypt: "<user>:<hash>". */
  registryHtpasswd: string;
  /** PEM private key core signs registry tokens with. */
  tokenKey: string;
  /** PEM certificate the registry verifies tokens with. */
  tokenCert: string;
  /** Password of the database user (generated for InCluster, from spec.database.external.passwordSecretRef for External). */
  databasePassword: string;
  /** Password of the cache: generated for InCluster (the in-cluster Redis requires it), from the Secret for External, empty for none. */
  cachePassword: string;
  /** From spec.storage.s3.credentialsSecretRef; absent when the bucket is reached with ambient credentials. */
  s3AccessKey?: string;
  s3SecretKey?: string;
  /** From spec.storage.s3.cloudFront.privateKeySecretRef: the PEM key CloudFront URLs are signed with. */
  cloudFrontPrivateKey?: string;
  /** From spec.storage.azure.accountKeySecretRef. */
  azureAccountKey?: string;
  /** From spec.storage.gcs.keyFileSecretRef: the JSON key of a service account. */
  gcsKeyFile?: string;
  /** From spec.storage.swift.credentialsSecretRef (the TempURL keys only when their keys are named). */
  swiftPassword?: string;
  swiftSecretKey?: string;
  swiftAccessKey?: string;
  /** From spec.storage.oss.credentialsSecretRef. */
  ossAccessKeyId?: string;
  ossAccessKeySecret?: string;
  /** From spec.components.trivy.githubTokenSecretRef. */
  trivyGithubToken?: string;
  /** From spec.configuration.auth.oidc.clientSecretSecretRef. */
  oidcClientSecret?: string;
  /** From spec.configuration.auth.ldap.searchPasswordSecretRef. */
  ldapSearchPassword?: string;
  /** From spec.configuration.auth.uaa.clientSecretSecretRef. */
  uaaClientSecret?: string;
}
