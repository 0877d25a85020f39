/**
 * The summary at the top of report.html: the few sentences a capacity
 * review reads first, each computed from one table and saying which
 * statistic it quotes. Means with an interval are rounded as the key
 * metrics table rounds them (roundToInterval), so the prose and the table
 * show the same digits.
 */
import { biggestSegments, segmentMeans } from './charts/breakdown.js';
import { fmt, MAX_OVERLAID, maxOf, minOf } from './charts/common.js';
import { failureMarks, planQuestion, QUESTION_WORDS, type Manifest, type PlanAnswer } from './manifest.js';
import { busiestNodes, nodeMeans } from './charts/nodes.js';
import { busiestPods, podMeans } from './charts/pods.js';
import { sloPoints, VERDICTS } from './charts/slos.js';
import { bucketWidth, clockOf, unfinishedFrom, warmupOf } from './charts/time.js';
import { criticalPaths } from './criticalPath.js';
import { roundToInterval } from './metricsTable.js';
import { num, type Row } from './readCsv.js';

export interface GlanceInput {
  manifest: Manifest;
  summary: readonly Row[];
  variants: readonly string[];
  plan?: PlanAnswer;
  slos?: readonly Row[];
  breakdown?: readonly Row[];
  pods?: readonly Row[];
  nodes?: readonly Row[];
  timeseries?: readonly Row[];
}

const CAUSES = [
  ['failed_timeout', 'timed out'],
  ['failed_refused', 'refused'],
  ['failed_rejected', 'rejected by a full queue'],
  ['failed_dependency', 'failed in a dependency'],
] as const;

/** A summary.csv row's mean ± CI half-width as the metrics table shows it, with a unit. */
export function shown(row: Row | undefined, unit = ''): string {
  const m = row && num(row, 'mean');
  if (m === undefined || row === undefined) return '—';
  const r = roundToInterval(m, num(row, 'ci_half_width'));
  return `${r.mean}${r.halfWidth !== undefined ? ` ± ${r.halfWidth}` : ''}${unit ? ` ${unit}` : ''}`;
}

/** `5.2` when the values are equal to the digits shown, `from 3.1 to 5.2` otherwise. */
const range = (xs: readonly number[]) => {
  const [lo, hi] = [fmt(Math.min(...xs)), fmt(Math.max(...xs))];
  return lo === hi ? lo : `from ${lo} to ${hi}`;
};

const list = (xs: readonly string[]) => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/** The sentences, as plain text (the caller escapes them). */
export function glanceSentences(input: GlanceInput): string[] {
  const { summary, variants, plan, slos, breakdown, pods, nodes, timeseries, manifest } = input;
  const all = summary.filter((r) => r.scope === 'all');
  const row = (v: string, metric: string) => all.find((r) => r.variant === v && r.metric === metric);
  const own = variants.filter((v) => all.some((r) => r.variant === v));
  const out: string[] = [];

  // The answer: the plan's, the SLO verdicts, or the key metrics.
  if (plan) {
    const question = planQuestion(plan);
    const forWhat = question ? ` ${QUESTION_WORDS[question.kind]}` : '';
    out.push(
      plan.value === null
        ? `Plan${forWhat}: no value of ${plan.path}${plan.range ? ` in [${plan.range[0]}, ${plan.range[1]}]` : ''} meets every SLO (${plan.slos.join(', ')}).`
        : `Plan${forWhat}: the smallest ${plan.path} that meets every SLO (${plan.slos.join(', ')}) at ${fmt(plan.confidence * 100)}% confidence is ${plan.value}.`,
    );
  }
  if (slos?.length) {
    const points = sloPoints(slos);
    for (const slo of [...new Set(points.map((p) => p.slo))]) {
      const mine = points.filter((p) => p.slo === slo);
      const counts = VERDICTS.map((v) => [v, mine.filter((p) => p.verdict === v)] as const).filter(([, ps]) => ps.length > 0);
      if (mine.length === 1) {
        const p = mine[0];
        out.push(`SLO ${slo}: ${p.verdict} (mean ${fmt(p.mean, 4)}, 95% CI [${fmt(p.low, 4)}, ${fmt(p.high, 4)}], slos.csv).`);
      } else
        out.push(
          `SLO ${slo}: ${counts.map(([v, ps]) => `${v} by ${ps.length} of ${mine.length} variants${v !== 'met' && ps.length <= 3 ? ` (${ps.map((p) => p.variant).join(', ')})` : ''}`).join('; ')} (slos.csv).`,
        );
    }
  } else if (own.length > 0 && own.length <= MAX_OVERLAID) {
    for (const v of own) {
      const parts = (
        [
          ['p99 latency', 'latency_p99_ms', 'ms'],
          ['success ratio', 'success_ratio', ''],
          ['throughput', 'throughput_rps', 'requests/s'],
        ] as const
      ).flatMap(([label, metric, unit]) => (row(v, metric) ? [`${label} ${shown(row(v, metric), unit)}`] : []));
      if (parts.length) out.push(`${own.length > 1 ? `${v}: ` : ''}${parts.join(', ')} (means over replications ± 95% CI half-width, as in the key metrics table).`);
    }
  } else if (own.length > MAX_OVERLAID) {
    const p99 = own.map((v) => ({ v, r: row(v, 'latency_p99_ms') })).filter((x) => x.r && num(x.r, 'mean') !== undefined);
    if (p99.length) {
      const lo = p99.reduce((a, b) => (num(b.r!, 'mean')! < num(a.r!, 'mean')! ? b : a));
      const hi = p99.reduce((a, b) => (num(b.r!, 'mean')! > num(a.r!, 'mean')! ? b : a));
      out.push(`p99 latency (mean over replications ± 95% CI half-width) ranges from ${shown(lo.r, 'ms')} (${lo.v}) to ${shown(hi.r, 'ms')} (${hi.v}) over ${own.length} variants.`);
    }
  }

  // The biggest contributor to latency.
  if (breakdown?.length) {
    const tops = biggestSegments(breakdown, 'all').filter((t) => own.length === 0 || own.includes(t.variant));
    const segs = segmentMeans(breakdown, 'all');
    const phrase = (t: (typeof tops)[number]) => {
      const total = segs.filter((s) => s.variant === t.variant).reduce((s, x) => s + x.mean_ms, 0);
      return `${t.label}, ${fmt(t.mean_ms)} of ${fmt(total)} ms (${fmt((t.share ?? t.mean_ms / total) * 100)}%)${tops.length > 1 ? ` in ${t.variant}` : ''}`;
    };
    const same = tops.every((t) => t.segment === tops[0]?.segment);
    if (tops.length)
      out.push(
        tops.length <= 3 || !same
          ? `The largest part of the mean latency of ok requests is ${list(tops.slice(0, 4).map(phrase))}${tops.length > 4 ? ` (and so on: see the breakdown table)` : ''} (latency_breakdown.csv).`
          : `The largest part of the mean latency of ok requests is ${tops[0].label} in every variant, ${range(tops.map((t) => t.mean_ms))} ms (latency_breakdown.csv).`,
      );
  }

  // The critical path: the called Service that costs the edge requests the most time.
  if (breakdown?.length) {
    const paths = criticalPaths(summary, breakdown, own.length ? own : variants);
    const entries = [...new Set((manifest.resolvedScenario?.traffic ?? []).map((t) => t?.to?.service).filter((x): x is string => typeof x === 'string'))];
    const edge = entries.length === 1 ? `${entries[0]} request` : 'edge request';
    const phrase = (p: (typeof paths)[number], many: boolean) =>
      `${p.top.service}${many ? ` in ${p.variant}` : ''}, ${fmt(p.top.perRequestMs)} ms (${fmt(p.top.callsPerRequest)} calls × ${fmt(p.top.latencyMs - p.top.ownCallsMs)} ms own time each): at most ${fmt((p.top.perRequestMs / p.edgeMs) * 100)}% of the ${fmt(p.edgeMs)} ms mean latency${p.edgeCallsMs > 0 ? ` and ${fmt((p.top.perRequestMs / p.edgeCallsMs) * 100)}% of the ${fmt(p.edgeCallsMs)} ms in calls` : ''}`;
    if (paths.length)
      out.push(
        `Critical path: of the Services called, the one costing each ${edge} the most time is ${list(paths.slice(0, MAX_OVERLAID).map((p) => phrase(p, paths.length > 1)))}${paths.length > MAX_OVERLAID ? ' (and so on: see the per-scope sections)' : ''} ` +
          `(calls and latency from summary.csv; own time is without the Service's own calls, and the mean latency the breakdown's total, from latency_breakdown.csv; parallel calls overlap, so these are upper bounds).`,
      );
  }

  // The busiest pod and node against the mean, in the variant where the imbalance is largest.
  if (pods?.length) {
    const several = new Set(pods.map((r) => r.workload)).size > 1;
    const top = busiestPods(podMeans(pods, variants)).reduce<ReturnType<typeof busiestPods>[number] | undefined>((m, x) => (!m || x.relativeToMean > m.relativeToMean ? x : m), undefined);
    if (top)
      out.push(
        `Busiest pod: ${top.pod.label}${own.length > 1 ? ` in ${top.pod.variant}` : ''}, with ${fmt(top.relativeToMean)}× the mean share of ${several ? `the ${top.pod.workload} pods` : `its variant's pods`}${top.relativeToMean < 1.05 ? ' (no pod is more than 5% above the mean)' : ''} (share ${fmt(top.pod.share)}${several ? ` of ${top.pod.workload}'s requests` : ''}, utilisation ${fmt(top.pod.utilization)}; means over replications, pods.csv).`,
      );
  }
  if (nodes?.length) {
    const top = busiestNodes(nodeMeans(nodes, variants)).reduce<ReturnType<typeof busiestNodes>[number] | undefined>((m, x) => (!m || x.relativeToMean! > m.relativeToMean! ? x : m), undefined);
    if (top)
      out.push(
        `Busiest node: ${top.label}${own.length > 1 ? ` in ${top.variant}` : ''} received ${fmt(top.relativeToMean)}× the mean over nodes, ${fmt((top.shareOfReceived ?? 0) * 100)}% of all attempts its variant's kube-proxies received (means over replications, nodes.csv).`,
      );
  }

  // What failed, and when.
  const failing = own.filter((v) => (num(row(v, 'failed') ?? {}, 'mean') ?? 0) > 0);
  if (own.length && failing.length === 0 && own.every((v) => row(v, 'failed'))) out.push('No request failed in any replication of any variant.');
  if (failing.length) {
    // The variant with the most failures speaks for the others: one sentence, not one per variant.
    const v = failing.reduce((a, b) => ((num(row(b, 'failed')!, 'mean') ?? 0) > (num(row(a, 'failed')!, 'mean') ?? 0) ? b : a));
    const causes = CAUSES.map(([m, label]) => [label, num(row(v, m) ?? {}, 'mean') ?? 0] as const).filter(([, n]) => n > 0);
    const buckets = (timeseries ?? []).filter((r) => r.variant === v && (num(r, 'failed') ?? 0) > 0 && clockOf(r) !== undefined).map((r) => clockOf(r)!);
    const when = buckets.length ? `, in the time buckets from ${fmt(minOf(buckets))} s to ${fmt(maxOf(buckets) + bucketWidth(timeseries!))} s` : '';
    const marks = failureMarks(manifest.resolvedScenario);
    const scheduled = marks.length ? ` (scheduled: ${marks.map((f) => `${f.label} at ${fmt(f.t)} s`).join(', ')})` : '';
    const warmup = timeseries?.length ? warmupOf(timeseries) : (manifest.resolvedScenario?.simulation?.warmup ?? 0);
    const clock = buckets.length || marks.length ? (warmup > 0 ? ` Times count from the start of the ${fmt(warmup)} s warm-up, as failures[].at does.` : ' Times count from the start of the run.') : '';
    const lead = own.length > 1 ? `Requests failed in ${failing.length} of ${own.length} variants, most in ${v}: ` : '';
    out.push(
      `${lead}${shown(row(v, 'failed'))} ${lead ? '' : 'requests failed '}per replication${causes.length ? ` (${causes.map(([l, n]) => `${fmt(n, 4)} ${l}`).join(', ')})` : ''}${when}${scheduled}.${clock}`,
    );
  }
  // Unfinished requests: a handful is the drain limit cutting the slowest; more than 0.5% of requests is a load above capacity.
  const unfinished = own
    .map((v) => ({ v, left: num(row(v, 'unfinished') ?? {}, 'mean') ?? 0, requests: num(row(v, 'requests') ?? {}, 'mean') ?? 0 }))
    .filter((x) => x.left > 0)
    .sort((a, b) => b.left / (b.requests || 1) - a.left / (a.requests || 1));
  if (unfinished.length) {
    const worst = unfinished[0];
    const from = timeseries ? unfinishedFrom(timeseries, worst.v) : undefined;
    const overloaded = worst.requests > 0 && worst.left > 0.005 * worst.requests;
    out.push(
      `${own.length > 1 ? `${unfinished.length} of ${own.length} variants left` : 'The run left'} requests unfinished at the drain limit (${shown(row(worst.v, 'unfinished'))} per replication${own.length > 1 ? ` in ${worst.v}, the most` : ''}, ${fmt((worst.left / (worst.requests || 1)) * 100)}% of its requests)` +
        (overloaded ? `${from !== undefined ? `, from the bucket at ${fmt(from)} s on` : ''}: the load is above capacity, and the late fall of throughput is this, not an outage.` : '.'),
    );
  }
  return out;
}
