/**
 * Throughput, failed requests and p99 latency per time bucket
 * (timeseries.csv, means over replications), one line per variant (one small
 * panel per variant when there are many), three panels on one time axis,
 * with the scenario's scheduled failures (and recoveries) where they happen,
 * 95% bands where the table has them, the SLO thresholds on p99 and the
 * buckets whose requests were unfinished at the drain limit shaded.
 */
import type { FailureMark } from '../manifest.js';
import type { Row } from '../readCsv.js';
import { fmt, frame, maxOf, mean, uniqueInOrder, type Spec } from './common.js';
import { thresholdLayers, type Threshold } from './slos.js';
import { bucketWidth, eventLayers, marksNote, timePanels, timePoints, unfinishedFrom, unfinishedLayers, warmupLayers, warmupNote, type Point } from './time.js';

export interface Bucket {
  variant: string;
  t: number;
  throughput_rps: number | null;
  failed: number | null;
  latency_p99_ms: number | null;
}

const PANELS = [
  { field: 'throughput_rps', title: 'throughput (requests/s)' },
  { field: 'failed', title: 'failed requests (per bucket)', counts: true },
  { field: 'latency_p99_ms', title: 'p99 latency (ms)' },
] as const;

/** The buckets of every variant, plus one closing point per variant at the end of its last bucket. */
export function buckets(rows: readonly Row[]): Bucket[] {
  const value = (p: Point, k: string) => (typeof p[k] === 'number' ? p[k] : null);
  return timePoints(rows, ['throughput_rps', 'failed', 'latency_p99_ms']).map((p) => ({
    variant: p.variant,
    t: p.t,
    throughput_rps: value(p, 'throughput_rps'),
    failed: value(p, 'failed'),
    latency_p99_ms: value(p, 'latency_p99_ms'),
  }));
}

export function timeseriesChart(rows: readonly Row[], failures: readonly FailureMark[] = [], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant)), slos: readonly Threshold[] = []): Spec {
  const points = timePoints(rows, PANELS.map((p) => p.field));
  // A panel of zeros (no failures anywhere) says nothing a sentence cannot.
  const noFailures = points.every((p) => !p.failed);
  const panels = PANELS.filter((p) => !(noFailures && p.field === 'failed'));
  const end = maxOf(points.map((p) => p.t));
  const from = unfinishedFrom(rows);
  const bands = points.some((p) => Object.keys(p).some((k) => k.endsWith('_ci_low')));
  const notes = [
    'means over replications per time bucket',
    warmupNote(rows),
    ...(bands ? ['bands: 95% confidence intervals'] : []),
    ...(failures.length ? [marksNote(failures)] : []),
    ...(slos.some((t) => t.metric === 'latency_p99_ms' && t.scope === 'all') ? ['red line: the p99 SLO (over the whole window; here per bucket)'] : []),
    ...(noFailures ? ['no failed requests in any bucket (panel not drawn)'] : []),
    ...(from !== undefined ? [`grey: requests that started from ${fmt(from)} s were partly unfinished at the drain limit, so their throughput is low — an overloaded run, not an outage`] : []),
    'axes start at 0',
  ];
  return {
    ...frame('Traffic over time', notes.join('; ')),
    spacing: 26,
    vconcat: timePanels(
      points,
      panels.map((p) => ({ ...p, extra: thresholdLayers(slos, p.field, p.title) })),
      variants,
      (i, small) => [...warmupLayers(rows, i === 0), ...unfinishedLayers(from, end, i === 0 && !small, small), ...eventLayers(failures, i === 0)],
    ),
  };
}

export function timeseriesDescription(rows: readonly Row[], failures: readonly FailureMark[] = []): string {
  const values = buckets(rows);
  const width = bucketWidth(rows);
  const parts = uniqueInOrder(values.map((b) => b.variant)).map((v) => {
    // Without the closing point, which repeats the last bucket.
    const own = values.filter((b) => b.variant === v).slice(0, -1);
    const nums = (k: 'throughput_rps' | 'failed' | 'latency_p99_ms') => own.map((b) => b[k]).filter((x): x is number => x !== null);
    const failed = nums('failed').reduce((s, x) => s + x, 0);
    const worst = own.reduce<Bucket | undefined>((w, b) => (b.latency_p99_ms !== null && (!w || b.latency_p99_ms > (w.latency_p99_ms ?? -Infinity)) ? b : w), undefined);
    return `${v}: throughput ${fmt(mean(nums('throughput_rps')))} requests/s on average over buckets, ${fmt(failed)} failed requests per replication in all, highest bucket p99 ${fmt(worst?.latency_p99_ms)} ms in the ${fmt(width)} s bucket from ${fmt(worst?.t)} s`;
  });
  const events = failures.length ? ` Marked: ${failures.map((f) => `${f.label} at ${fmt(f.t)} s`).join(', ')}.` : '';
  const late = uniqueInOrder(rows.map((r) => r.variant)).flatMap((v) => {
    const from = unfinishedFrom(rows, v);
    return from === undefined ? [] : [`${v} from ${fmt(from)} s on`];
  });
  const unfinished = late.length
    ? ` Requests that started late were partly still unfinished at the drain limit (${late.join(', ')}); the fall of throughput there is overload, not an outage.`
    : '';
  return `Throughput, failed requests and p99 latency per time bucket (means over replications), one line per variant; times from the start of the warm-up. ${parts.join('; ')}.${events}${unfinished}`;
}
