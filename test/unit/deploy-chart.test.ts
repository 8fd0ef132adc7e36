// The operator's own chart (deploy/harbor-operator), rendered with the real
// helm binary for each install mode. The RBAC rules are compared with the
// requests the code sends (the table in src/kube/permissions.ts), and the
// Deployment's arguments are parsed by the operator's own flag parser, so the
// chart cannot drift from the code unnoticed.
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config.ts';
import { operatorPermissions, type PermissionRole } from '../../src/kube/permissions.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { parseManifests } from '../../src/render/parse.ts';
import { locate, versions } from '../cluster/assets.ts';
import { imageEntrypoint, imageNodeOptions } from '../harness/image-entrypoint.ts';

const chartDir = new URL('../../deploy/harbor-operator/', import.meta.url);
const chartPath = fileURLToPath(chartDir);
const release = 'harbor-operator';
const releaseNamespace = 'harbor-operator-system';
const leaseName = 'harbor-operator-leader';

/** helm from `npm test` (HARBOR_TEST_HELM), HELM_BIN or the build cache. */
function helmBin(): string {
  const helm = process.env['HARBOR_TEST_HELM'] ?? locate().found.helm;
  if (!helm) throw new Error('no helm binary: run `npm run cluster:build` (or set HELM_BIN)');
  return helm;
}

async function helm(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const res = await execa(helmBin(), args, { reject: false });
  return { exitCode: res.exitCode ?? 1, stdout: res.stdout, stderr: res.stderr };
}

const setArgs = (set: readonly string[]): string[] => set.flatMap((s) => ['--set', s]);

async function template(set: readonly string[]): Promise<KubeObject[]> {
  const res = await helm(['template', release, chartPath, '--namespace', releaseNamespace, ...setArgs(set)]);
  assert.equal(res.exitCode, 0, `helm template failed: ${res.stderr}`);
  return parseManifests(res.stdout);
}

// ---------------------------------------------------------------- RBAC model

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs?: string[];
}

/** One line per (group, resource, verb, name): rules compare whatever their grouping. */
function flatten(rules: readonly PolicyRule[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const g of r.apiGroups ?? ['(none)']) {
      for (const res of r.resources ?? ['(none)']) {
        for (const v of r.verbs ?? []) {
          for (const n of r.resourceNames ?? ['']) out.push(`${g}|${res}|${v}|${n}`);
        }
      }
    }
  }
  return out.sort();
}

/** The rules of one role, from the code's own table of requests (src/kube/permissions.ts). */
function expectedRules(role: PermissionRole): string[] {
  return flatten(
    operatorPermissions
      .filter((p) => p.role === role)
      .map((p) => ({
        apiGroups: [p.group],
        resources: [p.resource],
        verbs: p.verbs,
        ...(p.resourceNames ? { resourceNames: p.resourceNames === 'leader-election-id' ? [leaseName] : p.resourceNames } : {}),
      })),
  );
}

/** HarborClusters and their children, in each watched namespace (or cluster-wide). */
const expectedManagerRules = expectedRules('manager');
/** The leader Lease, in the release namespace. */
const expectedLeaseRules = expectedRules('leader-election');
/** The CRD of each optional kind, by name; cluster-scoped, so a ClusterRole in both modes. */
const crdRoleName = `${release}-crds`;
const expectedCrdRules = expectedRules('crds');

/**
 * volume-growth.ts reads the StorageClass of a claim it is about to grow
 * (allowVolumeExpansion). Cluster-scoped, so a ClusterRole in both modes.
 */
const storageClassRoleName = `${release}-storageclasses`;
const expectedStorageClassRules = expectedRules('storage-classes');

const rulesOf = (o: KubeObject): PolicyRule[] => (o['rules'] ?? []) as PolicyRule[];
const ofKind = (objs: readonly KubeObject[], kind: string): KubeObject[] => objs.filter((o) => o.kind === kind);
const where = (o: KubeObject): string => `${o.metadata.namespace ?? '(cluster)'}/${o.metadata.name}`;

// ----------------------------------------------------------- Deployment model

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
}

interface Deployment extends KubeObject {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

function deploymentOf(objs: readonly KubeObject[]): { deployment: Deployment; container: Container } {
  const deployments = ofKind(objs, 'Deployment') as Deployment[];
  assert.equal(deployments.length, 1, 'one Deployment');
  const deployment = deployments[0];
  assert.ok(deployment);
  assert.equal(deployment.spec.template.spec.containers.length, 1, 'one container');
  const container = deployment.spec.template.spec.containers[0];
  assert.ok(container);
  return { deployment, container };
}

// --------------------------------------------------------------------- cases

interface ChartCase {
  name: string;
  set: string[];
  expect: {
    /** ClusterRole + ClusterRoleBinding for HarborClusters in every namespace. */
    clusterWide: boolean;
    /** Namespaces with a Role + RoleBinding for HarborClusters. */
    watchRoleNamespaces: string[];
    /** The --namespaces argument, or undefined for none. */
    namespacesArg: string | undefined;
    serviceMonitor: boolean;
    podDisruptionBudget: boolean;
  };
}

const cases: ChartCase[] = [
  {
    name: 'default (all namespaces)',
    set: [],
    expect: { clusterWide: true, watchRoleNamespaces: [], namespacesArg: undefined, serviceMonitor: false, podDisruptionBudget: false },
  },
  {
    name: 'namespaced (team-a, team-b)',
    set: ['watchNamespaces={team-a,team-b}'],
    expect: {
      clusterWide: false,
      watchRoleNamespaces: ['team-a', 'team-b'],
      namespacesArg: '--namespaces=team-a,team-b',
      serviceMonitor: false,
      podDisruptionBudget: false,
    },
  },
  {
    name: 'monitoring and PDB on',
    set: ['serviceMonitor.enabled=true', 'podDisruptionBudget.enabled=true', 'replicaCount=2'],
    expect: { clusterWide: true, watchRoleNamespaces: [], namespacesArg: undefined, serviceMonitor: true, podDisruptionBudget: true },
  },
];

// One render per case, shared by that case's tests.
const renders = new Map<string, Promise<KubeObject[]>>();
function rendered(c: ChartCase): Promise<KubeObject[]> {
  let p = renders.get(c.name);
  if (!p) {
    p = template(c.set);
    renders.set(c.name, p);
  }
  return p;
}

const chartYaml = parse(await readFile(new URL('Chart.yaml', chartDir), 'utf8')) as { version: string; appVersion: string };

for (const c of cases) {
  describe(`chart: ${c.name}`, () => {
    test('RBAC objects: cluster-wide or one Role per watched namespace, plus the Lease Role', async () => {
      const objs = await rendered(c);
      // The CRD and StorageClass readers are cluster-wide in both modes (both kinds are cluster-scoped).
      const expectedClusterRoles = [
        ...(c.expect.clusterWide ? [`(cluster)/${release}`] : []),
        `(cluster)/${crdRoleName}`,
        `(cluster)/${storageClassRoleName}`,
      ].sort();
      assert.deepEqual(ofKind(objs, 'ClusterRole').map(where).sort(), expectedClusterRoles, 'ClusterRoles');
      assert.deepEqual(ofKind(objs, 'ClusterRoleBinding').map(where).sort(), expectedClusterRoles, 'ClusterRoleBindings');
      const expectedRoles = [
        `${releaseNamespace}/${release}-leader-election`,
        ...c.expect.watchRoleNamespaces.map((ns) => `${ns}/${release}`),
      ].sort();
      assert.deepEqual(ofKind(objs, 'Role').map(where).sort(), expectedRoles, 'Roles');
      assert.deepEqual(ofKind(objs, 'RoleBinding').map(where).sort(), expectedRoles, 'RoleBindings');

      // Every binding gives its role to the operator's ServiceAccount, and the role is rendered.
      const sa = ofKind(objs, 'ServiceAccount');
      assert.deepEqual(sa.map(where), [`${releaseNamespace}/${release}`]);
      for (const b of [...ofKind(objs, 'RoleBinding'), ...ofKind(objs, 'ClusterRoleBinding')]) {
        assert.deepEqual(b['subjects'], [{ kind: 'ServiceAccount', name: release, namespace: releaseNamespace }], where(b));
        const ref = b['roleRef'] as { kind: string; name: string };
        const target = objs.find(
          (o) => o.kind === ref.kind && o.metadata.name === ref.name && (ref.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace),
        );
        assert.ok(target, `${where(b)} refers to a ${ref.kind} ${ref.name} that is rendered`);
      }
    });

    test('RBAC rules: exactly what the code uses, no "*"', async () => {
      const objs = await rendered(c);
      const roles = [...ofKind(objs, 'ClusterRole'), ...ofKind(objs, 'Role')];
      for (const r of roles) {
        for (const rule of rulesOf(r)) {
          const words = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.verbs ?? []), ...(rule.resourceNames ?? [])];
          assert.ok(!words.some((w) => w.includes('*')), `${r.kind} ${where(r)} has a wildcard: ${JSON.stringify(rule)}`);
          assert.equal(rule.nonResourceURLs, undefined, `${r.kind} ${where(r)} grants non-resource URLs`);
        }
        const expected =
          r.metadata.name === `${release}-leader-election`
            ? expectedLeaseRules
            : r.metadata.name === crdRoleName
              ? expectedCrdRules
              : r.metadata.name === storageClassRoleName
                ? expectedStorageClassRules
                : expectedManagerRules;
        assert.deepEqual(flatten(rulesOf(r)), expected, `${r.kind} ${where(r)}`);
      }
    });

    test('Deployment: flags the operator accepts, leader election on, namespaces', async () => {
      const objs = await rendered(c);
      const { deployment, container } = deploymentOf(objs);
      const args = container.args ?? [];
      assert.ok(args.includes('--leader-elect'), 'always --leader-elect');
      // No $(VAR) in args: only the kubelet expands it, and the e2e suite also runs these args as a process.
      assert.ok(!args.some((a) => a.includes('$(')), 'no $(VAR) in args');
      assert.deepEqual(container.env?.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
      assert.deepEqual(
        args.filter((a) => a.startsWith('--namespaces')),
        c.expect.namespacesArg ? [c.expect.namespacesArg] : [],
      );
      assert.equal(deployment.spec.template.spec.serviceAccountName, release);
      assert.equal(container.image, `harbor-operator:${chartYaml.appVersion}`, 'image tag defaults to appVersion');

      // The operator's own parser accepts every argument (a typo would throw);
      // the Lease's namespace comes from POD_NAMESPACE (the downward API above).
      const config = parseConfig(args, { POD_NAMESPACE: releaseNamespace }, '/');
      assert.deepEqual(
        {
          namespaces: config.namespaces,
          leaderElect: config.leaderElect,
          leaderElectionId: config.leaderElectionId,
          leaderElectionNamespace: config.leaderElectionNamespace,
          metricsAddress: config.metricsAddress,
          healthAddress: config.healthAddress,
          helm: config.helm,
          chartDir: config.chartDir,
          helmHome: config.helmHome,
          workers: config.workers,
          resyncMs: config.resyncMs,
          logLevel: config.logLevel,
        },
        {
          namespaces: c.expect.watchRoleNamespaces,
          leaderElect: true,
          leaderElectionId: leaseName,
          leaderElectionNamespace: releaseNamespace,
          metricsAddress: ':8080',
          healthAddress: ':8081',
          helm: '/usr/local/bin/helm',
          chartDir: '/app/charts/harbor',
          helmHome: '/tmp/helm',
          workers: 4,
          resyncMs: 600_000,
          logLevel: 'info',
        },
      );
    });

    test('Deployment: security context, probes, resources, /tmp', async () => {
      const { deployment, container } = deploymentOf(await rendered(c));
      const pod = deployment.spec.template.spec;
      assert.deepEqual(
        {
          runAsNonRoot: pod.securityContext?.runAsNonRoot,
          runAsUser: pod.securityContext?.runAsUser,
          fsGroup: pod.securityContext?.fsGroup,
          seccompProfile: pod.securityContext?.seccompProfile,
        },
        { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      );
      assert.deepEqual(container.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      assert.equal(pod.terminationGracePeriodSeconds, 30);
      const healthPort = container.ports?.find((p) => p.name === 'health')?.containerPort;
      assert.equal(healthPort, 8081);
      assert.equal(container.ports?.find((p) => p.name === 'metrics')?.containerPort, 8080);
      assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'health' });
      assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'health' });
      assert.deepEqual(container.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
      // The only writable place, where helm keeps its cache (--helm-home=/tmp/helm).
      assert.deepEqual(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
      assert.deepEqual(pod.volumes, [{ name: 'tmp', emptyDir: {} }]);
    });

    test('metrics Service always; ServiceMonitor and PDB when enabled', async () => {
      const objs = await rendered(c);
      const services = ofKind(objs, 'Service');
      assert.equal(services.length, 1);
      const svc = services[0];
      assert.ok(svc);
      const spec = svc['spec'] as { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
      assert.deepEqual(spec.ports, [{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
      const { deployment } = deploymentOf(objs);
      const podLabels = deployment.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(spec.selector)) assert.equal(podLabels[k], v, `Service selector ${k}`);

      const monitors = ofKind(objs, 'ServiceMonitor');
      assert.equal(monitors.length, c.expect.serviceMonitor ? 1 : 0, 'ServiceMonitors');
      for (const m of monitors) {
        assert.equal(m.apiVersion, 'monitoring.coreos.com/v1');
        const ms = m['spec'] as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
        for (const [k, v] of Object.entries(ms.selector.matchLabels)) assert.equal(svc.metadata.labels?.[k], v, `ServiceMonitor selects the Service by ${k}`);
        assert.deepEqual(ms.endpoints.map((e) => [e.port, e.path]), [['metrics', '/metrics']]);
      }

      const pdbs = ofKind(objs, 'PodDisruptionBudget');
      assert.equal(pdbs.length, c.expect.podDisruptionBudget ? 1 : 0, 'PodDisruptionBudgets');
      for (const p of pdbs) {
        const ps = p['spec'] as { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
        assert.equal(ps.maxUnavailable, 1);
        assert.deepEqual(ps.selector.matchLabels, deployment.spec.selector.matchLabels);
      }
    });

    test('standard labels on every object', async () => {
      for (const o of await rendered(c)) {
        const l = o.metadata.labels ?? {};
        assert.deepEqual(
          [l['app.kubernetes.io/name'], l['app.kubernetes.io/instance'], l['app.kubernetes.io/version'], l['app.kubernetes.io/managed-by']],
          ['harbor-operator', release, chartYaml.appVersion, 'Helm'],
          `${o.kind} ${where(o)}`,
        );
      }
    });
  });
}

// ---------------------------------------------------------- lint and schema

const lintCases: { name: string; args: string[] }[] = [
  { name: 'default values', args: [] },
  { name: 'default values, --strict', args: ['--strict'] },
  { name: 'namespaced, monitoring, PDB, --strict', args: ['--strict', ...setArgs(['watchNamespaces={team-a,team-b}', 'serviceMonitor.enabled=true', 'podDisruptionBudget.enabled=true'])] },
];

for (const c of lintCases) {
  test(`helm lint: ${c.name}`, async () => {
    const res = await helm(['lint', chartPath, ...c.args]);
    assert.equal(res.exitCode, 0, `${res.stdout}\n${res.stderr}`);
    assert.doesNotMatch(res.stdout, /\[(WARNING|ERROR)\]/);
  });
}

const rejected: { name: string; set: string[]; message: RegExp }[] = [
  { name: 'an unknown top-level key', set: ['watchNamespace={a}'], message: /additional properties 'watchNamespace' not allowed/ },
  { name: 'an unknown log level', set: ['logLevel=verbose'], message: /logLevel/ },
  { name: 'no workers', set: ['workers=0'], message: /workers/ },
  { name: 'a namespace that is not a DNS label', set: ['watchNamespaces={Team_A}'], message: /watchNamespaces/ },
  { name: 'a resync that is not a duration', set: ['resyncPeriod=ten minutes'], message: /resyncPeriod/ },
  { name: 'no ServiceAccount name without creating one', set: ['serviceAccount.create=false'], message: /serviceAccount.name is required/ },
];

for (const c of rejected) {
  test(`values refused: ${c.name}`, async () => {
    const res = await helm(['template', release, chartPath, '--namespace', releaseNamespace, ...setArgs(c.set)]);
    assert.notEqual(res.exitCode, 0, 'helm template should fail');
    assert.match(res.stderr, c.message);
  });
}

// ------------------------------------------------------------------- the CRD

test('the chart ships the CRD byte for byte', async () => {
  const source = await readFile(new URL('../../crds/harborclusters.harbor-operator.dev.yaml', import.meta.url));
  const copy = await readFile(new URL('crds/harborclusters.harbor-operator.dev.yaml', chartDir));
  assert.ok(
    copy.equals(source),
    'deploy/harbor-operator/crds/ differs from crds/: cp crds/harborclusters.harbor-operator.dev.yaml deploy/harbor-operator/crds/',
  );
});

// ----------------------------------------------------------------- the image
// deploy/Dockerfile cannot be built here (no container engine); what it takes
// from the build context and where it puts things are checked instead.

const dockerfile = await readFile(new URL('../../deploy/Dockerfile', import.meta.url), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

test('Dockerfile builds the helm of test/cluster/versions.json', () => {
  assert.ok(instructions.includes(`ARG HELM_VERSION=${versions.helm}`), `ARG HELM_VERSION=${versions.helm}`);
  assert.ok(instructions.some((l) => l.includes('go install') && l.includes('helm.sh/helm/v4/cmd/helm@${HELM_VERSION}')));
});

test('Dockerfile copies only files that exist in the build context', async () => {
  const fromContext = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
  const sources = fromContext.flatMap((l) => l.split(/\s+/).slice(1, -1));
  assert.deepEqual(sources.sort(), ['charts/harbor', 'package-lock.json', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json']);
  for (const src of sources) await access(new URL(`../../${src}`, import.meta.url));
});

test("Dockerfile puts helm, the chart and main.js where the chart's flags look", async () => {
  const { container } = deploymentOf(await rendered(cases[0] ?? assert.fail('no case')));
  const args = container.args ?? [];
  const flag = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  assert.ok(instructions.includes(`COPY --from=helm /out/helm ${flag('helm') ?? '(no --helm)'}`));
  assert.ok(instructions.includes('WORKDIR /app'));
  assert.equal(flag('chart-dir'), '/app/charts/harbor');
  assert.ok(instructions.includes('COPY charts/harbor ./charts/harbor'));
  assert.ok(instructions.includes('USER 65532:65532'), 'the same user as the pod security context');
  const entrypoint = imageEntrypoint(dockerfile);
  assert.equal(entrypoint.at(-1), '/app/dist/main.js');
  for (const o of imageNodeOptions(dockerfile)) assert.match(o, /^--[a-z-]+=\d+$/, 'node options are V8 heap flags');
});
