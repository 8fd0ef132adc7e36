// What the operator will render for the HarborCluster adopt makes (or
// resumes), so that adopt knows which of Helm's objects the operator has under
// the same name, and which of their keys and fields it sets (hand-over.ts).
// The render is the operator's own (`helm template` of the embedded chart,
// then desiredObjects). Values the release had none of (the in-cluster cache's
// password) are filled with fresh random ones for this render only: it is
// never written, and only names and keys of its objects are used.
import { randomBytes } from 'node:crypto';
import type { HarborCluster } from '../api/types.generated.ts';
import { assembleSecrets, desiredObjects, secretNeeds, type UserSecrets } from '../controller/desired.ts';
import { secretRefs } from '../controller/secret-refs.ts';
import type { KubeObject } from '../model/object.ts';
import { helmTemplate, type HelmOptions } from '../render/helm.ts';
import { toValues } from '../render/values.ts';
import { completeSecrets, type GeneratedSecrets } from '../secrets/generate.ts';

export async function renderForAdoption(cluster: KubeObject, generated: GeneratedSecrets, helm: HelmOptions): Promise<KubeObject[]> {
  const cr = cluster as unknown as HarborCluster & { metadata: KubeObject['metadata'] };
  const name = cr.metadata.name;
  const namespace = cr.metadata.namespace ?? 'default';
  const refs = secretRefs(cr);
  // Referenced values only fill the chart's inputs; their keys are what matters here.
  const user: UserSecrets = Object.fromEntries(Object.entries(refs).filter(([, r]) => r).map(([k]) => [k, 'referenced']));
  const { values } = await completeSecrets(generated, secretNeeds(refs, (cr.spec.cache?.type ?? 'InCluster') === 'InCluster'), randomBytes, new Date());
  const rendered = await helmTemplate(helm, name, namespace, toValues(cr, assembleSecrets(user, values)));
  const owner = { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', name, namespace, uid: '' };
  return desiredObjects(rendered, owner, values, cr.spec.persistence?.deleteClaimsWithCluster === true);
}
