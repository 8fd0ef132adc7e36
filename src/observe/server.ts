// The operator's HTTP endpoints: /metrics (Prometheus text) and /healthz,
// /readyz (plain "ok" or 503 with the reason). Metrics and probes may listen
// on different addresses, as kubebuilder's managers do.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Probe {
  /** undefined when healthy, else why not. */
  (): string | undefined;
}

export interface Endpoints {
  metrics?: Registry;
  healthz?: Probe;
  readyz?: Probe;
  /** Called before /metrics is served, to refresh gauges. */
  beforeScrape?: () => void;
}

/** host:port, :port or port → [host, port]. */
export function parseAddress(addr: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(addr.trim());
  if (!m) throw new Error(`not an address: "${addr}" (expected host:port or :port)`);
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}

export async function serve(address: string, endpoints: Endpoints): Promise<Server> {
  const { host, port } = parseAddress(address);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const probe = path === '/healthz' ? endpoints.healthz : path === '/readyz' ? endpoints.readyz : undefined;
    if (probe) {
      const problem = probe();
      res.writeHead(problem ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(problem ?? 'ok');
      return;
    }
    if (path === '/metrics' && endpoints.metrics) {
      endpoints.beforeScrape?.();
      const registry = endpoints.metrics;
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    res.writeHead(404);
    res.end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
