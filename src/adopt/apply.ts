// Carries out the steps of a take-over (plan.ts), one after the other, each
// checked before the next: a value or a policy is read back after it is
// written, an object is deleted only if it is still the one judged (uid
// precondition). A failure stops the run where it is; running adopt again
// computes the plan anew from what is there and resumes.
import { readGenerated } from '../controller/generated-secret.ts';
import { PAUSED_ANNOTATION } from '../controller/reconciler.ts';
import { ADOPT_ANNOTATION } from '../diff/ownership.ts';
import { isNotFound, isPreconditionFailure } from '../kube/api-error.ts';
import { adoptCreate, adoptDelete, adoptGet, adoptJsonPatch, adoptMergePatch } from '../kube/adopt-requests.ts';
import type { KubeHttp } from '../kube/http.ts';
import { collectionPath, harborClusterType, objectPath, typeOf, type ResourceType } from '../kube/resources.ts';
import { createWriter } from '../kube/writer.ts';
import type { KubeObject } from '../model/object.ts';
import { ADOPTED_FROM_ANNOTATION, withoutHelmMetadata } from './map.ts';
import { describeStep, type Step } from './plan.ts';
import { RECORD_HIDDEN_OWNER, RECORD_OWNER_LABEL } from './upstream.ts';

/** The field manager of adopt's own writes (the generated Secret is applied as the operator's, harbor-operator). */
export const ADOPT_FIELD_MANAGER = 'harbor-operator-adopt';

export interface RunOptions {
  /** How long to wait for the release's pods to go. */
  podTimeoutMs: number;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const pointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

function pathOf(o: KubeObject): string {
  return objectPath(typeOf(o), o.metadata.namespace, o.metadata.name);
}

function sameData(a: KubeObject | undefined, b: KubeObject): boolean {
  const x = (a?.['data'] ?? {}) as Record<string, string>;
  const y = (b['data'] ?? {}) as Record<string, string>;
  return Object.keys(y).every((k) => x[k] === y[k]);
}

export async function runSteps(http: KubeHttp, namespace: string, steps: readonly Step[], opts: RunOptions): Promise<void> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (const [i, step] of steps.entries()) {
    const label = `${String(i + 1).padStart(2)}. ${describeStep(step)}`;
    try {
      await runStep(http, namespace, step, opts, sleep);
    } catch (err) {
      throw new Error(`step ${label.trim()} failed: ${err instanceof Error ? err.message : String(err)}. Nothing after it was done; run adopt again to resume from where it stopped.`, { cause: err });
    }
    opts.log(`  done ${label.trim()}`);
  }
}

async function runStep(http: KubeHttp, namespace: string, step: Step, opts: RunOptions, sleep: (ms: number) => Promise<void>): Promise<void> {
  switch (step.op) {
    case 'retain': {
      const path = `/api/v1/persistentvolumes/${encodeURIComponent(step.volume)}`;
      await adoptMergePatch(http, path, { spec: { persistentVolumeReclaimPolicy: 'Retain' } }, ADOPT_FIELD_MANAGER);
      const pv = await adoptGet<{ spec?: { persistentVolumeReclaimPolicy?: string; claimRef?: { name?: string } } }>(http, path);
      if (pv.spec?.persistentVolumeReclaimPolicy !== 'Retain') throw new Error(`PersistentVolume ${step.volume} reads back with reclaim policy ${pv.spec?.persistentVolumeReclaimPolicy ?? 'unset'}`);
      if (pv.spec.claimRef?.name !== step.claim) throw new Error(`PersistentVolume ${step.volume} is bound to ${pv.spec.claimRef?.name ?? 'nothing'}, not ${step.claim}`);
      return;
    }
    case 'create-generated': {
      const writer = createWriter(http);
      try {
        await writer.apply(step.secret, { precondition: 'absent' });
      } catch (err) {
        if (!isPreconditionFailure(err)) throw err;
      }
      // Read back: every value as the release had it, before anything of the release is touched.
      const live = await writer.read(step.secret);
      const want = readGenerated(step.secret);
      const got = readGenerated(live);
      const differ = Object.keys(want).filter((k) => want[k as keyof typeof want] !== got[k as keyof typeof got]);
      if (differ.length > 0) throw new Error(`Secret ${step.secret.metadata.name} holds other values for ${differ.join(', ')}`);
      return;
    }
    case 'create-credentials':
      await createOrSame(http, step.secret, (live) => sameData(live, step.secret), 'holds other values');
      return;
    case 'create-cluster':
      await createOrSame(
        http,
        step.cluster,
        (live) => live?.metadata.annotations?.[ADOPTED_FROM_ANNOTATION] === step.cluster.metadata.annotations?.[ADOPTED_FROM_ANNOTATION],
        'exists and was not made by adopt from this release',
      );
      return;
    case 'hide-record': {
      const uid = step.record.metadata.uid ?? '';
      await adoptJsonPatch(
        http,
        pathOf(step.record),
        [
          { op: 'test', path: '/metadata/uid', value: uid },
          { op: 'replace', path: `/metadata/labels/${pointer(RECORD_OWNER_LABEL)}`, value: RECORD_HIDDEN_OWNER },
        ],
        ADOPT_FIELD_MANAGER,
      );
      return;
    }
    case 'delete-workload':
    case 'delete-config':
      await remove(http, step.object);
      return;
    case 'wait-pods': {
      const deadline = Date.now() + opts.podTimeoutMs;
      for (;;) {
        const res = await adoptGet<{ items: KubeObject[] }>(http, collectionPath(podType, namespace), { labelSelector: step.selector });
        if (res.items.length === 0) return;
        if (Date.now() >= deadline) {
          throw new Error(`${res.items.length} pods of the release are still there after ${Math.round(opts.podTimeoutMs / 1000)} s: ${res.items.map((p) => p.metadata.name).sort().join(', ')}`);
        }
        await sleep(1000);
      }
    }
    case 'hand-over': {
      const o = await adoptGet<KubeObject>(http, pathOf(step.object));
      if (o.metadata.uid !== step.object.metadata.uid) throw new Error(`${step.object.kind} ${step.object.metadata.name} is another object now`);
      const clean = withoutHelmMetadata(o);
      // Fields Helm applied would stay Helm's (co-owned) after the operator applies the same values, so every
      // writer's entry is dropped (the status subresource's stay). The list is not left empty: the API server would
      // then give every field to "before-first-apply" at the operator's first apply, co-owned again. One entry stays,
      // adopt's own, owning only the annotation it sets; the operator's apply then owns all it sets, alone.
      const entries = [
        ...((o.metadata.managedFields ?? []) as { subresource?: string }[]).filter((e) => e.subresource !== undefined),
        {
          manager: ADOPT_FIELD_MANAGER,
          operation: 'Update',
          apiVersion: o.apiVersion,
          time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${ADOPT_ANNOTATION}`]: {} } } },
        },
      ];
      const ops: unknown[] = [
        { op: 'test', path: '/metadata/uid', value: o.metadata.uid },
        { op: 'replace', path: '/metadata/labels', value: clean.labels },
        { op: 'replace', path: '/metadata/annotations', value: { ...clean.annotations, [ADOPT_ANNOTATION]: step.cluster } },
        { op: 'replace', path: '/metadata/managedFields', value: entries },
      ];
      // What the operator does not set (hand-over.ts), removed where it is still there.
      for (const path of step.clean.remove) if (has(o, path)) ops.push({ op: 'remove', path });
      for (const r of step.clean.replace) ops.push({ op: 'replace', path: r.path, value: r.value });
      await adoptJsonPatch(http, pathOf(o), ops, ADOPT_FIELD_MANAGER);
      return;
    }
    case 'unpause': {
      const path = objectPath(harborClusterType, namespace, step.cluster);
      const live = await adoptGet<KubeObject>(http, path);
      if (live.metadata.annotations?.[PAUSED_ANNOTATION] === undefined) return;
      await adoptJsonPatch(
        http,
        path,
        [
          { op: 'test', path: '/metadata/uid', value: live.metadata.uid ?? '' },
          { op: 'remove', path: `/metadata/annotations/${pointer(PAUSED_ANNOTATION)}` },
        ],
        ADOPT_FIELD_MANAGER,
      );
      return;
    }
  }
}

/** Whether the JSON pointer names a member of the object (a remove of an absent one would fail the patch). */
function has(o: unknown, path: string): boolean {
  let cur: unknown = o;
  for (const part of path.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return false;
    cur = (cur as Record<string, unknown>)[part];
  }
  return true;
}

const podType: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };

/** Creates the object, or accepts the one of that name that exists when it is the same. */
async function createOrSame(http: KubeHttp, o: KubeObject, same: (live: KubeObject | undefined) => boolean, otherwise: string): Promise<void> {
  const t = typeOf(o);
  try {
    await adoptCreate(http, collectionPath(t, o.metadata.namespace), o, { fieldManager: ADOPT_FIELD_MANAGER });
    return;
  } catch (err) {
    // 409: an object of that name exists.
    if (!isPreconditionFailure(err)) throw err;
  }
  const live = await adoptGet<KubeObject>(http, pathOf(o));
  if (!same(live)) throw new Error(`${o.kind} ${o.metadata.name} ${otherwise}`);
}

async function remove(http: KubeHttp, o: KubeObject): Promise<void> {
  try {
    await adoptDelete(http, pathOf(o), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      ...(o.metadata.uid ? { preconditions: { uid: o.metadata.uid } } : {}),
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
