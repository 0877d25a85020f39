/**
 * The narrow door between the control plane and the simulation that runs
 * it. A control-plane module (endpoints.ts, healthChecks.ts, failures.ts)
 * sees the cluster's state (nodes up or down, pods, each kube-proxy's rules,
 * each LB's targets), the clock, a way to schedule its own events and to log
 * what it did, and one action that only the event loop can take: losing the
 * attempts a stopped pod held. It never sees requests, connections or the
 * loop itself, so a test can drive it with a small fake host.
 *
 * The control plane owns its event kinds (`ControlEvent`); the loop hands
 * every event of these kinds to controlPlane.ts, which routes it to its module.
 */
import type { KubeProxies } from '../dataplane/kubeProxy.js';
import type { LoadBalancerState } from '../dataplane/loadBalancer.js';
import type { Pods } from '../dataplane/pod.js';
import type { Topology } from '../dataplane/topology.js';
import type { ResolvedScenario } from '../scenario/resolved.js';

/** Event kinds of the control plane; numbered after the data plane's (sim/events.ts). */
export const enum ControlEvent {
  /** A node crashes (payload: node). */
  NodeCrash = 16,
  /** A crashed node is back (payload: node and its crash epoch). */
  NodeRecover = 17,
  /** The node lifecycle controller marks a silent node NotReady (payload: node and epoch). */
  NodeNotReady = 18,
  /** podEvictionTimeout after NotReady: the node's pods are deleted and replaced (payload: node and epoch). */
  Evict = 19,
  /** A pod crashes (payload: pod). */
  PodCrash = 20,
  /** A started pod becomes ready (payload: pod). */
  PodReady = 21,
  /** An EndpointSlice change reaches a node's kube-proxy (payload: node). */
  EndpointsArrive = 22,
  /** A node's kube-proxy syncs its rules (payload: node). */
  ProxySync = 23,
  /** An LB sends a health probe (payload: probe subject). */
  ProbeSend = 24,
  /** An unanswered probe times out (payload: probe subject). */
  ProbeTimeout = 25,
  /** A random failure or repair of a node is due (payload: node). */
  RandomFailure = 26,
  /** A HorizontalPodAutoscaler syncs (payload: workload). */
  HpaSync = 27,
  /** A scaled-down pod's terminationGracePeriod ends (payload: pod). */
  PodTerminated = 28,
  /** The cluster autoscaler scans (payload: 0). */
  ClusterAutoscalerScan = 29,
  /** A node added by the cluster autoscaler is Ready (payload: node). */
  NodeProvisioned = 30,
}

/**
 * The first control-plane event kind: the loop hands kinds from here on to
 * the control plane. A const enum, so that the loop compares with a literal
 * (an exported `const` is read from its module's cell, with a check that it
 * is initialised, at every event).
 */
export const enum ControlEvents {
  First = ControlEvent.NodeCrash,
}

export interface Host {
  /** The current time (seconds from the start of the warm-up). */
  readonly now: number;
  readonly scenario: ResolvedScenario;
  readonly topo: Topology;
  readonly pods: Pods;
  /** 1 while a node is up, per node. */
  readonly nodeAlive: Uint8Array;
  readonly proxies: KubeProxies;
  readonly lbs: readonly LoadBalancerState[];
  /** True when log messages are kept (trace, tests): a module may skip building costly ones otherwise. */
  readonly logging: boolean;
  schedule(at: number, kind: ControlEvent, payload: number): void;
  /** A control-plane event, for trace output and tests. */
  log(message: string): void;
  /**
   * Pod p stopped serving: every attempt waiting or being served there is
   * lost. `nodeDown`: its node died too, so clients hear nothing and time
   * out; otherwise the node answers with a reset.
   */
  loseAttempts(p: number, nodeDown: boolean): void;
  /** The cluster autoscaler added or removed a node (topology.ts `provisioned`): the data path's list of nodes follows. */
  nodesChanged?(): void;
  /** When set, every scaling decision (HPA and cluster autoscaler) is appended as one line (`--explain-scaling`). */
  readonly scalingLog?: string[] | null;
}
