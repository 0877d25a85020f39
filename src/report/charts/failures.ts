/**
 * What failed, and when (timeseries.csv's optional columns `failed_timeout,
 * failed_refused, failed_rejected, failed_dependency`: failed requests per
 * bucket by the cause of their last attempt, means over replications, each
 * request in the bucket its first attempt started in; they add up to
 * `failed`). Stacked bars per bucket, one panel per variant that failed at
 * all, with the scheduled failures marked.
 */
import type { FailureMark } from '../manifest.js';
import { num, type Row } from '../readCsv.js';
import { fmt, frame, maxOf, minOf, titleAbove, uniqueInOrder, variantRows, type Spec } from './common.js';
import { bucketWidth, clockOf, eventLayers, marksNote, showsWarmup, TIME_TITLE, warmupLayers, warmupNote, warmupOf } from './time.js';

export const FAILURE_CAUSES = [
  { column: 'failed_timeout', label: 'timeout (dead node, dropped, black-holed)' },
  { column: 'failed_refused', label: 'refused (no endpoints)' },
  { column: 'failed_rejected', label: 'rejected (pod queue full)' },
  { column: 'failed_dependency', label: 'dependency (a required call failed)' },
] as const;

export interface CauseBar {
  variant: string;
  t: number;
  t_end: number;
  cause: string;
  count: number;
  /** Where the bar starts and ends in the bucket's stack (causes in FAILURE_CAUSES order). */
  y0: number;
  y1: number;
}

/** Non-zero bars of the cause columns the table has. */
export function causeBars(rows: readonly Row[]): CauseBar[] {
  const width = bucketWidth(rows);
  const causes = FAILURE_CAUSES.filter((c) => rows.length > 0 && c.column in rows[0]);
  return rows.flatMap((r) => {
    const t = clockOf(r);
    if (t === undefined) return [];
    let top = 0;
    return causes.flatMap((c) => {
      const count = num(r, c.column);
      if (!count) return [];
      top += count;
      return [{ variant: r.variant, t, t_end: t + width, cause: c.label, count, y0: top - count, y1: top }];
    });
  });
}

export const hasFailureCauses = (rows: readonly Row[] = []) => causeBars(rows).length > 0;

export function failuresChart(rows: readonly Row[], failures: readonly FailureMark[] = [], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant))): Spec {
  const bars = causeBars(rows);
  const own = variants.filter((v) => bars.some((b) => b.variant === v));
  const causes = FAILURE_CAUSES.map((c) => c.label).filter((l) => bars.some((b) => b.cause === l));
  const end = maxOf(rows.map((r) => clockOf(r) ?? 0)) + bucketWidth(rows);
  const start = showsWarmup(rows) ? 0 : warmupOf(rows);
  const layer = [
    {
      mark: { type: 'rect' as const },
      encoding: {
        x: { field: 't', type: 'quantitative' as const, title: TIME_TITLE, scale: { nice: false, domain: [start, end] } },
        x2: { field: 't_end' },
        y: { field: 'y0', type: 'quantitative' as const, title: 'failed requests (per bucket)', scale: { zero: true }, axis: titleAbove },
        y2: { field: 'y1' },
        color: { field: 'cause', type: 'nominal' as const, title: 'cause of the last attempt', sort: causes, scale: { domain: causes, range: ['#c0392b', '#8e44ad', '#e67e22', '#2c3e50'].slice(0, causes.length) } },
      },
    },
    ...warmupLayers(rows, true),
    ...eventLayers(failures, true),
  ];
  const spec = { width: 640, height: 120, layer };
  return {
    ...frame('Failures by cause over time', `failed requests per bucket by the cause of their last attempt, means over replications; only variants with failures; ${warmupNote(rows)}${failures.length ? `; ${marksNote(failures)}` : ''}; axes start at 0`),
    data: { values: bars },
    ...(own.length > 1 ? { facet: { row: variantRows(own) }, spec } : spec),
  };
}

export function failuresDescription(rows: readonly Row[], failures: readonly FailureMark[] = []): string {
  const bars = causeBars(rows);
  const width = bucketWidth(rows);
  const parts = uniqueInOrder(bars.map((b) => b.variant)).map((v) => {
    const own = bars.filter((b) => b.variant === v);
    const byCause = uniqueInOrder(own.map((b) => b.cause)).map((c) => [c, own.filter((b) => b.cause === c).reduce((s, b) => s + b.count, 0)] as const);
    const ts = own.map((b) => b.t);
    return `${v}: ${byCause.map(([c, n]) => `${fmt(n)} ${c.replace(/ \(.*/, '')}`).join(', ')} per replication, in the buckets from ${fmt(minOf(ts))} s to ${fmt(maxOf(ts) + width)} s`;
  });
  const events = failures.length ? ` Marked: ${failures.map((f) => `${f.label} at ${fmt(f.t)} s`).join(', ')}.` : '';
  return `Failed requests per time bucket by cause, means over replications; times from the start of the warm-up. ${parts.join('; ')}.${events}`;
}
