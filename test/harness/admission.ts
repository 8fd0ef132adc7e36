// Admission that refuses chosen writes, for tests of failed applies: a
// ValidatingAdmissionPolicy and its binding, scoped to one namespace.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { raw } from './harbor.ts';
import { waitUntil } from './kube.ts';

const VAP = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies';
const VAPB = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings';

/** Denies UPDATE of the named ConfigMaps in the namespace; removed after the test, or earlier by the returned function (which waits until it no longer refuses). */
export async function denyConfigMapUpdates(t: TestContext, ns: string, names: string[]): Promise<() => Promise<void>> {
  const name = `t-deny-${randomBytes(3).toString('hex')}`;
  await raw().request('POST', VAP, {
    body: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['configmaps'] }],
        },
        validations: [
          {
            expression: `!(object.metadata.name in ${JSON.stringify(names)})`,
            message: 'updates of this ConfigMap are refused by the test policy',
          },
        ],
      },
    },
  });
  await raw().request('POST', VAPB, {
    body: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } },
      },
    },
  });
  const removeAll = async (): Promise<void> => {
    await raw().request('DELETE', `${VAPB}/${name}`).catch(() => undefined);
    await raw().request('DELETE', `${VAP}/${name}`).catch(() => undefined);
  };
  t.after(removeAll);
  const first = names[0] ?? '';
  /** Whether a dry-run update of the first ConfigMap is refused by the policy now. */
  const refuses = async (): Promise<boolean> => {
    try {
      await raw().request('PATCH', `/api/v1/namespaces/${ns}/configmaps/${first}`, {
        body: { metadata: { annotations: { 'harbor-operator.test/probe': String(Date.now()) } } },
        contentType: 'application/merge-patch+json',
        query: { dryRun: 'All' },
      });
      return false;
    } catch (err) {
      if (/refused by the test policy/.test(String(err))) return true;
      throw err;
    }
  };
  // The API server picks policies up from a watch: wait until it refuses,
  // and after the removal until it no longer does.
  await waitUntil('the policy refuses a dry-run update', refuses, { timeoutMs: 20_000 });
  return async () => {
    await removeAll();
    await waitUntil('the policy no longer refuses', async () => !(await refuses()), { timeoutMs: 20_000 });
  };
}
