// The spec of a coordination.k8s.io Lease as leader election reads and writes
// it: shared by the Lease client (src/kube/lease.ts) and the decisions
// (src/controller/leader-policy.ts).
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
