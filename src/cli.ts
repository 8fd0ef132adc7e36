// `harbor-operator render -f cr.yaml` prints the objects the operator would
// apply for a HarborCluster; `harbor-operator diff -f cr.yaml` compares them
// with what runs, in the manner of `kubectl diff`: each object to create,
// update (every change, old → new) or prune, and an exit code that says
// whether anything would change. Secret values are never printed. Errors are
// one line naming the cause and what to do (the stack with --debug).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { adoptUsage, runAdopt } from './adopt/command.ts';
import { releaseOf } from './api/releases.ts';
import type { HarborCluster } from './api/types.generated.ts';
import { harborClusterDefaults } from './api/types.generated.ts';
import { backupObjects } from './backup/jobs.ts';
import { holdForRestore, restorePending } from './backup/records.ts';
import { BACKUP_SCRIPT, RESTORE_SCRIPT } from './backup/scripts.ts';
import { explain } from './cli-errors.ts';
import { formatPlan, knownSecrets, maskSecrets, maskValue } from './cli-output.ts';
import { assembleSecrets, desiredObjects, secretNeeds, type UserSecrets } from './controller/desired.ts';
import { generatedSecretName, readGenerated } from './controller/generated-secret.ts';
import { describeUnsafe, unsafeObjects } from './controller/render-guard.ts';
import { PAUSED_ANNOTATION } from './controller/reconciler.ts';
import { secretRefs, valueOf } from './controller/secret-refs.ts';
import { changes } from './diff/changes.ts';
import { plan } from './diff/plan.ts';
import { dryRunHarborCluster, isRefusal, listChildren, readHarborCluster } from './kube/diff-reads.ts';
import { createKubeHttp, type KubeHttp } from './kube/http.ts';
import { loadApiAccess } from './kube/kubeconfig.ts';
import { createWriter } from './kube/writer.ts';
import type { KubeObject } from './model/object.ts';
import { helmTemplate } from './render/helm.ts';
import type { HarborSecrets } from './render/secrets-input.ts';
import { clusterLabel, toValues } from './render/values.ts';
import { completeSecrets, type GeneratedSecrets } from './secrets/generate.ts';
import { COMPONENT_LABEL, type HarborClusterStatus } from './status/observe.ts';

export const cliUsage = `usage:
  harbor-operator render -f cr.yaml [--namespace NS] [--helm PATH] [--chart-dir DIR] [--debug]
  harbor-operator diff   -f cr.yaml [--namespace NS] [--kubeconfig PATH] [--helm PATH] [--chart-dir DIR] [--debug]
${adoptUsage}

  render  the objects the operator would apply for the HarborCluster in the file
          (no cluster needed; secret values masked, random placeholders for generated ones)
  diff    what applying the file would change in the cluster: the HarborCluster is
          first checked by the API server (server-side dry run), then each object
          to create, update (old → new values) or prune; secret values masked.
          exit 0: no change, 1: changes, 2: error, 3: the API server refuses the spec
  adopt   take over a Harbor that upstream's chart installed (docs/adopt.md): prints the
          HarborCluster and the steps; --apply carries them out
  --helm  helm v4 binary (else HELM_BIN, else helm on PATH); npm run cluster:build
          builds one into ~/.cache/harbor-operator/bin/helm-<version>/helm`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes of `diff` (as `kubectl diff`: 0 same, 1 different, more for errors). */
export const EXIT = { same: 0, changes: 1, error: 2, refused: 3 } as const;

type Cr = HarborCluster & { metadata: KubeObject['metadata'] };

/** Bad arguments: the message, and a pointer to --help. */
class UsageError extends Error {}
/** A file that is not what render and diff need. */
class InputError extends Error {}

async function loadCr(file: string, namespace: string | undefined): Promise<Cr> {
  const docs = parseAllDocuments(await readFile(resolve(file), 'utf8'));
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) throw new InputError(`${file} is not valid YAML: ${(bad.errors[0]?.message.split('\n')[0] ?? '').replace(/:$/, '')}`);
  const cr = docs.map((d) => d.toJS() as KubeObject | null).find((d) => d?.kind === 'HarborCluster');
  if (!cr) throw new InputError(`${file} holds no HarborCluster (kind: HarborCluster)`);
  if (!(cr.metadata as KubeObject['metadata'] | undefined)?.name) throw new InputError(`the HarborCluster in ${file} has no metadata.name`);
  cr.metadata.namespace = namespace ?? cr.metadata.namespace ?? 'default';
  return cr as unknown as Cr;
}

interface Inputs {
  cr: Cr;
  secrets: HarborSecrets;
  generated: GeneratedSecrets;
}

/** Secrets for rendering: from the cluster when given, else placeholders and fresh values. */
async function secretsFor(cr: Cr, http: KubeHttp | undefined): Promise<Omit<Inputs, 'cr'>> {
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

async function desiredFor(inputs: Inputs, helm: string, chartDir: string, uid: string, liveStatus?: HarborClusterStatus): Promise<KubeObject[]> {
  const { cr } = inputs;
  const name = cr.metadata.name;
  const ns = cr.metadata.namespace ?? 'default';
  const rendered = await helmTemplate({ helm, chartDir, timeoutMs: 60_000 }, name, ns, toValues(cr, inputs.secrets));
  const deleteClaims = cr.spec.persistence?.deleteClaimsWithCluster === true;
  const owner = { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name, namespace: ns, uid };
  // What spec.backup adds (its CronJob with the release that runs, as far as
  // status says), and core, jobservice and the exporter held while a restore is ahead.
  const release = releaseOf(liveStatus?.version || (cr.spec.version ?? harborClusterDefaults['spec.version']));
  const lifecycle = backupObjects(cr, release, { backup: BACKUP_SCRIPT, restore: RESTORE_SCRIPT });
  let objects = desiredObjects([...rendered, ...lifecycle], owner, inputs.generated, deleteClaims);
  if (restorePending(cr.spec.database?.restoreFrom, liveStatus?.restore)) objects = holdForRestore(objects, COMPONENT_LABEL);
  // What the operator would refuse to write, the CLI refuses to show as its plan.
  const unsafe = unsafeObjects(objects, { name, namespace: ns });
  if (unsafe.length > 0) throw new Error(describeUnsafe(unsafe));
  return objects;
}

interface Options {
  file: string;
  namespace: string | undefined;
  kubeconfig: string | undefined;
  helm: string;
  chartDir: string;
}

async function render(o: Options, io: CliIo): Promise<number> {
  const cr = await loadCr(o.file, o.namespace);
  const inputs = { cr, ...(await secretsFor(cr, undefined)) };
  const objects = await desiredFor(inputs, o.helm, o.chartDir, '<uid of the HarborCluster>');
  const secrets = knownSecrets(objects, Object.values(inputs.secrets));
  io.out(`# ${objects.length} objects for HarborCluster ${cr.metadata.namespace ?? ''}/${cr.metadata.name}; secret values are not shown`);
  for (const obj of objects) io.out(`---\n${stringify(maskValue(maskSecrets(obj), secrets)).trimEnd()}`);
  return 0;
}

async function diff(o: Options, io: CliIo): Promise<number> {
  const fromFile = await loadCr(o.file, o.namespace);
  const ns = fromFile.metadata.namespace ?? 'default';
  const name = fromFile.metadata.name;
  const http = createKubeHttp(await loadApiAccess({ path: o.kubeconfig }));
  const live = await readHarborCluster(http, ns, name);
  let cr: Cr;
  try {
    cr = (await dryRunHarborCluster(http, fromFile as unknown as KubeObject, live)) as unknown as Cr;
  } catch (err) {
    if (isRefusal(err)) {
      io.out(`refused  HarborCluster/${name}: ${err.serverMessage}`);
      io.out('plan: none (the API server would refuse the HarborCluster; nothing else would change)');
      return EXIT.refused;
    }
    throw err;
  }
  io.out(
    live
      ? `HarborCluster ${ns}/${name}: the API server accepts the spec (dry run)`
      : `HarborCluster ${ns}/${name} does not exist yet: the API server accepts it (dry run); everything would be created`,
  );
  if (live?.metadata.annotations?.[PAUSED_ANNOTATION] === 'true') {
    io.out(`note: it is paused (${PAUSED_ANNOTATION}): the operator applies nothing until the annotation is removed`);
  }
  const inputs = { cr, ...(await secretsFor(cr, http)) };
  const uid = live?.metadata.uid ?? '';
  const children = await listChildren(http, ns, `${clusterLabel}=${name}`);
  let desired = await desiredFor(inputs, o.helm, o.chartDir, uid, live?.['status'] as HarborClusterStatus | undefined);
  for (const t of children.notServed) {
    const wanted = desired.filter((d) => d.apiVersion === t.apiVersion && d.kind === t.kind);
    if (wanted.length === 0) continue;
    io.out(`note: ${t.kind} (${t.apiVersion}) is not served (its CRD is absent): ${wanted.length} would be created once it is`);
    desired = desired.filter((d) => !wanted.includes(d));
  }
  const p = plan(desired, children.objects, { uid });
  const secrets = knownSecrets([...desired, ...children.objects], Object.values(inputs.secrets));
  for (const line of formatPlan(p, changes, secrets)) io.out(line);
  return p.create.length + p.update.length + p.prune.length > 0 ? EXIT.changes : EXIT.same;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const debug = rest.includes('--debug');
  try {
    if (command === 'adopt') return await runAdopt(rest, (line) => {
      io.out(line);
    });
    let values;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: {
          file: { type: 'string', short: 'f' },
          namespace: { type: 'string', short: 'n' },
          kubeconfig: { type: 'string' },
          helm: { type: 'string' },
          'chart-dir': { type: 'string' },
          debug: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.help) {
      io.out(cliUsage);
      return 0;
    }
    if (command !== 'render' && command !== 'diff') throw new UsageError(`unknown command ${command ?? '(none)'}`);
    if (!values.file) throw new UsageError(`${command} needs -f FILE (a YAML file with a HarborCluster)`);
    const options: Options = {
      file: values.file,
      namespace: values.namespace,
      kubeconfig: values.kubeconfig,
      helm: values.helm ?? process.env['HELM_BIN'] ?? 'helm',
      chartDir: resolve(values['chart-dir'] ?? process.env['CHART_DIR'] ?? 'charts/harbor'),
    };
    return await (command === 'render' ? render(options, io) : diff(options, io));
  } catch (err) {
    const why = err instanceof UsageError ? `${err.message} (see --help)` : err instanceof InputError ? err.message : explain(err, process.env);
    io.err(`harbor-operator${command ? ` ${command}` : ''}: ${why}`);
    if (debug && err instanceof Error && err.stack) io.err(err.stack);
    return EXIT.error;
  }
}
