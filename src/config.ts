// The operator's settings from flags and environment (flags win).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LogLevel } from './observe/logger.ts';

export interface OperatorConfig {
  namespaces: string[];
  workers: number;
  resyncMs: number;
  helm: string;
  chartDir: string;
  helmTimeoutMs: number;
  helmHome: string | undefined;
  logLevel: LogLevel;
  kubeconfig: string | undefined;
  /** host:port of /metrics; "0" turns it off. */
  metricsAddress: string;
  /** host:port of /healthz and /readyz; "0" turns them off. */
  healthAddress: string;
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--${name} must be a whole number >= 1, got "${raw}"`);
  return n;
}

/** Parses a duration like 30s, 5m, 1h or plain milliseconds. */
export function parseDuration(name: string, raw: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new ConfigError(`--${name} must be a duration like 30s, 10m or 1h, got "${raw}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
  return Number(m[1]) * unit;
}

export const usage = `usage: harbor-operator [flags]
  --namespaces a,b       namespaces to watch (env WATCH_NAMESPACES; default: all)
  --workers N            reconciles at once (env WORKERS; default 4)
  --resync 10m           period of the full resync (env RESYNC_PERIOD; default 10m)
  --helm PATH            helm v4 binary (env HELM_BIN; default "helm" on PATH)
  --chart-dir DIR        the embedded Harbor chart (env CHART_DIR; default charts/harbor)
  --helm-timeout 60s     limit of one helm template run (env HELM_TIMEOUT; default 60s)
  --helm-home DIR        writable folder for helm's cache (env HELM_HOME_DIR)
  --log-level info       debug|info|warn|error (env LOG_LEVEL; default info)
  --kubeconfig PATH      kubeconfig (env KUBECONFIG; default: ~/.kube/config, then in-cluster)
  --metrics-bind-address :8080       /metrics; 0 turns it off (env METRICS_BIND_ADDRESS)
  --health-probe-bind-address :8081  /healthz and /readyz; 0 turns them off (env HEALTH_PROBE_BIND_ADDRESS)
  --leader-elect                     only the holder of a Lease reconciles (env LEADER_ELECT=true)
  --leader-election-id NAME          the Lease's name (default harbor-operator-leader)
  --leader-election-namespace NS     the Lease's namespace (env POD_NAMESPACE; default "default")
  --leader-election-lease-duration 15s, --leader-election-renew-deadline 10s,
  --leader-election-retry-period 2s`;

/** parseArgs, with what it refuses (an unknown flag, a stray argument) as a ConfigError. */
function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (err instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new ConfigError(err.message);
    throw err;
  }
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, cwd: string): OperatorConfig {
  const { values } = parseFlags(() => parseArgs({
    args: argv,
    strict: true,
    options: {
      namespaces: { type: 'string' },
      workers: { type: 'string' },
      resync: { type: 'string' },
      helm: { type: 'string' },
      'chart-dir': { type: 'string' },
      'helm-timeout': { type: 'string' },
      'helm-home': { type: 'string' },
      'log-level': { type: 'string' },
      kubeconfig: { type: 'string' },
      'metrics-bind-address': { type: 'string' },
      'health-probe-bind-address': { type: 'string' },
      'leader-elect': { type: 'boolean' },
      'leader-election-id': { type: 'string' },
      'leader-election-namespace': { type: 'string' },
      'leader-election-lease-duration': { type: 'string' },
      'leader-election-renew-deadline': { type: 'string' },
      'leader-election-retry-period': { type: 'string' },
    },
  }));
  const logLevel = (values['log-level'] ?? env['LOG_LEVEL'] ?? 'info') as LogLevel;
  if (!levels.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${levels.join(', ')}, got "${logLevel}"`);
  const namespaces = (values.namespaces ?? env['WATCH_NAMESPACES'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    namespaces,
    workers: positiveInt('workers', values.workers ?? env['WORKERS'] ?? '4'),
    resyncMs: parseDuration('resync', values.resync ?? env['RESYNC_PERIOD'] ?? '10m'),
    helm: values.helm ?? env['HELM_BIN'] ?? 'helm',
    chartDir: resolve(cwd, values['chart-dir'] ?? env['CHART_DIR'] ?? 'charts/harbor'),
    helmTimeoutMs: parseDuration('helm-timeout', values['helm-timeout'] ?? env['HELM_TIMEOUT'] ?? '60s'),
    helmHome: values['helm-home'] ?? env['HELM_HOME_DIR'],
    logLevel,
    kubeconfig: values.kubeconfig ?? env['KUBECONFIG'],
    metricsAddress: values['metrics-bind-address'] ?? env['METRICS_BIND_ADDRESS'] ?? ':8080',
    healthAddress: values['health-probe-bind-address'] ?? env['HEALTH_PROBE_BIND_ADDRESS'] ?? ':8081',
    leaderElect: values['leader-elect'] ?? env['LEADER_ELECT'] === 'true',
    leaderElectionId: values['leader-election-id'] ?? 'harbor-operator-leader',
    leaderElectionNamespace: values['leader-election-namespace'] ?? env['POD_NAMESPACE'] ?? 'default',
    ...leaseTimes(values),
  };
}

function leaseTimes(values: Record<string, string | boolean | undefined>): {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
} {
  const get = (k: string, d: string): string => {
    const v = values[k];
    return typeof v === 'string' ? v : d;
  };
  const leaseDurationMs = parseDuration('leader-election-lease-duration', get('leader-election-lease-duration', '15s'));
  const renewDeadlineMs = parseDuration('leader-election-renew-deadline', get('leader-election-renew-deadline', '10s'));
  const retryPeriodMs = parseDuration('leader-election-retry-period', get('leader-election-retry-period', '2s'));
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new ConfigError('leader election needs retry-period < renew-deadline < lease-duration');
  }
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}
