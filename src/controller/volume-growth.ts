// Before a plan is applied: the volume changes it holds that an apply cannot
// make (diff/volume-plan.ts decides; the I/O goes through kube/volumes.ts).
// Claims a StatefulSet made are grown in place, then the StatefulSet is
// deleted with its pods and claims orphaned, so the apply that follows
// creates it again with templates of the new size and it adopts them. What
// cannot be done changes no volume: the plan goes on with the volumes as
// they are, and the refusal is reported (Degraded, an event) — the rest of
// the spec, an upgrade say, is not held hostage by a volume that cannot grow.
import { diffObject } from '../diff/compare.ts';
import type { Plan, Update } from '../diff/plan.ts';
import { classesToRead, decideVolumes, volumeUpdates, withLiveVolumes, type Refusal, type StorageClassInfo } from '../diff/volume-plan.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { VolumeClient } from '../kube/volumes.ts';
import { namespacedName, type KubeObject } from '../model/object.ts';
import type { Logger, ReconcileMetrics } from './ports.ts';
import { errorText, failedWrites, isPermanent, ReconcileFailure, writesFailure } from './reconcile-failure.ts';

export interface VolumeGrowthDeps {
  client: VolumeClient;
  events: EventRecorder;
  log: Logger;
  metrics?: ReconcileMetrics;
  /** How long a deleted StatefulSet may take to go (default 30 s). */
  recreateTimeoutMs?: number;
}

/** What prepare() leaves to the apply. */
export interface PreparedVolumes {
  /** The plan to apply: the one given, or, after a refusal, with the volumes as they are. */
  plan: Plan;
  /** Volume changes that cannot be made; the reconcile reports them as Degraded. */
  refused?: { reason: Refusal['reason']; message: string };
}

export class VolumeGrowth {
  private readonly d: VolumeGrowthDeps;

  constructor(deps: VolumeGrowthDeps) {
    this.d = deps;
  }

  /**
   * Carries out the plan's volume changes that an apply cannot make. Throws a
   * ReconcileFailure when they must wait (or a read or write failed).
   */
  async prepare(cr: KubeObject, p: Plan): Promise<PreparedVolumes> {
    if (volumeUpdates(p.update).length === 0) return { plan: p };
    const ns = cr.metadata.namespace ?? '';
    const touched = await this.fresh(volumeUpdates(p.update));
    if (touched.length === 0) return { plan: p };
    const claims = await this.read('the namespace\'s PersistentVolumeClaims', () => this.d.client.listClaims(ns));
    const classes = new Map<string, StorageClassInfo>();
    for (const name of classesToRead(touched, claims)) {
      const sc = await this.read(`StorageClass ${name}`, () => this.d.client.readStorageClass(name));
      if (sc) classes.set(name, { allowVolumeExpansion: sc['allowVolumeExpansion'] === true });
    }
    const d = decideVolumes({ updates: touched, claims, classes });
    if (d.refused.length > 0) {
      const reason = d.refused[0]?.reason ?? 'VolumeExpansionNotAllowed';
      const message = `${d.refused.map((r) => r.message).join('; ')}; no volume was changed, and the rest of the spec was applied with the volumes as they are`;
      this.d.log.warn({ key: namespacedName(cr), reason, objects: d.refused.map((r) => r.object) }, 'volume change refused');
      this.d.events.event(cr, 'Warning', reason, message);
      return { plan: withLiveVolumes(p, claims), refused: { reason, message } };
    }
    if (d.waiting.length > 0) throw new ReconcileFailure('VolumeNotReady', `${d.waiting.join('; ')}; nothing was changed yet`);
    const key = namespacedName(cr);

    const claimObjects = d.grow.map((g) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: g.claim, namespace: ns } }));
    const grown = await Promise.allSettled(d.grow.map((g) => this.d.client.growClaim(ns, g.claim, g.to)));
    grown.forEach((r, i) => {
      const g = d.grow[i];
      if (r.status !== 'fulfilled' || !g) return;
      this.d.metrics?.applied('PersistentVolumeClaim', 'update');
      this.d.log.info({ key, claim: g.claim, from: g.from, to: g.to }, 'volume grown');
      this.d.events.event(cr, 'Normal', 'VolumeGrown', `grew PersistentVolumeClaim ${g.claim} from ${g.from} to ${g.to}`);
    });
    const growFailures = failedWrites(claimObjects, grown);
    if (growFailures.length > 0) throw writesFailure('VolumeResizeFailed', 'grow', growFailures, { attempted: d.grow.length });

    const timeout = this.d.recreateTimeoutMs ?? 30_000;
    const removed = await Promise.allSettled(d.recreate.map((s) => this.d.client.removeOrphaningDependents(s, timeout)));
    removed.forEach((r, i) => {
      const s = d.recreate[i];
      if (r.status !== 'fulfilled' || !s) return;
      this.d.metrics?.applied('StatefulSet', 'delete');
      this.d.log.info({ key, statefulSet: s.metadata.name }, 'StatefulSet deleted with its pods and claims orphaned, to be applied again');
      this.d.events.event(
        cr,
        'Normal',
        'Recreating',
        `deleted StatefulSet ${s.metadata.name} with its pods and claims kept, to create it again with the new volumeClaimTemplates`,
      );
    });
    const removeFailures = failedWrites(d.recreate, removed);
    if (removeFailures.length > 0) {
      throw writesFailure('RecreateFailed', 'delete (orphaning its pods and claims)', removeFailures, { attempted: d.recreate.length });
    }
    return { plan: p };
  }

  /**
   * The StatefulSets as the server has them now: right after a re-creation
   * the cache may still hold the old one, which must not be deleted again.
   * Gone: the apply creates it. (Claims are read from the server anyway.)
   */
  private async fresh(updates: Update[]): Promise<Update[]> {
    const out: Update[] = [];
    for (const u of updates) {
      if (u.desired.kind !== 'StatefulSet') {
        out.push(u);
        continue;
      }
      const live = await this.read(`StatefulSet ${u.desired.metadata.name}`, () => this.d.client.readLive(u.desired));
      if (live) out.push({ desired: u.desired, live, paths: diffObject(u.desired, live) });
    }
    return volumeUpdates(out);
  }

  private async read<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new ReconcileFailure('VolumeResizeFailed', `could not read ${what}: ${errorText(err)}`, { permanent: isPermanent(err), cause: err });
    }
  }
}
