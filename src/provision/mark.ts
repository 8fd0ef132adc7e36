// How the operator recognizes a role or database it created: a COMMENT that
// names the HarborCluster and carries the provisioning id kept in the
// cluster's generated Secret (key databaseProvisionId). The id, not the
// HarborCluster's uid, is the mark, so a HarborCluster re-created with the
// same name (which adopts the kept generated Secret) adopts the database
// too, while another cluster of the same namespace and name on the same
// server (another Kubernetes cluster, a lost Secret) is refused. Pure.

const ID = /\bprovisioning id ([A-Za-z0-9]+)\b/;

export function markText(namespace: string, name: string, id: string): string {
  return `created by harbor-operator for HarborCluster ${namespace}/${name}, provisioning id ${id}; the operator drops it only with spec.persistence.deleteClaimsWithCluster`;
}

/** The provisioning id a comment carries, if it is one of the operator's marks. */
export function markIdOf(comment: string | null | undefined): string | undefined {
  if (!comment?.startsWith('created by harbor-operator for HarborCluster ')) return undefined;
  return ID.exec(comment)?.[1];
}
