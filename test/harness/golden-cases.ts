// HarborClusters whose `helm template` output is kept under test/golden, the
// fixed secrets they are rendered with, and the rendering itself. Used by
// test/unit/golden.test.ts (`npm run test:update-golden` rewrites the files).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { HarborCluster } from '../../src/api/types.generated.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { helmTemplate } from '../../src/render/helm.ts';
import type { HarborSecrets } from '../../src/render/secrets-input.ts';
import { toValues } from '../../src/render/values.ts';
import { locate } from '../cluster/assets.ts';

/** Namespace every golden case is rendered into (the samples have none). */
export const goldenNamespace = 'golden';

export const chartDir = fileURLToPath(new URL('../../charts/harbor', import.meta.url));
export const goldenDir = fileURLToPath(new URL('../golden/', import.meta.url));

export interface GoldenCase {
  /** Also the file name: test/golden/<name>.yaml. */
  name: string;
  cr: HarborCluster;
}

function sample(file: string): HarborCluster {
  const text = readFileSync(fileURLToPath(new URL(`../../deploy/samples/${file}`, import.meta.url)), 'utf8');
  const cr = parse(text) as HarborCluster;
  cr.metadata.namespace = goldenNamespace;
  return cr;
}

/** The LoadBalancer sample with trivy and the exporter disabled whatever the sample says. */
function loadBalancerWithoutTrivyAndExporter(): HarborCluster {
  const cr = sample('loadbalancer.yaml');
  const components = cr.spec.components ?? {};
  return {
    ...cr,
    spec: {
      ...cr.spec,
      components: {
        ...components,
        trivy: { ...components.trivy, enabled: false },
        exporter: { ...components.exporter, enabled: false },
      },
    },
  };
}

/** The minimal sample pinned to a release. */
function minimalAt(version: string): HarborCluster {
  const cr = sample('minimal.yaml');
  return { ...cr, spec: { ...cr.spec, version } };
}

/** The newest release of each line, and 2.15.1 (the last with redis-photon and PostgreSQL 15). */
export const releaseGoldenVersions = ['2.13.5', '2.14.4', '2.15.1', '2.15.2'] as const;

export const goldenCases: readonly GoldenCase[] = [
  { name: 'minimal', cr: sample('minimal.yaml') },
  { name: 'external-services', cr: sample('external-services.yaml') },
  { name: 'ingress-cert-manager', cr: sample('ingress-cert-manager.yaml') },
  { name: 'loadbalancer-no-trivy-no-exporter', cr: loadBalancerWithoutTrivyAndExporter() },
  ...releaseGoldenVersions.map((v) => ({ name: `release-${v}`, cr: minimalAt(v) })),
];

/**
 * Fake but well-formed secrets: the lengths the chart's schema demands, each
 * value distinct and recognisable, so a leak into a ConfigMap can be found.
 */
export const fixedSecrets: HarborSecrets = {
  adminPassword: 'golden-admin-password',
  coreSecret: 'golden-core-secr', // 16
  jobserviceSecret: 'golden-jobs-secr', // 16
  csrfKey: 'golden-csrf-key-0123456789abcdef', // 32
  secretKey: 'golden-secretkey', // 16
  registryHttpSecret: 'golden-registry-http-secret', // >= 16
  registryUsername: 'harbor_registry_user',
  registryPassword: 'golden-registry-password',
  // A bcrypt-shaped line; nothing checks the hash while rendering.
  registryHtpasswd: 'harbor_registry_user:$2y$10$goldengoldengoldengoldeOgoldengoldengoldengoldengolden',
  tokenKey: [
    '-----BEGIN PRIVATE KEY-----',
    'R09MREVOLVRPS0VOLUtFWS1OT1QtQS1SRUFMLUtFWS1HT0xERU4tVE9LRU4tS0VZ',
    'LU5PVC1BLVJFQUwtS0VZ',
    '-----END PRIVATE KEY-----',
    '',
  ].join('\n'),
  tokenCert: [
    '-----BEGIN CERTIFICATE-----',
    'R09MREVOLVRPS0VOLUNFUlQtTk9ULUEtUkVBTC1DRVJULUdPTERFTi1UT0tFTi1D',
    'RVJULU5PVC1BLVJFQUwtQ0VSVA==',
    '-----END CERTIFICATE-----',
    '',
  ].join('\n'),
  databasePassword: 'golden-database-password',
  cachePassword: 'golden-cache-password',
  s3AccessKey: 'GOLDENACCESSKEYID000',
  s3SecretKey: 'golden-s3-secret-access-key-0000000000000',
};

/** helm from `npm test` (HARBOR_TEST_HELM), HELM_BIN or the build cache. */
export function goldenHelm(): string {
  const helm = process.env['HARBOR_TEST_HELM'] ?? locate().found.helm;
  if (!helm) throw new Error('no helm binary: run `npm run cluster:build` (or set HELM_BIN)');
  return helm;
}

export async function renderCase(c: GoldenCase, helm: string = goldenHelm()): Promise<KubeObject[]> {
  const values = toValues(c.cr, fixedSecrets);
  const release = c.cr.metadata.name;
  if (!release) throw new Error(`golden case ${c.name}: the HarborCluster has no metadata.name`);
  return helmTemplate({ helm, chartDir, timeoutMs: 60_000 }, release, goldenNamespace, values);
}

/** test/golden/<case>.yaml */
export function goldenFile(c: GoldenCase): string {
  return `${goldenDir}${c.name}.yaml`;
}

/** The form of a golden file: each object stringified, in render order, joined with `---`. */
export function serializeObjects(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

export function parseObjects(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message ?? 'YAML error');
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value as KubeObject);
  }
  return out;
}
