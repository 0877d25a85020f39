/** dataplane/pod.ts alone: slots, the queue and HTTP 503, pod creation and the running lists. */
import { describe, expect, it } from 'vitest';
import { Admission, PodState } from '../src/dataplane/pod.js';
import { Cluster, doc, service } from './helpers/cluster.js';

function cluster(queueCapacity?: number): Cluster {
  return new Cluster(
    doc({
      cluster: { nodes: [{ name: 'n', count: 2 }] },
      workloads: [{ name: 'web', replicas: 2, ports: [8080], concurrency: 2, ...(queueCapacity === undefined ? {} : { queueCapacity }), serviceTime: '1ms' }],
      services: [service('web')],
      traffic: [{ name: 'inside', from: { node: 'n-0' }, to: { service: 'web', port: 80, via: 'clusterIP' }, arrival: { process: 'poisson', rate: 1 } }],
    }),
  );
}

describe('pod: start, queue or reject', () => {
  it('starts while a slot is free, queues up to queueCapacity, then rejects with 503', () => {
    const c = cluster(1);
    const pods = c.pods;
    expect(pods.admit(0)).toBe(Admission.Start);
    pods.changeBusy(0, 2, 0);
    expect(pods.admit(0)).toBe(Admission.Queue);
    pods.queues[0].push(7);
    expect(pods.admit(0)).toBe(Admission.Reject);
  });

  it('queues without limit when the workload has no queueCapacity', () => {
    const c = cluster();
    c.pods.changeBusy(0, 2, 0);
    for (let i = 0; i < 1000; i++) c.pods.queues[0].push(i);
    expect(c.pods.admit(0)).toBe(Admission.Queue);
  });

  it('gives a freed slot to the longest-waiting attempt, first in first out', () => {
    const c = cluster();
    const pods = c.pods;
    pods.changeBusy(0, 2, 0);
    pods.queues[0].push(5);
    pods.queues[0].push(6);
    expect(pods.nextWaiting(0)).toBe(-1);
    pods.changeBusy(0, -1, 1);
    expect(pods.nextWaiting(0)).toBe(5);
    pods.changeBusy(0, 1, 1);
    expect(pods.nextWaiting(0)).toBe(-1);
  });

  it('names a replacement pod after the workload\'s next ordinal and lists only running pods', () => {
    const c = cluster();
    const pods = c.pods;
    expect([...pods.running(0)]).toEqual([0, 1]);
    const q = pods.create(0, 1, PodState.Starting, 5);
    expect(pods.names[q]).toBe('web-2');
    expect([...pods.running(0)]).toEqual([0, 1]);
    pods.setState(0, PodState.Crashed, 6);
    pods.setState(q, PodState.Running, 6);
    expect([...pods.running(0)]).toEqual([1, 2]);
  });

  it('integrates busy slot-time over the measured window only', () => {
    const c = cluster();
    c.pods.changeBusy(0, 2, 50);
    c.pods.changeBusy(0, -2, 150);
    // Window [0, 100): 2 slots × 50 s.
    expect(c.pods.busyArea[0]).toBe(100);
  });
});
