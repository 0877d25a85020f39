/**
 * What every chart shares: the title block, fonts, the variant colours (the
 * same variant has the same colour in every chart), the key metrics with
 * their units, and small helpers over rows.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Row } from '../readCsv.js';

export type Spec = TopLevelSpec;
/** One panel of a vertical concatenation, and one layer of a layered panel. */
export type ConcatItem = Extract<Spec, { vconcat: unknown }>['vconcat'][number];
export type LayerItem = Extract<ConcatItem, { layer: unknown }>['layer'][number];

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
    title: { text: title, ...(subtitle ? { subtitle: wrap(subtitle) } : {}), anchor: 'start' as const, fontSize: 15, subtitleFontSize: 12, offset: 12 },
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

/**
 * A layer whose marks are placed by `datum` (a threshold, a failure time)
 * drawn once: with a data set of one row of its own, instead of once per row
 * of the data it would inherit (works inside facets too: once per cell).
 */
export const ONCE = { values: [{}] };

/**
 * A subtitle as lines of at most `width` characters, broken at `; ` first and
 * at spaces after: a one-line subtitle longer than its chart would widen the
 * SVG beyond the chart. One line stays a string, so short subtitles keep
 * their old form.
 */
export function wrap(text: string, width = 110): string | string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(/(?<=;) /)) {
    const words = part.split(' ');
    for (const w of words) {
      if (line && line.length + 1 + w.length > width) {
        lines.push(line);
        line = w;
      } else line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines.length === 1 ? lines[0] : lines;
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

/** The largest (smallest) of many numbers: a spread into Math.max would overflow the call stack over a long series. */
export const maxOf = (xs: readonly number[]): number => xs.reduce((m, x) => (x > m ? x : m), -Infinity);
export const minOf = (xs: readonly number[]): number => xs.reduce((m, x) => (x < m ? x : m), Infinity);

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
  return plainNumber(Number(x.toFixed(Math.min(decimals, 12))));
}

/**
 * What `Intl.NumberFormat('en-US', { maximumFractionDigits: 12,
 * useGrouping: false })` writes for y, the digits of JavaScript's own
 * shortest form (which ICU's are too) with any exponent written out, and
 * −0 as "-0". Built without Intl: a process's first NumberFormat took
 * 16-30 ms (ICU's number data), every report's. Intl itself, made on first
 * use, where y would need rounding to 12 decimals (fmt never asks that).
 */
export function plainNumber(y: number): string {
  if (Object.is(y, -0)) return '-0';
  let s = String(y);
  const e = s.indexOf('e');
  if (e >= 0) {
    const sign = y < 0 ? '-' : '';
    const [whole, fraction = ''] = s.slice(sign.length, e).split('.');
    const digits = whole + fraction;
    const point = whole.length + Number(s.slice(e + 1));
    if (point <= 0) s = `${sign}0.${'0'.repeat(-point)}${digits}`;
    else if (point >= digits.length) s = `${sign}${digits}${'0'.repeat(point - digits.length)}`;
    else s = `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const dot = s.indexOf('.');
  if (dot >= 0 && s.length - dot - 1 > 12) return (plainFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 12, useGrouping: false })).format(y);
  return s;
}
let plainFormat: Intl.NumberFormat | undefined;

/**
 * Names compared as people read them: web-2 before web-10. The order of
 * `Intl.Collator('en', { numeric: true })`, made on first use (a process's
 * first collator took ≈ 9 ms, every report's) and needed only for names
 * beyond Kubernetes' own: for names of lowercase letters, digits and
 * hyphens, with no number written with a leading zero, its order is
 * computed here (hyphen before digits before letters, runs of digits by
 * their value, a name before its extensions).
 */
export function naturalCompare(a: string, b: string): number {
  if (!PLAIN_NAME.test(a) || !PLAIN_NAME.test(b)) return (natural ??= new Intl.Collator('en', { numeric: true })).compare(a, b);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ra = rank(a.charCodeAt(i));
    const rb = rank(b.charCodeAt(j));
    if (ra !== rb) return ra < rb ? -1 : 1;
    if (ra !== DIGIT) {
      if (a[i] !== b[j]) return a[i] < b[j] ? -1 : 1;
      i++;
      j++;
      continue;
    }
    // Two numbers: the longer is the larger (no leading zeros), else the first digit that differs.
    let ea = i;
    let eb = j;
    while (ea < a.length && rank(a.charCodeAt(ea)) === DIGIT) ea++;
    while (eb < b.length && rank(b.charCodeAt(eb)) === DIGIT) eb++;
    if (ea - i !== eb - j) return ea - i < eb - j ? -1 : 1;
    const na = a.slice(i, ea);
    const nb = b.slice(j, eb);
    if (na !== nb) return na < nb ? -1 : 1;
    i = ea;
    j = eb;
  }
  const left = a.length - i - (b.length - j);
  return left < 0 ? -1 : left > 0 ? 1 : 0;
}
let natural: Intl.Collator | undefined;
/** Lowercase letters, digits and hyphens, no number with a leading zero (the collator puts 01 level with 1). */
const PLAIN_NAME = /^(?:[a-z-]|[1-9][0-9]*|0(?![0-9]))*$/;
const DIGIT = 1;
/** Where the collator puts a character of a plain name: hyphen (punctuation), then digits, then letters. */
const rank = (c: number): number => (c === 45 ? 0 : c <= 57 ? DIGIT : 2);

/**
 * Variants in the order a reader expects: as summary.csv lists them, but
 * numerically by their sweep values where those are numbers (replicas=9
 * before replicas=12), parameter by parameter.
 */
export function orderVariants(variants: readonly string[], summary: readonly Row[] = [], params: readonly string[] = []): string[] {
  const valuesOf = new Map<string, string[]>();
  for (const r of summary) if (!valuesOf.has(r.variant)) valuesOf.set(r.variant, params.map((p) => r[p] ?? ''));
  const index = new Map(variants.map((v, i) => [v, i]));
  const numeric = params.map((_, i) => [...valuesOf.values()].every((vs) => vs[i].trim() !== '' && Number.isFinite(Number(vs[i]))));
  return [...variants].sort((a, b) => {
    const va = valuesOf.get(a);
    const vb = valuesOf.get(b);
    if (va && vb)
      for (let i = 0; i < params.length; i++) {
        if (!numeric[i]) continue;
        const d = Number(va[i]) - Number(vb[i]);
        if (d !== 0) return d;
      }
    return index.get(a)! - index.get(b)!;
  });
}

/** True when every value is the same number (or there are none): a flat panel that shows nothing. */
export function isConstant(xs: readonly (number | null | undefined)[]): boolean {
  const finite = xs.filter((x): x is number => x !== null && x !== undefined && Number.isFinite(x));
  return finite.every((x) => x === finite[0]);
}

/**
 * The header of a small panel named by a variant: one line per sweep
 * parameter (`a=1;b=2` → two lines), each cut at the panel's width, so that
 * a long label never widens its column beyond the panel it names.
 */
export function panelHeader(width: number) {
  return { labelFontWeight: 'bold' as const, labelFontSize: 11, labelExpr: "split(datum.label, ';')", labelLimit: width + 50, labelAnchor: 'start' as const };
}

/** A row facet of one panel per variant, in the given order, each label above its panel. */
export function variantRows(variants: readonly string[]) {
  return { field: 'variant', type: 'nominal' as const, title: null, sort: [...variants], header: { labelAngle: 0, labelOrient: 'top' as const, labelAnchor: 'start' as const, labelFontWeight: 'bold' as const } };
}

/** Above this many variants, lines on one panel hide each other: charts switch to one small panel per variant. */
export const MAX_OVERLAID = 4;

/** Means over replications of numeric columns, per group key, in first-seen order. */
export function meansBy<K extends string>(rows: readonly Row[], key: (r: Row) => string, columns: readonly K[]): { key: string; first: Row; means: Record<K, number | null> }[] {
  const groups = new Map<string, { first: Row; sums: Record<string, number[]> }>();
  for (const r of rows) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { first: r, sums: Object.fromEntries(columns.map((c) => [c, []])) }));
    for (const c of columns) {
      const v = r[c];
      if (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v))) g.sums[c].push(Number(v));
    }
  }
  return [...groups.entries()].map(([k, g]) => ({ key: k, first: g.first, means: Object.fromEntries(columns.map((c) => [c, mean(g.sums[c])])) as Record<K, number | null> }));
}
