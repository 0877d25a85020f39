/**
 * What every chart over time shares (timeseries.csv, one row per variant ×
 * bucket, means over replications): the time axis, the buckets as step
 * lines that close at the end of the last bucket, 95% bands from optional
 * `<column>_ci_low` / `<column>_ci_high` columns, the scheduled failures and
 * recoveries, and the shading of buckets whose requests were still unfinished
 * at the drain limit (an overloaded run: their throughput falls because their
 * requests never ended inside the run, not because of an outage). With many
 * variants each variant gets its own small panel instead of one crowded one.
 *
 * Every extra layer uses `datum` rather than its own data, so that the same
 * layers work inside a facet (one small panel per variant).
 */
import type { FailureMark } from '../manifest.js';
import { num, type Row } from '../readCsv.js';
import { colorScale, fmt, MAX_OVERLAID, ONCE, panelHeader, titleAbove, uniqueInOrder, type ConcatItem, type LayerItem } from './common.js';

/**
 * Every time in the report is on the scenario clock: seconds from the start
 * of the warm-up, the clock of `failures[].at`, `schedule` and `trace --at`
 * (timeseries.csv's `t_scenario_s`; `t_s`, the contract's column, counts
 * from the window's start). A crash written `at: 70s` is drawn at 70 s.
 */
export const TIME_TITLE = 'time from the start of the warm-up (s)';
/** The same, short enough for the bottom of a small panel. */
export const TIME_TITLE_SHORT = 'time from warm-up start (s)';
export const TIME = { field: 't', type: 'quantitative' as const, title: TIME_TITLE, scale: { nice: false } };

/** A bucket's start on the scenario clock: `t_scenario_s`, or `t_s` in a table without it (see scenarioClock). */
export const clockOf = (r: Row): number | undefined => num(r, 't_scenario_s') ?? num(r, 't_s');

/**
 * timeseries.csv's rows with `t_scenario_s` in every row: a folder written
 * before the column existed gets `t_s` + the variant's warm-up from the
 * manifest (its own, else the base scenario's).
 */
export function scenarioClock(rows: readonly Row[], warmupOf: (variant: string) => number): Row[] {
  if (rows.length === 0 || 't_scenario_s' in rows[0]) return [...rows];
  return rows.map((r) => {
    const t = num(r, 't_s');
    return { ...r, t_scenario_s: t === undefined ? '' : String(t + warmupOf(r.variant)) };
  });
}

/** The warm-up (s) before the measured window: the smallest over variants of t_scenario_s − t_s; 0 when unknown. */
export function warmupOf(rows: readonly Row[]): number {
  let w: number | undefined;
  for (const r of rows) {
    const a = num(r, 't_scenario_s');
    const b = num(r, 't_s');
    if (a !== undefined && b !== undefined) w = w === undefined ? a - b : Math.min(w, a - b);
  }
  return w !== undefined && w > 1e-9 ? w : 0;
}

/** The measured window's length on the time axis (s): from the first bucket's start to the end of the last. */
function windowLength(rows: readonly Row[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    const t = num(r, 't_s');
    if (t !== undefined) [lo, hi] = [Math.min(lo, t), Math.max(hi, t)];
  }
  return hi >= lo ? hi - lo + bucketWidth(rows) : 0;
}

/**
 * Whether the time axis starts at 0 with the warm-up shaded: yes when there
 * is one and it is no longer than the window (a longer one would squeeze
 * the window; the axis then starts at the window's start and says so).
 */
export const showsWarmup = (rows: readonly Row[]): boolean => warmupOf(rows) > 0 && warmupOf(rows) <= windowLength(rows);

/** The note every chart over time adds about the warm-up. */
export function warmupNote(rows: readonly Row[]): string {
  const w = warmupOf(rows);
  if (w === 0) return 'time from the start of the run (no warm-up)';
  return showsWarmup(rows)
    ? `blue-grey band: the ${fmt(w)} s warm-up, not measured`
    : `the axis starts after the ${fmt(w)} s warm-up (time still counts from the warm-up's start, as failures' at: does)`;
}

/** The warm-up as a shaded band from 0 to the window's start (datum only), labelled in the panel that asks for it. */
export function warmupLayers(rows: readonly Row[], withLabel: boolean): LayerItem[] {
  if (!showsWarmup(rows)) return [];
  const w = warmupOf(rows);
  const x = { datum: 0, type: 'quantitative' as const };
  return [
    { data: ONCE, mark: { type: 'rect' as const, color: '#9aa7b4', opacity: 0.22 }, encoding: { x, x2: { datum: w } } },
    ...(withLabel ? [{ data: ONCE, mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, dx: 3, y: 'height' as const, dy: -3, fontSize: 10, color: '#555', text: 'warm-up' }, encoding: { x } }] : []),
  ];
}

export type Point = { variant: string; t: number } & Record<string, number | string | null>;

/**
 * Per variant, its buckets with the given columns (and their `_ci_low`/
 * `_ci_high` where present), plus one closing point at the end of the last
 * bucket, so that a step line shows the last bucket's width too (`t_s` is a
 * bucket's start).
 */
export function timePoints(rows: readonly Row[], columns: readonly string[]): Point[] {
  const out: Point[] = [];
  const wanted = columns.flatMap((c) => [c, `${c}_ci_low`, `${c}_ci_high`]);
  for (const variant of uniqueInOrder(rows.map((r) => r.variant))) {
    const own: Point[] = rows
      .filter((r) => r.variant === variant && clockOf(r) !== undefined)
      .map((r) => ({ variant, t: clockOf(r)!, ...Object.fromEntries(wanted.filter((c) => c in r).map((c) => [c, lowAtZero(c, num(r, c))])) }))
      .sort((a, b) => a.t - b.t);
    const [prev, last] = own.slice(-2);
    const closing = own.length >= 2 ? [{ ...last, t: last.t + (last.t - prev.t) }] : [];
    // The variant's own overload band, carried by its first point (one band per small panel).
    const from = unfinishedFrom(rows, variant);
    if (from !== undefined && own.length) own[0] = { ...own[0], unfinished_from: from, unfinished_end: (closing[0] ?? own.at(-1)!).t };
    // One by one: a spread of a long series would overflow the call stack.
    for (const p of own) out.push(p);
    for (const p of closing) out.push(p);
  }
  return out;
}

/**
 * A value for a point; a band's lower edge stops at 0, as every series over
 * time is a count, a rate or a latency (the Student-t interval of a small
 * non-negative mean can reach below 0; the CSV keeps it as computed).
 */
const lowAtZero = (column: string, x: number | undefined): number | null => (x === undefined ? null : column.endsWith('_ci_low') ? Math.max(0, x) : x);

export const hasColumn = (rows: readonly Row[], column: string): boolean => rows.length > 0 && column in rows[0];

/** The bucket width (s): the most common gap between starts, 1 when unknown. */
export function bucketWidth(rows: readonly Row[]): number {
  const ts = uniqueInOrder(rows.map((r) => num(r, 't_s')).filter((t): t is number => t !== undefined)).sort((a, b) => a - b);
  return ts.length >= 2 ? ts[1] - ts[0] : 1;
}

/**
 * The first bucket from which on requests were left unfinished at the drain
 * limit (more than 0.5% of a bucket's requests, in any variant), or
 * undefined. `unfinished` is read when present, else requests − ok − failed.
 */
export function unfinishedFrom(rows: readonly Row[], variant?: string): number | undefined {
  let first: number | undefined;
  for (const r of rows) {
    if (variant !== undefined && r.variant !== variant) continue;
    const requests = num(r, 'requests');
    const left = num(r, 'unfinished') ?? (requests !== undefined ? requests - (num(r, 'ok') ?? 0) - (num(r, 'failed') ?? 0) : undefined);
    const t = clockOf(r);
    if (requests && left !== undefined && t !== undefined && left > 0.005 * requests && left >= 0.5) first = first === undefined ? t : Math.min(first, t);
  }
  return first;
}

const MARK_COLORS: Record<FailureMark['kind'], string> = { failure: '#c0392b', recovery: '#2e7d32', schedule: '#5b6b7b' };

/** What the dashed lines of a chart over time are, for its note (empty without marks). */
export function marksNote(marks: readonly FailureMark[]): string {
  const kinds = [
    ...(marks.some((m) => m.kind === 'failure') ? ['scheduled failures (red)'] : []),
    ...(marks.some((m) => m.kind === 'recovery') ? ['recoveries (green)'] : []),
    ...(marks.some((m) => m.kind === 'schedule') ? ['arrival rate changes of a schedule (grey)'] : []),
  ];
  return kinds.length ? `dashed lines: ${kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : kinds[0]}` : '';
}

/** Layers (datum only) marking failures, recoveries and rate changes, with labels in the panel that asks for them. */
export function eventLayers(failures: readonly FailureMark[], withLabels: boolean) {
  return failures.flatMap((f, i) => {
    const color = MARK_COLORS[f.kind];
    const x = { datum: f.t, type: 'quantitative' as const };
    const label = { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, y: 2 + 13 * (i % 3), fontSize: 10, text: f.label };
    return [
      { data: ONCE, mark: { type: 'rule' as const, strokeDash: [5, 3], strokeWidth: 1.2, color }, encoding: { x } },
      ...(withLabels
        ? [
            { data: ONCE, mark: { ...label, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' as const }, encoding: { x } },
            { data: ONCE, mark: { ...label, color }, encoding: { x } },
          ]
        : []),
    ];
  });
}

/**
 * A grey band over the buckets whose requests were unfinished at the drain
 * limit: from the earliest of any variant when variants share a panel, each
 * variant's own in small panels; labelled in the panel that asks for it.
 */
export function unfinishedLayers(from: number | undefined, end: number, withLabel: boolean, small = false): LayerItem[] {
  if (from === undefined) return [];
  if (small)
    return [
      {
        transform: [{ filter: 'isValid(datum.unfinished_from)' }],
        mark: { type: 'rect' as const, color: '#888', opacity: 0.15 },
        encoding: { x: { field: 'unfinished_from', type: 'quantitative' as const, title: TIME_TITLE }, x2: { field: 'unfinished_end' } },
      },
    ];
  const x = { datum: from, type: 'quantitative' as const };
  return [
    { data: ONCE, mark: { type: 'rect' as const, color: '#888', opacity: 0.15 }, encoding: { x, x2: { datum: end } } },
    ...(withLabel ? [{ data: ONCE, mark: { type: 'text' as const, align: 'right' as const, baseline: 'top' as const, dx: -4, y: 2, fontSize: 10, color: '#555', text: 'unfinished at the drain limit →' }, encoding: { x } }] : []),
  ];
}

/** A 95% band (area, step-shaped) of a column, when the table has its CI columns. */
export function bandLayer(points: readonly Point[], field: string, title: string, color: object): LayerItem[] {
  if (!points.some((p) => p[`${field}_ci_low`] !== undefined)) return [];
  return [
    {
      mark: { type: 'area' as const, interpolate: 'step-after' as const, opacity: 0.18 },
      encoding: { x: TIME, y: { field: `${field}_ci_low`, type: 'quantitative' as const, title }, y2: { field: `${field}_ci_high` }, color: { ...color, legend: null } },
    },
  ];
}

/** Whether the time charts draw one small panel per variant. */
export const isSmallMultiple = (points: readonly Point[], variants: readonly string[]) => variants.filter((v) => points.some((p) => p.variant === v)).length > MAX_OVERLAID;

export interface Panel {
  field: string;
  title: string;
  /** Counts: an empty panel still gets an axis from 0 to 1 in whole steps. */
  counts?: boolean;
  extra?: readonly LayerItem[];
}

/**
 * One panel per measure, stacked on one time axis: all variants overlaid in
 * their colours, or, with more than MAX_OVERLAID variants, one small panel
 * per variant (three to a row) so the lines do not hide each other.
 */
export function timePanels(points: readonly Point[], panels: readonly Panel[], variants: readonly string[], layers: (panelIndex: number, small: boolean) => LayerItem[]): ConcatItem[] {
  const own = variants.filter((v) => points.some((p) => p.variant === v));
  const color = { field: 'variant', type: 'nominal' as const, title: 'variant', scale: colorScale(variants) };
  const small = isSmallMultiple(points, variants);
  return panels.map(({ field, title, counts, extra = [] }, i) => {
    const last = i === panels.length - 1;
    // Small panels carry the measure as the title of their group, not on each panel's axis.
    const axis = small ? { title: null } : titleAbove;
    const y = counts
      ? { field, type: 'quantitative' as const, title, axis: { ...axis, tickMinStep: 1 }, scale: { domain: { unionWith: [0, 1] }, zero: true } }
      : { field, type: 'quantitative' as const, title, axis, scale: { zero: true } };
    const timeTitle = small ? TIME_TITLE_SHORT : TIME_TITLE;
    const xAxis = small ? { title: last ? timeTitle : null } : last ? {} : { title: null, labels: false };
    // Every layer placing marks by a time field shares the panel's time axis, with the same title
    // and settings (vega-lite would otherwise join the layers' different titles into one).
    const sameAxis = (l: LayerItem): LayerItem => {
      const x = (l as { encoding?: { x?: { field?: string } } }).encoding?.x;
      return x?.field ? ({ ...l, encoding: { ...(l as { encoding: object }).encoding, x: { ...x, title: timeTitle, axis: xAxis } } }) : l;
    };
    const layer: LayerItem[] = [
      ...bandLayer(points, field, title, color),
      { mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.6 }, encoding: { x: TIME, y, color: small ? { ...color, legend: null } : color } },
      ...extra,
      ...layers(i, small),
    ].map(sameAxis);
    return small
      ? { title: { text: title, anchor: 'start' as const, fontSize: 12 }, data: { values: points }, facet: { field: 'variant', type: 'nominal' as const, title: null, sort: own, header: panelHeader(210) }, columns: 3, spec: { width: 210, height: 80, layer } }
      : { data: { values: points }, width: 640, height: 110, layer };
  });
}
