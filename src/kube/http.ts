// The one HTTP client of the operator: JSON over HTTPS to the API server,
// authenticated as the loaded kubeconfig says. Request bodies and answers are
// plain objects (no model classes), so no field is lost on the way.
import { Agent, request, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ApiAccess } from './kubeconfig.ts';
import { ApiError } from './api-error.ts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOpts {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Accept header (default application/json), e.g. a metadata-only list. */
  accept?: string;
}

export interface RequestObserver {
  (method: string, path: string, status: number, durationMs: number, query?: Query): void;
}

export interface KubeHttp {
  request<T>(method: string, path: string, opts?: RequestOpts): Promise<T>;
  /** Streams a watch: calls onLine for every JSON line until the server ends it. */
  stream(path: string, query: Query, onLine: (line: string) => void, signal: AbortSignal, accept?: string): Promise<void>;
  readonly server: string;
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

interface Status {
  kind?: string;
  reason?: string;
  message?: string;
}

export function createKubeHttp(kc: ApiAccess, observe?: RequestObserver): KubeHttp {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const base = new URL(cluster.server);
  const secure = base.protocol === 'https:';
  const agentOpts = { keepAlive: true, maxSockets: 64 };
  const agent = secure ? new Agent(agentOpts) : new HttpAgent(agentOpts);
  // Credentials are re-read now and then (service-account tokens rotate).
  let auth: { at: number; opts: RequestOptions } | undefined;
  async function authOptions(): Promise<RequestOptions> {
    if (!auth || Date.now() - auth.at > 60_000) {
      const opts: RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      auth = { at: Date.now(), opts };
    }
    return auth.opts;
  }

  async function open(
    method: string,
    path: string,
    opts: RequestOpts,
  ): Promise<{ res: import('node:http').IncomingMessage; started: number }> {
    const a = await authOptions();
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json', ...(a.headers as Record<string, string>) };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const fn = secure ? request : httpRequest;
      const req = fn(
        {
          ...a,
          agent,
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          method,
          path: `${base.pathname.replace(/\/$/, '')}${withQuery(path, opts.query)}`,
          headers,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
        },
        (res) => {
          resolve({ res, started });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  // Decoded chunk by chunk: each network buffer is garbage as soon as it is
  // read, instead of all of them living until one more copy joins them (a
  // list page is megabytes, and what malloc held once it rarely gives back).
  async function readBody(res: import('node:http').IncomingMessage): Promise<string> {
    res.setEncoding('utf8');
    let text = '';
    for await (const c of res) text += c as string;
    return text;
  }

  function failure(method: string, path: string, status: number, text: string): ApiError {
    let s: Status = {};
    try {
      s = JSON.parse(text) as Status;
    } catch {
      // not a Status object
    }
    return new ApiError(method, path, status, s.reason ?? 'Unknown', s.message ?? text.slice(0, 300));
  }

  return {
    server: cluster.server,
    async request<T>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
      const { res, started } = await open(method, path, { timeoutMs: 30_000, ...opts });
      const text = await readBody(res);
      const status = res.statusCode ?? 0;
      observe?.(method, path, status, Date.now() - started, opts.query);
      if (status < 200 || status >= 300) throw failure(method, path, status, text);
      return (text ? JSON.parse(text) : {}) as T;
    },
    async stream(path, query, onLine, signal, accept): Promise<void> {
      const { res, started } = await open('GET', path, { query: { ...query, watch: true }, signal, ...(accept ? { accept } : {}) });
      const status = res.statusCode ?? 0;
      observe?.('WATCH', path, status, Date.now() - started, query);
      if (status !== 200) throw failure('GET', path, status, await readBody(res));
      let buffered = '';
      res.setEncoding('utf8');
      try {
        for await (const chunk of res) {
          buffered += chunk as string;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) onLine(line);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
    },
  };
}
