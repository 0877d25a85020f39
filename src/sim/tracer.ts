/**
 * `svcsim trace`: follows a few sample requests through a real replication
 * and tells their story hop by hop — which LB target, which node's
 * kube-proxy DNATed to which pod, the delay of every hop, the wait and the
 * service in the pod, and the outcome (and why, when it failed). Control
 * plane events (crashes, NotReady marks, syncs, health check verdicts) that
 * happen while requests are followed are interleaved, so a request that hit
 * a dead node shows what the client saw and what the cluster knew.
 *
 * Tracing only observes: a traced replication draws the same random numbers
 * as an untraced one.
 */
import { Outcome } from '../dataplane/client.js';
import type { Connections } from '../dataplane/connections.js';
import type { KubeProxies } from '../dataplane/kubeProxy.js';
import { NO_ENDPOINTS, NO_LOCAL_ENDPOINT } from '../dataplane/kubeProxy.js';
import type { LoadBalancerState } from '../dataplane/loadBalancer.js';
import { HOP_CROSS_ZONE, HOP_PROXY, HOP_SAME_NODE, HOP_SAME_ZONE, type Network } from '../dataplane/network.js';
import type { Pods } from '../dataplane/pod.js';
import { RouteFailure, type Router } from '../dataplane/route.js';
import type { Topology, TrafficInfo } from '../dataplane/topology.js';
import type { Attempts, Requests } from './pools.js';

/** What the tracer reads of the replication it follows (the Simulation is one). */
export interface TraceView {
  readonly topo: Topology;
  readonly pods: Pods;
  readonly network: Network;
  readonly lbs: readonly LoadBalancerState[];
  readonly windowStart: number;
  /** Hop samples of the traced request's packets, as [hop, seconds] pairs, since they were last printed. */
  readonly traceLog: number[];
  readonly requests: Requests;
  readonly attempts: Attempts;
  readonly connections: Connections;
  readonly router: Router;
  readonly proxies: KubeProxies;
}

const OUTCOME_NAMES = ['ok', 'failed_timeout', 'failed_refused', 'failed_rejected', 'failed_dependency'];

function ms(seconds: number): string {
  return `${(seconds * 1000).toFixed(3)} ms`;
}

export class Tracer {
  private sim!: TraceView;
  private started = 0;
  private readonly lines = new Map<number, string[]>();
  private readonly order: number[] = [];
  private finished = 0;
  /** Finished requests and control-plane events, each with the time it started; printed in time order. */
  private readonly entries: { t: number; lines: string[] }[] = [];
  private readonly startOf = new Map<number, number>();
  private attemptNo = new Map<number, number>();
  /** The attempt whose header was printed last, per request. */
  private headed = new Map<number, number>();
  /** Per call a traced request's pod made: the request it was made for; its story is indented under it when it ends. */
  private readonly callerOf = new Map<number, number>();

  constructor(
    readonly requests: number,
    readonly from: number,
  ) {}

  attach(sim: TraceView): void {
    this.sim = sim;
  }

  /** True while more requests are to be followed (those starting at or after `from`). */
  wants(now: number): boolean {
    return now >= this.from && this.started < this.requests;
  }

  get complete(): boolean {
    return this.finished >= this.requests;
  }

  /** Everything traced, requests in the order they started. */
  text(): string {
    const out = [...this.entries].sort((a, b) => a.t - b.t).flatMap((e) => e.lines);
    for (const r of this.order) {
      const l = this.lines.get(r);
      if (l) out.push(...l, '  outcome: unfinished at the end of the run', '');
    }
    return out.join('\n');
  }

  private add(r: number, line: string): void {
    this.lines.get(r)?.push(line);
  }

  private reqOf(a: number): number {
    return this.sim.attempts.req[a];
  }

  request(r: number, info: TrafficInfo, client: number, now: number): void {
    this.started++;
    const sim = this.sim;
    const origin = info.external ? `client 198.51.${100 + ((info.clientOffset + client) >> 8) % 100}.${(info.clientOffset + client) % 256}` : `in-cluster client #${client} (${JSON.stringify(info.spec.from)})`;
    this.startOf.set(r, now);
    this.lines.set(r, [`request ${this.started} of traffic ${info.name} at t=${now.toFixed(6)} s (${now >= sim.windowStart ? 'measured window' : 'warm-up'}): ${origin} → ${info.spec.to.service}:${info.spec.to.port} via ${info.spec.to.via}`]);
    this.order.push(r);
    this.attemptNo.set(r, 0);
  }

  /** Request r is a call that pod `pod` makes while it serves traced request `caller` (calls.ts). */
  call(r: number, caller: number, info: TrafficInfo, pod: number, now: number): void {
    this.callerOf.set(r, caller);
    this.startOf.set(r, now);
    this.lines.set(r, [`call from pod ${this.sim.pods.names[pod]} at t=${now.toFixed(6)} s: → ${info.spec.to.service}:${info.spec.to.port} via clusterIP`]);
    this.attemptNo.set(r, 0);
  }

  private attemptHeader(a: number, kind: string): void {
    const r = this.reqOf(a);
    const n = (this.attemptNo.get(r) ?? 0) + 1;
    this.attemptNo.set(r, n);
    this.headed.set(r, a);
    this.add(r, `  attempt ${n} at t=${this.sim.attempts.start[a].toFixed(6)} s: ${kind}`);
  }

  /** The route of a new connection: the LB's pick and the DNAT, as far as it got (`pod`: route()'s answer). */
  route(a: number, t: number, pod: number): void {
    const router = this.sim.router;
    if (router.viaLoadBalancer(t)) this.loadBalancer(a, this.sim.lbs[router.lbOf[t]], router.lbTarget);
    if (router.entry >= 0 && pod !== RouteFailure.NodeDown) this.dnat(a, router.entry, this.sim.proxies, router.selected, router.localPolicyOf[t] === 1);
  }

  private loadBalancer(a: number, lb: LoadBalancerState, target: number): void {
    const sim = this.sim;
    this.attemptHeader(a, 'new connection');
    const svc = sim.topo.services[lb.info.service];
    const t = sim.topo.traffic[sim.requests.traffic[this.reqOf(a)]];
    const health = `${lb.info.spec.algorithm}, ${lb.lastUsable} ${lb.lastFailOpen ? 'targets (none healthy: failing open)' : 'healthy targets'}${lb.crossZone ? '' : ', no cross-zone'}`;
    if (target < 0) {
      this.add(this.reqOf(a), `    client → LB ${lb.info.ip}:${t.port} (${svc.name}): no healthy target (${health})`);
      return;
    }
    const to = lb.targetsArePods
      ? `pod ${sim.pods.names[target]} ${sim.pods.ips[target]}:${t.targetPort} (IP mode: no nodePort, no kube-proxy)`
      : `node ${sim.topo.nodes[target].name} ${sim.topo.nodes[target].ip}:${t.nodePort}`;
    this.add(this.reqOf(a), `    client → LB ${lb.info.ip}:${t.port} → ${to} (${health})`);
  }

  private dnat(a: number, entry: number, proxies: KubeProxies, pod: number, localPolicy: boolean): void {
    const sim = this.sim;
    const r = this.reqOf(a);
    const t = sim.topo.traffic[sim.requests.traffic[r]];
    if (t.spec.to.via !== 'loadBalancer' || !t.external) {
      this.attemptHeader(a, 'new connection');
      const dest = t.spec.to.via === 'nodePort' ? `node ${sim.topo.nodes[entry].name} ${sim.topo.nodes[entry].ip}:${t.nodePort}` : `clusterIP ${sim.topo.services[t.service].clusterIP}:${t.port} (kube-proxy on ${sim.topo.nodes[entry].name})`;
      this.add(r, `    client → ${dest}`);
    }
    const policy = localPolicy ? ', Local policy: node-local endpoints only' : '';
    if (pod === NO_ENDPOINTS) this.add(r, `    kube-proxy on ${sim.topo.nodes[entry].name}: no ready endpoint: reject`);
    else if (pod === NO_LOCAL_ENDPOINT) this.add(r, `    kube-proxy on ${sim.topo.nodes[entry].name}: no local endpoint${policy}: drop`);
    else {
      const node = sim.topo.nodes[sim.pods.node[pod]];
      const w = sim.topo.workloads[sim.pods.workload[pod]];
      const port = typeof t.targetPort === 'number' ? t.targetPort : (w.namedPorts.get(t.targetPort) ?? t.targetPort);
      this.add(
        r,
        `    kube-proxy on ${sim.topo.nodes[entry].name}: DNAT (${proxies.modeName}, 1 of ${proxies.lastCandidates} endpoints${policy}${proxies.lastAffinity ? ', session affinity' : ''}) → pod ${sim.pods.names[pod]} ${sim.pods.ips[pod]}:${port} on ${node.name} (${sim.topo.zones[node.zone]})`,
      );
    }
  }

  private hops(r: number, label: string, back = false): void {
    const log = this.sim.traceLog;
    if (log.length === 0) return;
    const t = this.sim.topo.traffic[this.sim.requests.traffic[r]];
    let names = log.map((_, i) => i).filter((i) => i % 2 === 0).map((i) => `${this.hopName(log[i], t, back)} ${ms(log[i + 1])}`);
    if (back) names = names.reverse();
    let sum = 0;
    for (let i = 1; i < log.length; i += 2) sum += log[i];
    this.add(r, `    ${label.padEnd(9)}${names.join(', ')} = ${ms(sum)}`);
    log.length = 0;
  }

  private hopName(hop: number, t: TrafficInfo, back: boolean): string {
    const net = this.sim.network;
    const arrow = (a: string, b: string) => (back ? `${b}→${a}` : `${a}→${b}`);
    if (hop === HOP_PROXY) return 'kube-proxy DNAT';
    if (hop === HOP_SAME_NODE) return `${arrow('node', 'pod')} (same node)`;
    if (hop === HOP_SAME_ZONE) return `${arrow('node', 'node')} (same zone)`;
    if (hop === HOP_CROSS_ZONE) return `${arrow('node', 'node')} (cross zone)`;
    if (hop >= net.lbHop0) return arrow('LB', this.sim.lbs[hop - net.lbHop0].targetsArePods ? 'pod' : 'node');
    const via = t.spec.to.via;
    return arrow('client', via === 'loadBalancer' && t.external ? 'LB' : via === 'nodePort' ? 'node' : 'kube-proxy');
  }

  handshake(a: number): void {
    const r = this.reqOf(a);
    const log = this.sim.traceLog;
    // The log holds the SYN's hops (with kube-proxy's cost) then the SYN-ACK's.
    const all = log.splice(0, log.length);
    const pairs = all.length / 2;
    const synPairs = all.some((x, i) => i % 2 === 0 && x === HOP_PROXY) ? (pairs + 1) / 2 : pairs / 2;
    log.push(...all.slice(0, synPairs * 2));
    this.hops(r, 'SYN');
    log.push(...all.slice(synPairs * 2));
    this.hops(r, 'SYN-ACK', true);
  }

  reuse(a: number, c: number): void {
    const sim = this.sim;
    const p = sim.connections.pod[c];
    this.attemptHeader(a, `kept-alive connection to pod ${sim.pods.names[p]} on ${sim.topo.nodes[sim.pods.node[p]].name} (no handshake, no kube-proxy)`);
  }

  sent(a: number, arriveAt: number): void {
    this.hops(this.reqOf(a), 'request');
    this.add(this.reqOf(a), `    reaches the pod at t=${arriveAt.toFixed(6)} s`);
  }

  service(a: number, p: number, now: number, service: number): void {
    const r = this.reqOf(a);
    this.add(r, `    pod ${this.sim.pods.names[p]}: service starts at t=${now.toFixed(6)} s, takes ${ms(service)} (${this.sim.pods.busy[p]} of ${this.sim.pods.concurrency[p]} slots busy, ${this.sim.pods.queues[p].length} waiting)`);
  }

  response(a: number, at: number): void {
    const r = this.reqOf(a);
    this.hops(r, 'response', true);
    this.add(r, `    response at the client at t=${at.toFixed(6)} s`);
  }

  failed(a: number, at: number, outcome: Outcome, why: string): void {
    const r = this.reqOf(a);
    if (this.headed.get(r) !== a) this.attemptHeader(a, 'new connection');
    this.sim.traceLog.length = 0;
    this.add(r, `    ${OUTCOME_NAMES[outcome]} at t=${at.toFixed(6)} s: ${why}`);
  }

  /** The SYN of a new connection (`isNew`) or a request on a kept-alive one reached no answering pod: node down (timeout) or pod gone (refused). */
  unanswered(a: number, at: number, outcome: Outcome, pod: number, isNew: boolean): void {
    const pods = this.sim.pods;
    const nodeDown = outcome === Outcome.Timeout;
    let why: string;
    if (isNew) why = nodeDown ? `pod ${pods.names[pod]} is on ${this.sim.topo.nodes[pods.node[pod]].name}, which is down: the SYN is not answered` : `pod ${pods.names[pod]} is not running: its node answers with a reset`;
    else why = nodeDown ? 'the kept-alive connection runs through a node that is down: no answer' : `pod ${pods.names[pod]} is gone: the connection is reset`;
    this.failed(a, at, outcome, why);
  }

  /** Pod p's queue was full: HTTP 503. */
  rejected(a: number, at: number, p: number): void {
    this.failed(a, at, Outcome.Rejected, `pod ${this.sim.pods.names[p]} queue is full (${this.sim.pods.queueCapacity[p]} waiting): HTTP 503`);
  }

  retry(r: number, at: number): void {
    this.headed.delete(r);
    this.add(r, `    retry on a new connection at t=${at.toFixed(6)} s`);
  }

  done(r: number, at: number, outcome: Outcome, latency: number): void {
    const l = this.lines.get(r);
    if (!l) return;
    const caller = this.callerOf.get(r);
    if (caller !== undefined) {
      // A call: its story goes under the request it was made for (its own entry if that one has ended).
      l.push(outcome === Outcome.Ok ? `  outcome: ok, latency ${ms(latency)}` : `  outcome: ${OUTCOME_NAMES[outcome]} after ${ms(latency)}`);
      this.callerOf.delete(r);
      this.lines.delete(r);
      this.headed.delete(r);
      const into = this.lines.get(caller);
      if (into) into.push(...l.map((line) => `    ${line}`));
      else this.entries.push({ t: this.startOf.get(r) ?? 0, lines: [...l, ''] });
      return;
    }
    l.push(outcome === Outcome.Ok ? `  outcome: ok, latency ${ms(latency)}` : `  outcome: ${OUTCOME_NAMES[outcome]} after ${ms(latency)}`, '');
    this.entries.push({ t: this.startOf.get(r) ?? 0, lines: l });
    this.lines.delete(r);
    this.headed.delete(r);
    this.order.splice(this.order.indexOf(r), 1);
    this.finished++;
    void at;
  }

  controlPlane(now: number, message: string): void {
    if (this.started === 0 || this.complete) return;
    this.entries.push({ t: now, lines: [`[control plane t=${now.toFixed(6)} s] ${message}`, ''] });
  }
}
