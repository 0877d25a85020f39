/**
 * Measurements from Prometheus, read as a scenario's inputs:
 *
 * - a histogram's cumulative buckets (`serviceTime: {dist: histogram, file}`),
 *   from the text exposition format that `/metrics` serves
 *   (`http_request_duration_seconds_bucket{le="0.05"} 1234`) or from the JSON
 *   of a Prometheus API query (`sum by (le) (increase(..._bucket[1h]))`);
 * - an arrival rate over time (`arrival: {process: schedule, file}`), from the
 *   JSON of a range query such as `sum(rate(http_requests_total[1m]))`: one
 *   step per sample, at its time from the first sample.
 *
 * Several series are added up, as `sum by (le)` and `sum` would: the buckets
 * of several pods (or the rates of several instances) make one histogram
 * (one rate). Both parsers throw a {@link UnitError} that says where in the
 * file a problem is (`line 12:` for text, the JSON's own position for JSON);
 * the loader adds the file name and the place in the scenario.
 */
import { histogramProblem, UnitError, type HistogramBucket } from './units.js';

/** The part of a Prometheus API answer that holds the series (`data`), from the whole answer or from `data` alone. */
interface QueryData {
  resultType: string;
  result: unknown;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UnitError(`not valid JSON: ${(err as Error).message}`);
  }
}

/** `data` of an API answer: `{status: success, data: {resultType, result}}`, or `{resultType, result}` alone. */
function queryData(doc: unknown, expect: string): QueryData {
  const data = isPlainObject(doc) && isPlainObject(doc.data) ? doc.data : doc;
  if (isPlainObject(doc) && doc.status === 'error') throw new UnitError(`the query failed: ${typeof doc.error === 'string' ? doc.error : JSON.stringify(doc.error)}`);
  if (!isPlainObject(data) || typeof data.resultType !== 'string' || !Array.isArray(data.result)) {
    throw new UnitError(`expected the JSON of a Prometheus API query (${expect}): {"status": "success", "data": {"resultType": ..., "result": [...]}}`);
  }
  return { resultType: data.resultType, result: data.result };
}

/** A sample value as Prometheus writes it in JSON: a string ("12.5", "NaN", "+Inf"). */
function sampleValue(v: unknown, where: string): number {
  const n = typeof v === 'string' ? Number(v.replace(/^\+?Inf$/i, 'Infinity')) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) throw new UnitError(`${where}: the value ${JSON.stringify(v)} is not a finite number (a query over a range with no data gives NaN: widen the range)`);
  return n;
}

/** `le` as Prometheus writes it: "0.05", "+Inf". */
function bound(le: string, where: string): number {
  const t = le.trim();
  if (/^\+?inf$/i.test(t)) return Infinity;
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0) throw new UnitError(`${where}: le="${le}" is not a bucket bound (a number of seconds ≥ 0, or +Inf)`);
  return n;
}

/** Adds the counts of every series per bound and checks the result. */
function toBuckets(counts: Map<number, number>, what: string): HistogramBucket[] {
  if (counts.size === 0) throw new UnitError(`no histogram buckets found: ${what}`);
  const buckets = [...counts].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
  // Counters read at slightly different times (or rounded by increase()) can dip by a hair: smooth those, refuse the rest.
  const total = buckets[buckets.length - 1].count;
  for (let i = 1; i < buckets.length; i++) {
    const dip = buckets[i - 1].count - buckets[i].count;
    if (dip > 0 && dip <= 1e-6 * total) buckets[i].count = buckets[i - 1].count;
  }
  const problem = histogramProblem(buckets, undefined);
  if (problem) {
    const b = problem.index === undefined ? undefined : buckets[problem.index];
    throw new UnitError(b ? `the bucket le="${b.le === Infinity ? '+Inf' : b.le}" ${problem.message}` : problem.message);
  }
  return buckets;
}

// ------------------------------------------------------------- histograms

/** `name{labels} value [timestamp]` of the text exposition format. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function labelsOf(text: string, where: string): Map<string, string> {
  const labels = new Map<string, string>();
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (m === null) {
      if (text.slice(start).trim() === '') break;
      throw new UnitError(`${where}: cannot read the labels {${text}}`);
    }
    labels.set(m[1], m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
  }
  return labels;
}

/** Histogram buckets from the text exposition format; `metric` picks one histogram when the file has several. */
function histogramFromText(text: string, metric: string | undefined): HistogramBucket[] {
  const wanted = metric?.replace(/_bucket$/, '');
  const byName = new Map<string, Map<number, number>>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `line ${i + 1}`;
    const m = SAMPLE.exec(line);
    if (m === null) throw new UnitError(`${where}: not a sample of the Prometheus text format (name{labels} value): ${line.slice(0, 60)}`);
    if (!m[1].endsWith('_bucket')) continue;
    const name = m[1].slice(0, -'_bucket'.length);
    if (wanted !== undefined && name !== wanted) continue;
    const le = labelsOf(m[2] ?? '', where).get('le');
    if (le === undefined) throw new UnitError(`${where}: a _bucket sample without an le label`);
    const value = Number(m[3].replace(/^\+?Inf$/i, 'Infinity'));
    if (!Number.isFinite(value) || value < 0) throw new UnitError(`${where}: the count ${m[3]} is not a number ≥ 0`);
    const counts = byName.get(name) ?? new Map<number, number>();
    byName.set(name, counts);
    const b = bound(le, where);
    counts.set(b, (counts.get(b) ?? 0) + value);
  }
  if (byName.size > 1) throw new UnitError(`the file has several histograms (${[...byName.keys()].join(', ')}): say which with metric:`);
  const [counts] = byName.values();
  return toBuckets(counts ?? new Map(), wanted ? `no ${wanted}_bucket samples` : 'no *_bucket{le="..."} samples');
}

/** Histogram buckets from the JSON of an API query: one series per `le` (vector; for a matrix, each series' last sample). */
function histogramFromJson(doc: unknown, metric: string | undefined): HistogramBucket[] {
  const data = queryData(doc, 'e.g. sum by (le) (increase(http_request_duration_seconds_bucket[1h]))');
  if (data.resultType !== 'matrix' && data.resultType !== 'vector') throw new UnitError(`resultType ${data.resultType}: expected vector, the answer of a query such as sum by (le) (increase(http_request_duration_seconds_bucket[1h]))`);
  const wanted = metric?.replace(/_bucket$/, '');
  const counts = new Map<number, number>();
  const series = data.result as unknown[];
  series.forEach((s, i) => {
    const where = `result[${i}]`;
    if (!isPlainObject(s) || !isPlainObject(s.metric)) throw new UnitError(`${where}: expected {"metric": {...}, "value": [time, "count"]}`);
    const name = typeof s.metric.__name__ === 'string' ? s.metric.__name__.replace(/_bucket$/, '') : undefined;
    if (wanted !== undefined && name !== undefined && name !== wanted) return;
    const le = s.metric.le;
    if (typeof le !== 'string') throw new UnitError(`${where}: a series without an le label (keep it: sum by (le) (...))`);
    let sample: unknown;
    if (data.resultType === 'vector') sample = s.value;
    else if (data.resultType === 'matrix' && Array.isArray(s.values) && s.values.length > 0) sample = s.values[s.values.length - 1];
    if (!Array.isArray(sample) || sample.length !== 2) throw new UnitError(`${where}: expected a sample [time, "count"]`);
    const b = bound(le, where);
    counts.set(b, (counts.get(b) ?? 0) + sampleValue(sample[1], where));
  });
  return toBuckets(counts, 'the query result has no series with an le label');
}

/**
 * The cumulative buckets of a Prometheus histogram, from the text of a file:
 * JSON when it starts with `{`, the text exposition format otherwise.
 */
export function parseHistogramFile(text: string, metric?: string): HistogramBucket[] {
  const body = text.replace(/^\uFEFF/, '');
  return body.trimStart().startsWith('{') ? histogramFromJson(parseJson(body), metric) : histogramFromText(body, metric);
}

// -------------------------------------------------------------- schedules

/** One step of an arrival schedule: from `at` seconds on, `rate` per second. */
export interface ScheduleStep {
  at: number;
  rate: number;
}

/**
 * Steps of an arrival schedule from the JSON of a Prometheus range query
 * (`/api/v1/query_range`, resultType matrix): the series are added up per
 * timestamp, and each timestamp becomes a step at its time from the first
 * one, with the rate of that sample (per second, as `rate()` gives).
 */
export function parseScheduleFile(text: string): ScheduleStep[] {
  const data = queryData(parseJson(text.replace(/^\uFEFF/, '')), 'a range query such as sum(rate(http_requests_total[1m]))');
  if (data.resultType !== 'matrix' && data.resultType !== 'vector') throw new UnitError(`resultType ${data.resultType}: expected matrix, the answer of a range query such as sum(rate(http_requests_total[1m]))`);
  const byTime = new Map<number, number>();
  const series = data.result as unknown[];
  series.forEach((s, i) => {
    const where = `result[${i}]`;
    if (!isPlainObject(s)) throw new UnitError(`${where}: expected {"metric": {...}, "values": [[time, "rate"], ...]}`);
    const samples = data.resultType === 'matrix' ? s.values : data.resultType === 'vector' ? [s.value] : undefined;
    if (!Array.isArray(samples)) throw new UnitError(`${where}: expected "values": [[time, "rate"], ...] (resultType matrix, from a range query)`);
    samples.forEach((sample, j) => {
      const at = `${where}.values[${j}]`;
      if (!Array.isArray(sample) || sample.length !== 2 || typeof sample[0] !== 'number') throw new UnitError(`${at}: expected [unix time, "rate"]`);
      const rate = sampleValue(sample[1], at);
      if (rate < 0) throw new UnitError(`${at}: the rate ${rate} is negative`);
      byTime.set(sample[0], (byTime.get(sample[0]) ?? 0) + rate);
    });
  });
  if (byTime.size === 0) throw new UnitError('the query result has no samples');
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return times.map((t) => ({ at: +(t - times[0]).toFixed(6), rate: byTime.get(t)! }));
}

// ------------------------------------------------------------- reporting

/** A warning about the scenario at `segs` (the loader gives it a place in the file). */
export interface FileFinding {
  segs: (string | number)[];
  message: string;
  warning: true;
  atKey?: boolean;
}

/**
 * Histograms whose open `+Inf` bucket holds observations and that give no
 * `max:`: those observations are drawn at the last finite bound (a clamp that
 * shortens the tail), and the user is told how many and where. Walks the
 * scenario with its files read.
 */
export function openBucketFindings(scenario: unknown): FileFinding[] {
  const out: FileFinding[] = [];
  const visit = (node: unknown, segs: (string | number)[], depth: number) => {
    if (depth > 12 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((x, i) => visit(x, [...segs, i], depth + 1));
      return;
    }
    const o = node as Record<string, unknown>;
    if (o.dist === 'histogram' && Array.isArray(o.buckets) && o.max === undefined) {
      const buckets = o.buckets as HistogramBucket[];
      const last = buckets[buckets.length - 1];
      const finite = buckets.filter((b) => b.le !== Infinity);
      const top = finite[finite.length - 1];
      if (last.le === Infinity && top !== undefined && last.count > top.count) {
        const share = (last.count - top.count) / last.count;
        out.push({
          segs: [...segs, typeof o.file === 'string' ? 'file' : 'buckets'],
          atKey: true,
          warning: true,
          message: `${+(100 * share).toPrecision(3)}% of the observations are above the last finite bucket (le ${top.le}s), in +Inf; they are drawn at ${top.le}s, which shortens the tail: give max: (an upper bound) to spread them up to it`,
        });
      }
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'buckets' && k !== 'values' && k !== 'times' && k !== 'steps') visit(v, [...segs, k], depth + 1);
  };
  visit(scenario, [], 0);
  return out;
}
