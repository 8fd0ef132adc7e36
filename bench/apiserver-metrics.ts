// kube-apiserver's own count of the requests it served
// (apiserver_request_total), scraped from https://<apiserver>/metrics with the
// admin client certificate of the cluster's kubeconfig. The metric has no
// user label: it counts every client (operator, controllers, kwok, the bench).
import { KubeConfig } from '@kubernetes/client-node';
import { adminGet } from '../test/cluster/controlplane.ts';
import { parseProm, type Counts } from './prom-text.ts';

export interface ApiserverReading {
  /** Requests so far by "VERB resource[/subresource]" (apiserver verbs: GET, LIST, WATCH, APPLY, PATCH, …). */
  requests: Counts;
  /** apiserver_request_duration_seconds by verb: sum of seconds and count (watches left out). */
  durationSum: Counts;
  durationCount: Counts;
}

export interface ApiserverScraper {
  scrape(): Promise<ApiserverReading>;
}

export function apiserverScraper(kubeconfig: string): ApiserverScraper {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster?.caData || !user?.certData || !user.keyData) {
    throw new Error(`${kubeconfig}: no CA, client certificate or key data for the API server's /metrics`);
  }
  const tls = {
    ca: Buffer.from(cluster.caData, 'base64'),
    cert: Buffer.from(user.certData, 'base64'),
    key: Buffer.from(user.keyData, 'base64'),
  };
  const url = `${cluster.server.replace(/\/$/, '')}/metrics`;
  return {
    async scrape(): Promise<ApiserverReading> {
      const res = await adminGet(url, tls, 60_000);
      if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
      return { requests: requestCounts(res.body), ...durations(res.body) };
    },
  };
}

/** apiserver_request_total summed over code, scope, version, component, dry_run. */
export function requestCounts(text: string): Counts {
  const out: Counts = {};
  for (const s of parseProm(text, (n) => n === 'apiserver_request_total')) {
    const { verb = '?', resource = '', subresource = '' } = s.labels;
    // Non-resource requests (/readyz, /openapi/v3) carry their path in subresource.
    const key = resource ? `${verb} ${resource}${subresource ? `/${subresource}` : ''}` : `${verb} ${subresource || '(non-resource)'}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

function durations(text: string): { durationSum: Counts; durationCount: Counts } {
  const durationSum: Counts = {};
  const durationCount: Counts = {};
  const names = new Set(['apiserver_request_duration_seconds_sum', 'apiserver_request_duration_seconds_count']);
  for (const s of parseProm(text, (n) => names.has(n))) {
    const verb = s.labels['verb'] ?? '?';
    if (verb === 'WATCH' || verb === 'CONNECT') continue;
    const into = s.name.endsWith('_sum') ? durationSum : durationCount;
    into[verb] = (into[verb] ?? 0) + s.value;
  }
  return { durationSum, durationCount };
}
