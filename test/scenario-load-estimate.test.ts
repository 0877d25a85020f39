/**
 * Offered load per workload (scenario/load-estimate.ts) and the warnings
 * validate and run print from it.
 */
import { describe, expect, it } from 'vitest';
import { arrivalRatesAt, loadMessage, offeredLoads } from '../src/scenario/load-estimate.js';
import { scenarioFrom, singleQueue, webService } from './helpers/scenario.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { stringify } from 'yaml';

describe('offered load', () => {
  it('is rate × mean service time / (replicas × concurrency)', () => {
    const s = singleQueue({ rate: 1500, replicas: 2, concurrency: 2, serviceTime: { dist: 'exponential', mean: '2ms' } });
    const [l] = offeredLoads(s);
    expect(l.workload).toBe('app');
    expect(l.rate).toBe(1500);
    expect(l.slots).toBe(4);
    expect(l.load).toBeCloseTo(0.75, 12);
    expect(loadMessage(l)).toBeUndefined();
  });

  it('splits a Service over the workloads it selects by their replicas, and takes the peak of a schedule', () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'two' },
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [
        { name: 'a', labels: { app: 'web' }, replicas: 3, ports: [8080], serviceTime: '10ms' },
        { name: 'b', labels: { app: 'web' }, replicas: 1, ports: [8080], serviceTime: '40ms' },
      ],
      services: [webService({})],
      traffic: [{ name: 'u', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'schedule', steps: [{ at: 0, rate: 100 }, { at: 60, rate: 300 }, { at: 120, rate: 50 }] } }],
    });
    expect(arrivalRatesAt(s, 0)).toEqual([75, 25]);
    const [a, b] = offeredLoads(s);
    // At t = 60: a gets 225/s × 10 ms / 3 = 0.75; b gets 75/s × 40 ms / 1 = 3.
    expect(a).toMatchObject({ at: 60, rate: 225 });
    expect(a.load).toBeCloseTo(0.75, 12);
    expect(b).toMatchObject({ at: 60, rate: 75 });
    expect(b.load).toBeCloseTo(3, 12);
    expect(loadMessage(b)).toMatch(/^overloaded: no steady state: workload b is offered load 75 req\/s × 40 ms mean service time \/ \(1 slots = replicas × concurrency\) = 3 from t=60 s/);
  });

  it('warns near 1 and says there is no steady state at 1 or more', () => {
    const at = (rate: number) => loadMessage(offeredLoads(singleQueue({ rate, serviceTime: '1ms' }))[0]);
    expect(at(899)).toBeUndefined();
    expect(at(950)).toMatch(/^workload app is offered load 950 req\/s × 1 ms .* = 0\.95: close to 1/);
    expect(at(1000)).toMatch(/^overloaded: no steady state: workload app/);
  });

  it('is a warning of the loader, pinned to the workload', () => {
    const doc = {
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'over' },
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [{ name: 'app', replicas: 1, ports: [8080], serviceTime: '2ms' }],
      services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'app' }, ports: [{ port: 80, targetPort: 8080 }] } }],
      traffic: [{ name: 'load', to: { service: 'svc', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate: 600 } }],
    };
    const { warnings } = parseScenarioText(stringify(doc), 'over.yaml');
    const w = warnings.find((x) => x.message.startsWith('overloaded'));
    expect(w).toBeDefined();
    expect(w!.path).toBe('workloads.app');
    expect(w!.line).toBeGreaterThan(0);
  });
});
