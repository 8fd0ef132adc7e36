// Carries out a plan: creates and updates by server-side apply in phases
// (apply-order.ts), repairs of drift through the fight policy
// (drift-fight.ts), and pruning, which the reconciler calls only after a
// complete render and apply. Events and metrics tell what was written.
import type { Plan } from '../diff/plan.ts';
import type { EventRecorder } from '../kube/events.ts';
import { FIELD_MANAGER, type ObjectWriter } from '../kube/writer.ts';
import { namespacedName, objectKey, type KubeObject } from '../model/object.ts';
import { inPhases } from './apply-order.ts';
import { decideRepair, lastOtherManager, type FightState } from './drift-fight.ts';
import type { Logger, ReconcileMetrics } from './ports.ts';

export interface Applied {
  /** Set when repairs of some objects are paused: when to look again. */
  holdMs: number | undefined;
  /** The server's answer to each apply, by object key. */
  responses: Map<string, KubeObject>;
}

export interface ApplierDeps {
  writer: ObjectWriter;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
  metrics?: ReconcileMetrics;
}

export class Applier {
  /** Objects someone else keeps changing, by "cluster key|object key". */
  private readonly fights = new Map<string, FightState>();

  private readonly d: ApplierDeps;

  constructor(deps: ApplierDeps) {
    this.d = deps;
  }

  /**
   * Applies creates and updates. Repairs of drift (values unchanged since the
   * last complete apply) go through the fight policy; returns how long to
   * wait before looking at paused objects again.
   */
  async apply(cr: KubeObject, p: Plan, valuesUnchanged: boolean): Promise<Applied> {
    const now = this.d.now().getTime();
    let holdMs: number | undefined;
    const allowed = (o: KubeObject, live?: KubeObject): boolean => {
      if (!valuesUnchanged) return true;
      const k = `${namespacedName(cr)}|${objectKey(o)}`;
      const d = decideRepair(this.fights.get(k), now);
      this.fights.set(k, d.next);
      if (d.repair) return true;
      holdMs = Math.min(holdMs ?? d.holdMs, d.holdMs);
      if (d.paused) {
        const who = lastOtherManager(live?.metadata.managedFields, FIELD_MANAGER) ?? 'another client';
        const msg = `${o.kind}/${o.metadata.name} keeps being changed (last by ${who}); setting it back again in ${Math.round(d.holdMs / 1000)} s`;
        this.d.log.warn({ key: namespacedName(cr), object: objectKey(o), manager: who, holdMs: d.holdMs }, 'drift fight: repairs paused');
        this.d.events.event(cr, 'Warning', 'DriftFight', msg);
      }
      return false;
    };
    const creates = p.create.filter((o) => allowed(o));
    const updates = p.update.filter((u) => allowed(u.desired, u.live));
    const responses = new Map<string, KubeObject>();
    const writes = [
      ...creates.map((o) => ({ desired: o, verb: 'create' as const, paths: [] as string[] })),
      ...updates.map((u) => ({ desired: u.desired, verb: 'update' as const, paths: u.paths })),
    ];
    // What a pod reads first, then the workloads (apply-order.ts); the
    // objects of one phase at once.
    for (const group of inPhases(writes)) {
      await Promise.all(
        group.map(async (w) => {
          responses.set(objectKey(w.desired), await this.d.writer.apply(w.desired));
          this.d.metrics?.applied(w.desired.kind, w.verb);
          if (w.verb === 'update' && valuesUnchanged) {
            this.d.metrics?.driftRepaired(w.desired.kind);
            this.d.log.info({ key: namespacedName(cr), object: objectKey(w.desired), paths: w.paths.slice(0, 5) }, 'drift repaired');
          }
        }),
      );
    }
    if (creates.length > 0 && !valuesUnchanged) {
      this.d.events.event(cr, 'Normal', 'Created', `created ${creates.length} object(s): ${names(creates)}`);
    } else if (creates.length > 0) {
      this.d.events.event(cr, 'Normal', 'DriftRepaired', `re-created ${names(creates)}`);
    }
    if (updates.length > 0) {
      const list = names(updates.map((u) => u.desired));
      if (valuesUnchanged) this.d.events.event(cr, 'Normal', 'DriftRepaired', `set back ${list}`);
      else this.d.events.event(cr, 'Normal', 'Updated', `updated ${list}`);
    }
    return { holdMs, responses };
  }

  /** Deletes what the plan prunes; call only after a complete render and apply. */
  async prune(cr: KubeObject, p: Plan): Promise<void> {
    for (const o of p.prune) {
      await this.d.writer.remove(o);
      this.d.metrics?.applied(o.kind, 'delete');
      this.d.events.event(cr, 'Normal', 'Pruned', `deleted ${o.kind} ${o.metadata.name}: no longer rendered`);
    }
  }

  /** The cluster is gone: forget its fights. */
  forget(clusterKey: string): void {
    const prefix = `${clusterKey}|`;
    for (const k of this.fights.keys()) if (k.startsWith(prefix)) this.fights.delete(k);
  }
}

function names(objects: KubeObject[]): string {
  const list = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  return list.length > 6 ? `${list.slice(0, 6).join(', ')} and ${list.length - 6} more` : list.join(', ');
}
