/**
 * The HorizontalPodAutoscaler controller: every sync period (15 s) it reads
 * each metric of every pod of its workload, proposes a replica count per
 * metric, takes the largest, stabilises it against its recent proposals,
 * limits the rate of change, and sets the workload's replicas.
 *
 * This follows kube-controller-manager's `pkg/controller/podautoscaler`
 * (`horizontal.go`, `replica_calculator.go`, `metrics/utilization.go`),
 * reference §8, rule for rule:
 *
 * - Per metric, `groupPods`: pods being deleted are ignored; `Pending` pods
 *   are "unready"; a running pod without a metric is "missing"; for CPU only,
 *   a pod is also unready while it is not ready, or, within the first
 *   `cpu-initialization-period` (5 min) after it started, while its sample
 *   does not lie wholly after it became ready; after that period only a pod
 *   that has never been ready is.
 * - `desired = ceil(ratio × readyPods)` with ratio = current / target, no
 *   change while the ratio is within the tolerance (0.1). If pods are
 *   missing, or unready while scaling up, the ratio is recomputed with
 *   missing pods at 0 (scale-up) or at the target, 100% for CPU (scale-down),
 *   and unready pods at 0 (scale-up); if that flips the direction or falls
 *   within the tolerance, nothing changes. CPU utilisation is an integer
 *   percent (the controller divides integers); custom values are milli-units.
 * - With `behavior` set (the API server fills its missing fields with the
 *   defaults: scale-up 0 s stabilisation, Pods 4 and Percent 100 per 15 s,
 *   Max; scale-down 300 s stabilisation, Percent 100 per 15 s, Max), the
 *   recommendation is held between the lowest proposal of the scale-up
 *   window and the highest of the scale-down window, then limited by the
 *   policies, which count the changes already made within their period.
 * - Without `behavior` (absent in the spec, as `kubectl` leaves it), the
 *   controller takes the older path: the highest proposal of the last 300 s
 *   (`--horizontal-pod-autoscaler-downscale-stabilization`), at most
 *   max(2 × current, 4) replicas, no scale-down rate limit.
 * - `minReplicas`/`maxReplicas` bound every step; a current count outside
 *   them is brought inside at once.
 *
 * A window "contains" an earlier time when it is less than the window length
 * ago: a proposal or a scale event exactly one period old no longer counts,
 * as in a real cluster where each sync comes a little more than 15 s after
 * the previous one.
 *
 * The class holds only what the real controller keeps between syncs (the
 * recent recommendations and scale events) and takes everything else as
 * input, so a test can drive it with the values a given load produces.
 */
import type { HorizontalPodAutoscalerSpec } from '../scenario/autoscaling.js';
import type { PodMetricSample } from './podMetrics.js';
import { customMilliOf } from './podMetrics.js';

export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface HpaScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

/** `behavior.scaleUp` / `behavior.scaleDown` with every field filled. */
export interface HpaScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  policies: readonly HpaScalingPolicy[];
  /** Per-direction tolerance (`HPAConfigurableTolerance`); the controller's 0.1 when unset. */
  tolerance: number;
}

export interface HpaBehavior {
  scaleUp: HpaScalingRules;
  scaleDown: HpaScalingRules;
}

export type HpaMetricSpec =
  | { type: 'Resource'; name: 'cpu'; target: { type: 'Utilization'; averageUtilization: number } }
  | { type: 'Pods'; name: 'requests_per_second'; target: { type: 'AverageValue'; averageValue: number } };

/** An `autoscaling/v2` HorizontalPodAutoscaler spec with every default filled. */
export interface ResolvedHpaSpec {
  minReplicas: number;
  maxReplicas: number;
  metrics: readonly HpaMetricSpec[];
  /** null when the spec has no `behavior`: the controller's older normalisation applies. */
  behavior: HpaBehavior | null;
}

/** kube-controller-manager flags the HPA controller reads. */
export interface HpaControllerOptions {
  /** `--horizontal-pod-autoscaler-sync-period` */
  syncPeriod: number;
  /** `--horizontal-pod-autoscaler-tolerance` */
  tolerance: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization` */
  downscaleStabilizationWindow: number;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period` */
  cpuInitializationPeriod: number;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay` */
  initialReadinessDelay: number;
}

export const HPA_CONTROLLER_DEFAULTS: Readonly<HpaControllerOptions> = Object.freeze({
  syncPeriod: 15,
  tolerance: 0.1,
  downscaleStabilizationWindow: 300,
  cpuInitializationPeriod: 300,
  initialReadinessDelay: 30,
});

export function defaultScaleUpRules(tolerance = HPA_CONTROLLER_DEFAULTS.tolerance): HpaScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
    tolerance,
  };
}

export function defaultScaleDownRules(
  downscaleStabilizationWindow = HPA_CONTROLLER_DEFAULTS.downscaleStabilizationWindow,
  tolerance = HPA_CONTROLLER_DEFAULTS.tolerance,
): HpaScalingRules {
  return {
    stabilizationWindowSeconds: downscaleStabilizationWindow,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    tolerance,
  };
}

/**
 * The controller's form of a workload's `autoscaling` as the scenario schema
 * parsed it (scenario/autoscaling.ts fills what the API server fills:
 * `minReplicas` 1, CPU at 80% when no metric is given, and, only when
 * `behavior` is present, every missing field of its two directions); here
 * the scale-down window the controller fills, and the tolerance, complete it.
 */
export function resolveHpaSpec(
  input: HorizontalPodAutoscalerSpec,
  options: Readonly<HpaControllerOptions> = HPA_CONTROLLER_DEFAULTS,
): ResolvedHpaSpec {
  const metrics: HpaMetricSpec[] = input.metrics.map((m) =>
    m.type === 'Resource'
      ? { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: m.resource.target.averageUtilization } }
      : { type: 'Pods', name: 'requests_per_second', target: { type: 'AverageValue', averageValue: m.pods.target.averageValue } },
  );
  const b = input.behavior;
  const rules = (r: NonNullable<typeof b>['scaleUp']): HpaScalingRules => ({
    stabilizationWindowSeconds: r.stabilizationWindowSeconds,
    selectPolicy: r.selectPolicy,
    policies: r.policies,
    tolerance: r.tolerance ?? options.tolerance,
  });
  const behavior = b === undefined ? null : { scaleUp: rules(b.scaleUp), scaleDown: rules(b.scaleDown) };
  return { minReplicas: input.minReplicas, maxReplicas: input.maxReplicas, metrics, behavior };
}

/** What the HPA knows of one pod of its workload at a sync. */
export interface HpaPod {
  name: string;
  /** `Pending` until the pod is on a node and its containers run. */
  phase: 'Pending' | 'Running';
  /** The pod has a deletionTimestamp (scale-down victim, still terminating). */
  deleting: boolean;
  /** `status.startTime`: when the kubelet took the pod; NaN while it has no node. */
  startTime: number;
  /** The Ready condition. */
  ready: boolean;
  /** `lastTransitionTime` of the Ready condition. */
  readyTransitionTime: number;
  /** The pod's CPU request in millicores (its slots × 1000m). */
  cpuRequestMilli: number;
  /** The pod's metrics at this sync (`available: false` = no metric). */
  sample: PodMetricSample;
}

/** How one metric came out at one sync: the material of `--explain-scaling`. */
export interface HpaMetricStatus {
  metric: 'cpu' | 'requests_per_second';
  /** Target: a utilisation percent, or a value per pod. */
  target: number;
  /** What the controller computed over the pods with a metric: integer percent, or the average per pod. NaN when none. */
  current: number;
  /** current / target; NaN when the metric could not be computed. */
  usageRatio: number;
  /** This metric's replica proposal; -1 when it could not be computed. */
  proposal: number;
  readyPods: number;
  unreadyPods: number;
  missingPods: number;
  ignoredPods: number;
  /** Why the proposal is what it is, in the controller's words. */
  note: string;
}

/** One sync of the HPA, in the order the controller decides. */
export interface HpaDecision {
  time: number;
  currentReplicas: number;
  metrics: HpaMetricStatus[];
  /** The largest proposal over the metrics (or the bound a count outside min/max is brought to); -1 if none. */
  proposal: number;
  /** After the stabilisation window. */
  stabilized: number;
  /** After the rate policies and min/max: the count the controller sets. */
  limited: number;
  /** The workload's replicas after this sync (= currentReplicas when nothing changes). */
  desiredReplicas: number;
  rescale: boolean;
  /** The event message reason, e.g. `cpu resource utilization (percentage of request) above target`. */
  reason: string;
  /** The ScalingLimited reason: `DesiredWithinRange`, `ScaleUpLimit`, `TooManyReplicas`, `ScaleDownLimit`, `TooFewReplicas`. */
  limitReason: string;
}

interface Timestamped {
  time: number;
  value: number;
}

/** Less than `period` ago (see the file comment). */
function within(now: number, time: number, period: number): boolean {
  return now - time < period - 1e-6;
}

export class HorizontalPodAutoscaler {
  private readonly recommendations: Timestamped[] = [];
  private readonly scaleUpEvents: Timestamped[] = [];
  private readonly scaleDownEvents: Timestamped[] = [];
  private synced = false;

  constructor(
    readonly spec: ResolvedHpaSpec,
    readonly options: Readonly<HpaControllerOptions> = HPA_CONTROLLER_DEFAULTS,
  ) {
    if (spec.minReplicas > spec.maxReplicas) {
      throw new RangeError(`minReplicas ${spec.minReplicas} > maxReplicas ${spec.maxReplicas}`);
    }
  }

  /** One reconcile at `now`: `currentReplicas` is the workload's `spec.replicas`, `pods` its pods. */
  sync(now: number, currentReplicas: number, pods: readonly HpaPod[]): HpaDecision {
    const { minReplicas, maxReplicas } = this.spec;
    if (!this.synced) {
      this.synced = true;
      this.recommendations.push({ time: now, value: currentReplicas });
    }
    const d: HpaDecision = {
      time: now,
      currentReplicas,
      metrics: [],
      proposal: -1,
      stabilized: currentReplicas,
      limited: currentReplicas,
      desiredReplicas: currentReplicas,
      rescale: false,
      reason: '',
      limitReason: '',
    };
    if (currentReplicas === 0 && minReplicas !== 0) {
      d.reason = 'scaling is disabled since the replica count of the target is zero';
      return d;
    }
    let desired: number;
    if (currentReplicas > maxReplicas) {
      desired = maxReplicas;
      d.reason = 'Current number of replicas above Spec.MaxReplicas';
      d.proposal = d.stabilized = d.limited = desired;
    } else if (currentReplicas < minReplicas) {
      desired = minReplicas;
      d.reason = 'Current number of replicas below Spec.MinReplicas';
      d.proposal = d.stabilized = d.limited = desired;
    } else {
      let proposal = -1;
      let proposer = '';
      let invalid = 0;
      for (const metric of this.spec.metrics) {
        const status = this.replicasForMetric(now, metric, currentReplicas, pods);
        d.metrics.push(status);
        if (status.proposal < 0) invalid++;
        else if (proposal === -1 || status.proposal > proposal) {
          proposal = status.proposal;
          proposer = status.metric;
        }
      }
      // computeReplicasForMetrics: give up when every metric failed, or when
      // some failed and the others would scale down.
      if (invalid >= this.spec.metrics.length || (invalid > 0 && proposal < currentReplicas)) {
        d.reason = `failed to compute desired number of replicas (${invalid} invalid metrics of ${this.spec.metrics.length})`;
        return d;
      }
      d.proposal = proposal;
      if (proposal > currentReplicas) d.reason = `${describeMetric(proposer)} above target`;
      else if (proposal < currentReplicas) d.reason = 'All metrics below target';
      else d.reason = 'recommended size matches current size';
      desired =
        this.spec.behavior === null
          ? this.normalizeLegacy(now, d, currentReplicas, proposal)
          : this.normalizeWithBehaviors(now, d, this.spec.behavior, currentReplicas, proposal);
    }
    d.desiredReplicas = desired;
    d.rescale = desired !== currentReplicas;
    if (d.rescale) this.storeScaleEvent(now, currentReplicas, desired);
    return d;
  }

  /** `GetResourceReplicas` (CPU utilisation) or `GetMetricReplicas` (a Pods metric). */
  private replicasForMetric(
    now: number,
    metric: HpaMetricSpec,
    currentReplicas: number,
    pods: readonly HpaPod[],
  ): HpaMetricStatus {
    const cpu = metric.type === 'Resource';
    const target = cpu ? metric.target.averageUtilization : metric.target.averageValue;
    const status: HpaMetricStatus = {
      metric: metric.name,
      target,
      current: NaN,
      usageRatio: NaN,
      proposal: -1,
      readyPods: 0,
      unreadyPods: 0,
      missingPods: 0,
      ignoredPods: 0,
      note: '',
    };
    const tolerances = this.tolerances();
    const isWithin = (r: number): boolean => 1 - tolerances.down <= r && r <= 1 + tolerances.up;
    // groupPods; `usage` and `requests` are the totals over the pods with a metric.
    const unready: HpaPod[] = [];
    const missing: HpaPod[] = [];
    let usage = 0;
    let requests = 0;
    let counted = 0;
    for (const pod of pods) {
      if (pod.deleting) {
        status.ignoredPods++;
        continue;
      }
      if (pod.phase === 'Pending') {
        unready.push(pod);
        continue;
      }
      if (!pod.sample.available) {
        missing.push(pod);
        continue;
      }
      if (cpu && this.cpuSampleUnready(now, pod)) {
        unready.push(pod);
        continue;
      }
      status.readyPods++;
      counted++;
      usage += cpu ? pod.sample.cpuMilli : customMilliOf(pod.sample.requestsPerSecond);
      requests += pod.cpuRequestMilli;
    }
    status.unreadyPods = unready.length;
    status.missingPods = missing.length;
    if (counted === 0) {
      status.note = 'did not receive metrics for targeted pods (pods might be unready)';
      return status;
    }
    const targetMilli = cpu ? target : customMilliOf(target);
    // Integer arithmetic as in metrics/utilization.go.
    const ratioOf = (u: number, r: number, n: number): number =>
      cpu ? Math.floor((u * 100) / r) / target : Math.floor(u / n) / targetMilli;
    const usageRatio = ratioOf(usage, requests, counted);
    status.current = cpu ? Math.floor((usage * 100) / requests) : Math.floor(usage / counted) / 1000;
    status.usageRatio = usageRatio;

    const scaleUpWithUnready = unready.length > 0 && usageRatio > 1;
    if (!scaleUpWithUnready && missing.length === 0) {
      if (isWithin(usageRatio)) {
        status.proposal = currentReplicas;
        status.note = 'within tolerance';
      } else {
        status.proposal = Math.ceil(usageRatio * status.readyPods);
        status.note = `ceil(${fmtRatio(usageRatio)} × ${status.readyPods} ready pods)`;
      }
      return status;
    }
    // Fill in the pods set aside, conservatively.
    let newUsage = usage;
    let newRequests = requests;
    let newCount = counted;
    const notes: string[] = [];
    if (missing.length > 0) {
      if (usageRatio < 1) {
        for (const pod of missing) {
          const req = pod.cpuRequestMilli;
          newUsage += cpu ? Math.floor((req * Math.max(100, target)) / 100) : targetMilli;
          newRequests += req;
          newCount++;
        }
        notes.push(`${missing.length} pods without metric counted at ${cpu ? '100%' : 'the target'}`);
      } else if (usageRatio > 1) {
        for (const pod of missing) {
          newRequests += pod.cpuRequestMilli;
          newCount++;
        }
        notes.push(`${missing.length} pods without metric counted at 0`);
      }
    }
    if (scaleUpWithUnready) {
      for (const pod of unready) {
        newRequests += pod.cpuRequestMilli;
        newCount++;
      }
      notes.push(`${unready.length} unready pods counted at 0`);
    }
    const newRatio = ratioOf(newUsage, newRequests, newCount);
    notes.push(`ratio ${fmtRatio(usageRatio)} → ${fmtRatio(newRatio)}`);
    if (isWithin(newRatio) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) {
      status.proposal = currentReplicas;
      status.note = `${notes.join(', ')}: within tolerance or direction reversed, keep current`;
      return status;
    }
    const replicas = Math.ceil(newRatio * newCount);
    if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) {
      status.proposal = currentReplicas;
      status.note = `${notes.join(', ')}: pod count would reverse the direction, keep current`;
      return status;
    }
    status.proposal = replicas;
    status.note = `${notes.join(', ')}: ceil(${fmtRatio(newRatio)} × ${newCount} pods)`;
    return status;
  }

  /** The CPU-only readiness rule of `groupPods`. */
  private cpuSampleUnready(now: number, pod: HpaPod): boolean {
    if (Number.isNaN(pod.startTime)) return true;
    if (pod.startTime + this.options.cpuInitializationPeriod > now) {
      // Still initialising: the sample must be wholly after the pod became ready.
      return !pod.ready || pod.sample.timestamp < pod.readyTransitionTime + pod.sample.window;
    }
    // Later, only a pod that has never been ready is set aside.
    return !pod.ready && pod.startTime + this.options.initialReadinessDelay > pod.readyTransitionTime;
  }

  private tolerances(): { up: number; down: number } {
    const b = this.spec.behavior;
    if (b === null) return { up: this.options.tolerance, down: this.options.tolerance };
    return { up: b.scaleUp.tolerance, down: b.scaleDown.tolerance };
  }

  /** `normalizeDesiredReplicasWithBehaviors`. */
  private normalizeWithBehaviors(
    now: number,
    d: HpaDecision,
    behavior: HpaBehavior,
    current: number,
    desired: number,
  ): number {
    // stabilizeRecommendationWithBehaviors
    const upWindow = behavior.scaleUp.stabilizationWindowSeconds;
    const downWindow = behavior.scaleDown.stabilizationWindowSeconds;
    let up = desired;
    let down = desired;
    for (const rec of this.recommendations) {
      if (within(now, rec.time, upWindow)) up = Math.min(up, rec.value);
      if (within(now, rec.time, downWindow)) down = Math.max(down, rec.value);
    }
    let stabilized = current;
    if (stabilized < up) stabilized = up;
    if (stabilized > down) stabilized = down;
    this.record(now, desired, Math.max(upWindow, downWindow));
    d.stabilized = stabilized;

    // convertDesiredReplicasWithBehaviorRate
    const { minReplicas, maxReplicas } = this.spec;
    let limited = stabilized;
    d.limitReason = 'DesiredWithinRange';
    if (stabilized > current) {
      let limit = this.scaleUpLimit(now, current, behavior.scaleUp);
      if (limit < current) limit = current;
      let maximum = maxReplicas;
      let reason = 'TooManyReplicas';
      if (maximum > limit) {
        maximum = limit;
        reason = 'ScaleUpLimit';
      }
      if (stabilized > maximum) {
        limited = maximum;
        d.limitReason = reason;
      }
    } else if (stabilized < current) {
      let limit = this.scaleDownLimit(now, current, behavior.scaleDown);
      if (limit > current) limit = current;
      let minimum = minReplicas;
      let reason = 'TooFewReplicas';
      if (minimum < limit) {
        minimum = limit;
        reason = 'ScaleDownLimit';
      }
      if (stabilized < minimum) {
        limited = minimum;
        d.limitReason = reason;
      }
    }
    d.limited = limited;
    return limited;
  }

  /** `normalizeDesiredReplicas`: the path of an HPA without `behavior`. */
  private normalizeLegacy(now: number, d: HpaDecision, current: number, desired: number): number {
    const window = this.options.downscaleStabilizationWindow;
    let stabilized = desired;
    for (const rec of this.recommendations) {
      if (within(now, rec.time, window) && rec.value > stabilized) stabilized = rec.value;
    }
    this.record(now, desired, window);
    d.stabilized = stabilized;
    // convertDesiredReplicasWithRules
    const { minReplicas, maxReplicas } = this.spec;
    const scaleUpLimit = Math.max(2 * current, 4);
    let maximum = maxReplicas;
    let reason = 'TooManyReplicas';
    if (maxReplicas > scaleUpLimit) {
      maximum = scaleUpLimit;
      reason = 'ScaleUpLimit';
    }
    let limited = stabilized;
    d.limitReason = 'DesiredWithinRange';
    if (stabilized < minReplicas) {
      limited = minReplicas;
      d.limitReason = 'TooFewReplicas';
    } else if (stabilized > maximum) {
      limited = maximum;
      d.limitReason = reason;
    }
    d.limited = limited;
    return limited;
  }

  /** Keep this proposal; forget those no window can see any more. */
  private record(now: number, value: number, longestWindow: number): void {
    const keep = this.recommendations.filter((r) => within(now, r.time, longestWindow));
    this.recommendations.length = 0;
    this.recommendations.push(...keep, { time: now, value });
  }

  private changeInPeriod(now: number, events: readonly Timestamped[], period: number): number {
    let sum = 0;
    for (const e of events) if (within(now, e.time, period)) sum += e.value;
    return sum;
  }

  /** The replicas a policy's period started from: today's, less what was added and plus what was removed within the period. */
  private replicasAtPeriodStart(now: number, current: number, period: number): number {
    return current - this.changeInPeriod(now, this.scaleUpEvents, period) + this.changeInPeriod(now, this.scaleDownEvents, period);
  }

  /** `calculateScaleUpLimitWithScalingRules` */
  private scaleUpLimit(now: number, current: number, rules: HpaScalingRules): number {
    if (rules.selectPolicy === 'Disabled') return current;
    const useMin = rules.selectPolicy === 'Min';
    let result = useMin ? Infinity : -Infinity;
    for (const policy of rules.policies) {
      const periodStart = this.replicasAtPeriodStart(now, current, policy.periodSeconds);
      const proposed =
        policy.type === 'Pods'
          ? periodStart + policy.value
          : Math.ceil(periodStart * (1 + policy.value / 100));
      result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
    }
    return result;
  }

  /** `calculateScaleDownLimitWithBehaviors` */
  private scaleDownLimit(now: number, current: number, rules: HpaScalingRules): number {
    if (rules.selectPolicy === 'Disabled') return current;
    const useMin = rules.selectPolicy === 'Min';
    let result = useMin ? -Infinity : Infinity;
    for (const policy of rules.policies) {
      const periodStart = this.replicasAtPeriodStart(now, current, policy.periodSeconds);
      const proposed =
        policy.type === 'Pods'
          ? periodStart - policy.value
          : Math.trunc(periodStart * (1 - policy.value / 100));
      result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return result;
  }

  /** `storeScaleEvent`: only an HPA with `behavior` keeps them. */
  private storeScaleEvent(now: number, previous: number, next: number): void {
    const behavior = this.spec.behavior;
    if (behavior === null) return;
    const up = next > previous;
    const events = up ? this.scaleUpEvents : this.scaleDownEvents;
    const rules = up ? behavior.scaleUp : behavior.scaleDown;
    const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
    const keep = events.filter((e) => within(now, e.time, longest));
    events.length = 0;
    events.push(...keep, { time: now, value: Math.abs(next - previous) });
  }
}

function describeMetric(metric: string): string {
  return metric === 'cpu'
    ? 'cpu resource utilization (percentage of request)'
    : `pods metric ${metric}`;
}

function fmtRatio(r: number): string {
  return Number.isFinite(r) ? String(Math.round(r * 1e4) / 1e4) : String(r);
}

/** One line of `--explain-scaling` for a decision of workload `name`. */
export function formatHpaDecision(name: string, d: HpaDecision): string {
  const metrics = d.metrics
    .map((m) => {
      const unit = m.metric === 'cpu' ? '%' : '';
      const value = Number.isNaN(m.current) ? '<unknown>' : `${m.current}${unit}`;
      const proposal = m.proposal < 0 ? 'invalid' : String(m.proposal);
      const pods = `ready ${m.readyPods}, unready ${m.unreadyPods}, missing ${m.missingPods}, deleting ${m.ignoredPods}`;
      return `${m.metric} ${value}/${m.target}${unit} → ${proposal} (${pods}; ${m.note})`;
    })
    .join('; ');
  const head = `t=${d.time.toFixed(3)}s hpa/${name} replicas ${d.currentReplicas}`;
  const chain = `proposal ${d.proposal} → stabilized ${d.stabilized} → limited ${d.limited}${d.limitReason ? ` (${d.limitReason})` : ''}`;
  const outcome = d.rescale ? `scale to ${d.desiredReplicas}` : 'no change';
  return `${head}: ${metrics ? `${metrics}; ` : ''}${chain}: ${outcome}; ${d.reason}`;
}
