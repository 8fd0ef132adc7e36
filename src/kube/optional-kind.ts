// Pure decisions about a kind that only a CRD installs (cert-manager's
// Certificate): the CRD's name, whether the CRD is established, and how long
// the kind's informer waits before it lists again while the kind is absent.
//
// While the CRD object itself is watched (crd-watch.ts), that watch wakes the
// informer the moment the CRD becomes established, so the informer's own
// retries are only a safety net and can be rare (SAFETY_NET_MS): an idle
// operator then makes no read but its watches. When the CRD cannot be watched
// (RBAC without read access to CustomResourceDefinitions), the informer polls
// as before: backoff from 500 ms doubling to POLL_MAX_MS.
import type { KubeObject } from '../model/object.ts';
import { groupOf } from '../model/object.ts';
import type { ResourceType } from './resources.ts';

/** Between two lists of an absent kind while its CRD is watched. */
export const SAFETY_NET_MS = 300_000;
/** At most between two lists of an absent kind while its CRD cannot be watched. */
export const POLL_MAX_MS = 10_000;
/** The first retry of the polling backoff. */
export const POLL_FIRST_MS = 500;

/**
 * What the CRD watch knows: 'starting' until its first list answered,
 * 'watching' once it lists and watches, 'forbidden' while RBAC refuses it.
 */
export type CrdWatchState = 'starting' | 'watching' | 'forbidden';

export interface CrdView {
  state: CrdWatchState;
  /** The CRD exists, is not being deleted, and its condition Established is True. */
  established: boolean;
}

/** certificates.cert-manager.io: the name of the CRD that serves a kind (plural.group). */
export function crdName(t: ResourceType): string {
  const group = groupOf(t.apiVersion);
  if (!group) throw new Error(`${t.kind} (${t.apiVersion}) is a core kind: no CRD serves it`);
  return `${t.plural}.${group}`;
}

interface Condition {
  type?: string;
  status?: string;
}

/** Whether the API server serves the CRD's kind: Established=True, and not being deleted. */
export function isEstablished(crd: KubeObject | undefined): boolean {
  if (!crd || crd.metadata.deletionTimestamp) return false;
  const conditions = (crd['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/**
 * What the CRD watch keeps of a CRD: its name, version, deletion and
 * conditions, not its schema (cert-manager's is hundreds of kilobytes).
 */
export function crdSummary(crd: KubeObject): KubeObject {
  const m = crd.metadata;
  const conditions = (crd['status'] as { conditions?: Condition[] } | undefined)?.conditions;
  return {
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: {
      name: m.name,
      ...(m.uid ? { uid: m.uid } : {}),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    },
    ...(conditions ? { status: { conditions: conditions.map((c) => ({ type: c.type, status: c.status })) } } : {}),
  };
}

/**
 * How long an optional kind's informer waits after a failed list or watch.
 *
 * - The kind is absent (404), its CRD watched (or that watch still starting)
 *   and not established: the safety net only; the CRD watch cuts the wait
 *   short when the CRD is established, or when it turns out to be forbidden.
 * - Otherwise (the CRD watch forbidden; the CRD established but the kind not
 *   served yet, or its storage still initializing (429); any other failure):
 *   500 ms doubling to 10 s, from 500 ms again after a safety-net wait.
 */
export function optionalKindRetryDelayMs(view: CrdView, absent: boolean, previousMs: number): number {
  if (absent && view.state !== 'forbidden' && !view.established) return SAFETY_NET_MS;
  if (previousMs <= 0 || previousMs > POLL_MAX_MS) return POLL_FIRST_MS;
  return Math.min(POLL_MAX_MS, previousMs * 2);
}
