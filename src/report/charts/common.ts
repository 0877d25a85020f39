/**
 * What every chart shares: the title block, fonts, the variant colours (the
 * same variant has the same colour in every chart), the key metrics with
 * their units, and small helpers over rows.
 */
import type { TopLevelSpec } from 'vega-lite';

export type Spec = TopLevelSpec;

/** A chart as the report uses it: a file name, a title, a text alternative describing the data, and the spec. */
export interface ChartSpec {
  name: string;
  title: string;
  description: string;
  spec: Spec;
}

export const FONT = 'DejaVu Sans';

/** The parts of a top-level spec every chart starts with. */
export function frame(title: string, subtitle?: string) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, ...(subtitle ? { subtitle } : {}), anchor: 'start' as const, fontSize: 15, subtitleFontSize: 12, offset: 12 },
    background: 'white',
    padding: 8,
    config: {
      font: FONT,
      axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 500 },
      legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 500, titleLimit: 500 },
      header: { labelFontSize: 12, titleFontSize: 12 },
    },
  };
}

/** One colour per label, in a fixed order, so a variant keeps its colour from chart to chart. */
export function colorScale(domain: readonly string[]) {
  return { domain: [...domain], scheme: domain.length > 10 ? ('tableau20' as const) : ('tableau10' as const) };
}

/**
 * A y axis whose title reads horizontally above its panel: in a stack of
 * short panels a rotated title longer than the panel would push the panels apart.
 */
export const titleAbove = { titleAngle: 0, titleAlign: 'left' as const, titleBaseline: 'bottom' as const, titleX: 0, titleY: -6, titleFontWeight: 'bold' as const };

export interface KeyMetric {
  metric: string;
  label: string;
  unit: string;
}

/** The metrics the sweep and difference charts show, in this order, with their units. */
export const KEY_METRICS: readonly KeyMetric[] = [
  { metric: 'latency_p99_ms', label: 'p99 latency', unit: 'ms' },
  { metric: 'success_ratio', label: 'success ratio', unit: 'fraction, 0–1' },
  { metric: 'throughput_rps', label: 'throughput', unit: 'requests/s' },
  { metric: 'failed', label: 'failed requests', unit: 'count per replication' },
  { metric: 'latency_mean_ms', label: 'mean latency', unit: 'ms' },
];

export const axisTitle = (m: KeyMetric, prefix = ''): string => `${prefix}${m.label} (${m.unit})`;

/** The sweep parameter columns of a table: those between `variant` and the table's first own column. */
export function paramColumns(header: readonly string[], firstOwn: string): string[] {
  const i = header.indexOf(firstOwn);
  return i > 1 && header[0] === 'variant' ? header.slice(1, i) : [];
}

export function uniqueInOrder<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** A number for a sentence: three significant digits, no exponent. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return Number(x.toFixed(Math.min(decimals, 12))).toLocaleString('en-US', { maximumFractionDigits: 12, useGrouping: false });
}

/** Names compared as people read them: web-2 before web-10. */
export const naturalCompare = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
