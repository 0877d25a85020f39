/**
 * One replication of a scenario: the event loop. It pops events in time
 * order and acts on them; what should happen is decided by the data-path
 * files, in the order a request meets them: client.ts (the next request,
 * keep-alive reuse, retries), route.ts (origin → LB → entry node → DNAT →
 * pod, or why not), connections.ts (handshake, path delays, whether the pod
 * still answers), pod.ts (start, queue or 503). The loop applies each answer:
 * it schedules what follows, resolves attempts and records them
 * (recorder.ts). The control plane (controlplane/) changes the path as it
 * learns about failures; it sees this class only as its `Host`, and its
 * events are handed to it unread.
 *
 * Requests and attempts live in pools of typed arrays (pools.ts), events
 * carry an integer payload and decisions come back as small integers, so
 * nothing is allocated per event: memory is bounded by what is in flight.
 */
import { EventQueue, MAX_LANES } from '../engine/eventQueue.js';
import { deriveStream } from '../engine/random.js';
import { CallGraph } from '../dataplane/calls.js';
import { Clients, Outcome } from '../dataplane/client.js';
import { Connections, Reach } from '../dataplane/connections.js';
import { KubeProxies } from '../dataplane/kubeProxy.js';
import { LoadBalancerState } from '../dataplane/loadBalancer.js';
import { Network } from '../dataplane/network.js';
import { Admission, PodState, Pods } from '../dataplane/pod.js';
import { RouteFailure, Router } from '../dataplane/route.js';
import { buildTopology, type Topology } from '../dataplane/topology.js';
import { ControlPlane } from '../controlplane/controlPlane.js';
import { ControlEvents, type ControlEvent, type Host } from '../controlplane/host.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import { Ev } from './events.js';
import { Attempts, Requests, Where } from './pools.js';
import { Recorder } from './recorder.js';
import { overloadError } from './result.js';
import type { Tracer } from './tracer.js';

export interface SimulationOptions {
  replication: number;
  rootSeed: number;
  tracer?: Tracer;
  /** Keep a log of control-plane events (crashes, NotReady marks, syncs, health verdicts) with their times. */
  recordControlPlane?: boolean;
  /** Keep the scaling decisions (HPA syncs, cluster-autoscaler scans) as lines (`--explain-scaling`). */
  explainScaling?: boolean;
}

export class Simulation implements Host {
  readonly scenario: ResolvedScenario;
  readonly topo: Topology;
  /** The future events; each traffic entry's next arrival waits in a lane of its own (the first MAX_LANES entries). */
  readonly queue: EventQueue;
  now = 0;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly drainEnd: number;
  readonly nodeAlive: Uint8Array;
  readonly pods: Pods;
  readonly proxies: KubeProxies;
  readonly lbs: LoadBalancerState[];
  readonly network: Network;
  readonly clients: Clients;
  readonly router: Router;
  readonly connections: Connections;
  /** The call graph (calls.ts): its edges are traffic entries after the scenario's own. */
  readonly calls: CallGraph;
  /** Per traffic entry: its recorder scope. */
  private readonly scopeOf: Int32Array;
  readonly requests = new Requests();
  readonly attempts = new Attempts();
  readonly recorder: Recorder;
  readonly controlPlane: ControlPlane;
  readonly tracer: Tracer | undefined;
  readonly controlLog: { t: number; message: string }[] | null;
  readonly scalingLog: string[] | null;
  readonly logging: boolean;
  /** While a traced request's event is handled, its hop samples go here as [hop, seconds] pairs. */
  readonly traceLog: number[] = [];
  inFlight = 0;
  peakInFlight = 0;
  /**
   * Attempts whose client gave up but that a pod still holds (or that are on
   * their way to one): they use memory and pod time like any other, so the
   * maxInFlight guard counts them with the requests in flight.
   */
  abandoned = 0;
  simulatedRequests = 0;
  suppressedRequests = 0;
  events = 0;
  /** Counted requests (first attempt inside the window) that have not ended. */
  private countedOpen = 0;

  constructor(scenario: ResolvedScenario, opts: SimulationOptions) {
    const s = (this.scenario = scenario);
    this.tracer = opts.tracer;
    this.controlLog = opts.recordControlPlane ? [] : null;
    this.scalingLog = opts.explainScaling ? [] : null;
    this.logging = this.tracer !== undefined || this.controlLog !== null;
    const stream = (source: string) => deriveStream(opts.rootSeed, source, opts.replication);
    this.windowStart = s.simulation.warmup;
    this.windowEnd = s.simulation.warmup + s.simulation.duration;
    this.drainEnd = this.windowEnd + s.simulation.drainLimit;
    const topo = (this.topo = buildTopology(s));
    this.queue = new EventQueue(1024, Math.min(MAX_LANES, topo.traffic.length));
    const calls = (this.calls = new CallGraph(topo, stream('calls')));
    this.scopeOf = calls.scopeOf;
    const nNodes = topo.nodes.length;
    // A node of an autoscaled pool beyond its starting count is not there until the cluster autoscaler adds it.
    this.nodeAlive = Uint8Array.from(topo.nodes, (n) => (n.provisioned ? 1 : 0));
    this.network = new Network({ cluster: s.cluster, loadBalancers: s.loadBalancers, traffic: topo.traffic.map((t) => t.spec) }, stream('network'));
    this.recorder = new Recorder(calls.scopes, nNodes, this.windowStart, this.windowEnd, s.simulation.timeBucket, 1 + calls.firstCallEntry);

    this.pods = new Pods(topo.workloads, Math.max(8, topo.initialPods.length * 2), this.windowStart, this.windowEnd);
    for (const p of topo.initialPods) this.pods.create(p.workload, p.node, PodState.Running, 0, p.name);
    this.proxies = new KubeProxies(topo, this.pods, s.cluster.proxyMode, s.cluster.ipvsScheduler, stream('kube-proxy'));
    this.lbs = topo.loadBalancers.map((lb) => new LoadBalancerState(lb, stream(`lb/${lb.spec.service}`), Math.max(nNodes, this.pods.count)));
    this.clients = new Clients(topo, stream);
    const originStreams = topo.traffic.map((t) => stream(`origin/${t.name}`));
    this.router = new Router(topo, this.network, this.pods, this.nodeAlive, this.proxies, this.lbs, originStreams);
    this.router.firstCallEntry = calls.firstCallEntry;
    this.connections = new Connections(topo, this.network, this.pods, this.nodeAlive, this.proxies, this.lbs);
    this.controlPlane = new ControlPlane(this, stream);
    this.tracer?.attach(this);
  }

  // ------------------------------------------------------------------- Host

  schedule(at: number, kind: ControlEvent, payload: number): void {
    this.queue.schedule(at, kind, payload);
  }

  log(message: string): void {
    this.tracer?.controlPlane(this.now, message);
    this.controlLog?.push({ t: this.now, message });
  }

  loseAttempts(p: number, nodeDown: boolean): void {
    const q = this.pods.queues[p];
    while (q.length > 0) this.lose(q.shift(), nodeDown);
    if (this.pods.busy[p] > 0) {
      const att = this.attempts;
      for (let a = 0; a < att.cap; a++) {
        if ((att.where[a] === Where.Service || att.where[a] === Where.Calls) && att.pod[a] === p) {
          this.queue.cancel(att.event[a]);
          this.lose(a, nodeDown);
        }
      }
    }
  }

  nodesChanged(): void {
    this.router.nodesChanged();
  }

  // --------------------------------------------------------------- the loop

  /** Runs the replication to the end of the drain. */
  run(): void {
    const q = this.queue;
    const arrivals = this.clients.arrivals;
    for (let t = 0; t < arrivals.length; t++) {
      const first = arrivals[t].first();
      if (first < this.drainEnd) q.lane(t, first, Ev.Arrival);
    }
    this.controlPlane.start();
    const maxInFlight = this.scenario.simulation.maxInFlight;
    const windowEnd = this.windowEnd;
    const tracer = this.tracer;
    while (q.pop()) {
      const now = q.time;
      if (now > this.drainEnd) break;
      if (tracer !== undefined && tracer.complete) break;
      // Every counted request has ended and the window is over: nothing left to measure.
      // (Both halves are evaluated at every event, so that no operation is first met when the
      // window ends, in optimised code without type feedback: that deoptimised the loop.)
      if (this.countedOpen + (now >= windowEnd ? 0 : 1) === 0) break;
      this.now = now;
      this.events++;
      const payload = q.payload;
      const kind = q.kind;
      // Compared at every event, before the switch: left to its default branch, this comparison had no type
      // feedback until the first control event (often seconds in), and the optimised loop was thrown back to
      // the interpreter there and compiled again (≈ 10 ms of a small run).
      if (kind >= ControlEvents.First) {
        this.controlPlane.handle(kind, payload);
        continue;
      }
      switch (kind) {
        case Ev.Arrival:
          this.arrival(payload);
          if (this.inFlight + this.abandoned > maxInFlight) throw this.overloaded(maxInFlight);
          break;
        case Ev.Retry:
          this.startAttempt(payload);
          break;
        case Ev.PodArrival:
          this.podArrival(payload);
          break;
        case Ev.ServiceEnd:
          this.serviceEnd(payload);
          break;
        case Ev.Timeout:
          this.timeout(payload);
          break;
        case Ev.CallEnd:
          this.callEnd(payload);
          break;
      }
    }
    if (this.now < windowEnd) this.now = windowEnd;
    this.pods.finish(windowEnd);
    // What is still in flight or queued at the end was there up to now.
    const req = this.requests;
    for (let r = 0; r < req.capacity; r++) if (req.live[r]) this.recorder.inFlight.add(req.start[r], this.now);
    for (let p = 0; p < this.pods.count; p++) {
      const q = this.pods.queues[p];
      for (let i = 0; i < q.length; i++) this.recorder.queued.add(-this.attempts.segQueue[q.at(i)], this.now);
    }
  }

  /** The error of a replication whose requests in flight and abandoned attempts exceed simulation.maxInFlight, naming the longest queues. */
  private overloaded(limit: number): Error {
    return overloadError(limit, this.now, this.inFlight, this.abandoned, this.pods.names.map((name, p) => ({ name, waiting: this.pods.queues[p].length })));
  }

  /** Traffic entry t generates a request (unless its in-cluster origin is gone) and schedules its next. */
  private arrival(t: number): void {
    const now = this.now;
    const clients = this.clients;
    const next = clients.arrivals[t].next(now);
    if (next < this.drainEnd) this.queue.lane(t, next, Ev.Arrival);
    this.simulatedRequests++;
    if (!this.router.originExists(t)) {
      this.suppressedRequests++;
      return;
    }
    const req = this.requests;
    const r = req.alloc();
    req.traffic[r] = t;
    req.client[r] = clients.pickClient(t);
    req.start[r] = now;
    req.retriesLeft[r] = clients.retries[t];
    req.demand[r] = clients.drawDemand(t);
    const counted = now >= this.windowStart && now < this.windowEnd;
    req.bucket[r] = counted ? this.recorder.bucketOf(now) : -1;
    req.traced[r] = this.tracer !== undefined && this.tracer.wants(now) ? 1 : 0;
    req.parent[r] = -1;
    req.edge[r] = 1 + t;
    if (counted) this.recorder.request(1 + t, req.bucket[r]);
    if (counted) this.countedOpen++;
    if (++this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    if (req.traced[r]) this.tracer?.request(r, this.topo.traffic[t], req.client[r], now);
    this.startAttempt(r);
  }

  /** Starts the next attempt of request r (its first, or a retry): on its kept-alive connection, or a new one. */
  private startAttempt(r: number): void {
    const now = this.now;
    const req = this.requests;
    const t = req.traffic[r];
    const a = this.attempts.alloc(r, now, now + this.clients.timeout[t], req.bucket[r] >= 0);
    const retry = req.retriesLeft[r] !== this.clients.retries[t];
    if (req.parent[r] >= 0) this.callLeaves(r, t);
    const c = this.clients.connectionFor(this.connections, t, req.client[r], retry);
    if (c >= 0) this.send(a, c, false);
    else this.connect(a, t, req.client[r]);
  }

  /** Call r (of traffic entry t) leaves from its caller pod's node, with the pod's IP as its source; counted as a call. */
  private callLeaves(r: number, t: number): void {
    const req = this.requests;
    this.router.callerPod = req.callerPod[r];
    this.router.callerNode = this.pods.node[req.callerPod[r]];
    if (req.bucket[r] >= 0) this.recorder.call(this.scopeOf[t], req.edge[r]);
  }

  // ------------------------------------------------------------ connections

  /** Opens a new connection for attempt a along the route, or fails it where the route ends. */
  private connect(a: number, t: number, client: number): void {
    const now = this.now;
    const tracing = this.requests.traced[this.attempts.req[a]] === 1;
    const conns = this.connections;
    conns.hopLog = tracing ? this.traceLog : null;
    const router = this.router;
    const pod = router.route(t, client, now);
    if (tracing) this.tracer?.route(a, t, pod);
    if (pod < 0) return this.routeFailed(a, t, pod);
    const c = conns.open(t, client, pod, router.entry, router.lbTarget, router.origin, router.hops, router.hopCount);
    // The SYN reaches a pod chosen from a view that may be stale.
    const reach = conns.reach(c);
    if (reach === Reach.Ok) {
      conns.keepAlive(c);
      return this.send(a, c, true);
    }
    this.countForward(a, c);
    this.attempts.conn[a] = c;
    conns.attach(c);
    this.unanswered(a, c, reach, true);
  }

  /** Attempt a's first packet on c (the SYN when `isNew`) finds a node on the path down (silence: timeout) or its pod gone (reset). */
  private unanswered(a: number, c: number, reach: Reach, isNew: boolean): void {
    const att = this.attempts;
    const conns = this.connections;
    const t = this.requests.traffic[att.req[a]];
    const nodeDown = reach === Reach.NodeDown;
    const outcome = nodeDown ? Outcome.Timeout : Outcome.Refused;
    let at: number;
    if (!nodeDown) at = this.now + conns.pathDelay(c, isNew) + conns.pathDelay(c, false);
    else at = isNew ? this.clients.connectFailsAt(t, att.start[a], att.deadline[a]) : this.clients.lostAt(att.start[a], att.deadline[a], this.now);
    if (this.requests.traced[att.req[a]]) this.tracer?.unanswered(a, at, outcome, conns.pod[c], isNew);
    this.end(a, at, outcome);
  }

  /** A new connection failed before reaching a pod: a timeout at connectTimeout, or a reject back along the hops so far. */
  private routeFailed(a: number, t: number, why: RouteFailure): void {
    const r = this.attempts.req[a];
    if (this.requests.bucket[r] >= 0 && (why === RouteFailure.NodeDown || why === RouteFailure.NoLocalEndpoint)) this.recorder.dropped(this.router.entry);
    const outcome = why === RouteFailure.NoEndpoints ? Outcome.Refused : Outcome.Timeout;
    const at = outcome === Outcome.Timeout ? this.clients.connectFailsAt(t, this.attempts.start[a], this.attempts.deadline[a]) : this.now + this.router.rejectDelay();
    if (this.requests.traced[r]) this.tracer?.failed(a, at, outcome, this.router.explain(why, t));
    this.end(a, at, outcome);
  }

  private countForward(a: number, c: number): void {
    const r = this.attempts.req[a];
    const conns = this.connections;
    this.recorder.forwarded(this.scopeOf[this.requests.traffic[r]], this.requests.bucket[r], conns.entry[c], conns.crossNode[c], conns.crossZone[c]);
  }

  /** Sends attempt a over connection c (new: after the handshake, if any). */
  private send(a: number, c: number, isNew: boolean): void {
    const now = this.now;
    const att = this.attempts;
    const conns = this.connections;
    const r = att.req[a];
    const tracing = this.requests.traced[r] === 1;
    conns.hopLog = tracing ? this.traceLog : null;
    const t = this.requests.traffic[r];
    att.conn[a] = c;
    const p = (att.pod[a] = conns.pod[c]);
    // Its work is fixed now: the first attempt serves the request's own demand, a retry new work for the pod.
    att.demand[a] = this.clients.work(t, this.requests.retriesLeft[r] === this.clients.retries[t], this.requests.demand[r], this.pods.workload[p]);
    conns.carry(c);
    this.countForward(a, c);
    let sendAt: number;
    let there: number;
    if (isNew) {
      const handshake = this.clients.handshake[t] === 1;
      sendAt = conns.establish(c, now, handshake);
      if (handshake && tracing) this.tracer?.handshake(a);
      there = conns.pathDelay(c, !handshake);
    } else {
      const reach = conns.reach(c);
      if (reach !== Reach.Ok) return this.unanswered(a, c, reach, false);
      sendAt = conns.sendTime(c, now);
      there = conns.pathDelay(c, false);
      if (tracing) this.tracer?.reuse(a, c);
    }
    const arriveAt = sendAt + there;
    this.path(a, there);
    // The handshake, or waiting for the one in flight on a kept-alive connection.
    att.segHandshake[a] = sendAt - now;
    att.segQueue[a] = -arriveAt;
    if (tracing) this.tracer?.sent(a, arriveAt);
    att.where[a] = Where.Transit;
    att.event[a] = this.queue.schedule(arriveAt, Ev.PodArrival, a);
    const deadline = att.deadline[a];
    if (deadline !== Infinity) att.timeoutEvent[a] = this.queue.schedule(deadline, Ev.Timeout, a);
  }

  /** Adds a one-way trip of `d` seconds along attempt a's path (just drawn by pathDelay) to its latency segments. */
  private path(a: number, d: number): void {
    const att = this.attempts;
    const conns = this.connections;
    att.segClient[a] += conns.lastClient;
    att.segLb[a] += conns.lastLb;
    att.segForward[a] += d - conns.lastClient - conns.lastLb;
  }

  // ------------------------------------------------------------------- pods

  private podArrival(a: number): void {
    const att = this.attempts;
    const p = att.pod[a];
    const r = att.req[a];
    // A resolved attempt's request record may belong to another request by now: only an unresolved one is traced.
    this.connections.hopLog = !att.resolved[a] && this.requests.traced[r] ? this.traceLog : null;
    const pods = this.pods;
    att.event[a] = -1;
    if (pods.state[p] !== PodState.Running) {
      // The pod went away while the request travelled: lost like one it was serving.
      this.lose(a, this.nodeAlive[pods.node[p]] === 0);
      return;
    }
    if (att.counted[a]) pods.counted[p]++;
    const admission = pods.admit(p);
    if (admission === Admission.Start) this.startService(a, p);
    else if (admission === Admission.Queue) {
      att.where[a] = Where.Queued;
      pods.queues[p].push(a);
    } else {
      // HTTP 503: the rejection travels back along the path.
      att.where[a] = Where.Free;
      if (!att.resolved[a]) {
        const at = this.now + this.connections.pathDelay(att.conn[a], false);
        if (this.requests.traced[r]) this.tracer?.rejected(a, at, p);
        this.resolve(a, at, Outcome.Rejected);
      }
      this.freeAttempt(a);
    }
  }

  /** Pod p starts serving attempt a: its own work, even when its client has given up (its request record may serve another request by now). */
  private startService(a: number, p: number): void {
    const now = this.now;
    const att = this.attempts;
    const service = att.demand[a];
    if (att.where[a] === Where.Queued) this.recorder.queued.add(-att.segQueue[a], now);
    att.segQueue[a] += now;
    att.segService[a] = service;
    this.pods.changeBusy(p, 1, now);
    att.where[a] = Where.Service;
    att.event[a] = this.queue.schedule(now + service, Ev.ServiceEnd, a);
    if (!att.resolved[a] && this.requests.traced[att.req[a]]) this.tracer?.service(a, p, now, service);
  }

  /** Attempt a's own work is done: its pod makes its calls (holding the slot), or answers. */
  private serviceEnd(a: number): void {
    const att = this.attempts;
    att.event[a] = -1;
    if (this.calls.hasCalls(this.pods.workload[att.pod[a]])) {
      att.step[a] = -1;
      att.segCalls[a] = this.now;
      return this.nextStep(a);
    }
    this.respond(a, Outcome.Ok);
  }

  /**
   * Attempt a's pod makes the calls of its next step that their probability
   * draws keep (each `count` times, at once), or answers when no step is left.
   */
  private nextStep(a: number): void {
    const att = this.attempts;
    const calls = this.calls;
    const w = this.pods.workload[att.pod[a]];
    for (let step = calls.nextStep(w, att.step[a]); step >= 0; step = calls.nextStep(w, step)) {
      att.step[a] = step;
      let made = 0;
      const end = calls.endCall(step);
      for (let k = calls.firstCall(step); k < end; k++) {
        const n = calls.made(k);
        for (let i = 0; i < n; i++) this.call(a, k);
        made += n;
      }
      if (made > 0) {
        att.where[a] = Where.Calls;
        att.pending[a] = made;
        return;
      }
    }
    this.respond(a, Outcome.Ok);
  }

  /** Attempt a's pod makes call k: a request of its own, from the pod's node through the Service's clusterIP. */
  private call(a: number, k: number): void {
    const req = this.requests;
    const att = this.attempts;
    const caller = att.req[a];
    const pod = att.pod[a];
    const t = this.calls.entryOf(k);
    const r = req.alloc();
    req.traffic[r] = t;
    req.client[r] = this.calls.clientOf(t, pod);
    req.start[r] = this.now;
    req.retriesLeft[r] = this.clients.retries[t];
    req.demand[r] = this.clients.drawDemand(t);
    const bucket = (req.bucket[r] = req.bucket[caller]);
    const traced = (req.traced[r] = req.traced[caller]);
    req.parent[r] = a;
    req.parentGen[r] = att.gen[a];
    req.required[r] = this.calls.required[k];
    req.edge[r] = req.edge[caller];
    req.callerPod[r] = pod;
    if (bucket >= 0) {
      this.recorder.request(this.scopeOf[t], bucket);
      this.countedOpen++;
    }
    if (++this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    if (traced) this.tracer?.call(r, caller, this.topo.traffic[t], pod, this.now);
    this.startAttempt(r);
  }

  /**
   * Call r has ended: its caller learns it (unless the caller's attempt is
   * gone). A failed required call makes the caller answer with an error at
   * once; the step's last call moves it to its next step.
   */
  private callEnd(r: number): void {
    const req = this.requests;
    const att = this.attempts;
    const a = req.parent[r];
    const live = att.gen[a] === req.parentGen[r] && att.where[a] === Where.Calls;
    const failed = req.outcome[r] !== Outcome.Ok && req.required[r] === 1;
    req.release(r);
    if (!live) return;
    if (failed) return this.respond(a, Outcome.FailedDependency);
    if (--att.pending[a] === 0) this.nextStep(a);
  }

  /** Attempt a's pod answers (ok, or an error after a failed call): its slot frees and the response leaves. */
  private respond(a: number, outcome: Outcome): void {
    const now = this.now;
    const att = this.attempts;
    const p = att.pod[a];
    const traced = !att.resolved[a] && this.requests.traced[att.req[a]] === 1;
    this.connections.hopLog = traced ? this.traceLog : null;
    const pods = this.pods;
    // The time its calls took, from the end of its own work (serviceEnd) to this answer.
    att.segCalls[a] = this.calls.hasCalls(pods.workload[p]) ? now - att.segCalls[a] : 0;
    pods.changeBusy(p, -1, now);
    pods.metrics?.served(p, now);
    att.where[a] = Where.Free;
    att.event[a] = -1;
    if (!att.resolved[a]) {
      const back = this.connections.pathDelay(att.conn[a], false);
      this.path(a, back);
      const at = now + back;
      const deadline = att.deadline[a];
      if (at <= deadline) {
        if (traced) this.tracer?.response(a, at);
        this.resolve(a, at, outcome);
      } else {
        if (traced) this.tracer?.failed(a, deadline, Outcome.Timeout, 'the response comes after the client timeout');
        this.resolve(a, deadline, Outcome.Timeout);
      }
    }
    this.freeAttempt(a);
    for (let next = pods.nextWaiting(p); next >= 0; next = pods.nextWaiting(p)) this.startService(next, p);
    // A pod terminating after a scale-down stops once it holds nothing.
    if (pods.busy[p] === 0) this.controlPlane.autoscaling?.slotFreed(p);
  }

  private timeout(a: number): void {
    const att = this.attempts;
    att.timeoutEvent[a] = -1;
    if (att.resolved[a]) return;
    // The attempt stays where it is (the pod still serves it) but its request moves on.
    att.abandoned[a] = 1;
    this.abandoned++;
    if (this.requests.traced[att.req[a]]) this.tracer?.failed(a, this.now, Outcome.Timeout, 'no response before the client timeout (the pod still serves it; the answer is discarded)');
    this.resolve(a, this.now, Outcome.Timeout);
  }

  /** Attempt a is lost at a pod that stopped: its client times out (node down) or gets a reset back (pod gone, node up). */
  private lose(a: number, nodeDown: boolean): void {
    const att = this.attempts;
    if (att.where[a] === Where.Queued) this.recorder.queued.add(-att.segQueue[a], this.now);
    att.where[a] = Where.Free;
    this.connections.hopLog = !att.resolved[a] && this.requests.traced[att.req[a]] ? this.traceLog : null;
    if (!att.resolved[a]) {
      if (nodeDown) this.resolve(a, this.clients.lostAt(att.start[a], att.deadline[a], this.now), Outcome.Timeout);
      else this.resolve(a, this.now + this.connections.pathDelay(att.conn[a], false), Outcome.Refused);
    }
    this.freeAttempt(a);
  }

  /** Attempt a fails before any pod holds it. */
  private end(a: number, at: number, outcome: Outcome): void {
    this.resolve(a, at, outcome);
    this.freeAttempt(a);
  }

  /** Returns attempt a's record to the pool once no pod holds it. */
  private freeAttempt(a: number): void {
    if (this.attempts.where[a] !== Where.Free) return;
    if (this.attempts.abandoned[a]) this.abandoned--;
    this.cancelTimeout(a);
    this.attempts.release(a);
  }

  private cancelTimeout(a: number): void {
    this.queue.cancel(this.attempts.timeoutEvent[a]);
    this.attempts.timeoutEvent[a] = -1;
  }

  /** Attempt a of its request ends at time `at` with `outcome`: retry, or record the request's end. */
  private resolve(a: number, at: number, outcome: Outcome): void {
    const att = this.attempts;
    const req = this.requests;
    att.resolved[a] = 1;
    this.cancelTimeout(a);
    const c = att.conn[a];
    if (c >= 0) {
      att.conn[a] = -1;
      this.connections.release(c, outcome === Outcome.Ok);
    }
    const r = att.req[a];
    const t = req.traffic[r];
    const bucket = req.bucket[r];
    const counted = bucket >= 0;
    const retryAt = this.clients.retryAt(t, outcome, req.retriesLeft[r], at, this.drainEnd);
    if (retryAt >= 0) {
      req.retriesLeft[r]--;
      if (counted) this.recorder.retry(this.scopeOf[t]);
      if (req.traced[r]) this.tracer?.retry(r, retryAt);
      this.queue.schedule(retryAt, Ev.Retry, r);
      return;
    }
    if (outcome === Outcome.Ok && counted && at <= this.drainEnd) this.recorder.breakdown(this.scopeOf[t], att, a, att.start[a] - req.start[r]);
    this.recorder.ended(this.scopeOf[t], bucket, req.start[r], at, outcome, this.drainEnd);
    if (counted) this.countedOpen--;
    this.recorder.inFlight.add(req.start[r], at);
    if (req.traced[r]) this.tracer?.done(r, at, outcome, at - req.start[r]);
    this.inFlight--;
    if (req.parent[r] >= 0) {
      // A call: its caller learns the outcome when the answer arrives.
      req.outcome[r] = outcome;
      this.queue.schedule(at, Ev.CallEnd, r);
      return;
    }
    req.release(r);
  }
}
