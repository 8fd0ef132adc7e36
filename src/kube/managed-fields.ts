// managedFields as the operator keeps them in its caches. The field sets
// (fieldsV1) are about 40 % of a cached child's JSON and are never read, so
// they are dropped; what stays is who wrote, how and when (the drift-fight
// warning names the other writer), and for the operator's own apply entry a
// digest of the fields it owns: that set changes whenever someone else takes
// a field over or removes one, which is how a restart tells an untouched
// child from a changed one without rendering.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.ts';
import type { KubeObject } from '../model/object.ts';

export interface ManagedEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  /** Set in place of fieldsV1 on the operator's own apply entry in caches. */
  fieldsDigest?: string;
}

const isOwnApply = (e: ManagedEntry, self: string): boolean =>
  e.manager === self && e.operation === 'Apply' && !e.subresource;

function digestOf(fields: unknown): string {
  return createHash('sha256').update(canonicalJson(fields ?? {})).digest('base64url').slice(0, 22);
}

/** The operator's own apply entry (the fields it owns), if any. */
export function ownApplyEntry(obj: KubeObject, self: string): ManagedEntry | undefined {
  const mf = obj.metadata.managedFields as ManagedEntry[] | undefined;
  return Array.isArray(mf) ? mf.find((x) => isOwnApply(x, self)) : undefined;
}

/** The object with its managedFields compacted (a new object; the input is untouched). */
export function compactManagedFields(obj: KubeObject, self: string): KubeObject {
  const mf = obj.metadata.managedFields as ManagedEntry[] | undefined;
  if (!Array.isArray(mf)) return obj;
  const managedFields = mf.map((e): ManagedEntry => {
    const { fieldsV1, fieldsType: _t, ...rest } = e;
    return isOwnApply(e, self) ? { ...rest, fieldsDigest: e.fieldsDigest ?? digestOf(fieldsV1) } : rest;
  });
  return { ...obj, metadata: { ...obj.metadata, managedFields } };
}

/** The object without managedFields. */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _mf, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * Digest of the fields `self` owns by server-side apply, from a full object
 * (an apply response) or a compacted one (the cache); undefined when it owns
 * none.
 */
export function ownedFieldsDigest(obj: KubeObject, self: string): string | undefined {
  const e = ownApplyEntry(obj, self);
  if (!e) return undefined;
  return e.fieldsDigest ?? digestOf(e.fieldsV1);
}
