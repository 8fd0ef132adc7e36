// The status the operator last wrote for each HarborCluster, until its watch
// delivers it. Between a status write and the watch event that brings it
// back, the cache still shows the status from before; comparing the next
// status with that one can skip a write that is needed (the new status
// equals the old one but not the one just written: "waiting for core 0/3"
// stayed while core was 3/3). So the status just written counts as what the
// server holds while the cache shows a version from before the write.
import type { HarborClusterStatus } from '../status/observe.ts';

/** Versions of the HarborCluster from before a write; more means the watch is far behind and the cache is trusted again. */
const MAX_STALE = 16;

interface Memo {
  /** resourceVersions the cache may still show from before the write. */
  stale: string[];
  /** The version the write was answered with. */
  version: string;
  status: HarborClusterStatus;
}

export class WrittenStatus {
  private readonly memo = new Map<string, Memo>();

  /**
   * The status the server holds as far as is known: the one last written
   * while the cache shows a version from before that write, else the cache's.
   */
  current(key: string, cachedVersion: string | undefined, cached: HarborClusterStatus | undefined): HarborClusterStatus | undefined {
    const m = this.memo.get(key);
    if (!m) return cached;
    if (cachedVersion !== undefined && m.stale.includes(cachedVersion)) return m.status;
    // The cache has this write, or a later change: it knows best now.
    this.memo.delete(key);
    return cached;
  }

  /** A status write made while the cache showed `cachedVersion`, answered with `version`. */
  wrote(key: string, cachedVersion: string | undefined, version: string | undefined, status: HarborClusterStatus): void {
    const m = this.memo.get(key);
    // Written again before the cache had the last write: the versions from
    // before that write, and that write's own, are all older than this one.
    const chained = m && cachedVersion !== undefined && m.stale.includes(cachedVersion) ? [...m.stale, m.version] : [];
    const stale = [...new Set([...chained, ...(cachedVersion !== undefined ? [cachedVersion] : [])])].filter((v) => v !== version);
    if (version === undefined || stale.length === 0 || stale.length > MAX_STALE) {
      this.memo.delete(key);
      return;
    }
    this.memo.set(key, { stale, version, status });
  }

  forget(key: string): void {
    this.memo.delete(key);
  }

  get size(): number {
    return this.memo.size;
  }
}
