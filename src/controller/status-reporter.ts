// Writes what a reconcile found into the HarborCluster's status (decided by
// the pure status/observe.ts), only when it changed, with every secret value
// redacted; reports failures as a condition, an event and a log line.
import type { HarborCluster } from '../api/types.generated.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { StatusWriter } from '../kube/writer.ts';
import { namespacedName, type KubeObject } from '../model/object.ts';
import { observe, sameStatus, type HarborClusterStatus, type ObserveInput, type Outcome, type StepCondition } from '../status/observe.ts';
import type { ClusterCache, Logger } from './ports.ts';
import { redact } from './redact.ts';

export const CERT_KIND = 'cert-manager.io/v1/Certificate';

export type CertificateState = NonNullable<ObserveInput['certificate']>;

export interface StatusReporterDeps {
  cache: ClusterCache;
  writer: StatusWriter;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
  /** Conditions of other steps to write with every status (DatabaseProvisioned). */
  conditions?: (cr: KubeObject) => readonly StepCondition[];
}

export class StatusReporter {
  private readonly d: StatusReporterDeps;

  constructor(deps: StatusReporterDeps) {
    this.d = deps;
  }

  async write(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    outcome: Outcome,
    secretValues: string[],
    workloads: KubeObject[] = [],
    certificate?: CertificateState,
    digest?: string,
  ): Promise<void> {
    const spec = (cr as unknown as HarborCluster).spec;
    const next = observe({
      generation: cr.metadata.generation ?? 0,
      version: spec.version ?? '',
      url: spec.externalURL,
      previous,
      outcome,
      workloads,
      ...(certificate ? { certificate } : {}),
      ...(digest ? { appliedDigest: digest } : {}),
      conditions: this.d.conditions?.(cr) ?? [],
      now: this.d.now().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    for (const c of next.conditions ?? []) c.message = redact(c.message, secretValues);
    if (sameStatus(previous, next)) return;
    await this.d.writer.patchStatus(cr.metadata.namespace ?? '', cr.metadata.name, next);
  }

  /** A failed step: a warning event and log line, and Degraded in status. */
  async fail(
    cr: KubeObject,
    previous: HarborClusterStatus | undefined,
    reason: string,
    message: string,
    secretValues: string[],
  ): Promise<void> {
    this.d.log.warn({ key: namespacedName(cr), reason, err: message }, 'reconcile failed');
    this.d.events.event(cr, 'Warning', reason, message);
    const workloads = workloadsOf(this.d.cache.childrenOf(cr.metadata.namespace ?? '', cr.metadata.name));
    await this.write(cr, previous, { kind: 'failed', reason, message }, secretValues, workloads);
  }

  /** The Certificate the chart rendered (among `objects`), as cert-manager reports it. */
  certificateState(namespace: string, objects: KubeObject[]): CertificateState {
    if (!this.d.cache.kindAvailable('cert-manager.io/v1', 'Certificate')) return { state: 'crd-missing' };
    const want = objects.find((o) => `${o.apiVersion}/${o.kind}` === CERT_KIND);
    if (!want) return { state: 'ready' };
    const liveCert = this.d.cache.getChild('cert-manager.io/v1', 'Certificate', namespace, want.metadata.name);
    const conds = (liveCert?.['status'] as { conditions?: { type: string; status: string; message?: string }[] } | undefined)
      ?.conditions ?? [];
    const ready = conds.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return { state: 'ready' };
    return {
      state: 'pending',
      message: `Certificate ${want.metadata.name} is not issued yet${ready?.message ? `: ${ready.message}` : ''}`,
    };
  }
}

/** The Deployments and StatefulSets among a cluster's children (what status counts pods of). */
export function workloadsOf(children: KubeObject[]): KubeObject[] {
  return children.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
}
