/**
 * Where the time goes (latency_breakdown.csv): the mean end-to-end latency
 * of ok requests cut into the segments of the request path, one stacked bar
 * per variant. Columns: `variant, [sweep parameters], scope, segment,
 * mean_ms, share` (`share` = mean_ms over the sum of the variant's and
 * scope's segments), optionally `p99_ms` after them. Segments are drawn in
 * the order of the path; a segment the engine adds later is drawn after them
 * with its own name.
 */
import { num, type Row } from '../readCsv.js';
import { fmt, frame, uniqueInOrder, variantRows, type Spec } from './common.js';

/** The segments of the request path, in path order, with what the reader calls them. */
export const SEGMENTS: readonly { segment: string; label: string }[] = [
  { segment: 'client_network', label: 'client network' },
  { segment: 'load_balancer', label: 'load balancer' },
  { segment: 'forwarding', label: 'node-to-pod forwarding' },
  { segment: 'handshake', label: 'TCP handshake' },
  { segment: 'queue_wait', label: 'queue wait in the pod' },
  { segment: 'service', label: 'service time' },
  { segment: 'calls', label: 'calls to other Services' },
  { segment: 'retries_backoff', label: 'retries and backoff' },
];

export const segmentLabel = (segment: string): string => SEGMENTS.find((s) => s.segment === segment)?.label ?? segment.replace(/_/g, ' ');

export interface SegmentMean {
  variant: string;
  scope: string;
  segment: string;
  label: string;
  /** Position in the path, for the stacking order. */
  order: number;
  mean_ms: number;
  share: number | null;
  p99_ms: number | null;
}

export function segmentMeans(rows: readonly Row[], scope?: string): SegmentMean[] {
  const extra = uniqueInOrder(rows.map((r) => r.segment)).filter((s) => !SEGMENTS.some((x) => x.segment === s));
  const orderOf = (s: string) => {
    const i = SEGMENTS.findIndex((x) => x.segment === s);
    return i >= 0 ? i : SEGMENTS.length + extra.indexOf(s);
  };
  return rows
    .filter((r) => (scope === undefined || r.scope === scope) && num(r, 'mean_ms') !== undefined)
    .map((r) => ({ variant: r.variant, scope: r.scope ?? 'all', segment: r.segment, label: segmentLabel(r.segment), order: orderOf(r.segment), mean_ms: num(r, 'mean_ms')!, share: num(r, 'share') ?? null, p99_ms: num(r, 'p99_ms') ?? null }));
}

/** The segment with the largest mean per variant (scope as given). */
export function biggestSegments(rows: readonly Row[], scope = 'all'): SegmentMean[] {
  const segs = segmentMeans(rows, scope);
  return uniqueInOrder(segs.map((s) => s.variant)).map((v) => segs.filter((s) => s.variant === v).reduce((a, b) => (b.mean_ms > a.mean_ms ? b : a)));
}

export function breakdownChart(rows: readonly Row[], variants?: readonly string[]): Spec {
  const segs = segmentMeans(rows);
  const order = variants?.length ? variants.filter((v) => segs.some((s) => s.variant === v)) : uniqueInOrder(segs.map((s) => s.variant));
  const scopes = uniqueInOrder(segs.map((s) => s.scope));
  const segmentOrder = uniqueInOrder([...segs].sort((a, b) => a.order - b.order).map((s) => s.label));
  const bars = {
    width: 560,
    height: { step: 22 },
    mark: { type: 'bar' as const, stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      y: { field: 'variant', type: 'nominal' as const, title: null, sort: order, axis: { labelLimit: 360 } },
      x: { field: 'mean_ms', type: 'quantitative' as const, title: 'mean latency of ok requests, stacked by segment (ms)', stack: 'zero' as const, scale: { zero: true } },
      color: { field: 'label', type: 'nominal' as const, title: 'segment', sort: segmentOrder, scale: { domain: segmentOrder, scheme: 'tableau10' as const } },
      order: { field: 'order', type: 'quantitative' as const },
      tooltip: [{ field: 'variant' }, { field: 'label', title: 'segment' }, { field: 'mean_ms', title: 'mean (ms)' }, { field: 'share' }],
    },
  };
  const subtitle = 'mean per ok request of each segment of the path, stacked in path order; a bar’s length is the mean end-to-end latency';
  return scopes.length > 1
    ? { ...frame('Where the latency goes', subtitle), data: { values: segs }, facet: { row: { ...variantRows(scopes), field: 'scope' } }, spec: bars }
    : { ...frame('Where the latency goes', subtitle), data: { values: segs }, ...bars };
}

export function breakdownDescription(rows: readonly Row[], summary: readonly Row[] = []): string {
  const segs = segmentMeans(rows, 'all');
  const parts = biggestSegments(rows, 'all').map((top) => {
    const own = segs.filter((s) => s.variant === top.variant);
    const total = own.reduce((s, x) => s + x.mean_ms, 0);
    const e2e = summary.find((r) => r.variant === top.variant && r.scope === 'all' && r.metric === 'latency_mean_ms');
    const check = e2e?.mean ? ` (mean end-to-end latency in summary.csv: ${fmt(Number(e2e.mean))} ms)` : '';
    return `${top.variant}: segments add up to ${fmt(total)} ms${check}; the largest is ${top.label}, ${fmt(top.mean_ms)} ms (${fmt((top.share ?? top.mean_ms / total) * 100)}%)`;
  });
  return `Mean latency of ok requests split by segment of the request path, one stacked bar per variant (scope all). ${parts.join('; ')}.`;
}
