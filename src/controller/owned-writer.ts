// The writer the applier is given: every apply goes through the ownership
// rule (diff/ownership.ts) with a precondition, so the operator never takes
// over an object that is not its HarborCluster's, not even one someone made
// a moment before the write.
//
// The informers cache only objects with the cluster label, so a name the
// plan creates may exist after all (made by hand, by Helm, or someone's
// object without the label). Finding out costs nothing when it does not:
// the create is an apply that only creates (precondition 'absent'); when it
// is refused, the object is read (one GET) and judged. An update is applied
// with the uid of the object that was judged, so one deleted and re-made by
// someone else in between is read and judged again too. An object that is
// not the cluster's is never written: the apply throws NotOwnedError, which
// ends the phase like any failed write (ownership-gate.ts says why that
// holds back what depends on it). An adopted object gets the owner
// reference with the apply, and an event says so.
import { isPreconditionFailure } from '../kube/api-error.ts';
import type { EventRecorder } from '../kube/events.ts';
import { FIELD_MANAGER, type ObjectReader, type ObjectWriter } from '../kube/writer.ts';
import { clusterIdentity, ownership, type OwnershipRules } from '../diff/ownership.ts';
import { objectKey, type KubeObject } from '../model/object.ts';
import { clusterLabel } from '../render/values.ts';
import type { ClusterCache, Logger } from './ports.ts';

export const ownershipRules: OwnershipRules = { fieldManager: FIELD_MANAGER, clusterLabel };

/** A write refused because the object exists and is not the HarborCluster's. */
export class NotOwnedError extends Error {
  readonly reason = 'ObjectNotOwned';
  /** What was to be written. */
  readonly desired: KubeObject;
  /** "Kind name". */
  readonly object: string;
  readonly why: string;
  readonly adoptable: boolean;

  constructor(obj: KubeObject, why: string, adoptable: boolean) {
    super(`${obj.kind} ${obj.metadata.name} exists and is not this HarborCluster's (${why})`);
    this.name = 'NotOwnedError';
    this.desired = obj;
    this.object = `${obj.kind} ${obj.metadata.name}`;
    this.why = why;
    this.adoptable = adoptable;
  }
}

export interface OwnedWriterDeps {
  writer: ObjectWriter & ObjectReader;
  cache: ClusterCache;
  events: EventRecorder;
  log: Logger;
}

/** How often an apply is judged again after its precondition failed before the error is given up on. */
const ATTEMPTS = 3;

export function ownedWriter(d: OwnedWriterDeps): ObjectWriter {
  return {
    async apply(obj, opts = {}): Promise<KubeObject> {
      const namespace = obj.metadata.namespace ?? '';
      const clusterName = obj.metadata.labels?.[clusterLabel];
      const cr = clusterName === undefined ? undefined : d.cache.getCluster(namespace, clusterName);
      if (!cr) throw new Error(`${obj.kind} ${obj.metadata.name}: no HarborCluster ${clusterName ?? '(no cluster label)'} in ${namespace} to write it for`);
      const cluster = clusterIdentity(cr);
      let live = d.cache.getChild(obj.apiVersion, obj.kind, namespace, obj.metadata.name);
      for (let attempt = 1; ; attempt++) {
        const v = ownership(live, cluster, ownershipRules);
        if (v.verdict === 'foreign') throw new NotOwnedError(obj, v.why, v.adoptable);
        const uid = live?.metadata.uid;
        try {
          const answer = await d.writer.apply(obj, { ...opts, precondition: uid === undefined ? 'absent' : { uid } });
          if (v.verdict === 'adopt' && !opts.dryRun) {
            d.log.info({ key: `${namespace}/${cluster.name}`, object: objectKey(obj), how: v.how }, 'adopted');
            d.events.event(cr, 'Normal', 'Adopted', `adopted ${obj.kind} ${obj.metadata.name}: ${v.how}`);
          }
          return answer;
        } catch (err) {
          if (!isPreconditionFailure(err) || attempt >= ATTEMPTS) throw err;
          live = await d.writer.read(obj);
        }
      }
    },
    remove: (obj) => d.writer.remove(obj),
  };
}
