// `npm run demo`: the operator's main job on the embedded default. Starts a
// local control plane, installs the HarborCluster CRD, runs the operator as a
// process, applies deploy/samples/minimal.yaml and shows what it made. The
// cluster and the operator keep running until `npm run demo:stop`, which
// removes the cluster's folder; the operator's log is kept outside it
// (<cache>/logs/demo-operator.log), until the next demo replaces it.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { createKubeHttp, type KubeHttp } from '../src/kube/http.ts';
import { childTypes, collectionPath, harborClusterType, objectPath } from '../src/kube/resources.ts';
import type { KubeObject } from '../src/model/object.ts';
import type { HarborClusterStatus } from '../src/status/observe.ts';
import { cacheRoot, ensureAssets } from '../test/cluster/assets.ts';
import { readState, startCluster, startExtra, stopCluster } from '../test/cluster/controlplane.ts';
import { imageNodeOptions } from '../test/harness/image-entrypoint.ts';

const root = resolve(import.meta.dirname, '..');
const NAME = 'demo';
const NAMESPACE = 'harbor-demo';
const say = (m: string): void => {
  process.stdout.write(`${m}\n`);
};

async function applyYaml(http: KubeHttp, path: string, obj: KubeObject): Promise<void> {
  await http.request('PATCH', path, {
    body: obj,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'harbor-operator-demo', force: true },
  });
}

function age(ts: string | undefined): string {
  if (!ts) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(ts)) / 1000));
  return s < 120 ? `${s}s` : `${Math.round(s / 60)}m`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('   ').trimEnd()).join('\n');
}

async function main(): Promise<void> {
  const dir = join(cacheRoot(), 'clusters', NAME);
  const old = await readState(dir);
  if (old) {
    say('stopping the previous demo cluster');
    await stopCluster(old);
  }
  say('1/5 control-plane binaries (built once from Go modules, then cached)');
  const assets = await ensureAssets();
  say('2/5 starting a local Kubernetes control plane (etcd, kube-apiserver, controllers, kwok fake nodes)');
  const state = await startCluster({ name: NAME, dir, nodes: 1, log: (m) => {
      say(`    ${m}`);
    },
  });
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const http = createKubeHttp(kc);

  say('3/5 installing the HarborCluster CRD');
  const crd = parse(await readFile(join(root, 'crds/harborclusters.harbor-operator.dev.yaml'), 'utf8')) as KubeObject;
  await applyYaml(http, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, crd);
  for (let i = 0; i < 50; i++) {
    try {
      await http.request('GET', collectionPath(harborClusterType));
      break;
    } catch {
      await sleep(200);
    }
  }

  const operatorLog = join(cacheRoot(), 'logs', 'demo-operator.log');
  await mkdir(join(cacheRoot(), 'logs'), { recursive: true });
  await rm(operatorLog, { force: true });
  say(`4/5 starting the operator (log: ${operatorLog})`);
  await startExtra(state, 'operator', process.execPath, [
    ...imageNodeOptions(), // the image's V8 heap flags
    join(root, 'src/main.ts'),
    `--kubeconfig=${state.kubeconfig}`,
    `--helm=${assets.helm}`,
    `--chart-dir=${join(root, 'charts/harbor')}`,
    // any free port: the operator's first log line says which
    '--metrics-bind-address=127.0.0.1:0',
    '--health-probe-bind-address=127.0.0.1:0',
  ], { log: operatorLog });

  say(`5/5 applying deploy/samples/minimal.yaml in namespace ${NAMESPACE}`);
  await applyYaml(http, `/api/v1/namespaces/${NAMESPACE}`, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE },
  });
  const sample = parseAllDocuments(await readFile(join(root, 'deploy/samples/minimal.yaml'), 'utf8'))[0]?.toJS() as KubeObject;
  sample.metadata.namespace = NAMESPACE;
  await applyYaml(http, objectPath(harborClusterType, NAMESPACE, sample.metadata.name), sample);

  const t0 = Date.now();
  let hc: KubeObject & { status?: HarborClusterStatus } = sample;
  let last = '';
  while (Date.now() - t0 < 180_000) {
    hc = await http.request('GET', objectPath(harborClusterType, NAMESPACE, sample.metadata.name));
    const ready = hc.status?.conditions?.find((c) => c.type === 'Ready');
    const line = ready ? `Ready=${ready.status} (${ready.reason}): ${ready.message}` : 'waiting for the operator';
    if (line !== last) say(`    ${line}`);
    last = line;
    if (ready?.status === 'True') break;
    await sleep(500);
  }

  say('');
  say(`HarborCluster ${NAMESPACE}/${hc.metadata.name}  (${((Date.now() - t0) / 1000).toFixed(1)} s after apply)`);
  say(
    table([
      ['CONDITION', 'STATUS', 'REASON', 'MESSAGE'],
      ...(hc.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]),
    ]),
  );
  say('');
  say(
    table([
      ['COMPONENT', 'READY'],
      ...Object.entries(hc.status?.components ?? {}).map(([n, c]) => [n, `${c.ready}/${c.desired}`]),
    ]),
  );
  say('');
  const rows = [['KIND', 'NAME', 'DETAIL', 'AGE']];
  for (const t of childTypes) {
    let items: KubeObject[];
    try {
      items = (await http.request<{ items: KubeObject[] }>('GET', collectionPath(t, NAMESPACE), {
        query: { labelSelector: `harbor-operator.dev/cluster=${hc.metadata.name}` },
      })).items;
    } catch {
      continue; // a kind that is not served (cert-manager absent)
    }
    for (const o of items) {
      const spec = (o['spec'] ?? {}) as { replicas?: number; type?: string; resources?: { requests?: { storage?: string } } };
      const status = (o['status'] ?? {}) as { readyReplicas?: number; phase?: string };
      const detail =
        t.kind === 'Deployment' || t.kind === 'StatefulSet'
          ? `${status.readyReplicas ?? 0}/${spec.replicas ?? 1} ready`
          : t.kind === 'Service'
            ? (spec.type ?? '')
            : t.kind === 'PersistentVolumeClaim'
              ? `${status.phase ?? ''} ${spec.resources?.requests?.storage ?? ''}`
              : '';
      rows.push([t.kind, o.metadata.name, detail, age(o.metadata.creationTimestamp)]);
    }
  }
  say(table(rows));
  say('');
  say('The cluster and the operator keep running. Look around with kubectl:');
  say(`  export KUBECONFIG=${state.kubeconfig}`);
  say(`  kubectl get harborclusters -A`);
  say(`  kubectl -n ${NAMESPACE} describe harborcluster ${hc.metadata.name}`);
  say(`  kubectl explain harborcluster.spec`);
  say(`Operator log: ${operatorLog} (kept by npm run demo:stop)`);
  say('Stop everything: npm run demo:stop');
  if (hc.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
