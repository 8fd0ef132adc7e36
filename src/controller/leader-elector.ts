// Campaigns for the leader Lease, renews it while leading, and releases it on
// shutdown. Losing it (no successful renew within the renew deadline) calls
// onStoppedLeading: the process should exit so that it never reconciles
// beside a new leader.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeaseClient } from '../kube/lease.ts';
import type { LeaseRecord } from '../model/lease-record.ts';
import { decide, observe, type Observation } from './leader-policy.ts';

export interface ElectorOptions {
  lease: LeaseClient;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

export class LeaderElector {
  private readonly o: ElectorOptions;
  private seen: Observation | undefined;
  private resourceVersion = '';
  private leading = false;
  private stopped = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(opts: ElectorOptions) {
    this.o = opts;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** One attempt to acquire or renew; true when this process holds the Lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = Date.now();
    const got = await this.o.lease.read();
    if (got) {
      this.seen = observe(this.seen, got.record, now);
      this.resourceVersion = got.resourceVersion;
    } else {
      this.seen = undefined;
    }
    const d = decide(this.seen, this.o.identity, now, iso(now), this.o.leaseDurationMs);
    if (d.action === 'wait') return false;
    const write = async (record: LeaseRecord): Promise<void> => {
      this.resourceVersion =
        d.action === 'create' ? await this.o.lease.create(record) : await this.o.lease.update(record, this.resourceVersion);
      this.seen = { record, since: now };
    };
    await write(d.record);
    return true;
  }

  /** Campaigns until leader, then renews until the deadline is missed or stop(). */
  run(): Promise<void> {
    this.loop ??= this.campaign();
    return this.loop;
  }

  private async campaign(): Promise<void> {
    const signal = this.stopped.signal;
    while (!signal.aborted && !this.leading) {
      try {
        if (await this.tryAcquireOrRenew()) {
          this.leading = true;
          this.o.onStartedLeading();
          break;
        }
      } catch (err) {
        this.o.onError?.(err);
      }
      await sleep(this.o.retryPeriodMs, undefined, { signal }).catch(() => undefined);
    }
    let lastRenew = Date.now();
    while (!signal.aborted && this.leading) {
      await sleep(this.o.retryPeriodMs, undefined, { signal }).catch(() => undefined);
      if (aborted(signal)) break;
      try {
        if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
      } catch (err) {
        this.o.onError?.(err);
      }
      if (Date.now() - lastRenew > this.o.renewDeadlineMs) {
        this.leading = false;
        this.o.onStoppedLeading();
      }
    }
  }

  /** Stops campaigning; a leader hands the Lease back so a standby takes over at once. */
  async release(): Promise<void> {
    this.stopped.abort();
    // A renew in flight would move the Lease's resourceVersion under the
    // release below, which then failed with a conflict and left the Lease
    // held until it expired.
    await this.loop;
    if (!this.leading || !this.seen) return;
    this.leading = false;
    const now = Date.now();
    try {
      await this.o.lease.update(
        { ...this.seen.record, holderIdentity: '', leaseDurationSeconds: 1, renewTime: iso(now) },
        this.resourceVersion,
      );
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}

/** Read through a call: TypeScript narrows signal.aborted inside the loop. */
function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
