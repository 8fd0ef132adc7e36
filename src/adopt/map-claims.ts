// Where each data volume of a release goes: the claim its workload mounts,
// named as an existingClaim of the HarborCluster, checked against the claims
// that exist (bound, no owner that would take it along). Pure; part of map.ts.
import type { HarborClusterSpec } from '../api/types.generated.ts';
import type { KubeObject } from '../model/object.ts';
import { workloadOf, type Adoption, type KeptClaim } from './adoption.ts';
import { dataVolume } from './pod.ts';
import { isReleaseObject, type Snapshot } from './snapshot.ts';
import { DATA_VOLUMES, WORKLOADS, type Component, type DataComponent } from './upstream.ts';

/** Where each data volume goes: existingClaim fields of the spec, checked against the claims. */
export function keptClaims(snapshot: Snapshot, spec: HarborClusterSpec, out: Adoption): void {
  const w = (c: Component): KubeObject | undefined => workloadOf(snapshot, c);
  const fields: Record<DataComponent, string> = {
    database: 'spec.database.inCluster.existingClaim',
    redis: 'spec.cache.inCluster.existingClaim',
    registry: 'spec.storage.filesystem.existingClaim',
    jobservice: 'spec.persistence.jobserviceLogExistingClaim',
    trivy: 'spec.persistence.trivyCacheExistingClaim',
  };
  const wanted: Record<DataComponent, boolean> = {
    database: spec.database?.type !== 'External',
    redis: spec.cache?.type !== 'External',
    registry: spec.storage?.type !== 'S3',
    jobservice: spec.components?.jobservice?.jobLogger === 'File',
    trivy: spec.components?.trivy?.enabled !== false,
  };
  const fromSpec: Record<DataComponent, string | undefined> = {
    database: spec.database?.inCluster?.existingClaim,
    redis: spec.cache?.inCluster?.existingClaim,
    registry: spec.storage?.filesystem?.existingClaim,
    jobservice: spec.persistence?.jobserviceLogExistingClaim,
    trivy: spec.persistence?.trivyCacheExistingClaim,
  };
  for (const use of Object.keys(fields) as DataComponent[]) {
    if (!wanted[use]) continue;
    let claim = fromSpec[use];
    const workload = w(use);
    if (workload) {
      const v = dataVolume(workload, WORKLOADS[use].container, DATA_VOLUMES[use]);
      if (v.kind === 'ephemeral') {
        if (use === 'database' || use === 'registry') {
          out.refusals.push(`${use}'s data is on an emptyDir (persistence.enabled false): it does not survive its pod, so there is nothing adopt can keep`);
        } else {
          out.warnings.push(`${use}'s data is on an emptyDir (persistence.enabled false): it is not kept`);
        }
        continue;
      }
      if (v.kind === 'absent') continue;
      if (v.subPath) {
        out.refusals.push(`${use} mounts claim ${v.claim} with subPath ${v.subPath}; the operator mounts the root of the volume, where that data is not`);
        continue;
      }
      if (claim !== undefined && claim !== v.claim) {
        out.refusals.push(`the HarborCluster names claim ${claim} for ${use} (${fields[use]}) but the release mounts ${v.claim}`);
        continue;
      }
      claim = v.claim;
    }
    if (claim === undefined) continue;
    const live = snapshot.claims.find((c) => c.metadata.name === claim);
    if (!live) {
      if (use === 'database' || (use === 'registry' && !spec.storage?.filesystem?.existingClaim)) {
        out.refusals.push(`claim ${claim} of ${use} does not exist`);
      } else {
        out.warnings.push(`claim ${claim} of ${use} does not exist: the operator makes a new one`);
      }
      continue;
    }
    const owners = live.metadata.ownerReferences ?? [];
    if (owners.length > 0) {
      out.refusals.push(
        `claim ${claim} is owned by ${owners.map((o) => `${o.kind} ${o.name}`).join(', ')} (a StatefulSet's persistentVolumeClaimRetentionPolicy, or another controller): deleting the owner would delete the claim; remove the owner reference (or set the policy to Retain) first`,
      );
      continue;
    }
    const volumeName = (live['spec'] as { volumeName?: string } | undefined)?.volumeName;
    const pv = volumeName ? snapshot.volumes.find((v) => v.metadata.name === volumeName) : undefined;
    const reclaimPolicy = (pv?.['spec'] as { persistentVolumeReclaimPolicy?: string } | undefined)?.persistentVolumeReclaimPolicy;
    const phase = (live['status'] as { phase?: string } | undefined)?.phase;
    if (phase !== 'Bound') out.warnings.push(`claim ${claim} is ${phase ?? 'in no phase'}, not Bound`);
    out.claims.push({
      use,
      claim,
      field: fields[use],
      ...(live.metadata.uid ? { uid: live.metadata.uid } : {}),
      ...(volumeName ? { volume: volumeName } : {}),
      ...(reclaimPolicy ? { reclaimPolicy } : {}),
    });
    out.kept.push({ object: live, why: `${fields[use]} names it` });
  }
  setClaimFields(spec, out.claims);
  const used = new Set(out.claims.map((c) => c.claim));
  for (const c of snapshot.claims) {
    if (!used.has(c.metadata.name) && isReleaseObject(c, snapshot.release)) {
      out.unusedClaims.push(c.metadata.name);
      out.kept.push({ object: c, why: 'a claim (adopt never deletes claims); nothing mounts it any more' });
    }
  }
}

function setClaimFields(spec: HarborClusterSpec, claims: readonly KeptClaim[]): void {
  for (const c of claims) {
    if (c.use === 'database') spec.database = { ...spec.database, inCluster: { ...spec.database?.inCluster, existingClaim: c.claim } };
    if (c.use === 'redis') spec.cache = { ...spec.cache, inCluster: { ...spec.cache?.inCluster, existingClaim: c.claim } };
    if (c.use === 'registry') spec.storage = { ...spec.storage, filesystem: { ...spec.storage?.filesystem, existingClaim: c.claim } };
    if (c.use === 'jobservice') spec.persistence = { ...spec.persistence, jobserviceLogExistingClaim: c.claim };
    if (c.use === 'trivy') spec.persistence = { ...spec.persistence, trivyCacheExistingClaim: c.claim };
  }
}
