/**
 * Autoscaling as the simulation sees it: the types of a workload's
 * HorizontalPodAutoscaler spec and of a node pool's `autoscaling`, and the
 * autoscaled node pools of a resolved scenario. The schema that parses them,
 * with Kubernetes' defaults, is autoscalingSchema.ts: apart, so that the
 * simulation (every worker thread) does not load zod and build it.
 */
import type { NodePoolAutoscaling } from './autoscalingSchema.js';

export type { HorizontalPodAutoscalerSpec, NodePoolAutoscaling } from './autoscalingSchema.js';

/** An autoscaled node pool of a resolved scenario: its template, bounds and the nodes it starts with. */
export interface NodePool extends NodePoolAutoscaling {
  name: string;
  zone: string;
  maxPods: number;
  /** The pool's nodes at the start, in `cluster.nodes` order. */
  nodes: string[];
}

/** The autoscaled node pools of a resolved scenario, in order of their first node. The rules make every node of a pool agree on zone, maxPods and autoscaling. */
export function nodePools(s: { cluster: { nodes: readonly { name: string; zone: string; maxPods: number; pool?: string; autoscaling?: NodePoolAutoscaling }[] } }): NodePool[] {
  const pools = new Map<string, NodePool>();
  for (const n of s.cluster.nodes) {
    if (n.pool === undefined || n.autoscaling === undefined) continue;
    const pool = pools.get(n.pool);
    if (pool) pool.nodes.push(n.name);
    else pools.set(n.pool, { name: n.pool, zone: n.zone, maxPods: n.maxPods, ...n.autoscaling, nodes: [n.name] });
  }
  return [...pools.values()];
}
