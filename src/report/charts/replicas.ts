/**
 * Autoscaling over time (timeseries.csv's `replicas:<workload>` and
 * `pending:<workload>` columns, written when a workload has `autoscaling`):
 * the load served on top, then each workload's replicas (and its Pending
 * pods, dashed) at each bucket's end, means over replications. A dotted
 * rule marks each bucket in which a workload's mean replica count changed:
 * the HPA's scale events as the buckets resolve them.
 */
import type { FailureMark } from '../manifest.js';
import { num, type Row } from '../readCsv.js';
import { fmt, frame, ONCE, uniqueInOrder, type LayerItem, type Spec } from './common.js';
import { clockOf, eventLayers, marksNote, timePanels, timePoints, warmupLayers, warmupNote, type Panel } from './time.js';

/** The workloads whose replicas timeseries.csv has, in column order. */
export function autoscaledWorkloads(rows: readonly Row[] = []): string[] {
  return rows.length ? Object.keys(rows[0]).filter((c) => c.startsWith('replicas:')).map((c) => c.slice('replicas:'.length)) : [];
}

export const hasReplicas = (rows: readonly Row[] = []) => autoscaledWorkloads(rows).length > 0;

/** Bucket starts at which a workload's mean replicas differ from the bucket before (any variant). */
export function scaleSteps(rows: readonly Row[], workload: string): number[] {
  const steps = new Set<number>();
  for (const variant of uniqueInOrder(rows.map((r) => r.variant))) {
    let prev: number | undefined;
    for (const r of rows.filter((x) => x.variant === variant)) {
      const value = num(r, `replicas:${workload}`);
      const t = clockOf(r);
      if (value !== undefined && prev !== undefined && t !== undefined && Math.abs(value - prev) > 1e-9) steps.add(t);
      if (value !== undefined) prev = value;
    }
  }
  return [...steps].sort((a, b) => a - b);
}

export function replicasChart(rows: readonly Row[], failures: readonly FailureMark[] = [], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant))): Spec {
  const workloads = autoscaledWorkloads(rows);
  const pendingOf = (w: string) => `pending:${w}`;
  const points = timePoints(rows, ['throughput_rps', ...workloads.flatMap((w) => [`replicas:${w}`, pendingOf(w)])]);
  const steps = workloads.flatMap((w) => scaleSteps(rows, w));
  const stepRules: LayerItem[] = steps.map((t) => ({ data: ONCE, mark: { type: 'rule' as const, strokeDash: [2, 3], color: '#555' }, encoding: { x: { datum: t, type: 'quantitative' as const } } }));
  const panels: Panel[] = [
    { field: 'throughput_rps', title: 'load served (ok requests/s)' },
    ...workloads.map((w) => ({
      field: `replicas:${w}`,
      title: `replicas of ${w} (dashed: Pending)`,
      counts: true,
      extra: [{ mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeDash: [4, 3], strokeWidth: 1.2 }, encoding: { x: { field: 't', type: 'quantitative' as const }, y: { field: pendingOf(w), type: 'quantitative' as const }, color: { field: 'variant', type: 'nominal' as const, legend: null } } }],
    })),
  ];
  return {
    ...frame('Replicas and load over time', `means over replications at each bucket's end; ${warmupNote(rows)}; dotted lines: buckets where the replicas changed (scale events)${failures.length ? `; ${marksNote(failures)}` : ''}`),
    spacing: 26,
    vconcat: timePanels(points, panels, variants, (i) => [...warmupLayers(rows, i === 0), ...stepRules, ...eventLayers(failures, i === 0)]),
  };
}

export function replicasDescription(rows: readonly Row[]): string {
  const parts = autoscaledWorkloads(rows).map((w) => {
    const values = rows.map((r) => num(r, `replicas:${w}`)).filter((x): x is number => x !== undefined);
    const pending = rows.map((r) => num(r, `pending:${w}`) ?? 0);
    return `${w}: from ${fmt(values[0])} to ${fmt(values.at(-1))} replicas, at most ${fmt(Math.max(...values))}, changing in ${scaleSteps(rows, w).length} buckets${Math.max(...pending) > 0 ? `, up to ${fmt(Math.max(...pending))} Pending` : ''}`;
  });
  return `Replicas of each autoscaled workload at each bucket's end (means over replications), under the load served. ${parts.join('; ')}.`;
}
