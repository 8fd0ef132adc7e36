// A recording watch for tests: every object a watch of one collection
// delivers, in order, with the time it arrived. Stopped by the test's end.
import type { TestContext } from 'node:test';
import type { KubeObject } from '../../src/model/object.ts';
import { raw } from './harbor.ts';

export interface Seen {
  at: number;
  type: string;
  object: KubeObject;
}

export interface Recording {
  seen: Seen[];
  /** Why the watch ended before stop(), if it did. */
  failure(): unknown;
  stop(): Promise<void>;
}

/** Watches `path` (a collection) from now on; `query` adds selectors. */
export async function record(t: TestContext, path: string, query: Record<string, string> = {}): Promise<Recording> {
  const list = await raw().request<{ metadata: { resourceVersion: string } }>('GET', path, { query });
  const seen: Seen[] = [];
  const abort = new AbortController();
  let failure: unknown;
  const done = raw()
    .stream(
      path,
      { ...query, resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 600 },
      (line) => {
        const ev = JSON.parse(line) as { type: string; object: KubeObject };
        seen.push({ at: Date.now(), type: ev.type, object: ev.object });
      },
      abort.signal,
    )
    .catch((err: unknown) => {
      failure = err;
    });
  const stop = async (): Promise<void> => {
    abort.abort();
    await done;
  };
  t.after(stop);
  return { seen, failure: () => failure, stop };
}
