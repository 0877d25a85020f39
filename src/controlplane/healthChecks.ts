/**
 * Load balancer health checks: the only way a cloud LB learns that a target
 * died or came back. Each target is probed at φ + k·interval, with its own
 * phase φ uniform in [0, interval). A probe to a dead node (or pod) fails at
 * probe time + `timeout`; a probe that gets an answer passes or fails at
 * once. A target is marked down after `unhealthyThreshold` consecutive
 * failures and up again after `healthyThreshold` consecutive passes.
 *
 * What a probe asks depends on the Service (reference §3, §5):
 * `externalTrafficPolicy: Cluster` probes kube-proxy's healthz, which passes
 * while the node is up; `Local` probes the healthCheckNodePort, which passes
 * only while that node's kube-proxy has a ready local endpoint; with
 * `targets: pods` the LB probes the pod itself. At t = 0 every state is
 * converged. A node the cluster autoscaler adds becomes a target (in
 * instance mode) unhealthy until it passes `healthyThreshold` probes, as a
 * newly registered target does; a node it removes is deregistered at once.
 */
import type { RandomStream } from '../engine/random.js';
import type { LoadBalancerState } from '../dataplane/loadBalancer.js';
import { PodState } from '../dataplane/pod.js';
import { ControlEvent, type Host } from './host.js';

export class HealthChecks {
  private subjectLb: number[] = [];
  private subjectTarget: number[] = [];
  private passes: number[] = [];
  private failures: number[] = [];
  /** 1 for a subject whose target left (a removed node): its probes stop. */
  private gone: number[] = [];
  private readonly local: boolean[];
  private readonly interval: number[];
  private readonly timeout: number[];
  private readonly healthyThreshold: number[];
  private readonly unhealthyThreshold: number[];

  constructor(
    private readonly sim: Host,
    private readonly rng: RandomStream,
  ) {
    const lbs = sim.lbs;
    this.local = lbs.map((lb) => sim.topo.services[lb.info.service].spec.externalTrafficPolicy === 'Local');
    const hc = lbs.map((lb) => lb.info.spec.healthCheck);
    this.interval = hc.map((h) => h.interval);
    this.timeout = hc.map((h) => h.timeout);
    this.healthyThreshold = hc.map((h) => h.healthyThreshold);
    this.unhealthyThreshold = hc.map((h) => h.unhealthyThreshold);
  }

  /** Registers every target in its converged state and schedules the first probes. */
  start(): void {
    const sim = this.sim;
    sim.lbs.forEach((lb, i) => {
      if (lb.targetsArePods) {
        for (let p = 0; p < sim.pods.count; p++) if (this.servesLb(lb, p)) this.addSubject(i, p, this.passesNow(i, p));
      } else {
        for (const n of sim.topo.nodes) if (n.provisioned) this.addSubject(i, n.index, this.passesNow(i, n.index));
      }
      lb.rebuild();
    });
  }

  private servesLb(lb: LoadBalancerState, p: number): boolean {
    return this.sim.topo.services[lb.info.service].workloads.includes(this.sim.pods.workload[p]);
  }

  private addSubject(lbIndex: number, target: number, healthy: boolean): void {
    const lb = this.sim.lbs[lbIndex];
    const zone = lb.targetsArePods ? this.sim.topo.nodes[this.sim.pods.node[target]].zone : this.sim.topo.nodes[target].zone;
    lb.addTarget(target, zone, healthy);
    const id = this.subjectLb.length;
    this.subjectLb.push(lbIndex);
    this.subjectTarget.push(target);
    this.passes.push(0);
    this.failures.push(0);
    this.gone.push(0);
    const interval = this.interval[lbIndex];
    this.sim.schedule(this.sim.now + this.rng.next() * interval, ControlEvent.ProbeSend, id);
  }

  /** A pod created after the start becomes a target of IP-mode LBs (unhealthy until it passes). */
  podCreated(p: number): void {
    this.sim.lbs.forEach((lb, i) => {
      if (lb.targetsArePods && this.servesLb(lb, p)) {
        this.addSubject(i, p, false);
        lb.rebuild();
      }
    });
  }

  /** Node k was added by the cluster autoscaler: a new target of every instance-mode LB (unhealthy until it passes). */
  nodeAdded(k: number): void {
    this.sim.lbs.forEach((lb, i) => {
      if (lb.targetsArePods) return;
      this.addSubject(i, k, false);
      lb.rebuild();
    });
  }

  /** Node k was removed by the cluster autoscaler: deregistered from every instance-mode LB, its probes stop. */
  nodeRemoved(k: number): void {
    for (let id = 0; id < this.subjectLb.length; id++) {
      const lb = this.sim.lbs[this.subjectLb[id]];
      if (lb.targetsArePods || this.subjectTarget[id] !== k || this.gone[id]) continue;
      this.gone[id] = 1;
      lb.removeTarget(k);
      lb.rebuild();
    }
  }

  /** Would a probe from LB i to target pass right now (given an answer)? */
  private passesNow(i: number, target: number): boolean {
    const sim = this.sim;
    const lb = sim.lbs[i];
    if (lb.targetsArePods) return sim.pods.state[target] === PodState.Running;
    if (!sim.nodeAlive[target]) return false;
    return !this.local[i] || sim.proxies.localEndpoints(target, lb.info.service) > 0;
  }

  private targetDown(i: number, target: number): boolean {
    const sim = this.sim;
    return sim.lbs[i].targetsArePods ? sim.nodeAlive[sim.pods.node[target]] === 0 || sim.pods.state[target] === PodState.Deleted : sim.nodeAlive[target] === 0;
  }

  handle(kind: ControlEvent, id: number): void {
    const i = this.subjectLb[id];
    const target = this.subjectTarget[id];
    const now = this.sim.now;
    if (this.gone[id]) return;
    if (kind === ControlEvent.ProbeTimeout) {
      this.result(id, false);
      return;
    }
    if (this.sim.lbs[i].targetsArePods && this.sim.pods.state[target] === PodState.Deleted) {
      this.sim.lbs[i].removeTarget(target);
      this.sim.lbs[i].rebuild();
      return; // a deleted pod is deregistered: no more probes
    }
    this.sim.schedule(now + this.interval[i], ControlEvent.ProbeSend, id);
    if (this.targetDown(i, target)) this.sim.schedule(now + this.timeout[i], ControlEvent.ProbeTimeout, id);
    else this.result(id, this.passesNow(i, target));
  }

  private result(id: number, pass: boolean): void {
    const i = this.subjectLb[id];
    const lb = this.sim.lbs[i];
    const target = this.subjectTarget[id];
    if (pass) {
      this.failures[id] = 0;
      this.passes[id]++;
      if (!lb.healthy[target] && this.passes[id] >= this.healthyThreshold[i]) this.mark(lb, target, true);
    } else {
      this.passes[id] = 0;
      this.failures[id]++;
      if (lb.healthy[target] && this.failures[id] >= this.unhealthyThreshold[i]) this.mark(lb, target, false);
    }
  }

  private mark(lb: LoadBalancerState, target: number, healthy: boolean): void {
    lb.healthy[target] = healthy ? 1 : 0;
    lb.rebuild();
    const name = lb.targetsArePods ? this.sim.pods.names[target] : this.sim.topo.nodes[target].name;
    this.sim.log(`load balancer of ${this.sim.topo.services[lb.info.service].name}: target ${name} marked ${healthy ? 'healthy' : 'unhealthy'}`);
  }
}
