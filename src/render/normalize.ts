// Rendered chart objects → the canonical objects the operator applies and
// compares with live ones. Pure: new objects out, the input is never touched.
//
// - every object without a namespace lands in the HarborCluster's, and every
//   object gets the operator's labels and one controller owner reference to
//   the HarborCluster (what may be written at all is the render guard's
//   question: src/controller/render-guard.ts);
// - PersistentVolumeClaims carry no owner reference when the user keeps the
//   data, so the garbage collector leaves them and a HarborCluster re-created
//   under the same name adopts them again;
// - Secrets hold `data` only (stringData folded in, as the API server does);
// - null fields, `status` and helm's `creationTimestamp: null` are dropped.
import type { KubeObject, OwnerReference } from '../model/object.ts';

/** The HarborCluster the objects belong to. */
export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

export interface NormalizeOptions {
  /** Labels put on every object; they win over labels the chart renders. */
  labels: Record<string, string>;
  /** Whether PersistentVolumeClaims go away with the HarborCluster. */
  deleteClaimsWithOwner: boolean;
}

export function normalize(objects: readonly KubeObject[], owner: Owner, opts: NormalizeOptions): KubeObject[] {
  return objects.map((o) => normalizeOne(o, owner, opts));
}

function normalizeOne(rendered: KubeObject, owner: Owner, opts: NormalizeOptions): KubeObject {
  const o = withoutNulls(rendered) as KubeObject;
  const name = `${o.kind} ${o.metadata.name}`;
  delete o.status;
  // An object rendered into another namespace keeps it: the render guard
  // (controller/render-guard.ts) refuses it, with the kinds the chart may not
  // render, before anything is written.
  const ns = o.metadata.namespace;
  if (ns === undefined || ns === '') o.metadata.namespace = owner.namespace;
  o.metadata.labels = { ...o.metadata.labels, ...opts.labels };
  if (Object.keys(o.metadata.labels).length === 0) delete o.metadata.labels;

  const keepClaim = isCore(o, 'PersistentVolumeClaim') && !opts.deleteClaimsWithOwner;
  if (keepClaim) delete o.metadata.ownerReferences;
  else o.metadata.ownerReferences = [ownerReference(owner)];

  if (o.apiVersion === 'apps/v1' && o.kind === 'StatefulSet') {
    const spec = isRecord(o.spec) ? o.spec : {};
    spec.persistentVolumeClaimRetentionPolicy = {
      whenDeleted: opts.deleteClaimsWithOwner ? 'Delete' : 'Retain',
      whenScaled: 'Retain',
    };
    o.spec = spec;
  }
  if (isCore(o, 'Secret')) foldStringData(o, name);
  return o;
}

function ownerReference(owner: Owner): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function isCore(o: KubeObject, kind: string): boolean {
  return o.apiVersion === 'v1' && o.kind === kind;
}

/** stringData entries overwrite data entries of the same key, base64 of their UTF-8 bytes. */
function foldStringData(secret: KubeObject, name: string): void {
  const { stringData } = secret;
  delete secret.stringData;
  if (stringData === undefined) return;
  if (!isRecord(stringData)) throw new Error(`${name}: stringData is not a map`);
  const data: Record<string, unknown> = isRecord(secret.data) ? secret.data : {};
  for (const [key, value] of Object.entries(stringData)) {
    if (typeof value !== 'string') throw new Error(`${name}: stringData.${key} is not a string`);
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  secret.data = data;
}

/** A deep copy without null or undefined fields (array elements are kept). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && v !== undefined) copy[key] = withoutNulls(v);
  }
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
