// The digest a HarborCluster's status keeps of its last complete apply: what
// went into the render (values, chart, operator code, owner, options) and,
// for every child the operator applies, its identity and the digest of the
// fields it owns there. While both are unchanged nothing can differ from what
// was applied, so a reconcile (after a restart, or a resync) renders nothing.
// The inputs include 256-bit random secrets, so the digest reveals none of them.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.ts';
import { objectKey, type KubeObject } from '../model/object.ts';
import { ownedFieldsDigest } from '../kube/managed-fields.ts';

export interface DigestInputs {
  /** renderHash of the values (chart digest, code digest, release, values). */
  renderHash: string;
  ownerUid: string;
  deleteClaims: boolean;
  certificatesServed: boolean;
  /** The generated secret values (the generated Secret is one of the children). */
  generated: unknown;
  /** Digest of what the operator adds to the render for backups and restores (controller/backups.ts). */
  lifecycle?: string;
}

export function inputsDigest(i: DigestInputs): string {
  return createHash('sha256')
    .update(canonicalJson({ ...i, generated: canonicalJson(i.generated) }))
    .digest('hex');
}

/**
 * Digest over the children `self` owns fields of: key, uid and owned-fields
 * digest of each, sorted. Objects without an apply entry of `self` (pods'
 * claims made by a StatefulSet, say) do not count.
 */
export function appliedDigest(inputs: string, children: Iterable<KubeObject>, self: string): string {
  const lines: string[] = [];
  for (const o of children) {
    // Backup and restore Jobs come and go by themselves (created once, deleted by their TTL).
    if (o.kind === 'Job' && o.apiVersion === 'batch/v1') continue;
    const d = ownedFieldsDigest(o, self);
    if (d) lines.push(`${objectKey(o)}|${o.metadata.uid ?? ''}|${d}`);
  }
  lines.sort();
  const h = createHash('sha256').update(inputs);
  for (const l of lines) h.update('\n').update(l);
  return `sha256:${h.digest('hex')}`;
}
