// `harbor-operator adopt`: takes over a Harbor that upstream's Helm chart
// installed, with every secret value and every claim kept. Prints the plan
// and changes nothing unless --apply is given. Secret values are never
// printed; only where each one is read from and where it goes.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readGenerated } from '../controller/generated-secret.ts';
import { redact } from '../controller/redact.ts';
import { ApiError } from '../kube/api-error.ts';
import { adoptCreate } from '../kube/adopt-requests.ts';
import { createKubeHttp, type KubeHttp } from '../kube/http.ts';
import { loadApiAccess } from '../kube/kubeconfig.ts';
import { collectionPath, harborClusterType } from '../kube/resources.ts';
import type { KubeObject } from '../model/object.ts';
import { ADOPT_FIELD_MANAGER, runSteps } from './apply.ts';
import { fullnameOf, mapRelease } from './map.ts';
import { describePlan, planSteps } from './plan.ts';
import { findReleases, readSnapshot } from './read.ts';
import { renderForAdoption } from './render.ts';

export const adoptUsage = `  harbor-operator adopt [RELEASE] -n NAMESPACE [--name NAME] [--apply] [--kubeconfig PATH] [--pod-timeout SECONDS] [--helm PATH] [--chart-dir DIR]`;

export interface AdoptDeps {
  /** An API client (tests); default: from --kubeconfig. */
  http?: KubeHttp;
}

export async function runAdopt(argv: string[], out: (s: string) => void, deps: AdoptDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      name: { type: 'string' },
      apply: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      'pod-timeout': { type: 'string', default: '300' },
      helm: { type: 'string' },
      'chart-dir': { type: 'string' },
    },
  });
  const namespace = values.namespace;
  const podTimeout = Number(values['pod-timeout']);
  if (!namespace || positionals.length > 1 || !Number.isFinite(podTimeout) || podTimeout <= 0 || (values.apply && values['dry-run'])) {
    out(`usage:\n${adoptUsage}\n(--dry-run, the default, prints the plan and changes nothing; --apply carries it out)`);
    return 2;
  }
  const http = deps.http ?? createKubeHttp(await loadApiAccess(values.kubeconfig ? { path: values.kubeconfig } : {}));
  let release = positionals[0];
  if (!release) {
    const found = await findReleases(http, namespace);
    if (found.length !== 1) {
      out(found.length === 0 ? `no release of upstream's Harbor chart in namespace ${namespace} (no Deployment labelled heritage=Helm, component=core)` : `namespace ${namespace} holds the releases ${found.join(', ')}: name one`);
      return 1;
    }
    release = found[0] ?? '';
  }
  const wanted = values.name;
  const snapshot = await readSnapshot(http, {
    namespace,
    release,
    name: (objects) => wanted ?? fullnameOf({ namespace, release, objects: [...objects], referenced: [], claims: [], volumes: [], records: [], pods: [] }),
  });
  const adoption = mapRelease(snapshot, wanted ? { name: wanted } : {});
  if (adoption.cluster && adoption.refusals.length === 0) {
    // What the API server would say to the HarborCluster, before anything is written.
    const refused = await validate(http, adoption.cluster);
    if (refused) adoption.refusals.push(refused);
  }
  // The operator's render of it: which of Helm's objects are handed over in place, and what is cleaned off them.
  let rendered: KubeObject[] = [];
  const cluster = adoption.cluster ?? snapshot.cluster;
  if (cluster && adoption.refusals.length === 0) {
    const helm = { helm: values.helm ?? process.env['HELM_BIN'] ?? 'helm', chartDir: resolve(values['chart-dir'] ?? process.env['CHART_DIR'] ?? 'charts/harbor'), timeoutMs: 60_000 };
    const generated = adoption.generated ?? readGenerated(snapshot.generated);
    try {
      rendered = await renderForAdoption(cluster, generated, helm);
    } catch (err) {
      // helm may echo a value it was given: no secret value is printed.
      const message = redact(err instanceof Error ? err.message : String(err), Object.values(generated));
      adoption.refusals.push(`the operator's chart does not render the HarborCluster (--helm ${helm.helm}, --chart-dir ${helm.chartDir}): ${message}`);
    }
  }
  const steps = planSteps(snapshot, adoption, rendered);
  for (const line of describePlan(snapshot, adoption, steps)) out(line);
  if (adoption.refusals.length > 0) return 1;
  if (!values.apply) {
    out('');
    out('Dry run: nothing was changed. Run again with --apply to carry out these steps.');
    return 0;
  }
  if (steps.length === 0) return 0;
  out('');
  out('Applying:');
  try {
    await runSteps(http, namespace, steps, { podTimeoutMs: podTimeout * 1000, log: out });
  } catch (err) {
    out('');
    out(err instanceof Error ? err.message : String(err));
    return 1;
  }
  out('');
  out(`HarborCluster ${namespace}/${adoption.name} runs the release's Harbor now: kubectl get harborcluster -n ${namespace} ${adoption.name}`);
  return 0;
}

/** The API server's refusal of the HarborCluster (a dry-run create), or undefined when it would take it. */
async function validate(http: KubeHttp, cluster: KubeObject): Promise<string | undefined> {
  try {
    await adoptCreate(http, collectionPath(harborClusterType, cluster.metadata.namespace), cluster, { dryRun: 'All', fieldManager: ADOPT_FIELD_MANAGER });
    return undefined;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return 'the HarborCluster CRD is not installed: install the operator first';
    if (err instanceof ApiError && err.status === 409) return undefined;
    if (err instanceof ApiError) return `the API server refuses the HarborCluster: ${err.serverMessage}`;
    throw err;
  }
}
