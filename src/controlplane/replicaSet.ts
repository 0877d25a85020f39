/**
 * Which pods a ReplicaSet deletes when its Deployment is scaled down
 * (reference §8, kube-controller-manager `pkg/controller/replicaset`,
 * `getPodsToDelete` with `controller.ActivePods` ordering): pods not yet on
 * a node before scheduled ones, `Pending` before `Running`, not ready before
 * ready, ready for less time before ready for longer, and among equals the
 * most recently created first. Left out: the `pod-deletion-cost`
 * annotation, restart counts, the preference for pods doubled up on a node
 * and the logarithmic bucketing of ages (`LogarithmicScaleDown`), which
 * break ties among pods of similar age at random.
 */

export interface ReplicaView {
  /** The pod's id (the simulation's pod index); also the last tie-breaker. */
  pod: number;
  /** Bound to a node. */
  assigned: boolean;
  /** Containers running (`Running` phase) rather than `Pending`. */
  running: boolean;
  ready: boolean;
  /** When it last became ready (NaN if not ready). */
  readySince: number;
  createdAt: number;
}

/** Order in which victims are taken: negative when `a` goes before `b`. */
export function compareForDeletion(a: ReplicaView, b: ReplicaView): number {
  if (a.assigned !== b.assigned) return a.assigned ? 1 : -1;
  if (a.running !== b.running) return a.running ? 1 : -1;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.ready && b.ready && a.readySince !== b.readySince) return b.readySince - a.readySince;
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return b.pod - a.pod;
}

/** The `count` pods to delete, in deletion order. */
export function podsToDelete(pods: readonly ReplicaView[], count: number): number[] {
  return [...pods]
    .sort(compareForDeletion)
    .slice(0, Math.max(0, count))
    .map((p) => p.pod);
}
