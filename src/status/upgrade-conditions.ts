// What Progressing and Degraded say while an upgrade is under way or stopped.
// Pure; observe.ts sets them over what the apply's outcome said.
import type { ConditionStatus } from './conditions.ts';
import type { UpgradeStatus } from './upgrade-plan.ts';

export interface ConditionUpdate {
  type: 'Progressing' | 'Degraded';
  status: ConditionStatus;
  reason: string;
  message: string;
}

/**
 * Progressing=True `Upgrading` naming the phase while it runs; False with the
 * reason once it stopped (a failed backup). Degraded=True with the upgrade's
 * reason while it is stopped or overdue, unless the apply already reported a
 * degradation of its own (`degradedElsewhere`), which is not hidden.
 */
export function upgradeConditions(u: UpgradeStatus, degradedElsewhere: boolean): ConditionUpdate[] {
  if (u.phase === 'Done') return [];
  const out: ConditionUpdate[] = [];
  const what = `upgrade ${u.from} → ${u.to}, phase ${u.phase}: ${u.message}`;
  if (u.phase === 'Failed') out.push({ type: 'Progressing', status: 'False', reason: u.reason ?? 'UpgradeFailed', message: what });
  else out.push({ type: 'Progressing', status: 'True', reason: 'Upgrading', message: what });
  if (u.reason && !degradedElsewhere) out.push({ type: 'Degraded', status: 'True', reason: u.reason, message: what });
  return out;
}
