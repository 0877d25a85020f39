import { describe, expect, it } from 'vitest';
import {
  type CaNode,
  ClusterAutoscaler,
  formatCaDecision,
  type NodePoolAutoscaling,
} from '../src/controlplane/clusterAutoscaler.js';
import { defaultScaleDownRules, defaultScaleUpRules } from '../src/controlplane/hpa.js';
import { runConstantLoad } from './helpers/hpaHarness.js';

const pool = (name: string, min: number, max: number, maxPods = 4, provisionTime = 90): NodePoolAutoscaling => ({
  name,
  min,
  max,
  provisionTime,
  maxPods,
});

function nodes(poolIndex: number, pods: number[], firstId = 0, ready = true, maxPods = 4): CaNode[] {
  return pods.map((n, i) => ({ id: firstId + i, pool: poolIndex, ready, pods: n, maxPods }));
}

describe('the cluster autoscaler scale-up', () => {
  it('adds enough nodes at the first scan that sees pending pods, ready provisionTime later', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 2, 10)]);
    const d = ca.scan(20, 5, nodes(0, [4, 4]));
    expect(d.scaleUp).toEqual({ pool: 0, count: 2, readyAt: 110 });
  });

  it('lets pods that become Pending between scans wait for the next scan', () => {
    // Scans at 0, 10, 20, ...: a pod Pending from t = 3 is seen at 10, its node is Ready at 100.
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 5)]);
    const full = nodes(0, [4]);
    expect(ca.scan(0, 0, full).scaleUp).toBeNull();
    expect(ca.scan(10, 1, full).scaleUp?.readyAt).toBe(100);
  });

  it('does not add nodes again for pods that the booting nodes will hold', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 2, 10)]);
    ca.scan(0, 5, nodes(0, [4, 4]));
    const booting = [...nodes(0, [4, 4]), ...nodes(0, [0, 0], 2, false)];
    const d = ca.scan(10, 5, booting);
    expect(d.unhelped).toBe(0);
    expect(d.scaleUp).toBeNull();
    // Three more pods than the booting room: one more node.
    expect(ca.scan(20, 11, booting).scaleUp?.count).toBe(1);
  });

  it('counts free room on ready nodes before asking for new ones', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 10)]);
    expect(ca.scan(0, 2, nodes(0, [4, 2])).scaleUp).toBeNull();
    expect(ca.scan(10, 3, nodes(0, [4, 2])).scaleUp?.count).toBe(1);
  });

  it('adds no more than the pool max', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 3)]);
    const d = ca.scan(0, 10, nodes(0, [4, 4]));
    expect(d.scaleUp?.count).toBe(1);
  });

  it('grows the next pool in cluster.nodes order once the first is at its max, one pool per scan', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 2), pool('pool-b', 0, 5, 8, 120)]);
    const cluster = [...nodes(0, [4, 4]), ...nodes(1, [8], 2, true, 8)];
    const d = ca.scan(0, 20, cluster);
    expect(d.scaleUp).toEqual({ pool: 1, count: 3, readyAt: 120 });
  });

  it('reports pods no pool can take', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 2)]);
    const d = ca.scan(0, 3, nodes(0, [4, 4]));
    expect(d.scaleUp).toBeNull();
    expect(d.note).toMatch(/every autoscaled pool at its max/);
  });

  it('leaves nodes of fixed entries alone', () => {
    const ca = new ClusterAutoscaler([]);
    const d = ca.scan(0, 3, nodes(-1, [4, 4]));
    expect(d.scaleUp).toBeNull();
  });
});

/** Scans every 10 s from `from` to `to` on the given nodes; returns the time each node was removed. */
function scanUntil(ca: ClusterAutoscaler, from: number, to: number, cluster: () => CaNode[], pending: (t: number) => number = () => 0) {
  const removedAt = new Map<number, number>();
  for (let t = from; t <= to; t += 10) {
    const alive = cluster().filter((n) => !removedAt.has(n.id));
    for (const id of ca.scan(t, pending(t), alive).remove) removedAt.set(id, t);
  }
  return removedAt;
}

describe('the cluster autoscaler scale-down', () => {
  it('removes a node after it has been empty for scaleDownUnneededTime (10 min)', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 5)]);
    const removed = scanUntil(ca, 0, 2000, () => nodes(0, [3, 0]));
    expect(removed).toEqual(new Map([[1, 600]]));
  });

  it('removes nothing within scaleDownDelayAfterAdd (10 min) of a scale-up, though the unneeded clock runs meanwhile', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 5)]);
    // Node 1 has been empty since t = -300; a scale-up for node 2 happens at t = 0.
    scanUntil(ca, -300, -10, () => nodes(0, [4, 0]));
    expect(ca.scan(0, 5, nodes(0, [4, 0])).scaleUp?.count).toBe(1);
    const removed = scanUntil(ca, 10, 1500, () => [...nodes(0, [4, 0]), ...nodes(0, [4], 2)]);
    expect(removed.get(1)).toBe(600);
  });

  it('measures the unneeded time from the first scan that saw the node empty', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 5)]);
    expect(ca.scan(0, 5, nodes(0, [4])).scaleUp?.count).toBe(2);
    // The new nodes: node 2 gets the pods, node 1 stays empty from its first scan as Ready at 90.
    const cluster = (t: number): CaNode[] => [
      ...nodes(0, [4]),
      ...nodes(0, [0], 1, t >= 90),
      ...nodes(0, [t >= 90 ? 1 : 0], 2, t >= 90),
    ];
    const removedAt = new Map<number, number>();
    for (let t = 10; t <= 1500; t += 10) {
      const alive = cluster(t).filter((n) => !removedAt.has(n.id));
      for (const id of ca.scan(t, t < 90 ? 1 : 0, alive).remove) removedAt.set(id, t);
    }
    expect(removedAt).toEqual(new Map([[1, 690]]));
  });

  it("takes a pool's own scaleDownUnneededTime over the controller's", () => {
    const ca = new ClusterAutoscaler([{ ...pool('pool-a', 1, 5), scaleDownUnneededTime: 120 }]);
    const removed = scanUntil(ca, 0, 2000, () => nodes(0, [3, 0]));
    expect(removed).toEqual(new Map([[1, 120]]));
  });

  it('restarts the clock of a node that runs a pod again', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 1, 5)]);
    const removed = scanUntil(ca, 0, 2000, () => nodes(0, [2, 0]));
    expect(removed.get(1)).toBe(600);
    const ca2 = new ClusterAutoscaler([pool('pool-a', 1, 5)]);
    let t0 = 0;
    const removed2 = scanUntil(ca2, 0, 2000, () => {
      t0 += 10;
      return nodes(0, [2, t0 === 310 ? 1 : 0]); // one pod on node 1 at the scan of t = 300
    });
    expect(removed2.get(1)).toBe(910);
  });

  it('keeps the pool at its min', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 2, 6)]);
    const removed = scanUntil(ca, 0, 1000, () => nodes(0, [1, 0, 0, 0]));
    expect([...removed.keys()].sort()).toEqual([2, 3]);
    expect(new Set(removed.values())).toEqual(new Set([600]));
  });

  it('removes at most maxEmptyBulkDelete (10) nodes at once, newest first', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 0, 20)]);
    const removed = scanUntil(ca, 0, 700, () => nodes(0, new Array<number>(14).fill(0)));
    expect([...removed.entries()].filter(([, t]) => t === 600).map(([id]) => id)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    expect([...removed.entries()].filter(([, t]) => t === 610).map(([id]) => id)).toEqual([3, 2, 1, 0]);
  });

  it('never removes a booting node or a node of a fixed entry', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 0, 5)]);
    const removed = scanUntil(ca, 0, 1500, () => [...nodes(0, [0], 0, false), ...nodes(-1, [0], 1)]);
    expect(removed.size).toBe(0);
  });

  it('refuses a pool whose min exceeds its max', () => {
    expect(() => new ClusterAutoscaler([pool('p', 3, 2)])).toThrow(RangeError);
  });
});

describe('the explanation of a scan', () => {
  it('names the pool, the count and when the nodes will be ready', () => {
    const ca = new ClusterAutoscaler([pool('pool-a', 2, 10)]);
    const line = formatCaDecision(ca.scan(20, 5, nodes(0, [4, 4])), (id) => `pool-a-${id}`, (p) => ['pool-a'][p]);
    expect(line).toBe(
      't=20.000s cluster-autoscaler: 5 pending; scale up pool-a by 2, ready at 110.000s; 5 pending pods need room: pool-a 2 → 4 nodes',
    );
  });
});

describe('the cluster autoscaler with the HPA', () => {
  it('makes pods that cannot be placed ready provisionTime + startupTime after the first scan that sees them', () => {
    // 2 nodes of 4 pods; the HPA climbs 2 → 6 → 12 → 16 (1600 requests/s, 100/s per pod); scans at 2, 12, 22, ...
    const r = runConstantLoad({
      spec: { minReplicas: 2, maxReplicas: 100, metrics: [{ type: 'Pods', name: 'requests_per_second', target: { type: 'AverageValue', averageValue: 100 } }], behavior: { scaleUp: defaultScaleUpRules(), scaleDown: defaultScaleDownRules() } },
      replicas: 2,
      kind: 'rps',
      load: [
        [-Infinity, 100],
        [0, 1600],
      ],
      until: 150,
      cluster: { nodes: 2, pool: pool('pool-a', 2, 10, 4, 60), scanPhase: 2 },
    });
    expect(r.replicas.slice(0, 5)).toEqual([2, 6, 12, 16, 16]);
    // At 30 two of the six new pods fit; four wait. The scan at 32 asks for one node (ready at 92);
    // at 45 four more wait, and the scan at 52 asks for another (the booting node holds only four).
    expect(r.scans.map((d) => [d.time, d.scaleUp?.count, d.scaleUp?.readyAt])).toEqual([
      [32, 1, 92],
      [52, 1, 112],
    ]);
    const readyOf = (createdAt: number) => r.pods.filter((p) => p.createdAt === createdAt).map((p) => p.readyAt);
    expect(readyOf(30)).toEqual([35, 35, 32 + 60 + 5, 97, 97, 97]);
    expect(readyOf(45)).toEqual([52 + 60 + 5, 117, 117, 117]);
    // While they wait, the Pending pods count as unready (0) for the HPA, which still proposes 16.
    const at45 = r.decisions.find((d) => d.time === 45);
    expect(at45?.metrics[0].unreadyPods).toBe(4);
    expect(at45?.proposal).toBe(16);
  });
});
