// A proxy between the operator and the API server that can fail on purpose:
// answer every request with an error status (429, 503), or be down (cut every
// open connection, watches included, and refuse new ones). The operator
// speaks plain HTTP to it on loopback; it speaks HTTPS to the API server with
// the test cluster's admin certificate.
import { request as httpsRequest, Agent } from 'node:https';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import { writeKubeconfig } from '../harness/kubeconfig-file.ts';
import { scratchDir } from '../harness/scratch.ts';

export type ProxyMode = { kind: 'pass' } | { kind: 'down' } | { kind: 'error'; status: number };

export class FaultProxy {
  mode: ProxyMode = { kind: 'pass' };
  readonly counts = { forwarded: 0, failed: 0, refused: 0 };
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private readonly upstream: URL;
  private readonly agent: Agent;

  constructor(kc: KubeConfig, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('no cluster');
    this.upstream = new URL(cluster.server);
    this.agent = new Agent({ keepAlive: true, ...tls });
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode.kind === 'down') {
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    }
  }

  async listen(): Promise<number> {
    this.server = createServer((req, res) => {
      this.handle(req, res);
    });
    this.server.on('connection', (s: Socket) => {
      if (this.mode.kind === 'down') {
        this.counts.refused++;
        s.destroy();
        return;
      }
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    if (!a || typeof a !== 'object') throw new Error('proxy has no port');
    return a.port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => {
      if (!this.server) {
        resolve();
        return;
      }
      this.server.close(() => {
        resolve();
      });
    });
    this.agent.destroy();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const m = this.mode;
    if (m.kind === 'down') {
      this.counts.refused++;
      req.socket.destroy();
      return;
    }
    if (m.kind === 'error') {
      this.counts.failed++;
      res.writeHead(m.status, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: m.status, reason: m.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: 'injected by the fault proxy' }));
      return;
    }
    this.counts.forwarded++;
    const headers = { ...req.headers };
    delete headers.host;
    const up = httpsRequest(
      { protocol: 'https:', hostname: this.upstream.hostname, port: this.upstream.port, path: req.url, method: req.method, headers, agent: this.agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
    res.on('close', () => up.destroy());
  }
}

/** A proxy to the cluster of a kubeconfig, with its CA and client certificate. */
export function proxyFor(kc: KubeConfig): FaultProxy {
  const b64 = (v: string | undefined): Buffer | undefined => (v ? Buffer.from(v, 'base64') : undefined);
  const ca = b64(kc.getCurrentCluster()?.caData);
  const cert = b64(kc.getCurrentUser()?.certData);
  const key = b64(kc.getCurrentUser()?.keyData);
  return new FaultProxy(kc, { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
}

/** A kubeconfig for the operator that goes through the proxy; removed when the test ends. */
export async function proxyKubeconfig(t: Pick<TestContext, 'after'>, port: number): Promise<string> {
  const dir = await scratchDir(t, 'fault-proxy');
  return writeKubeconfig(join(dir, 'kubeconfig'), `http://127.0.0.1:${port}`);
}
