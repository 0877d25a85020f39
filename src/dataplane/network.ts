/**
 * One-way delays of the hops of the data path. Every traversal of a hop, in
 * each direction, draws its own sample (spec: "How one request's path and
 * latency are composed"). A connection stores its path as a short list of
 * hop ids; the delays are drawn when packets travel it.
 *
 * Hop ids: 0..3 are the cluster's `latency.sameNode`, `sameZone`,
 * `crossZone` and `proxy`; then one per traffic entry (`traffic.latency`,
 * client to entry) and one per load balancer (`loadBalancers.latency`).
 */
import { createSampler, type Sampler } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { ResolvedScenario } from '../scenario/resolved.js';

export const HOP_SAME_NODE = 0;
export const HOP_SAME_ZONE = 1;
export const HOP_CROSS_ZONE = 2;
export const HOP_PROXY = 3;

export class Network {
  readonly samplers: Sampler[];
  readonly trafficHop0: number;
  readonly lbHop0: number;
  /** Per hop: its delay when constant (the defaults are), else NaN — saves a call per traversal. */
  readonly constant: Float64Array;

  constructor(s: Pick<ResolvedScenario, 'cluster' | 'traffic' | 'loadBalancers'>, rng: RandomStream) {
    const l = s.cluster.latency;
    this.samplers = [createSampler(l.sameNode, rng), createSampler(l.sameZone, rng), createSampler(l.crossZone, rng), createSampler(l.proxy, rng)];
    this.trafficHop0 = this.samplers.length;
    for (const t of s.traffic) this.samplers.push(createSampler(t.latency, rng));
    this.lbHop0 = this.samplers.length;
    for (const lb of s.loadBalancers) this.samplers.push(createSampler(lb.latency, rng));
    const dists = [l.sameNode, l.sameZone, l.crossZone, l.proxy, ...s.traffic.map((t) => t.latency), ...s.loadBalancers.map((lb) => lb.latency)];
    this.constant = Float64Array.from(dists, (d) => (d.dist === 'constant' ? Math.max(0, d.value) : NaN));
  }

  /** The hop between two nodes by where they are: same node, same zone, or across zones. */
  static between(nodeA: number, nodeB: number, zoneA: number, zoneB: number): number {
    return nodeA === nodeB ? HOP_SAME_NODE : zoneA === zoneB ? HOP_SAME_ZONE : HOP_CROSS_ZONE;
  }

  sample(hop: number): number {
    const c = this.constant[hop];
    return c === c ? c : this.samplers[hop].sample();
  }
}
