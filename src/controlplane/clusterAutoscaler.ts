/**
 * The cluster autoscaler: it adds nodes to an autoscaled node pool when pods
 * cannot be placed, and removes nodes that have stayed empty (reference §8,
 * kubernetes/autoscaler `cluster-autoscaler`).
 *
 * It wakes every `--scan-interval` (10 s). A pod that the scheduler could not
 * place (every node at `maxPods`) stays `Pending` until a scan sees it; the
 * scan counts the pending pods that the free room of the nodes already
 * starting (and of the ready ones) will not take, and asks one pool, the
 * first in `cluster.nodes` order with room below its `max` (an expander with
 * a fixed priority), for enough nodes to hold them (a node holds `maxPods`
 * pods). The new nodes are Ready `provisionTime` later, and the scheduler
 * places the pending pods on them. What one pool cannot hold waits for the
 * next scan, as in the real loop, which scales one node group at a time.
 *
 * Scale-down: a node of an autoscaled pool that is Ready and runs no pod is
 * "unneeded"; once unneeded for `--scale-down-unneeded-time` (10 min), it is
 * removed at a scan, never within `--scale-down-delay-after-add` (10 min)
 * after a scale-up, never below the pool's `min`, at most
 * `--max-empty-bulk-delete` (10) at a time, newest first. The unneeded clock
 * runs through the cool-down after a scale-up; a loop that scales up does
 * nothing else. A node running pods is never removed here: draining
 * under-used nodes (utilisation below 50%) and moving their pods is left out.
 *
 * Like the HPA, the class holds what the real controller remembers between
 * loops (when each node became unneeded, the last scale-up) and takes the
 * cluster's state as input at each scan.
 */

/** An autoscaled node pool: `cluster.nodes[i]` with `autoscaling: {min, max, provisionTime}`. */
export interface NodePoolAutoscaling {
  name: string;
  min: number;
  max: number;
  /** Node boot until Ready (s). */
  provisionTime: number;
  /** Pods one node of the pool holds. */
  maxPods: number;
  /** The pool's own `scaleDownUnneededTime` (the scenario's per-pool field); the controller's flag when absent. */
  scaleDownUnneededTime?: number;
}

/** cluster-autoscaler flags. */
export interface ClusterAutoscalerOptions {
  /** `--scan-interval` */
  scanInterval: number;
  /** `--scale-down-unneeded-time` */
  scaleDownUnneededTime: number;
  /** `--scale-down-delay-after-add` */
  scaleDownDelayAfterAdd: number;
  /** `--max-empty-bulk-delete` */
  maxEmptyBulkDelete: number;
}

export const CLUSTER_AUTOSCALER_DEFAULTS: Readonly<ClusterAutoscalerOptions> = Object.freeze({
  scanInterval: 10,
  scaleDownUnneededTime: 600,
  scaleDownDelayAfterAdd: 600,
  maxEmptyBulkDelete: 10,
});

/** One node as a scan sees it. */
export interface CaNode {
  /** Stable id (the simulation's node index). */
  id: number;
  /** Index of its autoscaled pool, or -1 for a node of a fixed entry. */
  pool: number;
  /** false while it is still booting after a scale-up. */
  ready: boolean;
  /** Pods bound to it, terminating ones included. */
  pods: number;
  maxPods: number;
}

export interface CaScaleUp {
  pool: number;
  count: number;
  /** When the new nodes become Ready. */
  readyAt: number;
}

/** What one scan decided: the material of `--explain-scaling`. */
export interface CaDecision {
  time: number;
  pendingPods: number;
  /** Pending pods that the room of existing and booting nodes will not take. */
  unhelped: number;
  scaleUp: CaScaleUp | null;
  /** Nodes to remove now. */
  remove: number[];
  /** Nodes found unneeded at this scan. */
  unneeded: number;
  note: string;
}

export class ClusterAutoscaler {
  private readonly unneededSince = new Map<number, number>();
  private lastScaleUp = -Infinity;

  constructor(
    readonly pools: readonly NodePoolAutoscaling[],
    readonly options: Readonly<ClusterAutoscalerOptions> = CLUSTER_AUTOSCALER_DEFAULTS,
  ) {
    for (const p of pools) {
      if (p.min > p.max) throw new RangeError(`node pool ${p.name}: min ${p.min} > max ${p.max}`);
    }
  }

  /** One loop at `now` with `pendingPods` unschedulable pods and the cluster's nodes. */
  scan(now: number, pendingPods: number, nodes: readonly CaNode[]): CaDecision {
    const d: CaDecision = { time: now, pendingPods, unhelped: 0, scaleUp: null, remove: [], unneeded: 0, note: '' };
    const size = new Array<number>(this.pools.length).fill(0);
    let room = 0;
    for (const n of nodes) {
      if (n.pool >= 0) size[n.pool]++;
      room += Math.max(0, n.maxPods - n.pods);
    }
    d.unhelped = Math.max(0, pendingPods - room);
    if (d.unhelped > 0) {
      const pool = this.pools.findIndex((p, i) => size[i] < p.max);
      if (pool < 0) {
        d.note = `${d.unhelped} pending pods, every autoscaled pool at its max`;
      } else {
        const p = this.pools[pool];
        const count = Math.min(Math.ceil(d.unhelped / p.maxPods), p.max - size[pool]);
        d.scaleUp = { pool, count, readyAt: now + p.provisionTime };
        d.note = `${d.unhelped} pending pods need room: ${p.name} ${size[pool]} → ${size[pool] + count} nodes`;
        this.lastScaleUp = now;
        // A loop that scales up does not scale down.
        return d;
      }
    }

    // Which nodes are unneeded, and since when.
    const seen = new Set<number>();
    for (const n of nodes) {
      if (n.pool < 0 || !n.ready || n.pods > 0) continue;
      seen.add(n.id);
      if (!this.unneededSince.has(n.id)) this.unneededSince.set(n.id, now);
    }
    for (const id of [...this.unneededSince.keys()]) if (!seen.has(id)) this.unneededSince.delete(id);
    d.unneeded = seen.size;

    if (now - this.lastScaleUp < this.options.scaleDownDelayAfterAdd - 1e-6) {
      if (seen.size > 0) d.note = `${seen.size} unneeded nodes; scale-down in cool-down after the scale-up at ${this.lastScaleUp.toFixed(3)}s`;
      return d;
    }
    const candidates = nodes
      .filter((n) => {
        const since = this.unneededSince.get(n.id);
        if (since === undefined) return false;
        const unneededTime = this.pools[n.pool].scaleDownUnneededTime ?? this.options.scaleDownUnneededTime;
        return now - since >= unneededTime - 1e-6;
      })
      .sort((a, b) => b.id - a.id);
    const left = [...size];
    for (const n of candidates) {
      if (d.remove.length >= this.options.maxEmptyBulkDelete) break;
      if (left[n.pool] <= this.pools[n.pool].min) continue;
      left[n.pool]--;
      d.remove.push(n.id);
      this.unneededSince.delete(n.id);
    }
    if (d.remove.length > 0) d.note = `removing ${d.remove.length} empty nodes`;
    else if (seen.size > 0) d.note = `${seen.size} unneeded nodes`;
    return d;
  }
}

/** One line of `--explain-scaling` for a scan that did or saw something. */
export function formatCaDecision(d: CaDecision, nodeName: (id: number) => string, poolName: (pool: number) => string): string {
  const parts = [`t=${d.time.toFixed(3)}s cluster-autoscaler: ${d.pendingPods} pending`];
  if (d.scaleUp !== null) {
    parts.push(`scale up ${poolName(d.scaleUp.pool)} by ${d.scaleUp.count}, ready at ${d.scaleUp.readyAt.toFixed(3)}s`);
  }
  if (d.remove.length > 0) parts.push(`remove ${d.remove.map(nodeName).join(', ')}`);
  if (d.note) parts.push(d.note);
  return parts.join('; ');
}
