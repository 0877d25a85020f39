/**
 * The search of `svcsim plan` (the manifest's `plan`): every value tried,
 * each SLO's metric there (mean over replications) with its one-sided bound
 * at the plan's confidence, against the threshold, and the answer. Each
 * evidence entry may carry `slos: [{slo, n, mean, bound, holds}]` (and
 * `ci_low`/`ci_high`, two-sided 95%); without it the numbers are read from
 * its `detail` text, as `plan` writes it (`SLO: mean M, 95% bound B (n N); …`).
 */
import type { PlanAnswer } from '../manifest.js';
import { fmt, frame, KEY_METRICS, ONCE, titleAbove, type Spec } from './common.js';
import { parseSlo } from './slos.js';

export interface PlanPoint {
  value: number;
  slo: string;
  metric: string;
  threshold: number;
  mean: number | null;
  bound: number | null;
  holds: string;
}

interface SloRecord {
  slo?: unknown;
  mean?: unknown;
  bound?: unknown;
  ci_low?: unknown;
  ci_high?: unknown;
  holds?: unknown;
}

const numberOr = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : null);

/** `latency_p99_ms<200: mean 231, 95% bound 260 (n 10); …` → one record per SLO. */
export function parseEvidenceDetail(detail: string): SloRecord[] {
  return detail.split(/;\s*/).flatMap((part) => {
    const m = /^\s*([a-z0-9_]+\s*(?:<=|>=|<|>)\s*[-+\d.e]+):\s*mean\s+([^,\s]*),\s*(?:[\d.]+%\s+)?bound\s+([^\s(;]*)/i.exec(part);
    return m ? [{ slo: m[1], mean: m[2], bound: m[3] }] : [];
  });
}

export function planPoints(plan: PlanAnswer): PlanPoint[] {
  return plan.evidence.flatMap((e) => {
    const structured = (e as { slos?: unknown }).slos;
    const records: SloRecord[] = Array.isArray(structured) ? (structured as SloRecord[]) : parseEvidenceDetail(e.detail ?? '');
    return records.flatMap((r) => {
      const t = typeof r.slo === 'string' ? parseSlo(r.slo) : undefined;
      if (!t) return [];
      const mean = numberOr(r.mean);
      const bound = numberOr(r.bound);
      const holds = typeof r.holds === 'boolean' ? r.holds : bound !== null && (t.op === '<' ? bound < t.value : t.op === '<=' ? bound <= t.value : t.op === '>' ? bound > t.value : bound >= t.value);
      return [{ value: e.value, slo: t.text, metric: t.metric, threshold: t.value, mean, bound, holds: holds ? 'holds' : 'fails' }];
    });
  });
}

export function planChart(plan: PlanAnswer): Spec {
  const points = planPoints(plan);
  const slos = [...new Set(points.map((p) => p.slo))];
  const conf = `${fmt(plan.confidence * 100)}%`;
  const overloaded = plan.evidence.filter((e) => /^overloaded\b/.test(e.detail ?? '')).map((e) => e.value);
  const x = { field: 'value', type: 'quantitative' as const, title: `${plan.path} (value tried)`, scale: { zero: false, padding: 14 }, axis: { tickMinStep: 1, format: 'd' } };
  const color = { field: 'holds', type: 'nominal' as const, title: 'this SLO', scale: { domain: ['holds', 'fails'], range: ['#2e7d32', '#c0392b'] } };
  return {
    ...frame(`Plan: ${plan.path} against the SLOs`, `each value tried: mean over replications (dot) and its one-sided ${conf} bound (end of the line); red dashed line: the threshold${plan.value !== null ? `; grey line: the answer, ${plan.value}` : ''}; axes start at 0 unless said`),
    spacing: 22,
    vconcat: slos.map((slo) => {
      const own = points.filter((p) => p.slo === slo);
      const metric = own[0].metric;
      const unit = KEY_METRICS.find((k) => k.metric === metric)?.unit ?? (metric.endsWith('_ms') ? 'ms' : 'as in summary.csv');
      const zero = !(metric.endsWith('_ratio') && own.every((p) => (p.bound ?? p.mean ?? 0) > 0.5));
      const title = `${slo} (${unit}${zero ? '' : '; axis not from 0'})`;
      const y = { field: 'mean', type: 'quantitative' as const, title, scale: { zero }, axis: titleAbove };
      return {
        data: { values: own },
        width: 460,
        height: 130,
        layer: [
          { mark: { type: 'rule' as const, strokeWidth: 1.8 }, encoding: { x, y, y2: { field: 'bound' }, color } },
          { mark: { type: 'point' as const, filled: true, size: 55, opacity: 1 }, encoding: { x, y, color } },
          { data: ONCE, mark: { type: 'rule' as const, color: '#c0392b', strokeDash: [6, 3], strokeWidth: 1.3 }, encoding: { y: { datum: own[0].threshold, type: 'quantitative' as const, title } } },
          // Values whose replications overloaded have no metric: named at the top of the panel.
          ...(overloaded.length
            ? [{ data: { values: overloaded.map((value) => ({ value })) }, mark: { type: 'text' as const, text: 'overloaded', color: '#c0392b', fontSize: 10, angle: 0, y: 6, baseline: 'top' as const }, encoding: { x } }]
            : []),
          ...(plan.value !== null ? [{ data: ONCE, mark: { type: 'rule' as const, color: '#777', strokeWidth: 1 }, encoding: { x: { datum: plan.value, type: 'quantitative' as const, title: x.title } } }] : []),
        ],
      };
    }),
  };
}

export function planDescription(plan: PlanAnswer): string {
  const points = planPoints(plan);
  const tried = [...new Set(plan.evidence.map((e) => e.value))].sort((a, b) => a - b);
  const parts = [...new Set(points.map((p) => p.slo))].map((slo) =>
    `${slo}: ${points
      .filter((p) => p.slo === slo)
      .sort((a, b) => a.value - b.value)
      .map((p) => `${p.value} → mean ${fmt(p.mean)}, bound ${fmt(p.bound)} (${p.holds})`)
      .join(', ')}`,
  );
  const answer = plan.value === null ? `no value in range meets every SLO` : `the answer is ${plan.value}`;
  const overloaded = plan.evidence.filter((e) => /^overloaded\b/.test(e.detail ?? '')).map((e) => e.value);
  return `Values of ${plan.path} tried: ${tried.join(', ')}; ${answer}.${overloaded.length ? ` Overloaded (no metric): ${overloaded.join(', ')}.` : ''} ${parts.join('. ')}.`;
}
