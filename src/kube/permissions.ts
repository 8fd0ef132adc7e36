// Every request the operator sends, as RBAC sees it (group, resource, verb),
// with the code that sends it. The one list of what the operator needs:
//   - the chart's ClusterRole and Roles grant exactly these
//     (test/unit/deploy-chart.test.ts),
//   - every request call in src/kube/ is named in some entry's sentBy, and
//     every verb is one that a sentBy method can need (test/unit/permissions.test.ts),
//   - the integration tests check each request the operator sends against it
//     (test/harness/operator.ts, with requestAttributes below).
import { groupOf } from '../model/object.ts';
import { crdName } from './optional-kind.ts';
import { childTypes, crdType, harborClusterType, jobType, podType, statusSourceTypes } from './resources.ts';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/**
 * Where the grant lives: `manager` in each watched namespace (a ClusterRole
 * when all are watched), `leader-election` in the operator's own namespace,
 * `crds` and `storage-classes` cluster-wide (both kinds are cluster-scoped).
 */
export type PermissionRole = 'manager' | 'leader-election' | 'crds' | 'storage-classes';

/** HTTP methods as the code sends them; WATCH is a GET with watch=true (KubeHttp.stream). */
export type Method = 'GET' | 'WATCH' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Permission {
  role: PermissionRole;
  group: string;
  /** Plural, with `/subresource` for a subresource. */
  resource: string;
  verbs: Verb[];
  /**
   * Limited to these names; 'leader-election-id' stands for the Lease named
   * by --leader-election-id (a chart value).
   */
  resourceNames?: string[] | 'leader-election-id';
  /** The calls that need it: `<file in src/kube/> <method>`. */
  sentBy: `${string}.ts ${Method}`[];
}

/** The verbs a request of this method can be authorized as. */
export const verbsOfMethod: Record<Method, Verb[]> = {
  GET: ['get', 'list'],
  WATCH: ['watch'],
  POST: ['create'],
  PUT: ['update'],
  // A server-side apply of an object that does not exist yet is also
  // authorized as create.
  PATCH: ['patch', 'create'],
  DELETE: ['delete', 'deletecollection'],
};

const childVerbs: Verb[] = ['get', 'list', 'watch', 'create', 'patch', 'delete'];
// writer.ts: server-side apply (PATCH), a read of one object (GET: the live
// object behind an ownership decision, a referenced Secret), prune (DELETE).
const childSenders: Permission['sentBy'] = ['informer.ts GET', 'informer.ts WATCH', 'writer.ts GET', 'writer.ts PATCH', 'writer.ts DELETE'];
/** Calls beyond childSenders, per kind: volume growth (volumes.ts) and the backups' claim (jobs.ts). */
const extraSenders: Record<string, Permission['sentBy']> = {
  PersistentVolumeClaim: ['volumes.ts GET', 'volumes.ts PATCH', 'jobs.ts GET', 'jobs.ts POST'],
  StatefulSet: ['volumes.ts GET', 'volumes.ts DELETE'],
};

export const operatorPermissions: readonly Permission[] = [
  // Informers list and watch HarborClusters; finalizers.ts reads one and
  // patches its metadata.finalizers (the database dropped with the cluster).
  {
    role: 'manager',
    group: groupOf(harborClusterType.apiVersion),
    resource: harborClusterType.plural,
    verbs: ['get', 'list', 'watch', 'patch'],
    sentBy: ['informer.ts GET', 'informer.ts WATCH', 'finalizers.ts GET', 'finalizers.ts PATCH'],
  },
  // writer.patchStatus: a JSON patch of the status subresource.
  {
    role: 'manager',
    group: groupOf(harborClusterType.apiVersion),
    resource: `${harborClusterType.plural}/status`,
    verbs: ['patch'],
    sentBy: ['writer.ts PATCH'],
  },
  // Every kind the chart renders, and the backups' CronJob: watched by label,
  // server-side applied, read one by one, pruned.
  ...childTypes.filter((t) => t !== jobType).map(
    (t): Permission => ({
      role: 'manager',
      group: groupOf(t.apiVersion),
      resource: t.plural,
      verbs: childVerbs,
      sentBy: [...childSenders, ...(extraSenders[t.kind] ?? [])],
    }),
  ),
  // Backup and restore Jobs: watched by label like the children (those of
  // the CronJob too), created once and read by jobs.ts; never applied or
  // pruned (their TTL removes them).
  {
    role: 'manager',
    group: groupOf(jobType.apiVersion),
    resource: jobType.plural,
    verbs: ['get', 'list', 'watch', 'create'],
    sentBy: ['informer.ts GET', 'informer.ts WATCH', 'jobs.ts GET', 'jobs.ts POST'],
  },
  // status-source-informers.ts: pods and FailedCreate events, listed and
  // watched for status only; jobs.ts lists a finished Job's pods once (the
  // dump's size and file in the termination message).
  ...statusSourceTypes.map(
    (t): Permission => ({
      role: 'manager',
      group: groupOf(t.apiVersion),
      resource: t.plural,
      verbs: ['list', 'watch'],
      sentBy: ['informer.ts GET', 'informer.ts WATCH', ...(t === podType ? (['jobs.ts GET'] as const) : [])],
    }),
  ),
  // volumes.ts: the StorageClass of a claim about to grow (allowVolumeExpansion).
  { role: 'storage-classes', group: 'storage.k8s.io', resource: 'storageclasses', verbs: ['get'], sentBy: ['volumes.ts GET'] },
  // events.ts: POST a new Event, PATCH the count of a repeated one.
  { role: 'manager', group: '', resource: 'events', verbs: ['create', 'patch'], sentBy: ['events.ts POST', 'events.ts PATCH'] },
  // lease.ts: create cannot be limited to a name (the object does not exist yet); get and update can.
  { role: 'leader-election', group: 'coordination.k8s.io', resource: 'leases', verbs: ['create'], sentBy: ['lease.ts POST'] },
  {
    role: 'leader-election',
    group: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['get', 'update'],
    resourceNames: 'leader-election-id',
    sentBy: ['lease.ts GET', 'lease.ts PUT'],
  },
  // crd-watch.ts: an informer on the CRD of each optional kind, by name
  // (fieldSelector=metadata.name=…, which RBAC matches against resourceNames).
  {
    role: 'crds',
    group: groupOf(crdType.apiVersion),
    resource: crdType.plural,
    verbs: ['list', 'watch'],
    resourceNames: childTypes.filter((t) => t.optional).map(crdName),
    sentBy: ['informer.ts GET', 'informer.ts WATCH'],
  },
];

/** A request as the API server's authorizer sees it. */
export interface RequestAttributes {
  group: string;
  /** Plural, with `/subresource`. */
  resource: string;
  verb: Verb;
  namespace: string;
  /** '' for a collection (or the name of a fieldSelector=metadata.name=… list or watch). */
  name: string;
}

/**
 * What RBAC checks for a request of the operator (after the API server's
 * request info: /api/v1/… and /apis/<group>/<version>/…, optionally under
 * namespaces/<ns>/). undefined for a path that is not a resource.
 */
export function requestAttributes(method: Method, path: string, query: Record<string, unknown> = {}): RequestAttributes | undefined {
  const parts = path.split('?')[0]?.split('/').filter(Boolean).map(decodeURIComponent) ?? [];
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1] ?? '';
    rest = rest.slice(2);
  }
  const [plural, name = '', sub] = rest;
  if (!plural) return undefined;
  const resource = sub ? `${plural}/${sub}` : plural;
  const selector = query['fieldSelector'];
  const fieldName = typeof selector === 'string' ? (/(?:^|,)metadata\.name=([^,]+)/.exec(selector)?.[1] ?? '') : '';
  const collection = name === '';
  const verb: Verb =
    method === 'WATCH' || (method === 'GET' && query['watch'] === true)
      ? 'watch'
      : method === 'GET'
        ? collection
          ? 'list'
          : 'get'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : collection
                ? 'deletecollection'
                : 'delete';
  return { group, resource, verb, namespace, name: collection && (verb === 'list' || verb === 'watch') ? fieldName : name };
}

/**
 * The entry of the table that grants this request, if any (a server-side
 * apply is checked as patch; create, needed when it makes the object, is in
 * every entry that allows an apply).
 */
export function grantOf(
  a: RequestAttributes,
  opts: { leaseName?: string } = {},
  table: readonly Permission[] = operatorPermissions,
): Permission | undefined {
  return table.find((p) => {
    if (p.group !== a.group || p.resource !== a.resource || !p.verbs.includes(a.verb)) return false;
    if (p.resourceNames === undefined) return true;
    const names = p.resourceNames === 'leader-election-id' ? (opts.leaseName ? [opts.leaseName] : []) : p.resourceNames;
    return names.includes(a.name);
  });
}

/**
 * Files in src/kube/ whose requests only `harbor-operator diff` and `adopt`
 * send, with the user's own credentials: not the operator's, so not in the table.
 */
export const cliOnlyFiles: readonly string[] = ['diff-reads.ts', 'adopt-requests.ts'];
