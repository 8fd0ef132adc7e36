// What every phase gets: the environment, the scrapers, the options and a logger.
import type { ApiserverScraper } from './apiserver-metrics.ts';
import type { BenchEnv } from './env.ts';
import type { OperatorOptions } from './operator-process.ts';

export interface BenchOptions {
  ns: number[];
  idleMs: number;
  latencySamples: number;
  out: string;
  workers: number;
  resync: string;
  perNamespace: number;
  /** Limit of each wait (convergence, Ready, restart). */
  timeoutMs: number;
  baselineConcurrency: number;
  cpuProf: boolean;
  /** More options for the operator's node. */
  nodeOptions: string[];
  skipBaseline: boolean;
  /** Only the baseline phase: a baseline to set beside an operator run of another time. */
  baselineOnly: boolean;
  /** Install cert-manager's CRDs (not the controller). */
  certManagerCrds: boolean;
}

export interface Ctx {
  env: BenchEnv;
  apiserver: ApiserverScraper;
  opts: BenchOptions;
  operator: OperatorOptions;
  log: (message: string) => void;
}
