/**
 * The data plane of one replication without the event loop, for tests that
 * call a data-plane or control-plane file directly: a resolved scenario's
 * topology, pods, kube-proxies (converged: every pod ready everywhere), load
 * balancers with every target healthy, and a fake control-plane Host that
 * keeps its own event queue, log and lost-attempt calls.
 */
import { Clients } from '../../src/dataplane/client.js';
import { Connections } from '../../src/dataplane/connections.js';
import { KubeProxies } from '../../src/dataplane/kubeProxy.js';
import { LoadBalancerState } from '../../src/dataplane/loadBalancer.js';
import { Network } from '../../src/dataplane/network.js';
import { PodState, Pods } from '../../src/dataplane/pod.js';
import { Router } from '../../src/dataplane/route.js';
import { buildTopology, type Topology } from '../../src/dataplane/topology.js';
import { ControlPlane } from '../../src/controlplane/controlPlane.js';
import type { ControlEvent, Host } from '../../src/controlplane/host.js';
import { EventQueue } from '../../src/engine/eventQueue.js';
import { deriveStream, type RandomStream } from '../../src/engine/random.js';
import { resolved, type ResolvedScenario } from '../../src/scenario/resolved.js';
import { scenarioFrom } from './scenario.js';

export const stream = (source: string): RandomStream => deriveStream(1, source, 0);

/** A scenario document with the boilerplate filled: a short run, constant latencies. */
export function doc(parts: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'svcsim/v1', kind: 'Scenario', metadata: { name: 'unit' }, simulation: { duration: 10 }, ...parts };
}

/** A Service selecting `app: <name>`, port 80 → 8080. */
export function service(name: string, spec: Record<string, unknown> = {}) {
  return { metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

export class Cluster implements Host {
  readonly scenario: ResolvedScenario;
  readonly topo: Topology;
  readonly nodeAlive: Uint8Array;
  readonly network: Network;
  readonly pods: Pods;
  readonly proxies: KubeProxies;
  readonly lbs: LoadBalancerState[];
  readonly router: Router;
  readonly connections: Connections;
  readonly clients: Clients;
  // The fake Host's own state.
  now = 0;
  readonly logging = true;
  readonly queue = new EventQueue();
  readonly messages: string[] = [];
  readonly lost: { pod: number; nodeDown: boolean }[] = [];

  constructor(document: Record<string, unknown>) {
    this.scenario = resolved(scenarioFrom(document));
    const topo = (this.topo = buildTopology(this.scenario));
    this.nodeAlive = new Uint8Array(topo.nodes.length).fill(1);
    this.network = new Network(this.scenario, stream('network'));
    this.pods = new Pods(topo.workloads, 8, 0, 100);
    for (const p of topo.initialPods) this.pods.create(p.workload, p.node, PodState.Running, 0, p.name);
    this.proxies = new KubeProxies(topo, this.pods, this.scenario.cluster.proxyMode, this.scenario.cluster.ipvsScheduler, stream('kube-proxy'));
    for (let k = 0; k < topo.nodes.length; k++) this.sync(k, () => true);
    this.lbs = topo.loadBalancers.map((lb) => new LoadBalancerState(lb, stream(`lb/${lb.spec.service}`), 16));
    for (const lb of this.lbs) {
      if (lb.targetsArePods) for (let p = 0; p < this.pods.count; p++) lb.addTarget(p, topo.nodes[this.pods.node[p]].zone, true);
      else for (const n of topo.nodes) lb.addTarget(n.index, n.zone, true);
      lb.rebuild();
    }
    const origins = topo.traffic.map((t) => stream(`origin/${t.name}`));
    this.router = new Router(topo, this.network, this.pods, this.nodeAlive, this.proxies, this.lbs, origins);
    this.connections = new Connections(topo, this.network, this.pods, this.nodeAlive, this.proxies, this.lbs);
    this.clients = new Clients(topo, stream);
  }

  node(name: string): number {
    return this.topo.nodes.findIndex((n) => n.name === name);
  }

  pod(name: string): number {
    return this.pods.names.indexOf(name);
  }

  /** Sets node k's kube-proxy view: pod p is ready when `ready(p)`, and rewrites its rules. */
  sync(k: number, ready: (p: number) => boolean): void {
    this.proxies.setView(k, Uint8Array.from({ length: this.pods.count }, (_, p) => (ready(p) ? 1 : 0)));
  }

  schedule(at: number, kind: ControlEvent, payload: number): void {
    this.queue.schedule(at, kind, payload);
  }

  log(message: string): void {
    this.messages.push(`t=${this.now}: ${message}`);
  }

  loseAttempts(pod: number, nodeDown: boolean): void {
    this.lost.push({ pod, nodeDown });
  }

  /** Handles the control plane's events up to time `until` (inclusive), and sets the clock there. */
  runUntil(controlPlane: ControlPlane, until: number): void {
    while (this.queue.peekTime() <= until && this.queue.pop()) {
      this.now = this.queue.time;
      controlPlane.handle(this.queue.kind, this.queue.payload);
    }
    this.now = until;
  }
}
