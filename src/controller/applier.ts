// Carries out a plan: creates and updates by server-side apply in phases
// (apply-order.ts), repairs of drift through the fight policy
// (drift-fight.ts), and pruning, which the reconciler calls only after a
// complete render and apply. Events and metrics tell what was written. A
// failed write is reported with all its siblings (reconcile-failure.ts):
// a phase is waited for to the end, and no later phase starts.
import type { Plan } from '../diff/plan.ts';
import type { EventRecorder } from '../kube/events.ts';
import { FIELD_MANAGER, type ObjectWriter } from '../kube/writer.ts';
import { namespacedName, objectKey, type KubeObject } from '../model/object.ts';
import { inPhases } from './apply-order.ts';
import { decideRepair, lastOtherManager, type FightState } from './drift-fight.ts';
import { NotOwnedError } from './owned-writer.ts';
import type { Logger, ReconcileMetrics } from './ports.ts';
import { failedWrites, writesFailure } from './reconcile-failure.ts';

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

/** Writes of a phase refused because their objects are not this cluster's (and the phase's other failures). */
export class NotOwnedWrites extends Error {
  readonly refused: readonly NotOwnedError[];
  readonly others: readonly string[];

  constructor(refused: readonly NotOwnedError[], others: readonly string[]) {
    super(refused.map((e) => e.message).join('; '));
    this.name = 'NotOwnedWrites';
    this.refused = refused;
    this.others = others;
  }
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
    const written: typeof writes = [];
    // What a pod reads first, then the workloads (apply-order.ts); the
    // objects of one phase at once. A phase that fails is waited for to the
    // end and reported whole; the next one does not start.
    const phases = inPhases(writes);
    for (const [i, group] of phases.entries()) {
      const results = await Promise.allSettled(group.map((w) => this.d.writer.apply(w.desired)));
      results.forEach((r, j) => {
        const w = group[j];
        if (r.status !== 'fulfilled' || !w) return;
        written.push(w);
        responses.set(objectKey(w.desired), r.value);
        this.d.metrics?.applied(w.desired.kind, w.verb);
        if (w.verb === 'update' && valuesUnchanged) {
          this.d.metrics?.driftRepaired(w.desired.kind);
          this.d.log.info({ key: namespacedName(cr), object: objectKey(w.desired), paths: w.paths.slice(0, 5) }, 'drift repaired');
        }
      });
      const failures = failedWrites(group.map((w) => w.desired), results);
      if (failures.length > 0) {
        this.announce(cr, written, valuesUnchanged);
        // Objects that exist and are not this cluster's are reported as such (owned-writer.ts).
        const refused = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof NotOwnedError ? [r.reason] : []));
        if (refused.length > 0) {
          const refusedNames = new Set(refused.map((e) => `${e.desired.kind}/${e.desired.metadata.name}`));
          const others = failures.filter((f) => !refusedNames.has(f.object)).map((f) => `${f.object}: ${f.message}`);
          throw new NotOwnedWrites(refused, others);
        }
        const later = phases.slice(i + 1).reduce((n, g) => n + g.length, 0);
        throw writesFailure('ApplyFailed', 'apply', failures, {
          attempted: group.length,
          where: `of phase ${i + 1} of ${phases.length}${later > 0 ? `; ${later} later object(s) not attempted` : ''}`,
        });
      }
    }
    this.announce(cr, written, valuesUnchanged);
    return { holdMs, responses };
  }

  /** Events for what was written (also when a later write failed). */
  private announce(cr: KubeObject, written: readonly { desired: KubeObject; verb: 'create' | 'update' }[], valuesUnchanged: boolean): void {
    const creates = written.filter((w) => w.verb === 'create').map((w) => w.desired);
    const updates = written.filter((w) => w.verb === 'update').map((w) => w.desired);
    if (creates.length > 0 && !valuesUnchanged) {
      this.d.events.event(cr, 'Normal', 'Created', `created ${creates.length} object(s): ${names(creates)}`);
    } else if (creates.length > 0) {
      this.d.events.event(cr, 'Normal', 'DriftRepaired', `re-created ${names(creates)}`);
    }
    if (updates.length > 0) {
      const list = names(updates);
      if (valuesUnchanged) this.d.events.event(cr, 'Normal', 'DriftRepaired', `set back ${list}`);
      else this.d.events.event(cr, 'Normal', 'Updated', `updated ${list}`);
    }
  }

  /**
   * Deletes what the plan prunes; call only after a complete render and
   * apply. Every deletion is tried; the failed ones are reported together.
   */
  async prune(cr: KubeObject, p: Plan): Promise<void> {
    const results = await Promise.allSettled(p.prune.map((o) => this.d.writer.remove(o)));
    results.forEach((r, i) => {
      const o = p.prune[i];
      if (r.status !== 'fulfilled' || !o) return;
      this.d.metrics?.applied(o.kind, 'delete');
      this.d.events.event(cr, 'Normal', 'Pruned', `deleted ${o.kind} ${o.metadata.name}: no longer rendered`);
    });
    const failures = failedWrites(p.prune, results);
    if (failures.length > 0) throw writesFailure('PruneFailed', 'delete (prune)', failures, { attempted: p.prune.length });
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
