/**
 * The key metrics of every variant (scope all) with their 95% confidence
 * intervals, as an HTML table. A mean is shown to the digits its interval
 * supports (two significant digits of the half-width), the exact numbers
 * stay in summary.csv and in each cell's tooltip.
 */
import { escapeHtml } from './escape.js';
import { num, type Row } from './readCsv.js';

const COLUMNS = [
  { metric: 'requests', label: 'requests', unit: 'count' },
  { metric: 'success_ratio', label: 'success ratio', unit: '0–1' },
  { metric: 'throughput_rps', label: 'throughput', unit: 'requests/s' },
  { metric: 'latency_mean_ms', label: 'mean latency', unit: 'ms' },
  { metric: 'latency_p50_ms', label: 'p50 latency', unit: 'ms' },
  { metric: 'latency_p99_ms', label: 'p99 latency', unit: 'ms' },
  { metric: 'failed', label: 'failed', unit: 'count' },
  { metric: 'cross_node_ratio', label: 'cross-node', unit: '0–1' },
  { metric: 'pod_utilization_max', label: 'max pod utilisation', unit: '0–1' },
] as const;

/**
 * A mean and its half-width rounded together: the half-width to two
 * significant digits, the mean to the same decimal place.
 */
export function roundToInterval(mean: number, halfWidth: number | undefined): { mean: string; halfWidth?: string } {
  if (halfWidth === undefined || !Number.isFinite(halfWidth) || halfWidth <= 0) return { mean: trim(mean) };
  const decimals = Math.min(12, Math.max(0, 1 - Math.floor(Math.log10(halfWidth))));
  return { mean: mean.toFixed(decimals), halfWidth: halfWidth.toFixed(decimals) };
}

/** A plain decimal of at most six significant digits, without trailing zeros. */
function trim(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const decimals = Math.min(12, Math.max(0, 5 - Math.floor(Math.log10(Math.abs(x)))));
  return x.toFixed(decimals).replace(/\.?0+$/, '');
}

export function metricsTable(summary: readonly Row[], scope = 'all', order: readonly string[] = []): string {
  const rows = summary.filter((r) => r.scope === scope);
  const listed = [...new Set(rows.map((r) => r.variant))];
  const variants = [...order.filter((v) => listed.includes(v)), ...listed.filter((v) => !order.includes(v))];
  const columns = COLUMNS.filter((c) => rows.some((r) => r.metric === c.metric));
  const find = new Map(rows.map((r) => [`${r.variant}\u0000${r.metric}`, r]));
  const cell = (variant: string, metric: string) => {
    const r = find.get(`${variant}\u0000${metric}`);
    const m = r && num(r, 'mean');
    if (!r || m === undefined) return '<td class="none">—</td>';
    const shown = roundToInterval(m, num(r, 'ci_half_width'));
    const tip = r.ci_low !== '' && r.ci_high !== '' ? `mean ${r.mean}, 95% CI [${r.ci_low}, ${r.ci_high}], n = ${r.n}` : `mean ${r.mean}, n = ${r.n} (no interval)`;
    return `<td title="${escapeHtml(tip)}">${escapeHtml(shown.mean)}${shown.halfWidth !== undefined ? `<span class="ci"> ± ${escapeHtml(shown.halfWidth)}</span>` : ''}</td>`;
  };
  if (variants.length === 0) return `<p>summary.csv has no rows for scope <code>${escapeHtml(scope)}</code>.</p>`;
  return `<div class="scroll"><table><caption>Key metrics per variant (scope ${escapeHtml(scope)}): mean over replications ± half-width of its 95% confidence interval</caption>
<thead><tr><th scope="col">variant</th>${columns.map((c) => `<th scope="col">${escapeHtml(c.label)}<br><span class="unit">(${escapeHtml(c.unit)})</span></th>`).join('')}</tr></thead>
<tbody>
${variants.map((v) => `<tr><th scope="row">${escapeHtml(v).replace(/;/g, ';<wbr>')}</th>${columns.map((c) => cell(v, c.metric)).join('')}</tr>`).join('\n')}
</tbody></table></div>`;
}
