// cert-manager's real CRDs in the test cluster (from its Go module; see
// test/cluster/build.sh). Its controller cannot run here: tests that need a
// Certificate to become Ready play the issuer themselves by writing the
// Certificate's status, and say so.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { isNotFound } from '../../src/kube/api-error.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { ensureAssets } from '../cluster/assets.ts';
import { raw } from './harbor.ts';
import { waitUntil } from './kube.ts';

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
export const CERTIFICATES_CRD = 'certificates.cert-manager.io';

export async function certManagerInstalled(): Promise<boolean> {
  try {
    await raw().request('GET', `${crdPath}/${CERTIFICATES_CRD}`);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function installCertManagerCrds(): Promise<void> {
  const { certManagerCrds } = await ensureAssets();
  const docs = parseAllDocuments(await readFile(certManagerCrds, 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d?.kind === 'CustomResourceDefinition');
  for (const crd of docs) {
    await raw().request('PATCH', `${crdPath}/${crd.metadata.name}`, {
      body: crd,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'harbor-operator-tests', force: true },
    });
  }
  await waitUntil('cert-manager CRDs established and served', async () => {
    const crd = await raw().request<{ status?: { conditions?: { type: string; status: string }[] } }>(
      'GET',
      `${crdPath}/${CERTIFICATES_CRD}`,
    );
    if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
    await raw().request('GET', '/apis/cert-manager.io/v1/certificates');
    return true;
  });
}

/** What cert-manager's issuer would do once it has signed: mark the Certificate Ready. */
export async function markCertificateIssued(namespace: string, name: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await raw().request('PATCH', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/${name}/status`, {
    body: {
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'issued by the test stand-in', lastTransitionTime: now }],
        notAfter: new Date(Date.now() + 90 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    },
    contentType: 'application/merge-patch+json',
  });
}
