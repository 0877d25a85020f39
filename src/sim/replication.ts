/**
 * One replication, from a resolved scenario to its small result record:
 * build the simulation with the replication's own random streams, run it,
 * and turn its counters into the metrics of docs/outputs.md.
 */
import { ControlEvent } from '../controlplane/host.js';
import { exerciseEventQueue } from '../engine/eventQueue.js';
import { replicationSeed } from '../engine/random.js';
import { arrivalRate } from '../scenario/load-estimate.js';
import { expandedNodeCount } from '../scenario/resolve.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import type { Recorder } from './recorder.js';
import { METRIC_NAMES, type MetricName, type ReplicationResult, type ScopeResult } from './result.js';
import { Simulation } from './simulation.js';
import type { Tracer } from './tracer.js';

export interface ReplicationOptions {
  variant: number;
  replication: number;
  rootSeed: number;
  tracer?: Tracer;
}

export function runReplication(scenario: ResolvedScenario, opts: ReplicationOptions): ReplicationResult {
  if (!preflown && process.env.SVCSIM_NO_PREFLIGHT !== '1') {
    preflown = true;
    preflight(scenario);
  }
  const sim = new Simulation(scenario, { replication: opts.replication, rootSeed: opts.rootSeed, tracer: opts.tracer });
  sim.run();
  return collect(sim, opts);
}

/** Whether this thread has run its preflight (see preflight). */
let preflown = false;

/** About how many requests the preflight simulates, half in a warm-up and half counted. */
const PREFLIGHT_REQUESTS = 300;
/** The largest cluster preflown, in nodes + pods. */
const PREFLIGHT_MAX_SIZE = 2000;

/**
 * A few hundred requests of the scenario, simulated and thrown away before a
 * thread's first replication, so that V8 has seen every common path of the
 * data path before it optimises it. V8 compiles only the branches a function
 * has taken by then: a replication with a warm-up optimised its hot functions
 * with no request counted yet, and each of them was thrown back to the
 * interpreter (deoptimised) and compiled again when the window opened
 * (the 1-second what-if of the default scenario: 18 deoptimisations, 4 with
 * the preflight; 9% fewer instructions for the whole process). The event
 * queue's rarer paths are run here too (exerciseEventQueue).
 *
 * Nothing of it reaches a result: its own Simulation, seed and streams
 * (rootSeed 0, never a run's), its records dropped. It costs a set-up and
 * ≈ 300 requests in the interpreter (a few ms); a scenario without arrivals,
 * or with more than 2000 nodes and pods (whose set-up costs more), has none.
 * `SVCSIM_NO_PREFLIGHT=1` turns it off, to measure it.
 */
function preflight(scenario: ResolvedScenario): void {
  exerciseEventQueue();
  const rate = scenario.traffic.reduce((sum, t) => sum + arrivalRate(t.arrival, 0), 0);
  if (!(rate > 0)) return;
  // A big cluster's set-up (≈ 0.1 s per 10⁴ pods) would cost more than V8's warming saves.
  const size = expandedNodeCount(scenario.cluster.nodes) + scenario.workloads.reduce((n, w) => n + w.replicas, 0);
  if (size > PREFLIGHT_MAX_SIZE) return;
  const half = Math.min(scenario.simulation.duration, PREFLIGHT_REQUESTS / 2 / rate);
  // A short drain: an overloaded scenario must not go on simulating its backlog.
  const s = { ...scenario, simulation: { ...scenario.simulation, warmup: Math.min(scenario.simulation.warmup, half), duration: half, drainLimit: half } };
  try {
    const sim = new Simulation(s, { replication: 0, rootSeed: 0 });
    // A control event near the end, so that the loop's control branch has run, with the loop's type feedback
    // being kept by then (V8 allots it after the first few hundred events), before V8 optimises the loop (else
    // the first control event, often seconds in, threw it back to the interpreter): a kube-proxy sync that is
    // not due, which endpoints.ts ignores.
    sim.schedule(0.9 * sim.windowEnd, ControlEvent.ProxySync, 0);
    sim.run();
    // Not collected: the summary walks histogram bins (percentiles, the CDF), thousands of them even
    // for the preflight's few records, so V8 compiled those walks here, on types the replication's own
    // histograms do not all share, then threw them away and compiled them again (the 10⁶-request M/M/4:
    // 66-69 compiles and 7-9 deoptimisations with it, 62 and 4 without; the 1-second what-if the same).
  } catch {
    // Only V8's warming is lost: the replication itself tells of any problem of its scenario.
  }
}

/** Turns a finished simulation into its result record. */
export function collect(sim: Simulation, opts: ReplicationOptions): ReplicationResult {
  const rec = sim.recorder;
  const window = sim.scenario.simulation.duration;
  const pods = sim.pods;

  // Pod utilisation for the metrics: busy slot-time / (concurrency × the pod's running time in the window).
  let utilSum = 0;
  let utilN = 0;
  let utilMax = NaN;
  for (let p = 0; p < pods.count; p++) {
    if (pods.runningTime[p] <= 0) continue;
    const u = pods.busyArea[p] / (pods.concurrency[p] * pods.runningTime[p]);
    utilSum += u;
    utilN++;
    if (!(u <= utilMax)) utilMax = u;
  }
  const utilMean = utilN > 0 ? utilSum / utilN : NaN;

  const scopes: ScopeResult[] = [];
  const scopeNames = ['all', ...sim.topo.traffic.slice(0, sim.calls.firstCallEntry).map((t) => `traffic:${t.name}`), ...sim.calls.serviceScopes];
  for (let scope = 0; scope < scopeNames.length; scope++) {
    const values = scopeMetrics(rec, scope, window);
    values.pod_utilization_mean = utilMean;
    values.pod_utilization_max = utilMax;
    scopes.push({ scope: scopeNames[scope], metrics: METRIC_NAMES.map((m) => values[m]) });
  }

  const perWorkload = new Float64Array(sim.topo.workloads.length);
  for (let p = 0; p < pods.count; p++) perWorkload[pods.workload[p]] += pods.counted[p];
  const podRows = [];
  for (let p = 0; p < pods.count; p++) {
    const node = sim.topo.nodes[pods.node[p]];
    const total = perWorkload[pods.workload[p]];
    podRows.push({
      pod: pods.names[p],
      workload: sim.topo.workloads[pods.workload[p]].name,
      node: node.name,
      zone: sim.topo.zones[node.zone],
      requests: pods.counted[p],
      share: total > 0 ? pods.counted[p] / total : NaN,
      utilization: window > 0 ? pods.busyArea[p] / (pods.concurrency[p] * window) : NaN,
    });
  }
  // An autoscaled pool's node that never existed in this replication has no row.
  const existed = (k: number) => sim.controlPlane.autoscaling?.nodeExisted(k) ?? true;
  const nodeRows = sim.topo.nodes.filter((n) => existed(n.index)).map((n) => ({
    node: n.name,
    zone: sim.topo.zones[n.zone],
    received: rec.nodeReceived[n.index],
    forwardedCrossNode: rec.nodeCrossNode[n.index],
    dropped: rec.nodeDropped[n.index],
  }));

  const b = rec.buckets;
  const ts = {
    bucketSeconds: rec.bucketSeconds,
    requests: Array.from(rec.bucketRequests),
    ok: Array.from(rec.bucketOk),
    failed: Array.from(rec.bucketFailed),
    throughputRps: [] as number[],
    latencyP50Ms: [] as number[],
    latencyP99Ms: [] as number[],
    failedTimeout: Array.from(rec.bucketTimeout),
    failedRefused: Array.from(rec.bucketRefused),
    failedRejected: Array.from(rec.bucketRejected),
    failedDependency: Array.from(rec.bucketDependency),
    unfinished: Array.from(rec.bucketRequests, (n, i) => n - rec.bucketOk[i] - rec.bucketFailed[i]),
    inFlight: [] as number[],
    queueLength: [] as number[],
  };
  for (let i = 0; i < b; i++) {
    const width = Math.min(rec.bucketSeconds, window - i * rec.bucketSeconds);
    ts.throughputRps.push(width > 0 ? rec.bucketOk[i] / width : NaN);
    ts.inFlight.push(width > 0 ? rec.inFlight.area[i] / width : NaN);
    ts.queueLength.push(width > 0 ? rec.queued.area[i] / width : NaN);
    const [p50, p99] = rec.bucketQuantiles(i);
    ts.latencyP50Ms.push(p50 * 1000);
    ts.latencyP99Ms.push(p99 * 1000);
  }
  const warmupSeries = Array.from(rec.warmupSum, (sum, i) => (rec.warmupCount[i] > 0 ? (sum / rec.warmupCount[i]) * 1000 : NaN));

  const autoscaling = sim.controlPlane.autoscaling?.summary(rec.bucketSeconds);
  return {
    variant: opts.variant,
    replication: opts.replication,
    seed: replicationSeed(opts.rootSeed, opts.replication),
    scopes,
    latencyHistogram: rec.histograms[0].encode(),
    pods: podRows,
    nodes: nodeRows,
    timeseries: ts,
    latencyBreakdown: scopeNames.map((scope, i) => ({ scope, meanMs: rec.segmentMeans(i).map((x) => x * 1000) })),
    warmupSeries,
    simulatedRequests: sim.simulatedRequests,
    suppressedRequests: sim.suppressedRequests,
    events: sim.events,
    peakInFlight: sim.peakInFlight,
    ...(autoscaling === undefined ? {} : { autoscaling }),
  };
}

function scopeMetrics(rec: Recorder, scope: number, window: number): Record<MetricName, number> {
  const requests = rec.get(scope, 'requests');
  const ok = rec.get(scope, 'ok');
  const timeout = rec.get(scope, 'timeout');
  const refused = rec.get(scope, 'refused');
  const rejected = rec.get(scope, 'rejected');
  const dependency = rec.get(scope, 'dependency');
  const failed = timeout + refused + rejected + dependency;
  const forwarded = rec.get(scope, 'forwarded');
  const [p50, p90, p99, p999] = ok > 0 ? rec.histograms[scope].percentiles([50, 90, 99, 99.9]) : [NaN, NaN, NaN, NaN];
  return {
    requests,
    ok,
    failed,
    unfinished: requests - ok - failed,
    success_ratio: requests > 0 ? ok / requests : NaN,
    throughput_rps: window > 0 ? ok / window : NaN,
    latency_mean_ms: ok > 0 ? (rec.get(scope, 'latencySum') / ok) * 1000 : NaN,
    latency_p50_ms: p50 * 1000,
    latency_p90_ms: p90 * 1000,
    latency_p99_ms: p99 * 1000,
    latency_p999_ms: p999 * 1000,
    latency_max_ms: ok > 0 ? rec.get(scope, 'latencyMax') * 1000 : NaN,
    failed_timeout: timeout,
    failed_refused: refused,
    failed_rejected: rejected,
    failed_dependency: dependency,
    retries: rec.get(scope, 'retries'),
    calls: rec.get(scope, 'calls'),
    cross_node_ratio: forwarded > 0 ? rec.get(scope, 'crossNode') / forwarded : NaN,
    cross_zone_ratio: forwarded > 0 ? rec.get(scope, 'crossZone') / forwarded : NaN,
    pod_utilization_mean: NaN,
    pod_utilization_max: NaN,
  };
}
