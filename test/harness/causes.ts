// Why pods are missing, as status reports it per component: a wait for the
// causes a test expects in status.components.<c>.reason and message.
import type { HarborClusterStatus } from '../../src/status/observe.ts';
import { getCluster } from './harbor.ts';
import { waitUntil } from './kube.ts';

const DEADLINE_MS = 30_000;
type Report = NonNullable<HarborClusterStatus['components']>[string];

/** Waits until every named component reports a reason matching `reason` and a message matching `message`. */
export async function causes(
  ns: string,
  name: string,
  want: Record<string, { reason: RegExp; message: RegExp }>,
): Promise<{ ms: number; status: HarborClusterStatus }> {
  const t0 = Date.now();
  let last: HarborClusterStatus | undefined;
  try {
    const status = await waitUntil(
      `causes of ${Object.keys(want).join(', ')} in status`,
      async () => {
        last = (await getCluster(ns, name)).status;
        const c = last?.components ?? {};
        const ok = Object.entries(want).every(([k, w]) => {
          const r: Report | undefined = c[k];
          return r && w.reason.test(r.reason ?? '') && w.message.test(r.message ?? '');
        });
        return ok ? last : undefined;
      },
      { timeoutMs: DEADLINE_MS, intervalMs: 200 },
    );
    return { ms: Date.now() - t0, status };
  } catch (err) {
    throw new Error(`${(err as Error).message}; last components: ${JSON.stringify(last?.components)}`, { cause: err });
  }
}
