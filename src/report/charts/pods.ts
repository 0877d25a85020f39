/**
 * Request share and utilisation per pod (pods.csv, means over replications),
 * bars grouped and coloured by node, so the imbalance of
 * externalTrafficPolicy: Local with uneven pods shows.
 */
import { num, type Row } from '../readCsv.js';
import { chart, type Spec } from './common.js';

export function podsChart(rows: Row[]): Spec {
  const groups = new Map<string, { variant: string; pod: string; node: string; share: number[]; utilization: number[] }>();
  for (const r of rows) {
    const key = `${r.variant}\u0000${r.pod}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { variant: r.variant, pod: r.pod, node: r.node, share: [], utilization: [] }));
    const share = num(r, 'share');
    const util = num(r, 'utilization');
    if (share !== undefined) g.share.push(share);
    if (util !== undefined) g.utilization.push(util);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const values = [...groups.values()].flatMap((g) => [
    { variant: g.variant, pod: `${g.pod} (${g.node})`, node: g.node, measure: 'share of requests (0–1)', value: mean(g.share) },
    { variant: g.variant, pod: `${g.pod} (${g.node})`, node: g.node, measure: 'utilisation (busy slots, 0–1)', value: mean(g.utilization) },
  ]);
  return chart('Requests and utilisation per pod', 'means over replications; colour: the node the pod runs on', {
    data: { values },
    facet: {
      row: { field: 'variant', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAlign: 'left', labelFontSize: 12, labelFontWeight: 'bold' } },
      column: { field: 'measure', type: 'nominal', title: null, header: { labelFontSize: 12 } },
    },
    spec: {
      width: 260,
      height: { step: 14 },
      mark: 'bar',
      encoding: {
        y: { field: 'pod', type: 'nominal', title: 'pod (node)', sort: { field: 'node' } },
        x: { field: 'value', type: 'quantitative', title: 'fraction (0–1)' },
        color: { field: 'node', type: 'nominal', title: 'node' },
      },
    },
  });
}
