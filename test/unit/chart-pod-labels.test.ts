// podLabels and podAnnotations never replace the labels and checksums the
// chart sets on a pod: a pod keeps matching its workload's selector and its
// Service's selector whatever a HarborCluster says (the CRD refuses those
// keys too; this is the chart's own guarantee, checked without the CRD).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import { clusterLabel, toValues } from '../../src/render/values.ts';
import { chartDir, fixedSecrets, goldenHelm } from '../harness/golden-cases.ts';

const hostile = {
  'app.kubernetes.io/name': 'other',
  'app.kubernetes.io/instance': 'other',
  'app.kubernetes.io/component': 'other',
  'app.kubernetes.io/version': '0.0.0',
  'app.kubernetes.io/managed-by': 'someone',
  [clusterLabel]: 'other',
  team: 'platform',
};
const components = ['core', 'portal', 'registry', 'jobservice', 'trivy', 'exporter'] as const;
/** A checksum annotation the chart sets on each component's pods. */
const checksumOf: Record<(typeof components)[number], string> = {
  core: 'checksum/core-secret',
  portal: 'checksum/portal-config',
  registry: 'checksum/registry-secret',
  jobservice: 'checksum/jobservice-secret',
  trivy: 'checksum/trivy-secret',
  exporter: 'checksum/exporter-secret',
};

const cr: HarborCluster = {
  apiVersion: 'harbor-operator.dev/v1alpha1',
  kind: 'HarborCluster',
  metadata: { name: 'h', namespace: 'ns' },
  spec: {
    externalURL: 'https://h.example.com',
    expose: { ingress: { host: 'h.example.com' } },
    components: Object.fromEntries(
      components.map((c) => [c, { podLabels: hostile, podAnnotations: { [checksumOf[c]]: 'frozen', note: 'kept' } }]),
    ),
  },
};

interface Workload {
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> } };
}

test('podLabels cannot replace selector or chart labels; podAnnotations cannot replace checksums', async () => {
  const objects: KubeObject[] = await helmTemplate({ helm: goldenHelm(), chartDir, timeoutMs: 60_000 }, 'h', 'ns', toValues(cr, fixedSecrets));
  const services = objects.filter((o) => o.kind === 'Service');
  for (const c of components) {
    const w = objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === `h-${c}`);
    assert.ok(w, `workload of ${c}`);
    const spec = w.spec as Workload;
    const labels = spec.template.metadata.labels;
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) assert.equal(labels[k], v, `${c}: pod label ${k} matches the selector`);
    assert.equal(labels['app.kubernetes.io/component'], c);
    assert.equal(labels['app.kubernetes.io/instance'], 'h');
    assert.equal(labels['app.kubernetes.io/managed-by'], 'harbor-operator');
    assert.equal(labels['app.kubernetes.io/version'], w.metadata.labels?.['app.kubernetes.io/version']);
    assert.equal(labels[clusterLabel], 'h', `${c}: the operator's cluster label`);
    assert.equal(labels['team'], 'platform', `${c}: other podLabels are kept`);
    const service = services.find((s) => s.metadata.name === `h-${c}`);
    assert.ok(service, `Service of ${c}`);
    for (const [k, v] of Object.entries((service.spec as { selector: Record<string, string> }).selector)) {
      assert.equal(labels[k], v, `${c}: the Service selects the pods (${k})`);
    }
    const annotations = spec.template.metadata.annotations ?? {};
    assert.match(annotations[checksumOf[c]] ?? '', /^[0-9a-f]{64}$/, `${c}: ${checksumOf[c]} is the chart's`);
    assert.equal(annotations['note'], 'kept');
  }
});
