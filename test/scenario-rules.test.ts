/**
 * The Kubernetes rules a scenario must follow: each broken rule is one line
 * `file:line:column: path: message` that points at the offending value and
 * says why, in Kubernetes' terms. Every expected line below is exact.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, formatWarning, ScenarioError } from '../src/scenario/errors.js';
import { METRIC_NAMES } from '../src/sim/result.js';
import { METRICS } from '../src/scenario/metrics.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { expandVariants } from '../src/scenario/sweep.js';
import { base } from './helpers/baseScenario.js';


/** The problem lines of a scenario text, sweep variants included (empty when valid). */
function problems(text: string, set?: string[]): string[] {
  try {
    expandVariants(parseScenarioText(text, 'web.yaml', { set }));
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems.map(formatProblem);
  }
}

function warnings(text: string): string[] {
  return parseScenarioText(text, 'web.yaml').warnings.map(formatWarning);
}

const clusterIP = (text: string) => text.replace('type: NodePort', 'type: ClusterIP').replace(', nodePort: 30080', '');
const loadBalancer = (text: string) => text.replace('type: NodePort', 'type: LoadBalancer').replace('via: nodePort', 'via: loadBalancer');
const withTraffic = (text: string, lines: string) => text.replace('    arrival:', `${lines}\n    arrival:`);

describe('how traffic reaches a Service', () => {
  it('accepts the base scenario', () => {
    expect(problems(base)).toEqual([]);
  });

  it('a ClusterIP Service is only reachable from inside the cluster', () => {
    expect(problems(clusterIP(base).replace('via: nodePort', 'via: clusterIP'))).toEqual([
      'web.yaml:25:39: traffic.users.to.via: a ClusterIP Service is only reachable from inside the cluster; use from: {zone: ...} or a NodePort/LoadBalancer Service',
    ]);
  });

  it('via: nodePort needs a NodePort or LoadBalancer Service', () => {
    expect(problems(withTraffic(clusterIP(base), '    from: {zone: za}'))).toEqual([
      'web.yaml:25:39: traffic.users.to.via: Service web is of type ClusterIP, which opens no port on the nodes; via: nodePort needs type NodePort or LoadBalancer',
    ]);
  });

  it('via: loadBalancer needs a LoadBalancer Service', () => {
    expect(problems(base.replace('via: nodePort', 'via: loadBalancer'))).toEqual([
      'web.yaml:25:39: traffic.users.to.via: Service web is of type NodePort: only a LoadBalancer Service gets a cloud load balancer; use via: nodePort, or type: LoadBalancer',
    ]);
  });

  it('the port must be one the Service defines, by number or by name', () => {
    expect(problems(base.replace('port: 80, via', 'port: 81, via'))).toEqual(['web.yaml:25:30: traffic.users.to.port: Service web has no port 81 (ports: http=80)']);
    expect(problems(base.replace('port: 80, via', 'port: grpc, via'))).toEqual(['web.yaml:25:30: traffic.users.to.port: Service web has no port named grpc (ports: http=80)']);
    expect(problems(base.replace('port: 80, via', 'port: http, via'))).toEqual([]);
  });

  it('there is no clusterIP:nodePort: a port equal to a nodePort says so', () => {
    expect(problems(base.replace('port: 80, via', 'port: 30080, via'))).toEqual([
      'web.yaml:25:30: traffic.users.to.port: 30080 is a nodePort of Service web, not one of its ports: there is no clusterIP:nodePort; use port: http (with via: nodePort the client then dials <NodeIP>:30080)',
    ]);
  });

  it('recognises an allocated nodePort too', () => {
    expect(problems(base.replace(', nodePort: 30080', '').replace('port: 80, via', 'port: 30086, via'))).toEqual([
      'web.yaml:25:30: traffic.users.to.port: 30086 is a nodePort of Service web, not one of its ports: there is no clusterIP:nodePort; use port: http (with via: nodePort the client then dials <NodeIP>:30086)',
    ]);
  });

  it('entryNode goes with via: nodePort only', () => {
    expect(problems(withTraffic(loadBalancer(base), '    entryNode: a-0'))).toEqual([
      'web.yaml:26:16: traffic.users.entryNode: chooses the node a client dials with via: nodePort; with via: loadBalancer the load balancer picks the node',
    ]);
  });

  it('a schedule steps forward in time', () => {
    expect(problems(base.replace('{process: poisson, rate: 10}', '{process: schedule, steps: [{at: 5s, rate: 1}, {at: 2s, rate: 3}]}'))).toEqual([
      'web.yaml:26:66: traffic.users.arrival.steps.1.at: must be later than the step before: steps are in increasing order of at',
    ]);
  });
});

describe('nodePorts', () => {
  it('a nodePort must be inside serviceNodePortRange', () => {
    expect(problems(base.replace('nodePort: 30080', 'nodePort: 8080'))).toEqual([
      'web.yaml:22:62: services.web.spec.ports.http.nodePort: nodePort 8080 is outside serviceNodePortRange 30000-32767; the API server only allocates ports from that range',
    ]);
  });

  it('a nodePort is unique across Services (an unnamed port is addressed by its index)', () => {
    const two = base.replace(
      'traffic:',
      `  - apiVersion: v1
    kind: Service
    metadata: {name: web2}
    spec: {type: NodePort, selector: {app: web}, ports: [{port: 81, targetPort: 8080, nodePort: 30080}]}
traffic:`,
    );
    expect(problems(two)).toEqual([
      'web.yaml:26:97: services.web2.spec.ports.0.nodePort: nodePort 30080 is already used by Service web (port http); a node port is opened on every node, so each one is unique in the cluster',
    ]);
  });

  it('a healthCheckNodePort only exists for LoadBalancer with externalTrafficPolicy: Local', () => {
    expect(problems(base.replace('selector: {app: web}', 'selector: {app: web}\n      healthCheckNodePort: 30090'))).toEqual([
      'web.yaml:21:28: services.web.spec.healthCheckNodePort: only a LoadBalancer Service with externalTrafficPolicy: Local has a healthCheckNodePort (kube-proxy answers on it whether the node has a local endpoint)',
    ]);
  });

  it('a healthCheckNodePort is unique among the node ports too', () => {
    expect(problems(base.replace('type: NodePort', 'type: LoadBalancer\n      externalTrafficPolicy: Local\n      healthCheckNodePort: 30080'))).toEqual([
      'web.yaml:21:28: services.web.spec.healthCheckNodePort: healthCheckNodePort 30080 is already used by Service web (port http); a node port is opened on every node, so each one is unique in the cluster',
    ]);
  });

  it('serviceNodePortRange is a valid range with room for every nodePort', () => {
    expect(problems(base.replace('nodes:', 'serviceNodePortRange: 40000-30000\n  nodes:'))).toEqual([
      'web.yaml:6:25: cluster.serviceNodePortRange: must be a range FIRST-LAST of ports with FIRST ≤ LAST ≤ 65535, like the API server flag --service-node-port-range (default 30000-32767)',
    ]);
    const full = base.replace('nodes:', 'serviceNodePortRange: 30000-30000\n  nodes:').replace(', nodePort: 30080', ', nodePort: 30000').replace('selector: {app: web}', 'selector: {app: web}\n      externalTrafficPolicy: Local').replace('type: NodePort', 'type: LoadBalancer');
    expect(problems(full)).toEqual(['web.yaml:6:25: cluster.serviceNodePortRange: 30000-30000 has too few free ports: 1 nodePort could not be allocated']);
  });
});

describe('Services select workloads and their ports', () => {
  it('a selector must match at least one workload (labels default to {app: <name>})', () => {
    expect(problems(base.replace('selector: {app: web}', 'selector: {app: api}'))).toEqual([
      'web.yaml:20:17: services.web.spec.selector: selects no workload, so the Service has no endpoints and refuses every connection; workload labels: web {app: web}',
    ]);
    expect(problems(base.replace('selector: {app: web}', 'selector: {}'))).toEqual([
      'web.yaml:20:17: services.web.spec.selector: is empty: a Service without a selector gets no endpoints from Kubernetes (only manually managed ones, which svcsim does not model); select a workload by its labels',
    ]);
  });

  it('a named targetPort must name a container port of every selected workload', () => {
    expect(problems(base.replace('targetPort: http', 'targetPort: grpc'))).toEqual([
      'web.yaml:22:46: services.web.spec.ports.http.targetPort: targetPort grpc names no container port of workload web (ports: http=8080); Kubernetes resolves a named targetPort in each pod, and a pod without it is no endpoint of this port',
    ]);
  });

  it('a numeric targetPort must be a container port of every selected workload', () => {
    expect(problems(base.replace('targetPort: http', 'targetPort: 9090'))).toEqual([
      'web.yaml:22:46: services.web.spec.ports.http.targetPort: targetPort 9090 is not a container port of workload web (ports: http=8080); its pods would refuse these connections',
    ]);
  });

  it('a multi-port Service names every port, and each port once', () => {
    const text = base.replace('- {name: http, port: 80, targetPort: http, nodePort: 30080}', '- {port: 80, targetPort: http}\n        - {name: b, port: 80, targetPort: 8080}');
    expect(problems(text)).toEqual([
      'web.yaml:22:11: services.web.spec.ports.0: needs a name: Kubernetes requires every port of a multi-port Service to be named',
      'web.yaml:23:27: services.web.spec.ports.b.port: port 80/TCP is already defined in this Service; Kubernetes rejects duplicate ports',
    ]);
  });

  it('externalTrafficPolicy: Local is only for NodePort and LoadBalancer Services', () => {
    const text = withTraffic(clusterIP(base).replace('type: ClusterIP', 'type: ClusterIP\n      externalTrafficPolicy: Local').replace('via: nodePort', 'via: clusterIP'), '    from: {zone: za}');
    expect(problems(text)).toEqual([
      'web.yaml:20:30: services.web.spec.externalTrafficPolicy: applies to NodePort and LoadBalancer Services only; Kubernetes rejects Local on a ClusterIP Service (use internalTrafficPolicy for in-cluster traffic)',
    ]);
  });
});

describe('everything named must exist', () => {
  it('nodes, zones and pods named by traffic and failures', () => {
    const text = withTraffic(base, '    entryNode: a-7') + 'failures:\n  - {at: 1s, pod: web-5}\n  - {at: 2s, zone: mars}\n  - {at: 2s, node: c}\n  - {at: 2s, pod: web-01}\n';
    expect(problems(text)).toEqual([
      'web.yaml:26:16: traffic.users.entryNode: no node named a-7 (have: a-0, a-1, b)',
      'web.yaml:29:19: failures.0.pod: no pod named web-5: pods are named <workload>-<i> with i < replicas (web-0..web-2)',
      'web.yaml:30:20: failures.1.zone: no zone named mars (have: za, zb)',
      'web.yaml:31:20: failures.2.node: no node named c (have: a-0, a-1, b)',
      'web.yaml:32:19: failures.3.pod: no pod named web-01: pods are named <workload>-<i> with i < replicas (web-0..web-2)',
    ]);
  });

  it('the origin of in-cluster traffic', () => {
    expect(problems(withTraffic(base.replace('via: nodePort', 'via: clusterIP'), '    from: {workload: api}'))).toEqual(['web.yaml:26:22: traffic.users.from.workload: no workload named api (have: web)']);
    expect(problems(withTraffic(base, '    from: {node: z}'))).toEqual(['web.yaml:26:18: traffic.users.from.node: no node named z (have: a-0, a-1, b)']);
  });

  it('the Service of a traffic entry', () => {
    expect(problems(base.replace('{service: web, port: 80', '{service: api, port: 80'))).toEqual(['web.yaml:25:19: traffic.users.to.service: no Service named api (have: web)']);
  });

  it('a placement map names existing nodes and adds up to replicas', () => {
    expect(problems(base.replace('replicas: 3', 'replicas: 3\n    placement: {a-0: 1, c: 1}'))).toEqual([
      'web.yaml:12:16: workloads.web.placement: places 2 pods but replicas is 3: the counts must add up to replicas',
      'web.yaml:12:25: workloads.web.placement.c: no node named c (have: a-0, a-1, b)',
    ]);
  });

  it('a loadBalancers entry names a LoadBalancer Service, once', () => {
    expect(problems(base.replace('traffic:', 'loadBalancers:\n  - {service: web}\n  - {service: nope}\ntraffic:'))).toEqual([
      'web.yaml:24:15: loadBalancers.web.service: Service web is of type NodePort: only a LoadBalancer Service gets a cloud load balancer',
      'web.yaml:25:15: loadBalancers.nope.service: no Service named nope (have: web)',
    ]);
    expect(problems(base.replace('type: NodePort', 'type: LoadBalancer').replace('traffic:', 'loadBalancers:\n  - {service: web}\n  - {service: web, preset: gke}\ntraffic:'))).toEqual([
      'web.yaml:25:15: loadBalancers.web.service: Service web already has a loadBalancers entry above; one entry per Service',
    ]);
  });
});

describe('names are unique', () => {
  it('nodes after count expansion, Services and traffic entries', () => {
    const text =
      base
        .replace('    - {name: b, zone: zb}', '    - {name: a-1, zone: zb}')
        .replace('traffic:', '  - apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n    spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\ntraffic:') +
      '  - name: users\n    to: {service: web, port: 80, via: nodePort}\n    arrival: {process: poisson, rate: 10}\n';
    expect(problems(text)).toEqual([
      'web.yaml:8:14: cluster.nodes.a-1.name: node a-1 is already defined; node names must be unique: each is one machine with its own IP',
      'web.yaml:25:22: services.web.metadata.name: a Service named web is already defined above; Service names are unique in a namespace',
      'web.yaml:31:11: traffic.users.name: a traffic entry named users is already defined above; traffic names must be unique (they name the per-traffic results)',
    ]);
  });

  it('workloads', () => {
    const text = base.replace('services:', '  - {name: web, replicas: 1, ports: [{name: http, containerPort: 8080}], serviceTime: 1ms}\nservices:');
    expect(problems(text)).toEqual(['web.yaml:14:12: workloads.web.name: a workload named web is already defined above; workload names must be unique (pods are named after them)']);
  });
});

describe('pods fit on their nodes (maxPods, the kubelet limit)', () => {
  it('an explicit placement may not exceed a node’s maxPods', () => {
    expect(problems(base.replace('replicas: 3', 'replicas: 3\n    placement: {b: 3}').replace('{name: b, zone: zb}', '{name: b, zone: zb, maxPods: 2}'))).toEqual([
      'web.yaml:12:17: workloads.web.placement.b: node b runs at most 2 pods (its maxPods) but the placements put 3 there; Kubernetes would leave the rest Pending',
    ]);
  });

  it('spread and packed pods must find room', () => {
    expect(problems(base.replace('{name: b, zone: zb}', '{name: b, zone: zb, maxPods: 1}').replace('count: 2}', 'count: 2, maxPods: 1}'))).toEqual([]);
    expect(problems(base.replace('{name: b, zone: zb}', '{name: b, zone: zb, maxPods: 1}').replace('count: 2}', 'count: 2, maxPods: 1}').replace('replicas: 3', 'replicas: 4'))).toEqual([
      "web.yaml:11:15: workloads.web.replicas: 1 of 4 pods fit on no node: the nodes' maxPods are taken; add nodes or raise maxPods (Kubernetes would leave them Pending)",
    ]);
  });
});

describe('simulation and sweep', () => {
  it('precision.metric is one of the metric names', () => {
    expect(problems(base.replace('{duration: 10s}', '{duration: 10s, precision: {metric: p99, relative: 0.1}}'))).toEqual([
      `web.yaml:4:49: simulation.precision.metric: must be one of ${METRICS.join(', ')}, not "p99"`,
    ]);
  });

  it('the metric names are those of the contract (spec/cli-and-outputs.md), in its order', () => {
    expect([...METRIC_NAMES]).toEqual([
      'requests', 'ok', 'failed', 'unfinished', 'success_ratio', 'throughput_rps',
      'latency_mean_ms', 'latency_p50_ms', 'latency_p90_ms', 'latency_p99_ms', 'latency_p999_ms', 'latency_max_ms',
      'failed_timeout', 'failed_refused', 'failed_rejected', 'failed_dependency', 'calls', 'retries',
      'cross_node_ratio', 'cross_zone_ratio', 'pod_utilization_mean', 'pod_utilization_max',
    ]);
  });

  it('zip mode needs lists of equal length', () => {
    const text = `${base}sweep:\n  mode: zip\n  parameters:\n    - {path: workloads.web.replicas, values: [2, 4]}\n    - {path: traffic.users.arrival.rate, values: [10]}\n`;
    expect(problems(text)).toEqual([
      'web.yaml:31:50: sweep.parameters.1.values: has 1 value but the first parameter has 2: zip mode takes the i-th values of every parameter together, so the lists need the same length',
    ]);
  });

  it('sweep paths must exist, each once', () => {
    const text = `${base}sweep:\n  parameters:\n    - {path: workloads.wbe.replicas, values: [2, 4]}\n    - {path: traffic.users.arrivals, values: [10]}\n    - {path: cluster.nodes.a-0.zone, values: [x]}\n    - {path: workloads.0.replicas, values: [1]}\n    - {path: workloads.web.replicas, values: [1]}\n`;
    expect(problems(text)).toEqual([
      'web.yaml:29:14: sweep.parameters.0.path: no workload named "wbe" (have: web)',
      'web.yaml:30:14: sweep.parameters.1.path: traffic.users has no field "arrivals" (did you mean arrival?)',
      'web.yaml:31:14: sweep.parameters.2.path: node a-0 comes from count expansion of cluster.nodes.a; a path names the entry as written (cluster.nodes.a), which sets every node of it',
      'web.yaml:33:14: sweep.parameters.4.path: overlaps sweep parameter 3 (workloads.0.replicas): each place is swept once',
    ]);
  });

  it('a sweep of more than 1000 variants is refused', () => {
    const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`;
    const text = `${base}sweep:\n  parameters:\n    - {path: workloads.web.replicas, values: ${values(11)}}\n    - {path: traffic.users.arrival.rate, values: ${values(10)}}\n    - {path: traffic.users.clients, values: ${values(10)}}\n`;
    expect(problems(text)).toEqual(['web.yaml:29:5: sweep.parameters: makes 1100 variants (11 × 10 × 10); svcsim runs at most 1000']);
  });

  it('a cluster of more than 10000 nodes is refused', () => {
    expect(problems(base.replace('count: 2}', 'count: 10000}').replace('{name: b, zone: zb}', '{name: b, zone: zb, count: 10}'))).toEqual([
      'web.yaml:7:5: cluster.nodes: expands to 10010 nodes; svcsim simulates at most 10000',
    ]);
  });
});

describe('warnings: accepted, but not what it does in a cluster', () => {
  it('fields of a pasted Service that change routing in Kubernetes', () => {
    const text = base
      .replace('metadata: {name: web}', 'metadata:\n      name: web\n      annotations: {service.kubernetes.io/topology-mode: Auto}')
      .replace('type: NodePort', 'type: NodePort\n      clusterIP: None\n      externalIPs: [1.2.3.4]\n      loadBalancerSourceRanges: [10.0.0.0/8]\n      publishNotReadyAddresses: true\n      allocateLoadBalancerNodePorts: false');
    expect(warnings(text)).toEqual([
      'web.yaml:19:21: services.web.metadata.annotations.service.kubernetes.io/topology-mode: warning: is ignored: in Kubernetes it turns on topology-aware routing (and wins over trafficDistribution); model it with spec.trafficDistribution: PreferClose',
      'web.yaml:22:18: services.web.spec.clusterIP: warning: None makes a headless Service in Kubernetes: no virtual IP, clients pick pods from DNS and kube-proxy is not involved; svcsim simulates a normal ClusterIP Service',
      'web.yaml:23:20: services.web.spec.externalIPs: warning: are ignored: no traffic to external IPs is simulated',
      'web.yaml:24:33: services.web.spec.loadBalancerSourceRanges: warning: are ignored: every client may connect',
      'web.yaml:25:33: services.web.spec.publishNotReadyAddresses: warning: is ignored: only ready endpoints get traffic',
      'web.yaml:26:38: services.web.spec.allocateLoadBalancerNodePorts: warning: false is ignored (nodePorts are still allocated); an LB that sends straight to pods is loadBalancers[].targets: pods',
    ]);
  });

  it('trafficDistribution under a Local policy', () => {
    const text = base.replace('type: NodePort', 'type: NodePort\n      externalTrafficPolicy: Local\n      trafficDistribution: PreferClose');
    expect(warnings(text)).toEqual([
      'web.yaml:21:28: services.web.spec.trafficDistribution: warning: is ignored where a Local traffic policy applies (externalTrafficPolicy: Local for external traffic): the policy wins, as in Kubernetes',
    ]);
  });

  it('an ipvsScheduler without proxyMode: ipvs', () => {
    expect(warnings(base.replace('nodes:', 'ipvsScheduler: lc\n  nodes:'))).toEqual([
      'web.yaml:6:18: cluster.ipvsScheduler: warning: only used with proxyMode: ipvs; in iptables mode kube-proxy picks endpoints uniformly at random',
    ]);
  });

  it('no warm-up with failures or a changing rate', () => {
    expect(warnings(`${base}failures:\n  - {at: 1s, node: b}\n`)).toEqual([
      'web.yaml:4:13: simulation.warmup: warning: is 0: the measured window starts on an empty system (no queues, no open connections) while failures are scheduled; give a warm-up (run reports an MSER-5 suggestion)',
    ]);
    expect(warnings(base.replace('{process: poisson, rate: 10}', '{process: schedule, steps: [{at: 0s, rate: 1}]}'))).toHaveLength(1);
    expect(warnings(base.replace('{duration: 10s}', '{duration: 10s, warmup: 5s}') + 'failures:\n  - {at: 1s, node: b}\n')).toEqual([]);
  });

  it('externalTrafficPolicy: Local with an LB that targets pods', () => {
    const text = loadBalancer(base).replace('selector: {app: web}', 'selector: {app: web}\n      externalTrafficPolicy: Local').replace('traffic:', 'loadBalancers:\n  - {service: web, targets: pods}\ntraffic:');
    expect(warnings(text)).toEqual([
      "web.yaml:25:29: loadBalancers.web.targets: warning: with targets: pods the LB sends straight to pod IPs (no node hop, no kube-proxy), so Service web's externalTrafficPolicy: Local has no effect",
    ]);
  });

  it('sessionAffinityConfig without ClientIP is fine', () => {
    expect(warnings(base.replace('type: NodePort', 'type: NodePort\n      sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}'))).toEqual([]);
  });
});
