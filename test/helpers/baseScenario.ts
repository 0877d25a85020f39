/**
 * The small valid scenario the loader and rule tests start from: a NodePort
 * Service in front of 3 pods on 3 nodes in 2 zones. Expectations cite its
 * line numbers, so edit it only with them.
 */
// Line numbers, for reading the expectations:
//  7 nodes a-0, a-1 (zone za) · 8 node b (zone zb) · 10-13 workload web · 17-22 Service web · 24-26 traffic users
export const base = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: t}
simulation: {duration: 10s}
cluster:
  nodes:
    - {name: a, zone: za, count: 2}
    - {name: b, zone: zb}
workloads:
  - name: web
    replicas: 3
    ports: [{name: http, containerPort: 8080}]
    serviceTime: 1ms
services:
  - apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: NodePort
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: http, nodePort: 30080}
traffic:
  - name: users
    to: {service: web, port: 80, via: nodePort}
    arrival: {process: poisson, rate: 10}
`;
