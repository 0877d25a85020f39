/**
 * The cloud load balancer of a `LoadBalancer` Service. It forwards each new
 * connection to one target it believes healthy: a node's nodePort
 * (`targets: nodes`, instance mode) or a pod IP (`targets: pods`, IP mode,
 * no kube-proxy hop). Cloud L4 LBs hash the flow, which is a uniform choice
 * among healthy targets per connection (reference §5); `roundRobin` and
 * `leastConnections` are there for L7-style what-ifs.
 *
 * With `crossZone: false` (the AWS NLB default) a connection first picks a
 * zone uniformly among the zones that have a healthy target, then a target
 * in it. What the LB believes healthy comes only from its own health checks
 * (controlplane/healthChecks.ts). When no target is healthy it fails open
 * (sends to every target) or, with `failOpen: false`, drops the connection.
 * `leastConnections` keeps a leftmost-minimum tree over the usable targets:
 * O(log n) per connection, the same choice as a scan in target order.
 */
import { MinTree } from '../engine/minTree.js';
import type { RandomStream } from '../engine/random.js';
import type { LoadBalancerInfo } from './topology.js';

export const LB_DROP = -1;

const enum Algorithm {
  FlowHash = 0,
  RoundRobin = 1,
  LeastConnections = 2,
}

export class LoadBalancerState {
  readonly targetsArePods: boolean;
  /** Target ids: node indexes (instance mode) or pod indexes (IP mode). */
  targets: number[] = [];
  /** Target zone, per target id. */
  targetZone: number[] = [];
  /** Health as the LB believes it, per target id (1 healthy). */
  healthy: Uint8Array;
  /** Open connections per target id (leastConnections). */
  open: Int32Array;
  readonly failOpen: boolean;
  readonly crossZone: boolean;
  private readonly algorithm: Algorithm;
  private usable = new Int32Array(0);
  /** leastConnections: open connections of the usable targets, in their order, and each target's position there (-1: not usable). */
  private tree: MinTree | null = null;
  private position = new Int32Array(0);
  private zoneLists: Int32Array[] = [];
  private rrNext = 0;
  /** Healthy targets at the last pick, for trace output. */
  lastUsable = 0;
  lastFailOpen = false;

  constructor(
    readonly info: LoadBalancerInfo,
    private readonly rng: RandomStream,
    capacity: number,
  ) {
    const spec = info.spec;
    this.targetsArePods = spec.targets === 'pods';
    this.failOpen = spec.failOpen;
    this.crossZone = spec.crossZone;
    this.algorithm = spec.algorithm === 'roundRobin' ? Algorithm.RoundRobin : spec.algorithm === 'leastConnections' ? Algorithm.LeastConnections : Algorithm.FlowHash;
    this.healthy = new Uint8Array(capacity);
    this.open = new Int32Array(capacity);
  }

  addTarget(id: number, zone: number, healthy: boolean): void {
    if (id >= this.healthy.length) {
      const cap = Math.max(id + 1, this.healthy.length * 2);
      const h = new Uint8Array(cap);
      h.set(this.healthy);
      this.healthy = h;
      const o = new Int32Array(cap);
      o.set(this.open);
      this.open = o;
    }
    this.targets.push(id);
    this.targetZone[id] = zone;
    this.healthy[id] = healthy ? 1 : 0;
  }

  removeTarget(id: number): void {
    const i = this.targets.indexOf(id);
    if (i >= 0) this.targets.splice(i, 1);
    this.healthy[id] = 0;
  }

  /** Recomputes the usable targets after a health change. */
  rebuild(): void {
    let list = this.targets.filter((t) => this.healthy[t]);
    this.lastFailOpen = false;
    if (list.length === 0 && this.failOpen) {
      list = this.targets.slice();
      this.lastFailOpen = list.length > 0;
    }
    this.usable = Int32Array.from(list);
    if (this.algorithm === Algorithm.LeastConnections) {
      const usable = this.usable;
      if (this.position.length < this.open.length) this.position = new Int32Array(this.open.length);
      this.position.fill(-1);
      for (let i = 0; i < usable.length; i++) this.position[usable[i]] = i;
      this.tree = new MinTree(usable.length, (i) => this.open[usable[i]]);
    }
    if (!this.crossZone) {
      const byZone = new Map<number, number[]>();
      for (const t of list) {
        const z = this.targetZone[t];
        let l = byZone.get(z);
        if (!l) byZone.set(z, (l = []));
        l.push(t);
      }
      this.zoneLists = [...byZone.keys()].sort((a, b) => a - b).map((z) => Int32Array.from(byZone.get(z)!));
    }
  }

  /** Picks the target of a new connection, or LB_DROP. */
  pick(): number {
    const usable = this.usable;
    this.lastUsable = usable.length;
    if (usable.length === 0) return LB_DROP;
    let chosen: number;
    if (this.algorithm === Algorithm.FlowHash) {
      if (this.crossZone) chosen = usable[this.rng.nextInt(usable.length)];
      else {
        const zone = this.zoneLists[this.zoneLists.length === 1 ? 0 : this.rng.nextInt(this.zoneLists.length)];
        chosen = zone[zone.length === 1 ? 0 : this.rng.nextInt(zone.length)];
      }
    } else if (this.algorithm === Algorithm.RoundRobin) {
      const i = this.rrNext % usable.length;
      this.rrNext = i + 1;
      chosen = usable[i];
    } else {
      chosen = usable[this.tree!.argmin()];
    }
    this.open[chosen]++;
    this.counted(chosen);
    return chosen;
  }

  closed(target: number): void {
    this.open[target]--;
    this.counted(target);
  }

  /** Carries a target's new count into the tree (leastConnections). */
  private counted(target: number): void {
    if (this.tree === null || target >= this.position.length) return;
    const i = this.position[target];
    if (i >= 0) this.tree.set(i, this.open[target]);
  }
}
