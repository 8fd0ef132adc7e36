// adopt's pure decisions: a release of upstream's chart (the fixtures of
// ../shared/fixtures/harbor-helm, and variations of them) → the HarborCluster,
// the generated values, the claims kept, what is deleted, and what is refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HarborClusterSpec } from '../../src/api/types.generated.ts';
import { ADOPTED_FROM_ANNOTATION, mapRelease, parseRedisURL, type Adoption } from '../../src/adopt/map.ts';
import type { Snapshot } from '../../src/adopt/snapshot.ts';
import { generatedSecretObject } from '../../src/controller/generated-secret.ts';
import type { KubeObject } from '../../src/model/object.ts';
import { boundClaims, fixtureObjects, fixtureValue, helmFixtures, type FixtureChart } from '../harness/helm-fixture.ts';

const ns = 'registry';

function snapshotOf(objects: KubeObject[], extra: Partial<Snapshot> = {}): Snapshot {
  const { claims, volumes } = boundClaims(objects);
  return { namespace: ns, release: 'harbor', objects, referenced: [], claims, volumes, records: [], pods: [], ...extra };
}

function fixture(chart: FixtureChart = '1.19.2'): KubeObject[] {
  return fixtureObjects(chart, ns);
}

/** The fixture with one object changed. */
function edited(objects: KubeObject[], kind: string, name: string, edit: (o: KubeObject) => void): KubeObject[] {
  const out = structuredClone(objects);
  const o = out.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  edit(o);
  return out;
}

type Spec = Record<string, unknown>;
const container = (o: KubeObject, name: string): Spec => {
  const c = ((o['spec'] as Spec)['template'] as { spec: { containers: Spec[] } }).spec.containers.find((x) => x['name'] === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function expectedSpec(version: string): HarborClusterSpec {
  return {
    externalURL: 'http://harbor.example.com',
    version,
    expose: {
      type: 'Ingress',
      ingress: {
        host: 'harbor.example.com',
        annotations: {
          'ingress.kubernetes.io/proxy-body-size': '0',
          'ingress.kubernetes.io/ssl-redirect': 'true',
          'nginx.ingress.kubernetes.io/proxy-body-size': '0',
          'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
        },
      },
    },
    database: { type: 'InCluster', inCluster: { existingClaim: 'database-data-harbor-database-0' } },
    cache: { type: 'InCluster', inCluster: { existingClaim: 'data-harbor-redis-0' } },
    storage: { type: 'Filesystem', filesystem: { existingClaim: 'harbor-registry' } },
    components: { jobservice: { jobLogger: 'File' }, exporter: { enabled: false } },
    persistence: { jobserviceLogExistingClaim: 'harbor-jobservice', trivyCacheExistingClaim: 'data-harbor-trivy-0' },
  };
}

describe('adopt: the fixtures of upstream chart 1.18.4 and 1.19.2', () => {
  for (const chart of Object.keys(helmFixtures) as FixtureChart[]) {
    test(`chart ${chart} (Harbor ${helmFixtures[chart].harbor}): the spec, every secret value, every claim`, () => {
      const objects = fixture(chart);
      const a = mapRelease(snapshotOf(objects));
      assert.deepEqual(a.refusals, []);
      assert.deepEqual(a.warnings, []);
      assert.equal(a.name, 'harbor');
      assert.deepEqual(a.cluster?.metadata, {
        name: 'harbor',
        namespace: ns,
        annotations: { [ADOPTED_FROM_ANNOTATION]: 'helm:registry/harbor', 'harbor-operator.dev/paused': 'true' },
      });
      assert.deepEqual(a.cluster['spec'], expectedSpec(helmFixtures[chart].harbor));
      const v = (s: string, k: string): string => fixtureValue(objects, s, k);
      assert.deepEqual(a.generated, {
        coreSecret: v('harbor-core', 'secret'),
        jobserviceSecret: v('harbor-jobservice', 'JOBSERVICE_SECRET'),
        csrfKey: v('harbor-core', 'CSRF_KEY'),
        secretKey: v('harbor-core', 'secretKey'),
        tokenKey: v('harbor-core', 'tls.key'),
        tokenCert: v('harbor-core', 'tls.crt'),
        registryHttpSecret: v('harbor-registry', 'REGISTRY_HTTP_SECRET'),
        registryPassword: v('harbor-core', 'REGISTRY_CREDENTIAL_PASSWORD'),
        registryHtpasswd: v('harbor-registry-htpasswd', 'REGISTRY_HTPASSWD'),
        adminPassword: v('harbor-core', 'HARBOR_ADMIN_PASSWORD'),
        databasePassword: v('harbor-database', 'POSTGRES_PASSWORD'),
      });
      assert.deepEqual(
        a.copied.map((c) => `${c.to} ← ${c.from}`),
        [
          'coreSecret ← Secret harbor-core key secret',
          'jobserviceSecret ← Secret harbor-jobservice key JOBSERVICE_SECRET',
          'csrfKey ← Secret harbor-core key CSRF_KEY',
          'secretKey ← Secret harbor-core key secretKey',
          'tokenKey ← Secret harbor-core key tls.key',
          'tokenCert ← Secret harbor-core key tls.crt',
          'registryHttpSecret ← Secret harbor-registry key REGISTRY_HTTP_SECRET',
          'registryPassword ← Secret harbor-core key REGISTRY_CREDENTIAL_PASSWORD',
          'registryHtpasswd ← Secret harbor-registry-htpasswd key REGISTRY_HTPASSWD',
          'adminPassword ← Secret harbor-core key HARBOR_ADMIN_PASSWORD',
          'databasePassword ← Secret harbor-core key POSTGRESQL_PASSWORD',
        ],
      );
      assert.deepEqual(
        a.claims.map((c) => `${c.use} ${c.claim} ${c.uid ?? ''} ${c.volume ?? ''} ${c.reclaimPolicy ?? ''}`),
        [
          'database database-data-harbor-database-0 uid-database-data-harbor-database-0 pvc-0002 Delete',
          'redis data-harbor-redis-0 uid-data-harbor-redis-0 pvc-0003 Delete',
          'registry harbor-registry uid-harbor-registry pvc-0001 Delete',
          'jobservice harbor-jobservice uid-harbor-jobservice pvc-0000 Delete',
          'trivy data-harbor-trivy-0 uid-data-harbor-trivy-0 pvc-0004 Delete',
        ],
      );
      assert.deepEqual(a.unusedClaims, []);
      assert.deepEqual(
        a.workloads.map((o) => `${o.kind}/${o.metadata.name}`),
        ['Deployment/harbor-portal', 'Deployment/harbor-core', 'Deployment/harbor-jobservice', 'Deployment/harbor-registry', 'StatefulSet/harbor-trivy', 'StatefulSet/harbor-redis', 'StatefulSet/harbor-database'],
      );
      const config = a.config.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(config.length, 21);
      assert.ok(!config.some((c) => c.startsWith('PersistentVolumeClaim/')), 'no claim is deleted');
      assert.ok(config.includes('Secret/harbor-core') && config.includes('ConfigMap/harbor-core') && config.includes('Ingress/harbor-ingress'));
      assert.deepEqual(a.credentials, []);
      assert.deepEqual(a.handOver, []);
    });
  }
});

interface Case {
  name: string;
  objects: () => KubeObject[];
  extra?: (objects: KubeObject[]) => Partial<Snapshot>;
  name_?: string;
  check: (a: Adoption) => void;
}

const userSecret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: ns },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

const helmLabels = { heritage: 'Helm', release: 'harbor', chart: 'harbor', app: 'harbor' };
// What templates/nginx/deployment.yaml and service.yaml (harbor-helm 1.19.2) make for expose.type loadBalancer / nodePort.
const nginx: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'harbor-nginx', namespace: ns, labels: { ...helmLabels, component: 'nginx' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'nginx', image: 'docker.io/goharbor/nginx-photon:v2.15.2' }] } } },
};
function proxyService(name: string, type: string, ports: Spec[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: helmLabels, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb', 'meta.helm.sh/release-name': 'harbor' } },
    spec: { type, ports, selector: { release: 'harbor', app: 'harbor', component: 'nginx' } },
  };
}

const cases: Case[] = [
  {
    name: 'core.existingSecret: the core secret is read where core reads it',
    objects: () =>
      edited(fixture(), 'Deployment', 'harbor-core', (o) => {
        const env = container(o, 'core')['env'] as Spec[];
        const e = env.find((x) => x['name'] === 'CORE_SECRET') as Spec;
        e['valueFrom'] = { secretKeyRef: { name: 'my-core-secret', key: 'secret' } };
      }),
    extra: () => ({ referenced: [userSecret('my-core-secret', { secret: 'from-the-users-secret' })] }),
    check: (a) => {
      assert.equal(a.generated?.coreSecret, 'from-the-users-secret');
      assert.ok(a.copied.some((c) => c.to === 'coreSecret' && c.from === 'Secret my-core-secret key secret'));
      assert.ok(!a.config.some((o) => o.metadata.name === 'my-core-secret'), "the user's Secret is not deleted");
    },
  },
  {
    name: "existingSecretAdminPassword: the HarborCluster references the user's Secret",
    objects: () =>
      edited(fixture(), 'Deployment', 'harbor-core', (o) => {
        (container(o, 'core')['env'] as Spec[]).push({ name: 'HARBOR_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'admin', key: 'pw' } } });
      }),
    extra: () => ({ referenced: [userSecret('admin', { pw: 'Adm1n-of-the-user' })] }),
    check: (a) => {
      assert.deepEqual((a.cluster?.['spec'] as HarborClusterSpec).adminPasswordSecretRef, { name: 'admin', key: 'pw' });
      assert.equal(a.generated?.adminPassword, undefined);
      assert.ok(a.kept.some((k) => k.object.metadata.name === 'admin'));
    },
  },
  {
    name: 'persistence.enabled false: the database is on an emptyDir, refused',
    objects: () =>
      edited(fixture(), 'StatefulSet', 'harbor-database', (o) => {
        const spec = o['spec'] as Spec;
        delete spec['volumeClaimTemplates'];
        ((spec['template'] as Spec)['spec'] as { volumes: Spec[] }).volumes.push({ name: 'database-data', emptyDir: {} });
      }),
    check: (a) => { assert.match(a.refusals.join('\n'), /database's data is on an emptyDir/); },
  },
  {
    name: 'a subPath on the database volume: refused (the operator mounts the root)',
    objects: () =>
      edited(fixture(), 'StatefulSet', 'harbor-database', (o) => {
        const m = (container(o, 'database')['volumeMounts'] as Spec[]).find((x) => x['name'] === 'database-data') as Spec;
        m['subPath'] = 'pg';
      }),
    check: (a) => { assert.match(a.refusals.join('\n'), /database mounts claim database-data-harbor-database-0 with subPath pg/); },
  },
  {
    name: 'a claim with an owner (a retention policy that deletes it): refused',
    objects: fixture,
    extra: (objects) => {
      const { claims, volumes } = boundClaims(objects);
      const c = claims.find((x) => x.metadata.name === 'database-data-harbor-database-0') as KubeObject;
      c.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'harbor-database', uid: 'u' }];
      return { claims, volumes };
    },
    check: (a) => { assert.match(a.refusals.join('\n'), /claim database-data-harbor-database-0 is owned by StatefulSet harbor-database/); },
  },
  {
    name: "the database's claim is missing: refused",
    objects: fixture,
    extra: (objects) => {
      const { claims, volumes } = boundClaims(objects);
      return { claims: claims.filter((c) => c.metadata.name !== 'database-data-harbor-database-0'), volumes };
    },
    check: (a) => { assert.match(a.refusals.join('\n'), /claim database-data-harbor-database-0 of database does not exist/); },
  },
  {
    name: 'an external database: External with a credentials Secret made from the password Helm kept',
    objects: () => {
      let o = fixture().filter((x) => !(x.kind === 'StatefulSet' && x.metadata.name === 'harbor-database'));
      o = edited(o, 'ConfigMap', 'harbor-core', (cm) => {
        const d = cm['data'] as Record<string, string>;
        Object.assign(d, { POSTGRESQL_HOST: 'pg.example.internal', POSTGRESQL_PORT: '6432', POSTGRESQL_USERNAME: 'harbor', POSTGRESQL_DATABASE: 'reg', POSTGRESQL_SSLMODE: 'require' });
      });
      return edited(o, 'Secret', 'harbor-core', (s) => {
        (s['data'] as Record<string, string>)['POSTGRESQL_PASSWORD'] = b64('ext-db-pass');
      });
    },
    check: (a) => {
      assert.deepEqual(a.refusals, []);
      const spec = a.cluster?.['spec'] as HarborClusterSpec;
      assert.deepEqual(spec.database, {
        type: 'External',
        external: { host: 'pg.example.internal', port: 6432, username: 'harbor', database: 'reg', sslMode: 'require', passwordSecretRef: { name: 'harbor-adopted-database', key: 'password' } },
      });
      assert.equal(a.generated?.databasePassword, undefined);
      assert.equal(a.credentials.length, 1);
      assert.deepEqual(a.credentials[0]?.['data'], { password: b64('ext-db-pass') });
      assert.ok(!a.claims.some((c) => c.use === 'database'));
    },
  },
  {
    name: 'an external Redis with a password and a sentinel: External, password in a credentials Secret',
    objects: () => {
      const o = fixture().filter((x) => !(x.kind === 'StatefulSet' && x.metadata.name === 'harbor-redis'));
      return edited(o, 'ConfigMap', 'harbor-core', (cm) => {
        (cm['data'] as Record<string, string>)['_REDIS_URL_CORE'] = 'redis+sentinel://:p%40ss+word@s1:26379,s2:26379/mymaster/0?idle_timeout_seconds=30';
      });
    },
    check: (a) => {
      assert.deepEqual(a.refusals, []);
      assert.deepEqual((a.cluster?.['spec'] as HarborClusterSpec).cache, {
        type: 'External',
        external: { address: 's1:26379,s2:26379', sentinelMasterSet: 'mymaster', passwordSecretRef: { name: 'harbor-adopted-cache', key: 'password' } },
      });
      assert.deepEqual(a.credentials[0]?.['data'], { password: b64('p@ss word') });
    },
  },
  {
    name: 'S3 storage: bucket, region, endpoint from the registry configuration; keys in a credentials Secret',
    objects: () => {
      let o = edited(fixture(), 'ConfigMap', 'harbor-core', (cm) => {
        (cm['data'] as Record<string, string>)['REGISTRY_STORAGE_PROVIDER_NAME'] = 's3';
      });
      o = edited(o, 'ConfigMap', 'harbor-registry', (cm) => {
        const d = cm['data'] as Record<string, string>;
        d['config.yml'] = (d['config.yml'] ?? '').replace(
          '  filesystem:\n    rootdirectory: /storage\n',
          '  s3:\n    region: eu-west-1\n    bucket: images\n    regionendpoint: https://s3.example.com\n    secure: true\n    v4auth: true\n    rootdirectory: /harbor\n',
        );
      });
      o = edited(o, 'Secret', 'harbor-registry', (s) => {
        Object.assign(s['data'] as object, { REGISTRY_STORAGE_S3_ACCESSKEY: b64('AKIA-TEST'), REGISTRY_STORAGE_S3_SECRETKEY: b64('s3-secret-key') });
      });
      return o.filter((x) => !(x.kind === 'PersistentVolumeClaim' && x.metadata.name === 'harbor-registry'));
    },
    check: (a) => {
      assert.deepEqual(a.refusals, []);
      assert.deepEqual((a.cluster?.['spec'] as HarborClusterSpec).storage, {
        type: 'S3',
        s3: { bucket: 'images', region: 'eu-west-1', endpoint: 'https://s3.example.com', rootDirectory: '/harbor', credentialsSecretRef: { name: 'harbor-adopted-s3' } },
      });
      assert.deepEqual(a.credentials[0]?.['data'], { accessKey: b64('AKIA-TEST'), secretKey: b64('s3-secret-key') });
      assert.ok(!a.claims.some((c) => c.use === 'registry'));
    },
  },
  {
    name: 'azure storage: refused',
    objects: () =>
      edited(fixture(), 'ConfigMap', 'harbor-core', (cm) => {
        (cm['data'] as Record<string, string>)['REGISTRY_STORAGE_PROVIDER_NAME'] = 'azure';
      }),
    check: (a) => { assert.match(a.refusals.join('\n'), /stores images in azure/); },
  },
  {
    name: 'a Harbor release the operator does not run: refused',
    objects: () =>
      edited(fixture(), 'Deployment', 'harbor-core', (o) => {
        container(o, 'core')['image'] = 'docker.io/goharbor/harbor-core:v2.12.0';
      }),
    check: (a) => { assert.match(a.refusals.join('\n'), /Harbor 2\.12\.0 is not a release the operator runs/); },
  },
  {
    name: 'images from a mirror: imageRegistry',
    objects: () =>
      edited(fixture(), 'Deployment', 'harbor-core', (o) => {
        container(o, 'core')['image'] = 'mirror.example.com:5000/goharbor/harbor-core:v2.15.2';
      }),
    check: (a) => { assert.equal((a.cluster?.['spec'] as HarborClusterSpec).imageRegistry, 'mirror.example.com:5000'); },
  },
  {
    name: 'images from a mirror under a path: imageRegistry with the path',
    objects: () =>
      edited(fixture(), 'Deployment', 'harbor-core', (o) => {
        container(o, 'core')['image'] = 'reg.example.com/cache/goharbor/harbor-core:v2.15.2';
      }),
    check: (a) => {
      assert.equal((a.cluster?.['spec'] as HarborClusterSpec).imageRegistry, 'reg.example.com/cache');
      assert.deepEqual(a.warnings, []);
    },
  },
  {
    name: "an Ingress host that is not the externalURL's: refused",
    objects: () =>
      edited(fixture(), 'Ingress', 'harbor-ingress', (o) => {
        ((o['spec'] as { rules: Spec[] }).rules[0] as Spec)['host'] = 'other.example.com';
      }),
    check: (a) => { assert.match(a.refusals.join('\n'), /serves other\.example\.com but externalURL is http:\/\/harbor\.example\.com/); },
  },
  {
    name: 'Ingress TLS from a Secret: tls.secretName, the Secret kept',
    objects: () => [
      ...edited(fixture(), 'Ingress', 'harbor-ingress', (o) => {
        (o['spec'] as Spec)['tls'] = [{ secretName: 'harbor-ingress', hosts: ['harbor.example.com'] }];
      }),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'harbor-ingress', namespace: ns, labels: { heritage: 'Helm', release: 'harbor' } }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } },
    ],
    check: (a) => {
      assert.deepEqual((a.cluster?.['spec'] as HarborClusterSpec).expose?.ingress?.tls, { secretName: 'harbor-ingress' });
      assert.ok(a.kept.some((k) => k.object.kind === 'Secret' && k.object.metadata.name === 'harbor-ingress'));
      assert.ok(!a.config.some((o) => o.kind === 'Secret' && o.metadata.name === 'harbor-ingress'), 'not deleted');
    },
  },
  {
    name: 'expose loadBalancer: the proxy Service named like the HarborCluster is kept and handed over, with its annotations',
    objects: () => [...fixture().filter((o) => o.kind !== 'Ingress'), nginx, proxyService('harbor', 'LoadBalancer', [{ name: 'http', port: 80, targetPort: 8080 }])],
    check: (a) => {
      assert.deepEqual(a.refusals, []);
      assert.deepEqual((a.cluster?.['spec'] as HarborClusterSpec).expose, { type: 'LoadBalancer', service: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' } } });
      assert.deepEqual(a.handOver.map((o) => `${o.kind}/${o.metadata.name}`), ['Service/harbor']);
      assert.ok(!a.config.some((o) => o.kind === 'Service' && o.metadata.name === 'harbor'), 'not deleted');
      assert.ok(a.workloads.some((o) => o.metadata.name === 'harbor-nginx'));
    },
  },
  {
    name: 'expose nodePort: the node port kept',
    objects: () => [...fixture().filter((o) => o.kind !== 'Ingress'), nginx, proxyService('harbor', 'NodePort', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30002 }])],
    check: (a) => { assert.deepEqual((a.cluster?.['spec'] as HarborClusterSpec).expose, { type: 'NodePort', service: { nodePort: 30002, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' } } }); },
  },
  {
    name: "expose loadBalancer with upstream's nginx serving TLS: refused",
    objects: () => [
      ...fixture().filter((o) => o.kind !== 'Ingress'),
      nginx,
      proxyService('harbor', 'LoadBalancer', [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'https', port: 443, targetPort: 8443 },
      ]),
    ],
    check: (a) => { assert.match(a.refusals.join('\n'), /serves HTTPS from upstream's nginx/); },
  },
  {
    name: 'expose loadBalancer under another name than the HarborCluster: a new Service, a warning',
    objects: () => [...fixture().filter((o) => o.kind !== 'Ingress'), nginx, proxyService('registry-lb', 'LoadBalancer', [{ name: 'http', port: 80, targetPort: 8080 }])],
    check: (a) => {
      assert.deepEqual(a.handOver, []);
      assert.match(a.warnings.join('\n'), /Service registry-lb is replaced by the operator's Service harbor: its external address may change/);
    },
  },
  {
    name: 'no Ingress and no nginx (expose type route): refused',
    objects: () => fixture().filter((o) => o.kind !== 'Ingress'),
    check: (a) => { assert.match(a.refusals.join('\n'), /neither an Ingress nor the nginx proxy/); },
  },
  {
    name: 'another registry user: the password kept, the htpasswd line left to the operator, a warning',
    objects: () =>
      edited(fixture(), 'ConfigMap', 'harbor-core', (cm) => {
        (cm['data'] as Record<string, string>)['REGISTRY_CREDENTIAL_USERNAME'] = 'someone';
      }),
    check: (a) => {
      assert.equal(a.generated?.registryHtpasswd, undefined);
      assert.ok(a.generated?.registryPassword);
      assert.match(a.warnings.join('\n'), /the registry user is someone/);
    },
  },
  {
    name: 'a HarborCluster of that name that adopt did not make: refused',
    objects: fixture,
    extra: () => ({ cluster: { apiVersion: 'harbor-operator.dev/v1alpha1', kind: 'HarborCluster', metadata: { name: 'harbor', namespace: ns }, spec: {} } }),
    check: (a) => { assert.match(a.refusals.join('\n'), /HarborCluster registry\/harbor exists already and was not made by adopt/); },
  },
  {
    name: 'a generated Secret of that name with other values: refused',
    objects: fixture,
    extra: () => ({ generated: generatedSecretObject('harbor', ns, { secretKey: 'another-key-16ch' }) }),
    check: (a) => { assert.match(a.refusals.join('\n'), /exists with other values for secretKey/); },
  },
  {
    name: '--name other: the claims are kept all the same (existingClaim)',
    objects: fixture,
    name_: 'other',
    check: (a) => {
      assert.ok(a.cluster);
      assert.equal(a.cluster.metadata.name, 'other');
      const spec = a.cluster['spec'] as HarborClusterSpec;
      assert.equal(spec.database?.inCluster?.existingClaim, 'database-data-harbor-database-0');
    },
  },
  {
    name: 'resumed: the HarborCluster adopt made exists, Helm objects half gone; nothing is mapped again',
    objects: () => fixture().filter((o) => !(o.apiVersion === 'apps/v1' || (o.kind === 'Secret' && o.metadata.name === 'harbor-core'))),
    extra: () => ({
      ...boundClaims(fixture()),
      cluster: {
        apiVersion: 'harbor-operator.dev/v1alpha1',
        kind: 'HarborCluster',
        metadata: { name: 'harbor', namespace: ns, annotations: { [ADOPTED_FROM_ANNOTATION]: 'helm:registry/harbor', 'harbor-operator.dev/paused': 'true' } },
        spec: expectedSpec('2.15.2'),
      },
      generated: generatedSecretObject('harbor', ns, { secretKey: 'not-a-secure-key', coreSecret: 'x' }),
    }),
    check: (a) => {
      assert.deepEqual(a.refusals, []);
      assert.equal(a.cluster, undefined, 'not created again');
      assert.equal(a.generated, undefined, 'not written again');
      assert.equal(a.claims.length, 5, 'the claims still kept (from the spec)');
      assert.deepEqual(a.workloads, []);
      assert.ok(a.config.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'harbor-core'), 'what is left of Helm is still deleted');
    },
  },
];

describe('adopt: variations of a release', () => {
  for (const c of cases) {
    test(c.name, () => {
      const objects = c.objects();
      c.check(mapRelease(snapshotOf(objects, c.extra?.(objects) ?? {}), c.name_ ? { name: c.name_ } : {}));
    });
  }
});

describe('adopt: Redis URLs as upstream writes them', () => {
  const urls: [string, ReturnType<typeof parseRedisURL>][] = [
    ['redis://harbor-redis:6379/0?idle_timeout_seconds=30', { scheme: 'redis', username: '', password: '', addr: 'harbor-redis:6379', masterSet: '', db: '0' }],
    ['redis://u%3Aser:p%2Bw+d@r.example:6380/3', { scheme: 'redis', username: 'u:ser', password: 'p+w d', addr: 'r.example:6380', masterSet: '', db: '3' }],
    ['redis+sentinel://:pw@a:26379,b:26379/mymaster/0', { scheme: 'redis+sentinel', username: '', password: 'pw', addr: 'a:26379,b:26379', masterSet: 'mymaster', db: '0' }],
    ['rediss://r:6379/0', { scheme: 'rediss', username: '', password: '', addr: 'r:6379', masterSet: '', db: '0' }],
    ['not a url', undefined],
  ];
  for (const [url, want] of urls) test(url, () => { assert.deepEqual(parseRedisURL(url), want); });
});
