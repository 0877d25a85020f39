/**
 * Service call graphs (spec "calls"): while a pod serves a request it may
 * call other Services, as microservices do. After its own `serviceTime` the
 * pod makes its workload's call steps in order; a step is one call or a
 * parallel group, and ends when all its calls end. The pod holds its slot
 * while it waits (thread per request).
 *
 * A call is an in-cluster request from the caller pod's node to the
 * Service's `clusterIP:port`: kube-proxy on that node chooses the backend
 * with the Service's own policies (internalTrafficPolicy, trafficDistribution,
 * affinity, the proxy mode), over the hops of `via: clusterIP`. So each edge
 * of the graph (caller workload → Service port) becomes one more traffic
 * entry of the topology, after the scenario's own: the route, connection,
 * retry and recording code serves calls as it serves any request, with the
 * caller workload's `client` settings. Its origin is the caller pod's node
 * (route.ts asks `callerNode`), its source is the caller pod's IP (what
 * ClientIP session affinity and IPVS source hashing key on: route.ts asks
 * `callerPod`), and its client is the caller pod too: `pooled: {size: N}`
 * keeps N connections per caller pod, reused by every call, HTTP/2 or gRPC
 * style, reopened when one fails. Clients are numbered by pod index, so a pod
 * created later (rescheduled, scaled up) has its own: the tables that hold
 * them (connections.ts) grow with the pods, never wrapping around.
 *
 * This file answers the call-step questions (which calls a step makes, for
 * which entry, from which client); the loop (sim/simulation.ts) acts.
 */
import type { Distribution } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { ResolvedArrival, ResolvedTraffic, ResolvedWorkload } from '../scenario/resolved.js';
import type { Topology, TrafficInfo } from './topology.js';

type CallClient = ResolvedWorkload['client'];

/** A pooled connection carries any number of calls. */
const POOLED_REQUESTS = 0x7fffffff;

export class CallGraph {
  /** Scenario traffic entries come first; entries from here on are calls. */
  readonly firstCallEntry: number;
  /** Per traffic entry (scenario and calls): its recorder scope (`all` is 0, `traffic:*` then `service:*`). */
  readonly scopeOf: Int32Array;
  /** The `service:<name>` scopes, in scenario order of the Services. */
  readonly serviceScopes: string[];
  /** Per workload: its first step, and one past its last, in the step arrays. */
  private readonly stepStart: Int32Array;
  private readonly stepEnd: Int32Array;
  /** Per step: its first call, and one past its last. */
  private readonly callStart: Int32Array;
  private readonly callEnd: Int32Array;
  /** Per call: the traffic entry it goes through, its count, probability, required (1/0). */
  private readonly entry: Int32Array;
  private readonly count: Int32Array;
  private readonly probability: Float64Array;
  readonly required: Uint8Array;
  /** Per call entry (t − firstCallEntry): pooled connections per caller pod (0: perRequest). */
  private readonly pooled: Int32Array;

  /**
   * Builds the call graph of a scenario and appends one traffic entry per
   * edge (caller workload, Service, port) to `topo.traffic`, before the data
   * path is built on the topology. Without calls it changes nothing.
   */
  constructor(
    topo: Topology,
    private readonly rng: RandomStream,
  ) {
    this.firstCallEntry = topo.traffic.length;
    const entries = new Map<string, number>();
    const steps: number[][] = [];
    const calls: { entry: number; count: number; probability: number; required: boolean }[] = [];
    this.stepStart = new Int32Array(topo.workloads.length);
    this.stepEnd = new Int32Array(topo.workloads.length);
    const pooled: number[] = [];
    // A call's source is its caller pod: sources (ClientIP affinity, IPVS sh) number the pods after the scenario's clients.
    const sourceOffset = topo.totalClients;
    for (const w of topo.workloads) {
      this.stepStart[w.index] = steps.length;
      const client = w.spec.client;
      const conn = client.connections;
      const size = conn === 'perRequest' ? 0 : conn.pooled.size;
      for (const step of w.spec.calls) {
        const group = 'parallel' in step ? step.parallel : [step];
        const ids: number[] = [];
        for (const call of group) {
          const svc = topo.services.find((x) => x.name === call.service);
          const sp = svc?.spec.ports.find((p) => (typeof call.port === 'number' ? p.port === call.port : p.name === call.port));
          if (svc === undefined || sp === undefined) throw new Error(`workload ${w.name} calls ${call.service}:${call.port}, which the rules should have rejected`);
          const key = `${w.index}/${svc.index}/${sp.port}`;
          let t = entries.get(key);
          if (t === undefined) {
            t = topo.traffic.length;
            entries.set(key, t);
            const spec = callTrafficSpec(w.name, svc.name, sp.port, client, size, topo.initialPods.length);
            const info: TrafficInfo = {
              index: t,
              name: spec.name,
              spec,
              service: svc.index,
              port: sp.port,
              nodePort: sp.nodePort,
              targetPort: sp.targetPort,
              originNode: -1,
              originZone: -1,
              originWorkload: w.index,
              external: false,
              entryNode: -1,
              clientOffset: sourceOffset,
            };
            topo.traffic.push(info);
            pooled.push(size);
          }
          ids.push(calls.length);
          calls.push({ entry: t, count: call.count, probability: call.probability, required: call.required });
        }
        steps.push(ids);
      }
      this.stepEnd[w.index] = steps.length;
    }
    this.callStart = Int32Array.from(steps.map((ids) => ids[0]));
    this.callEnd = Int32Array.from(steps.map((ids) => ids[ids.length - 1] + 1));
    this.entry = Int32Array.from(calls.map((c) => c.entry));
    this.count = Int32Array.from(calls.map((c) => c.count));
    this.probability = Float64Array.from(calls.map((c) => c.probability));
    this.required = Uint8Array.from(calls.map((c) => (c.required ? 1 : 0)));
    this.pooled = Int32Array.from(pooled);

    // Scopes: `all`, the scenario's entries, then one per called Service in scenario order.
    const called = topo.services.filter((svc) => topo.traffic.some((t) => t.index >= this.firstCallEntry && t.service === svc.index));
    this.serviceScopes = called.map((svc) => `service:${svc.name}`);
    this.scopeOf = Int32Array.from(topo.traffic, (t) => (t.index < this.firstCallEntry ? 1 + t.index : 1 + this.firstCallEntry + called.findIndex((svc) => svc.index === t.service)));
  }

  /** The recorder's scope count: `all`, traffic entries, called Services. */
  get scopes(): number {
    return 1 + this.firstCallEntry + this.serviceScopes.length;
  }

  /** Whether workload w makes calls after its own work. */
  hasCalls(w: number): boolean {
    return this.stepEnd[w] > this.stepStart[w];
  }

  /** Workload w's step after `step` (-1 for its first), or -1 when it has no more. */
  nextStep(w: number, step: number): number {
    const next = step < 0 ? this.stepStart[w] : step + 1;
    return next < this.stepEnd[w] ? next : -1;
  }

  firstCall(step: number): number {
    return this.callStart[step];
  }

  endCall(step: number): number {
    return this.callEnd[step];
  }

  /** The traffic entry call k goes through. */
  entryOf(k: number): number {
    return this.entry[k];
  }

  /** How many requests call k makes for one caller attempt: `count`, or 0 when its `probability` draw says no. */
  made(k: number): number {
    const p = this.probability[k];
    if (p < 1 && !(this.rng.next() < p)) return 0;
    return this.count[k];
  }

  /** The client of a call through entry t from caller pod `pod`: the pod, and with `pooled: {size: N}` one of its N connections. */
  clientOf(t: number, pod: number): number {
    const size = this.pooled[t - this.firstCallEntry];
    if (size <= 1) return pod;
    return pod * size + this.rng.nextInt(size);
  }
}

/** The traffic entry of one edge of the call graph: in-cluster, via clusterIP, with the caller's client settings. */
function callTrafficSpec(caller: string, service: string, port: number, client: CallClient, pooled: number, pods: number): ResolvedTraffic {
  const zero: Distribution = { dist: 'constant', value: 0 };
  const arrival = { process: 'poisson', rate: 0 } as ResolvedArrival;
  return {
    name: `${caller}-calls-${service}-${port}`,
    to: { service, port, via: 'clusterIP' },
    from: { workload: caller },
    entryNode: 'random',
    latency: zero,
    arrival,
    // The clients of the pods at the start; pods created later add theirs (connections.ts grows its table).
    clients: pods * Math.max(1, pooled),
    requestsPerConnection: pooled > 0 ? POOLED_REQUESTS : 1,
    handshake: true,
    timeout: client.timeout ?? Infinity,
    connectTimeout: client.connectTimeout,
    retries: client.retries,
    retryBackoff: client.retryBackoff,
  };
}
