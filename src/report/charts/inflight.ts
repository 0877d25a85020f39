/**
 * How much is in the system (timeseries.csv's optional columns `in_flight`:
 * the time-average number of requests in flight during the bucket, from
 * their first attempt's start to their end, and `queue_length`: the
 * time-average number of requests waiting in pod queues, summed over pods;
 * means over replications, with `_ci_low`/`_ci_high` bands when present).
 * A queue that grows without falling back is a load above capacity.
 */
import type { FailureMark } from '../manifest.js';
import type { Row } from '../readCsv.js';
import { fmt, frame, maxOf, uniqueInOrder, type Spec } from './common.js';
import { eventLayers, hasColumn, marksNote, timePanels, timePoints, unfinishedFrom, unfinishedLayers, warmupLayers, warmupNote, type Panel } from './time.js';

const PANELS: readonly Panel[] = [
  { field: 'in_flight', title: 'requests in flight (time-average per bucket)' },
  { field: 'queue_length', title: 'requests waiting in pod queues (time-average per bucket)' },
];

export const hasInFlight = (rows: readonly Row[] = []) => hasColumn(rows, 'in_flight');

export function inflightChart(rows: readonly Row[], failures: readonly FailureMark[] = [], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant))): Spec {
  const panels = PANELS.filter((p) => hasColumn(rows, p.field));
  const points = timePoints(rows, panels.map((p) => p.field));
  const end = maxOf(points.map((p) => p.t));
  const from = unfinishedFrom(rows);
  const bands = points.some((p) => Object.keys(p).some((k) => k.endsWith('_ci_low')));
  return {
    ...frame('Requests in flight over time', `means over replications per time bucket; ${warmupNote(rows)}${bands ? '; bands: 95% confidence intervals' : ''}${failures.length ? `; ${marksNote(failures)}` : ''}; axes start at 0`),
    spacing: 26,
    vconcat: timePanels(points, panels, variants, (i, small) => [...warmupLayers(rows, i === 0), ...unfinishedLayers(from, end, i === 0 && !small, small), ...eventLayers(failures, i === 0)]),
  };
}

export function inflightDescription(rows: readonly Row[]): string {
  const points = timePoints(rows, ['in_flight', 'queue_length']);
  const parts = uniqueInOrder(points.map((p) => p.variant)).map((v) => {
    const own = points.filter((p) => p.variant === v && typeof p.in_flight === 'number');
    const top = own.reduce<(typeof own)[number] | undefined>((m, p) => (!m || (p.in_flight as number) > (m.in_flight as number) ? p : m), undefined);
    const last = own.at(-1);
    return `${v}: at most ${fmt(top?.in_flight as number)} in flight (bucket from ${fmt(top?.t)} s), ${fmt(last?.in_flight as number)} in the last bucket`;
  });
  return `Requests in flight${hasColumn(rows, 'queue_length') ? ' and waiting in pod queues' : ''} per time bucket (time-averages, means over replications; times from the start of the warm-up). ${parts.join('; ')}.`;
}
