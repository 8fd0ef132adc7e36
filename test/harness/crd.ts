// The HarborCluster CRD in the test cluster. The CRD is cluster-scoped and
// shared by test files running in parallel: ensureCrd() applies it with
// server-side apply (idempotent, and it updates a CRD left by an older run),
// waits until HarborClusters are served, and never deletes it.
import { readFile } from 'node:fs/promises';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  loadYaml,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import { clients, waitUntil, type Clients } from './kube.ts';

export const crdFile = new URL('../../crds/harborclusters.harbor-operator.dev.yaml', import.meta.url);
export const crdName = 'harborclusters.harbor-operator.dev';
export const group = 'harbor-operator.dev';
export const version = 'v1alpha1';
export const plural = 'harborclusters';
export const apiVersion = `${group}/${version}`;
const fieldManager = 'harbor-operator-tests';

/** The CRD as a client-node model (YAML field names mapped, so it serializes back intact). */
export async function loadCrdObject(): Promise<V1CustomResourceDefinition> {
  return loadYaml<V1CustomResourceDefinition>(await readFile(crdFile, 'utf8'));
}

let installed: Promise<void> | undefined;

/** Installs or updates the CRD and waits until HarborClusters can be created. Once per process. */
export function ensureCrd(c: Clients = clients()): Promise<void> {
  installed ??= install(c).catch((err: unknown) => {
    installed = undefined;
    throw err;
  });
  return installed;
}

async function install(c: Clients): Promise<void> {
  const crd = await loadCrdObject();
  await c.objects.patch(crd, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
  const ext = c.kc.makeApiClient(ApiextensionsV1Api);
  await waitUntil(`CRD ${crdName} Established`, async () => {
    const got = await ext.readCustomResourceDefinition({ name: crdName });
    return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
  });
  // Established may come a moment before the endpoint serves.
  const custom = c.kc.makeApiClient(CustomObjectsApi);
  await waitUntil(`${plural} served`, () => custom.listClusterCustomObject({ group, version, plural }).then(() => true));
}

export interface CreateOptions {
  dryRun?: boolean;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** HarborCluster calls of the tests, on plain objects. */
export function harborClusters(c: Clients = clients()): {
  create: (namespace: string, body: unknown, opts?: CreateOptions) => Promise<HarborCluster>;
  get: (namespace: string, name: string) => Promise<HarborCluster>;
  replace: (namespace: string, body: HarborCluster) => Promise<HarborCluster>;
} {
  const custom = c.kc.makeApiClient(CustomObjectsApi);
  return {
    create: async (namespace, body, opts = {}) =>
      (await custom.createNamespacedCustomObject({
        group,
        version,
        plural,
        namespace,
        body: body as object,
        ...(opts.dryRun ? { dryRun: 'All' } : {}),
        ...(opts.fieldValidation ? { fieldValidation: opts.fieldValidation } : {}),
      })) as HarborCluster,
    get: async (namespace, name) =>
      (await custom.getNamespacedCustomObject({ group, version, plural, namespace, name })) as HarborCluster,
    replace: async (namespace, body) =>
      (await custom.replaceNamespacedCustomObject({
        group,
        version,
        plural,
        namespace,
        name: body.metadata.name ?? '',
        body,
      })) as HarborCluster,
  };
}

/** HTTP status and message of a refused request (the Status object the API server returned). */
export function refusal(err: unknown): { code: number; message: string } | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body: unknown = err.body;
  let message = typeof body === 'string' ? body : JSON.stringify(body);
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the raw body
  }
  return { code: err.code, message };
}
