// `harbor-operator render -f cr.yaml` prints the objects the operator would
// apply for a HarborCluster; `harbor-operator diff -f cr.yaml` compares them
// with what runs in the cluster and prints the plan (create, update with the
// fields that differ, prune). Secret values are never printed.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { adoptUsage, runAdopt } from './adopt/command.ts';
import type { HarborCluster } from './api/types.generated.ts';
import { assembleSecrets, desiredObjects, secretNeeds, type UserSecrets } from './controller/desired.ts';
import { generatedSecretName, readGenerated } from './controller/generated-secret.ts';
import { describeUnsafe, unsafeObjects } from './controller/render-guard.ts';
import { secretRefs, valueOf } from './controller/secret-refs.ts';
import { plan } from './diff/plan.ts';
import { createKubeHttp, type KubeHttp } from './kube/http.ts';
import { loadApiAccess } from './kube/kubeconfig.ts';
import { childTypes, collectionPath } from './kube/resources.ts';
import { createWriter } from './kube/writer.ts';
import type { KubeObject } from './model/object.ts';
import { helmTemplate } from './render/helm.ts';
import type { HarborSecrets } from './render/secrets-input.ts';
import { clusterLabel, toValues } from './render/values.ts';
import { completeSecrets, type GeneratedSecrets } from './secrets/generate.ts';

export const cliUsage = `usage:
  harbor-operator render -f cr.yaml [--namespace NS] [--helm PATH] [--chart-dir DIR]
  harbor-operator diff   -f cr.yaml [--namespace NS] [--kubeconfig PATH] [--helm PATH] [--chart-dir DIR]
${adoptUsage}`;

const MASK = '<secret>';

/** Secret data and stringData values replaced by a mask: keys show, values do not. */
export function maskSecrets(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret') return o;
  const mask = (m: unknown): Record<string, string> | undefined =>
    m && typeof m === 'object' ? Object.fromEntries(Object.keys(m).map((k) => [k, MASK])) : undefined;
  const out: KubeObject = { ...o };
  const data = mask(o['data']);
  const stringData = mask(o['stringData']);
  if (data) out['data'] = data;
  if (stringData) out['stringData'] = stringData;
  return out;
}

async function loadCr(file: string, namespace: string | undefined): Promise<HarborCluster & { metadata: KubeObject['metadata'] }> {
  const docs = parseAllDocuments(await readFile(resolve(file), 'utf8')).map((d) => d.toJS() as KubeObject | null);
  const cr = docs.find((d) => d?.kind === 'HarborCluster');
  if (!cr) throw new Error(`${file} holds no HarborCluster`);
  cr.metadata.namespace = namespace ?? cr.metadata.namespace ?? 'default';
  return cr as unknown as HarborCluster & { metadata: KubeObject['metadata'] };
}

interface Inputs {
  cr: HarborCluster & { metadata: KubeObject['metadata'] };
  secrets: HarborSecrets;
  generated: GeneratedSecrets;
}

/** Secrets for rendering: from the cluster when given, else placeholders and fresh values. */
async function secretsFor(cr: Inputs['cr'], http: KubeHttp | undefined): Promise<Omit<Inputs, 'cr'>> {
  const ns = cr.metadata.namespace ?? 'default';
  const reader = http ? createWriter(http) : undefined;
  const refs = secretRefs(cr);
  const user: UserSecrets = {};
  for (const [field, ref] of Object.entries(refs) as [keyof typeof refs, (typeof refs)[keyof typeof refs]][]) {
    if (!ref) continue;
    user[field] = reader ? valueOf(ref, await reader.readSecret(ns, ref.name), ns) : `from-secret-${ref.name}-${ref.key}`;
  }
  const stored = reader ? await reader.readSecret(ns, generatedSecretName(cr.metadata.name)) : undefined;
  const { values } = await completeSecrets(
    readGenerated(stored),
    secretNeeds(refs, (cr.spec.cache?.type ?? 'InCluster') === 'InCluster'),
    randomBytes,
    new Date(),
  );
  return { generated: values, secrets: assembleSecrets(user, values) };
}

async function desiredFor(inputs: Inputs, helm: string, chartDir: string, uid: string): Promise<KubeObject[]> {
  const { cr } = inputs;
  const name = cr.metadata.name;
  const ns = cr.metadata.namespace ?? 'default';
  const rendered = await helmTemplate({ helm, chartDir, timeoutMs: 60_000 }, name, ns, toValues(cr, inputs.secrets));
  const deleteClaims = cr.spec.persistence?.deleteClaimsWithCluster === true;
  const owner = { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name, namespace: ns, uid };
  const objects = desiredObjects(rendered, owner, inputs.generated, deleteClaims);
  // What the operator would refuse to write, the CLI refuses to show as its plan.
  const unsafe = unsafeObjects(objects, { name, namespace: ns });
  if (unsafe.length > 0) throw new Error(describeUnsafe(unsafe));
  return objects;
}

export async function runCli(argv: string[], out: (s: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'adopt') return runAdopt(rest, out);
  const { values } = parseArgs({
    args: rest,
    options: {
      file: { type: 'string', short: 'f' },
      namespace: { type: 'string', short: 'n' },
      kubeconfig: { type: 'string' },
      helm: { type: 'string' },
      'chart-dir': { type: 'string' },
    },
  });
  if (!values.file) {
    out(cliUsage);
    return 2;
  }
  const helm = values.helm ?? process.env['HELM_BIN'] ?? 'helm';
  const chartDir = resolve(values['chart-dir'] ?? process.env['CHART_DIR'] ?? 'charts/harbor');
  const cr = await loadCr(values.file, values.namespace);
  if (command === 'render') {
    const inputs = { cr, ...(await secretsFor(cr, undefined)) };
    const objects = await desiredFor(inputs, helm, chartDir, '<uid of the HarborCluster>');
    out(`# ${objects.length} objects for HarborCluster ${cr.metadata.namespace ?? ''}/${cr.metadata.name}; secret values are not shown`);
    for (const o of objects) out(`---\n${stringify(maskSecrets(o)).trimEnd()}`);
    return 0;
  }
  if (command === 'diff') {
    const http = createKubeHttp(await loadApiAccess({ path: values.kubeconfig }));
    const ns = cr.metadata.namespace ?? 'default';
    let uid = '';
    try {
      const live = await http.request<KubeObject>('GET', `/apis/harbor-operator.dev/v1alpha1/namespaces/${ns}/harborclusters/${cr.metadata.name}`);
      uid = live.metadata.uid ?? '';
    } catch {
      out(`HarborCluster ${ns}/${cr.metadata.name} does not exist yet: everything would be created`);
    }
    const inputs = { cr, ...(await secretsFor(cr, http)) };
    const desired = await desiredFor(inputs, helm, chartDir, uid);
    const live: KubeObject[] = [];
    for (const t of childTypes) {
      try {
        const res = await http.request<{ items: KubeObject[] }>('GET', collectionPath(t, ns), {
          query: { labelSelector: `${clusterLabel}=${cr.metadata.name}` },
        });
        live.push(...res.items.map((i) => ({ ...i, apiVersion: t.apiVersion, kind: t.kind })));
      } catch {
        // kind not served (cert-manager absent)
      }
    }
    const p = plan(desired, live, { uid });
    const line = (verb: string, o: KubeObject): string => `${verb.padEnd(9)}${o.kind}/${o.metadata.name}`;
    for (const o of p.create) out(line('create', o));
    for (const u of p.update) {
      out(line('update', u.desired));
      // Secret values are never shown; their paths name only the key.
      for (const path of u.paths.slice(0, 20)) out(`           ~ ${path}`);
      if (u.paths.length > 20) out(`           … and ${u.paths.length - 20} more`);
    }
    for (const o of p.prune) out(line('prune', o));
    out(`plan: ${p.create.length} to create, ${p.update.length} to update, ${p.prune.length} to prune, ${p.unchanged.length} unchanged`);
    return 0;
  }
  out(cliUsage);
  return 2;
}
