// Which HarborClusters reference which Secrets (by "namespace/name"), both
// ways: a change of a Secret is mapped to the clusters that read it, and a
// Secret no cluster references any more is forgotten. Plain data, no I/O.

export class SecretRefIndex {
  private readonly bySecret = new Map<string, Set<string>>();
  private readonly byCluster = new Map<string, readonly string[]>();

  /**
   * Sets the Secrets a cluster references (replacing what it referenced
   * before); returns the Secrets no cluster references any more.
   */
  set(cluster: string, secrets: readonly string[]): string[] {
    const next = [...new Set(secrets)];
    const before = this.byCluster.get(cluster) ?? [];
    const dropped: string[] = [];
    for (const s of before) {
      if (next.includes(s)) continue;
      const users = this.bySecret.get(s);
      users?.delete(cluster);
      if (users?.size === 0) {
        this.bySecret.delete(s);
        dropped.push(s);
      }
    }
    for (const s of next) {
      const users = this.bySecret.get(s) ?? new Set<string>();
      users.add(cluster);
      this.bySecret.set(s, users);
    }
    if (next.length > 0) this.byCluster.set(cluster, next);
    else this.byCluster.delete(cluster);
    return dropped;
  }

  /** The cluster is gone: returns the Secrets no cluster references any more. */
  forget(cluster: string): string[] {
    return this.set(cluster, []);
  }

  /** The clusters referencing the Secret. */
  clustersOf(secret: string): string[] {
    return [...(this.bySecret.get(secret) ?? [])];
  }

  has(secret: string): boolean {
    return this.bySecret.has(secret);
  }

  /** How many Secrets are referenced. */
  get size(): number {
    return this.bySecret.size;
  }
}
