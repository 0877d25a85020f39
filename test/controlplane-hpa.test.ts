import { describe, expect, it } from 'vitest';
import {
  defaultScaleDownRules,
  defaultScaleUpRules,
  formatHpaDecision,
  HorizontalPodAutoscaler,
  type HpaBehavior,
  type HpaMetricSpec,
  type HpaPod,
  resolveHpaSpec,
  type ResolvedHpaSpec,
} from '../src/controlplane/hpa.js';
import { cpuMilliOf, emptySample } from '../src/controlplane/podMetrics.js';
import { hpaSpecSchema } from '../src/scenario/autoscalingSchema.js';
import { runConstantLoad } from './helpers/hpaHarness.js';

const cpu = (averageUtilization: number): HpaMetricSpec => ({
  type: 'Resource',
  name: 'cpu',
  target: { type: 'Utilization', averageUtilization },
});
const rps = (averageValue: number): HpaMetricSpec => ({
  type: 'Pods',
  name: 'requests_per_second',
  target: { type: 'AverageValue', averageValue },
});
const defaults = (): HpaBehavior => ({ scaleUp: defaultScaleUpRules(), scaleDown: defaultScaleDownRules() });

function spec(metrics: HpaMetricSpec[], min = 1, max = 100, behavior: HpaBehavior | null = defaults()): ResolvedHpaSpec {
  return { minReplicas: min, maxReplicas: max, metrics, behavior };
}

/** A pod long ready, whose last 15 s window shows `fraction` of its CPU and `perSecond` requests/s. */
function pod(name: string, fraction: number, perSecond = 0, now = 0): HpaPod {
  const sample = emptySample();
  sample.available = true;
  sample.timestamp = now;
  sample.window = 15;
  sample.cpuFraction = fraction;
  sample.cpuMilli = cpuMilliOf(fraction);
  sample.cpuRequestMilli = 1000;
  sample.requestsPerSecond = perSecond;
  return {
    name,
    phase: 'Running',
    deleting: false,
    startTime: now - 3600,
    ready: true,
    readyTransitionTime: now - 3595,
    cpuRequestMilli: 1000,
    sample,
  };
}

/** A pod started `age` seconds ago that is not ready yet; with or without a metric. */
function starting(name: string, withMetric: boolean, now = 0, age = 3): HpaPod {
  const p = pod(name, 0, 0, now);
  p.startTime = now - age;
  p.ready = false;
  p.readyTransitionTime = now - age;
  p.sample.available = withMetric;
  return p;
}

describe('the HPA under a steady load', () => {
  it('settles at ceil(n·u/t): 4 pods at 90% with a 60% target go to 6 and stay there', () => {
    const r = runConstantLoad({ spec: spec([cpu(60)]), replicas: 4, kind: 'cpu', load: [[-Infinity, 3.6]], until: 600 });
    expect(r.replicas[0]).toBe(6);
    expect(r.decisions[0].proposal).toBe(6);
    expect(new Set(r.replicas)).toEqual(new Set([6]));
  });

  it('settles at ceil(n·u/t): 3 pods at 80% with a 50% target go to 5 and stay there', () => {
    const r = runConstantLoad({ spec: spec([cpu(50)]), replicas: 3, kind: 'cpu', load: [[-Infinity, 2.4]], until: 600 });
    expect(r.replicas.at(-1)).toBe(5);
    expect(new Set(r.replicas)).toEqual(new Set([5]));
  });

  it('settles at ceil(n·u/t) downwards too, once the 300 s stabilisation window has passed: 10 pods at 30% with a 60% target go to 5 at t = 300 s', () => {
    const r = runConstantLoad({ spec: spec([cpu(60)]), replicas: 10, kind: 'cpu', load: [[-Infinity, 3]], until: 900 });
    const firstChange = r.replicas.findIndex((n) => n !== 10);
    expect(r.times[firstChange]).toBe(300);
    expect(r.replicas[firstChange]).toBe(5);
    expect(new Set(r.replicas.slice(firstChange))).toEqual(new Set([5]));
    // Every sync before proposed 5; the initial recommendation (10) held it.
    expect(r.decisions.slice(0, firstChange).every((d) => d.proposal === 5 && d.stabilized === 10)).toBe(true);
  });

  it('does nothing while |u/t − 1| ≤ 0.1, at both edges of the band', () => {
    for (const u of [0.66, 0.54, 0.6, 0.63]) {
      const r = runConstantLoad({ spec: spec([cpu(60)]), replicas: 10, kind: 'cpu', load: [[-Infinity, 10 * u]], until: 900 });
      expect(new Set(r.replicas), `u = ${u}`).toEqual(new Set([10]));
      expect(r.decisions.every((d) => d.metrics[0].note === 'within tolerance'), `u = ${u}`).toBe(true);
    }
  });

  it('acts just outside the band: 67% and 53% against 60% on 10 pods give 12 and 9', () => {
    const up = runConstantLoad({ spec: spec([cpu(60)]), replicas: 10, kind: 'cpu', load: [[-Infinity, 6.7]], until: 60 });
    expect(up.replicas[0]).toBe(12);
    const down = runConstantLoad({ spec: spec([cpu(60)]), replicas: 10, kind: 'cpu', load: [[-Infinity, 5.3]], until: 600 });
    expect(down.replicas.at(-1)).toBe(9);
  });
});

describe('the HPA rate policies', () => {
  const load = [
    [-Infinity, 100],
    [0, 1600],
  ] as const;

  it('with the default scale-up policies (the larger of +100% and +4 pods per 15 s), 1600 requests/s on 2 pods with a 100/s target go 2 → 6 → 12 → 16 at consecutive syncs, the proposal 16 each time', () => {
    const r = runConstantLoad({ spec: spec([rps(100)], 2), replicas: 2, kind: 'rps', load, until: 120 });
    // The sync at t = 0 sees the window before the load: 50/s per pod, nothing to do above minReplicas.
    expect(r.replicas.slice(0, 5)).toEqual([2, 6, 12, 16, 16]);
    expect(r.decisions.slice(1, 4).map((d) => d.proposal)).toEqual([16, 16, 16]);
    expect(r.decisions.slice(1, 3).map((d) => d.limitReason)).toEqual(['ScaleUpLimit', 'ScaleUpLimit']);
    expect(r.decisions[1].metrics[0].current).toBe(800);
    expect(new Set(r.replicas.slice(3))).toEqual(new Set([16]));
  });

  it('maxReplicas bounds the climb: with maxReplicas 10 the same load goes 2 → 6 → 10', () => {
    const r = runConstantLoad({ spec: spec([rps(100)], 2, 10), replicas: 2, kind: 'rps', load, until: 120 });
    expect(r.replicas.slice(0, 4)).toEqual([2, 6, 10, 10]);
    expect(r.decisions[2].limitReason).toBe('TooManyReplicas');
  });

  it('without a behavior section the controller uses its older limit, max(2 × current, 4), so the same load goes 2 → 4 → 8 → 16', () => {
    const r = runConstantLoad({ spec: spec([rps(100)], 2, 100, null), replicas: 2, kind: 'rps', load, until: 120 });
    expect(r.replicas.slice(0, 5)).toEqual([2, 4, 8, 16, 16]);
    expect(r.decisions.slice(1, 4).map((d) => d.proposal)).toEqual([16, 16, 16]);
  });

  it('a policy limits the change within its period, counting the changes already made: Pods 1 per 60 s allows one pod a minute', () => {
    const behavior = defaults();
    behavior.scaleUp = { ...behavior.scaleUp, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] };
    const r = runConstantLoad({ spec: spec([rps(100)], 2, 100, behavior), replicas: 2, kind: 'rps', load, until: 200 });
    // t = 15: 3; the event stays in the 60 s period until t = 75.
    expect(r.times.filter((_, i) => i > 0 && r.replicas[i] !== r.replicas[i - 1])).toEqual([15, 75, 135, 195]);
    expect(r.replicas.at(-1)).toBe(6);
  });

  it('selectPolicy Min takes the policy allowing the least change, and Disabled allows none', () => {
    const min = defaults();
    min.scaleUp = { ...min.scaleUp, selectPolicy: 'Min' };
    const rMin = runConstantLoad({ spec: spec([rps(100)], 2, 100, min), replicas: 2, kind: 'rps', load, until: 60 });
    // min(2 + 4, 2 × 2) = 4, then min(4 + 4, 8) = 8, then min(12, 16) = 12.
    expect(rMin.replicas.slice(0, 5)).toEqual([2, 4, 8, 12, 16]);
    const off = defaults();
    off.scaleUp = { ...off.scaleUp, selectPolicy: 'Disabled' };
    const rOff = runConstantLoad({ spec: spec([rps(100)], 2, 100, off), replicas: 2, kind: 'rps', load, until: 60 });
    expect(new Set(rOff.replicas)).toEqual(new Set([2]));
  });
});

describe('the HPA when the CPU saturates', () => {
  it('with a 50% target and a load that needs 16 pods, 2 pods at 100% go 2 → 4 → 8 → 16, each step waiting until the new pods are counted', () => {
    const r = runConstantLoad({
      spec: spec([cpu(50)], 2),
      replicas: 2,
      kind: 'cpu',
      load: [
        [-Infinity, 0.5],
        [0, 8],
      ],
      until: 150,
    });
    expect(r.times.slice(0, 7)).toEqual([0, 15, 30, 45, 60, 75, 90]);
    expect(r.replicas.slice(0, 7)).toEqual([2, 4, 4, 8, 8, 16, 16]);
    // Saturated pods report 100%, so each proposal only doubles.
    expect(r.decisions[1].metrics[0].current).toBe(100);
    expect(r.decisions[1].proposal).toBe(4);
    // At t = 30 the two pods made at 15 are ready since 20, but their sample (window 15..30) began before that:
    // they count as 0%, the average is back at the target, and nothing changes.
    const hold = r.decisions[2].metrics[0];
    expect(hold.unreadyPods).toBe(2);
    expect(hold.proposal).toBe(4);
    expect(hold.note).toContain('2 unready pods counted at 0');
    expect(new Set(r.replicas.slice(5))).toEqual(new Set([16]));
  });
});

describe('the HPA scale-down', () => {
  const drop = [
    [-Infinity, 8],
    [300, 2],
  ] as const;

  it('waits for the 300 s stabilisation window (the highest recommendation in it), then follows 100% per 15 s', () => {
    const r = runConstantLoad({ spec: spec([cpu(50)], 1), replicas: 16, kind: 'cpu', load: drop, until: 900 });
    // The last recommendation of 16 is from t = 300 (window 285..300); the first of 4 from 315.
    expect(r.decisions.find((d) => d.time === 300)?.proposal).toBe(16);
    expect(r.decisions.find((d) => d.time === 315)?.proposal).toBe(4);
    const firstChange = r.replicas.findIndex((n) => n !== 16);
    expect(r.times[firstChange]).toBe(600);
    expect(r.replicas[firstChange]).toBe(4);
    expect(r.decisions[firstChange - 1].stabilized).toBe(16);
    expect(new Set(r.replicas.slice(firstChange))).toEqual(new Set([4]));
  });

  it('minReplicas bounds the scale-down', () => {
    const r = runConstantLoad({ spec: spec([cpu(50)], 6), replicas: 16, kind: 'cpu', load: drop, until: 900 });
    expect(r.replicas.at(-1)).toBe(6);
    const d = r.decisions.find((x) => x.time === 600);
    expect(d?.desiredReplicas).toBe(6);
    expect(d?.limitReason).toBe('TooFewReplicas');
  });

  it('a scale-down policy of 4 pods per 60 s steps 16 → 12 → 8 → 4 a minute apart', () => {
    const behavior = defaults();
    behavior.scaleDown = { ...behavior.scaleDown, policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] };
    const r = runConstantLoad({ spec: spec([cpu(50)], 1, 100, behavior), replicas: 16, kind: 'cpu', load: drop, until: 900 });
    const changes = r.times
      .map((t, i) => [t, r.replicas[i]] as const)
      .filter((_, i) => i > 0 && r.replicas[i] !== r.replicas[i - 1]);
    expect(changes).toEqual([
      [600, 12],
      [660, 8],
      [720, 4],
    ]);
  });

  it('a Percent scale-down policy keeps the truncated share: 50% per 15 s halves at each sync', () => {
    const behavior = defaults();
    behavior.scaleDown = { ...behavior.scaleDown, policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }] };
    const r = runConstantLoad({ spec: spec([cpu(50)], 1, 100, behavior), replicas: 16, kind: 'cpu', load: drop, until: 900 });
    expect(r.replicas.filter((_, i) => r.times[i] >= 600 && r.times[i] <= 630)).toEqual([8, 4, 4]);
  });

  it('without a behavior section, scale-down also waits 300 s but then has no rate limit', () => {
    const r = runConstantLoad({ spec: spec([cpu(50)], 1, 100, null), replicas: 16, kind: 'cpu', load: drop, until: 900 });
    const firstChange = r.replicas.findIndex((n) => n !== 16);
    expect([r.times[firstChange], r.replicas[firstChange]]).toEqual([600, 4]);
  });

  it('a scale-up within the window is not held back by the scale-down stabilisation', () => {
    const r = runConstantLoad({
      spec: spec([cpu(50)], 1),
      replicas: 4,
      kind: 'cpu',
      load: [
        [-Infinity, 2],
        [150, 3],
      ],
      until: 300,
    });
    expect(r.replicas.find((_, i) => r.times[i] === 165)).toBe(6);
  });
});

describe('the HPA and pods that are not ready or have no metric', () => {
  it('on a scale-up counts not-ready pods as 0%: two pods at 100% against 46% and two starting pods hold at 4, where setting the starting pods aside would give 5', () => {
    const hpa = () => new HorizontalPodAutoscaler(spec([cpu(46)]));
    // The same two measured pods, with the two others being deleted (ignored): ceil(2 × 100/46) = 5.
    const gone = [pod('a', 1), pod('b', 1), { ...pod('c', 0), deleting: true }, { ...pod('d', 0), deleting: true }];
    expect(hpa().sync(0, 4, gone).desiredReplicas).toBe(5);
    // Starting instead: at 0% the average is 50%, 50/46 = 1.087, within the tolerance.
    const d = hpa().sync(0, 4, [pod('a', 1), pod('b', 1), starting('c', true), starting('d', true)]);
    expect(d.metrics[0].unreadyPods).toBe(2);
    expect(d.metrics[0].usageRatio).toBeCloseTo(100 / 46, 12);
    expect(d.metrics[0].note).toContain('2 unready pods counted at 0');
    expect(d.desiredReplicas).toBe(4);
  });

  it('on a scale-up keeps the count when the unready pods at 0% would reverse the direction', () => {
    // 2 ready pods at 75% against 50%: set aside, ceil(1.5 × 2) = 3 < 4; with two starting pods at 0% the average is 37% < 50%.
    const d = new HorizontalPodAutoscaler(spec([cpu(50)])).sync(0, 4, [pod('a', 0.75), pod('b', 0.75), starting('c', true), starting('d', true)]);
    expect(d.metrics[0].proposal).toBe(4);
    expect(d.metrics[0].note).toMatch(/direction reversed/);
  });

  it('on a scale-up counts pods without a metric as 0% as well', () => {
    const d = new HorizontalPodAutoscaler(spec([cpu(46)])).sync(0, 4, [
      pod('a', 1),
      pod('b', 1),
      starting('c', false),
      starting('d', false),
    ]);
    expect(d.metrics[0].missingPods).toBe(2);
    expect(d.metrics[0].note).toContain('2 pods without metric counted at 0');
    expect(d.desiredReplicas).toBe(4);
  });

  it('on a scale-down counts pods without a metric as 100%: two pods at 10% and two unmeasured ones propose 4 where four pods at 10% propose 1', () => {
    const measured = new HorizontalPodAutoscaler(spec([cpu(50)])).sync(0, 4, [pod('a', 0.1), pod('b', 0.1), pod('c', 0.1), pod('d', 0.1)]);
    expect(measured.proposal).toBe(1);
    const fresh = (name: string): HpaPod => {
      const p = pod(name, 0);
      p.sample.available = false;
      return p;
    };
    const d = new HorizontalPodAutoscaler(spec([cpu(50)])).sync(0, 4, [pod('a', 0.1), pod('b', 0.1), fresh('c'), fresh('d')]);
    expect(d.metrics[0].missingPods).toBe(2);
    // (10 + 10 + 100 + 100) / 4 = 55% → 1.1 against 50%: the direction flips, keep 4.
    expect(d.proposal).toBe(4);
  });

  it('on a scale-down counts a custom metric of pods without one at the target: 20/s on two pods and two unmeasured ones with a 100/s target propose 3', () => {
    const fresh = (name: string): HpaPod => {
      const p = pod(name, 0);
      p.sample.available = false;
      return p;
    };
    const d = new HorizontalPodAutoscaler(spec([rps(100)])).sync(0, 4, [pod('a', 0, 20), pod('b', 0, 20), fresh('c'), fresh('d')]);
    expect(d.proposal).toBe(3);
    const measured = new HorizontalPodAutoscaler(spec([rps(100)])).sync(0, 4, [pod('a', 0, 20), pod('b', 0, 20), pod('c', 0, 20), pod('d', 0, 20)]);
    expect(measured.proposal).toBe(1);
  });

  it('on a scale-down sets not-ready pods with a metric aside (for CPU), as the controller does', () => {
    const d = new HorizontalPodAutoscaler(spec([cpu(50)])).sync(0, 4, [pod('a', 0.2), pod('b', 0.2), starting('c', true), starting('d', true)]);
    expect(d.metrics[0].readyPods).toBe(2);
    expect(d.metrics[0].unreadyPods).toBe(2);
    expect(d.proposal).toBe(1);
  });

  it('counts a ready pod within its CPU initialisation period only once a whole sample lies after its readiness', () => {
    const hpa = new HorizontalPodAutoscaler(spec([cpu(50)]));
    const late = pod('c', 1);
    late.startTime = -20;
    late.readyTransitionTime = -10; // ready 10 s ago; the sample (window -15..0) began before
    let d = hpa.sync(0, 3, [pod('a', 1), pod('b', 1), late]);
    expect(d.metrics[0].unreadyPods).toBe(1);
    const hpa2 = new HorizontalPodAutoscaler(spec([cpu(50)]));
    late.readyTransitionTime = -15; // ready exactly when the window began
    d = hpa2.sync(0, 3, [pod('a', 1), pod('b', 1), late]);
    expect(d.metrics[0].unreadyPods).toBe(0);
    expect(d.proposal).toBe(6);
  });

  it('treats a Pending pod as unready for every metric, and ignores pods being deleted', () => {
    const pending = starting('p', false);
    pending.phase = 'Pending';
    pending.startTime = NaN;
    const deleting = pod('x', 0);
    deleting.deleting = true;
    const d = new HorizontalPodAutoscaler(spec([rps(100)])).sync(0, 3, [pod('a', 0, 300), pod('b', 0, 300), pending, deleting]);
    const m = d.metrics[0];
    expect([m.readyPods, m.unreadyPods, m.missingPods, m.ignoredPods]).toEqual([2, 1, 0, 1]);
    // 600/s over 3 counted pods (the Pending one at 0) → 200 → 2 × 3 = 6.
    expect(d.proposal).toBe(6);
  });

  it('counts a running but not-ready pod with a metric as measured for a Pods metric (the readiness rule is CPU only)', () => {
    const d = new HorizontalPodAutoscaler(spec([rps(100)])).sync(0, 3, [pod('a', 0, 300), pod('b', 0, 300), starting('c', true)]);
    expect(d.metrics[0].readyPods).toBe(3);
    expect(d.proposal).toBe(6);
  });
});

describe('the HPA with several metrics', () => {
  it('takes the largest proposal', () => {
    const pods = [pod('a', 0.9, 50), pod('b', 0.9, 50)];
    const d = new HorizontalPodAutoscaler(spec([cpu(60), rps(100)])).sync(0, 2, pods);
    expect(d.metrics.map((m) => m.proposal)).toEqual([3, 1]);
    expect(d.proposal).toBe(3);
    expect(d.reason).toBe('cpu resource utilization (percentage of request) above target');
  });

  it('does not scale down when one metric cannot be computed', () => {
    const noCpu = [starting('a', false), starting('b', false)].map((p) => ({ ...p, phase: 'Pending' as const }));
    const d = new HorizontalPodAutoscaler(spec([cpu(60)])).sync(0, 2, noCpu);
    expect(d.metrics[0].proposal).toBe(-1);
    expect(d.rescale).toBe(false);
    expect(d.reason).toMatch(/failed to compute/);
  });
});

describe('the HPA bounds', () => {
  it('brings a replica count above maxReplicas down to it at once, and one below minReplicas up', () => {
    const above = new HorizontalPodAutoscaler(spec([cpu(50)], 2, 5)).sync(0, 8, []);
    expect([above.desiredReplicas, above.reason]).toEqual([5, 'Current number of replicas above Spec.MaxReplicas']);
    const below = new HorizontalPodAutoscaler(spec([cpu(50)], 3, 5)).sync(0, 1, []);
    expect([below.desiredReplicas, below.reason]).toEqual([3, 'Current number of replicas below Spec.MinReplicas']);
  });

  it('refuses a spec whose minReplicas exceeds maxReplicas', () => {
    expect(() => new HorizontalPodAutoscaler(spec([cpu(50)], 6, 5))).toThrow(RangeError);
  });
});

describe('the HPA spec from a scenario', () => {
  it('is CPU at 80% from minReplicas 1 and keeps behavior absent when the spec has none', () => {
    const r = resolveHpaSpec(hpaSpecSchema.parse({ maxReplicas: 10 }));
    expect(r).toEqual({ minReplicas: 1, maxReplicas: 10, metrics: [cpu(80)], behavior: null });
  });

  it('has every field of a behavior that is present, the controller\'s tolerance included, keeping those given', () => {
    const r = resolveHpaSpec(
      hpaSpecSchema.parse({
        maxReplicas: 30,
        minReplicas: 3,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      }),
    );
    expect(r.metrics).toEqual([rps(100)]);
    expect(r.behavior?.scaleUp).toEqual(defaultScaleUpRules());
    expect(r.behavior?.scaleDown).toEqual({ ...defaultScaleDownRules(), stabilizationWindowSeconds: 60 });
  });
});

describe('the explanation of a decision', () => {
  it('lists the time, the metric value, each proposal and the stabilised and rate-limited result', () => {
    const r = runConstantLoad({ spec: spec([rps(100)], 2), replicas: 2, kind: 'rps', load: [[-Infinity, 100], [0, 1600]], until: 15 });
    const line = formatHpaDecision('web', r.decisions[1]);
    expect(line).toBe(
      't=15.000s hpa/web replicas 2: requests_per_second 800/100 → 16 (ready 2, unready 0, missing 0, deleting 0; ceil(8 × 2 ready pods)); ' +
        'proposal 16 → stabilized 16 → limited 6 (ScaleUpLimit): scale to 6; pods metric requests_per_second above target',
    );
  });
});
