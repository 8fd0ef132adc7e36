// jobservice's job logger decides its volume and its update strategy: only the
// FILE logger needs the ReadWriteOnce job-log claim, and only it is limited to
// one replica with Recreate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { ComponentsJobservice, HarborCluster } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import { toValues } from '../../src/render/values.ts';
import { chartDir, fixedSecrets, goldenHelm } from '../harness/golden-cases.ts';

function cluster(jobservice: ComponentsJobservice): HarborCluster {
  return {
    apiVersion: 'harbor-operator.dev/v1alpha1',
    kind: 'HarborCluster',
    metadata: { name: 'h', namespace: 'ns' },
    spec: { externalURL: 'https://h.example.com', expose: { ingress: { host: 'h.example.com' } }, components: { jobservice } },
  };
}

async function render(jobservice: ComponentsJobservice): Promise<KubeObject[]> {
  return helmTemplate({ helm: goldenHelm(), chartDir, timeoutMs: 60_000 }, 'h', 'ns', toValues(cluster(jobservice), fixedSecrets));
}

interface PodSpec {
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  containers: { name: string; volumeMounts?: { name: string; mountPath: string }[] }[];
}
interface DeploymentSpec {
  strategy?: { type?: string };
  template: { spec: PodSpec };
}

function facts(objects: KubeObject[]): { claim: boolean; strategy: string | undefined; mounts: string[]; loggers: string[] } {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'h-jobservice');
  assert.ok(deployment, 'the jobservice Deployment');
  const spec = deployment.spec as DeploymentSpec;
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'h-jobservice-config');
  const configYml = (config?.['data'] as Record<string, string> | undefined)?.['config.yml'] ?? '';
  const parsed = parse(configYml) as { job_loggers: { name: string }[] };
  return {
    claim: objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'h-jobservice'),
    strategy: spec.strategy?.type,
    mounts: (spec.template.spec.containers[0]?.volumeMounts ?? []).map((m) => m.mountPath),
    loggers: parsed.job_loggers.map((l) => l.name),
  };
}

const cases: { name: string; jobservice: ComponentsJobservice; claim: boolean; strategy: string; logger: string }[] = [
  { name: 'default (Database)', jobservice: {}, claim: false, strategy: 'RollingUpdate', logger: 'DB' },
  { name: 'Database with 3 replicas', jobservice: { jobLogger: 'Database', replicas: 3 }, claim: false, strategy: 'RollingUpdate', logger: 'DB' },
  { name: 'Stdout with 2 replicas', jobservice: { jobLogger: 'Stdout', replicas: 2 }, claim: false, strategy: 'RollingUpdate', logger: 'STD_OUTPUT' },
  { name: 'File with 1 replica', jobservice: { jobLogger: 'File', replicas: 1 }, claim: true, strategy: 'Recreate', logger: 'FILE' },
];

for (const c of cases) {
  test(`jobservice ${c.name}: claim ${c.claim ? 'rendered' : 'absent'}, ${c.strategy}, logger ${c.logger}`, async () => {
    const f = facts(await render(c.jobservice));
    assert.equal(f.claim, c.claim, 'job-log claim');
    assert.equal(f.strategy, c.strategy);
    assert.deepEqual(f.loggers, [c.logger]);
    assert.equal(f.mounts.includes('/var/log/jobs'), c.claim, 'job-log mount');
  });
}

test('jobservice File with 2 replicas does not render (the CRD refuses it first)', async () => {
  await assert.rejects(render({ jobLogger: 'File', replicas: 2 }), /jobLogger FILE keeps job logs on one ReadWriteOnce volume: at most 1 replica/);
});
