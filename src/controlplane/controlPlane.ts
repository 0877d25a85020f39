/**
 * The control plane of one replication: failures (failures.ts), how the LB
 * learns of them (healthChecks.ts) and how every kube-proxy does
 * (endpoints.ts), and, when a workload or a node pool has `autoscaling`, the HPAs and the
 * cluster autoscaler (autoscaling.ts). Built on a Host (host.ts); the event loop hands it every
 * event of a `ControlEvent` kind and it routes the event to its module.
 */
import type { RandomStream } from '../engine/random.js';
import { Autoscaling } from './autoscaling.js';
import { EndpointPropagation } from './endpoints.js';
import { Failures } from './failures.js';
import { HealthChecks } from './healthChecks.js';
import { ControlEvent, type Host } from './host.js';

export class ControlPlane {
  readonly endpoints: EndpointPropagation;
  readonly healthChecks: HealthChecks;
  readonly failures: Failures;
  /** null when no workload has `autoscaling` and no node pool either. */
  readonly autoscaling: Autoscaling | null;

  /** `stream(source)`: the replication's random stream of that name. */
  constructor(host: Host, stream: (source: string) => RandomStream) {
    this.endpoints = new EndpointPropagation(host, stream('control-plane/endpoints'));
    this.healthChecks = new HealthChecks(host, stream('control-plane/health-checks'));
    this.failures = new Failures(host, this.endpoints, this.healthChecks, (source) => stream(`failures/${source}`));
    this.autoscaling = host.scenario.workloads.some((w) => w.autoscaling !== undefined) || host.topo.pools.length > 0
      ? new Autoscaling(host, this.endpoints, this.healthChecks, this.failures, stream('control-plane/autoscaling'))
      : null;
  }

  /** Registers the LB targets and schedules the first probes and every failure. */
  start(): void {
    this.healthChecks.start();
    this.failures.start();
    this.autoscaling?.start();
  }

  handle(kind: ControlEvent, payload: number): void {
    switch (kind) {
      case ControlEvent.EndpointsArrive:
      case ControlEvent.ProxySync:
        this.endpoints.handle(kind, payload);
        break;
      case ControlEvent.ProbeSend:
      case ControlEvent.ProbeTimeout:
        this.healthChecks.handle(kind, payload);
        break;
      case ControlEvent.HpaSync:
      case ControlEvent.PodTerminated:
      case ControlEvent.ClusterAutoscalerScan:
      case ControlEvent.NodeProvisioned:
        this.autoscaling?.handle(kind, payload);
        break;
      default:
        this.failures.handle(kind, payload);
    }
  }
}
