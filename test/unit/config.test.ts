// Flags and environment → configuration: defaults, precedence, refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig, parseDuration } from '../../src/config.ts';

const cwd = '/opt/op';

const cases: { name: string; argv: string[]; env?: Record<string, string>; expect: Partial<ReturnType<typeof parseConfig>> }[] = [
  {
    name: 'defaults',
    argv: [],
    expect: {
      namespaces: [],
      workers: 4,
      resyncMs: 600_000,
      helm: 'helm',
      chartDir: '/opt/op/charts/harbor',
      helmTimeoutMs: 60_000,
      logLevel: 'info',
      metricsAddress: ':8080',
      healthAddress: ':8081',
      leaderElect: false,
      leaderElectionId: 'harbor-operator-leader',
      leaderElectionNamespace: 'default',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    },
  },
  {
    name: 'flags',
    argv: [
      '--namespaces=a, b',
      '--workers=8',
      '--resync=30s',
      '--helm=/bin/helm',
      '--chart-dir=c',
      '--helm-timeout=2m',
      '--log-level=debug',
      '--leader-elect',
      '--leader-election-namespace=ops',
      '--metrics-bind-address=0',
    ],
    expect: {
      namespaces: ['a', 'b'],
      workers: 8,
      resyncMs: 30_000,
      helm: '/bin/helm',
      chartDir: '/opt/op/c',
      helmTimeoutMs: 120_000,
      logLevel: 'debug',
      leaderElect: true,
      leaderElectionNamespace: 'ops',
      metricsAddress: '0',
    },
  },
  {
    name: 'environment',
    argv: [],
    env: { WATCH_NAMESPACES: 'x', WORKERS: '2', LOG_LEVEL: 'warn', LEADER_ELECT: 'true', POD_NAMESPACE: 'sys', HELM_BIN: '/h' },
    expect: { namespaces: ['x'], workers: 2, logLevel: 'warn', leaderElect: true, leaderElectionNamespace: 'sys', helm: '/h' },
  },
  {
    name: 'flags win over environment',
    argv: ['--workers=3', '--namespaces=f'],
    env: { WORKERS: '9', WATCH_NAMESPACES: 'e' },
    expect: { workers: 3, namespaces: ['f'] },
  },
];

for (const c of cases) {
  test(`config: ${c.name}`, () => {
    const got = parseConfig(c.argv, c.env ?? {}, cwd);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(got[k as keyof typeof got], v, k);
  });
}

const refusals: { name: string; argv: string[]; message: RegExp }[] = [
  { name: 'zero workers', argv: ['--workers=0'], message: /--workers must be a whole number >= 1/ },
  { name: 'bad duration', argv: ['--resync=soon'], message: /--resync must be a duration/ },
  { name: 'bad log level', argv: ['--log-level=loud'], message: /--log-level must be one of/ },
  {
    name: 'renew deadline not below the lease duration',
    argv: ['--leader-election-lease-duration=5s', '--leader-election-renew-deadline=5s'],
    message: /retry-period < renew-deadline < lease-duration/,
  },
];
for (const r of refusals) {
  test(`config refuses: ${r.name}`, () => {
    assert.throws(() => parseConfig(r.argv, {}, cwd), (err: unknown) => err instanceof ConfigError && r.message.test(err.message));
  });
}

test('config refuses an unknown flag and a stray argument as a ConfigError (one line and the usage, no stack)', () => {
  assert.throws(() => parseConfig(['--wokers=2'], {}, cwd), (err: unknown) => err instanceof ConfigError && /Unknown option '--wokers'/.test(err.message));
  assert.throws(() => parseConfig(['frobnicate'], {}, cwd), (err: unknown) => err instanceof ConfigError && /Unexpected argument 'frobnicate'/.test(err.message));
});

const durations: [string, number][] = [
  ['250ms', 250],
  ['10s', 10_000],
  ['5m', 300_000],
  ['1h', 3_600_000],
  ['1500', 1500],
];
for (const [text, ms] of durations) {
  test(`duration ${text}`, () => {
    assert.equal(parseDuration('x', text), ms);
  });
}
