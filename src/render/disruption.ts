// Which components get a PodDisruptionBudget: those that run more than one
// pod. With one pod a budget would either block every drain (maxUnavailable
// 0) or allow the only pod to go (maxUnavailable 1) and protect nothing, so
// a component at one replica renders none and the operator prunes the one
// it rendered before. Pure.
import type { ChartValues } from './chart-values.ts';

/** The components of the chart's values, in the order the chart lists them. */
type ComponentName = keyof ChartValues['components'];

/** The replicas a component runs at least: its fixed count, or the floor its autoscaler keeps. */
export interface ReplicaFloor {
  component: ComponentName;
  /** False for an optional component that is not deployed (trivy, exporter). */
  enabled: boolean;
  minReplicas: number;
}

/** Names of the components that get a budget (each allows one pod down at a time). */
export function disruptionBudgets(floors: readonly ReplicaFloor[]): ComponentName[] {
  return floors.filter((f) => f.enabled && f.minReplicas > 1).map((f) => f.component);
}
