/**
 * Request share and utilisation per pod (pods.csv, means over replications),
 * bars coloured and ordered by the node the pod runs on, with the mean over
 * pods as a dashed line: the imbalance of `externalTrafficPolicy: Local`
 * with uneven pods per node is the distance of the bars from that line.
 * `share` is a fraction of the pod's own workload's attempts, so with
 * several workloads (a call graph) each workload gets its own panel and its
 * own mean line: pods of different workloads are never compared.
 */
import { num, type Row } from '../readCsv.js';
import { colorScale, fmt, frame, mean, naturalCompare, uniqueInOrder, variantRows, type Spec } from './common.js';

export interface PodMean {
  variant: string;
  pod: string;
  workload: string;
  node: string;
  /** `pod (node)`: a pod rescheduled to another node is another bar. */
  label: string;
  share: number | null;
  utilization: number | null;
}

const MEASURES = [
  { key: 'share', title: 'share of requests (fraction of the workload’s, 0–1)' },
  { key: 'utilization', title: 'utilisation (busy slot-time, 0–1)' },
] as const;

/** Means over replications per variant × pod × node, ordered by variant (as given), node, then pod. */
export function podMeans(rows: readonly Row[], order?: readonly string[]): PodMean[] {
  const groups = new Map<string, { variant: string; pod: string; workload: string; node: string; share: number[]; utilization: number[] }>();
  for (const r of rows) {
    const key = JSON.stringify([r.variant, r.pod, r.node]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { variant: r.variant, pod: r.pod, workload: r.workload ?? '', node: r.node, share: [], utilization: [] }));
    const share = num(r, 'share');
    const utilization = num(r, 'utilization');
    if (share !== undefined) g.share.push(share);
    if (utilization !== undefined) g.utilization.push(utilization);
  }
  const variants = order?.length ? [...order, ...uniqueInOrder(rows.map((r) => r.variant)).filter((v) => !order.includes(v))] : uniqueInOrder(rows.map((r) => r.variant));
  return [...groups.values()]
    .map((g) => ({ variant: g.variant, pod: g.pod, workload: g.workload, node: g.node, label: `${g.pod} (${g.node})`, share: mean(g.share), utilization: mean(g.utilization) }))
    .sort((a, b) => variants.indexOf(a.variant) - variants.indexOf(b.variant) || naturalCompare(a.node, b.node) || naturalCompare(a.pod, b.pod));
}

export function podsChart(rows: readonly Row[], variants?: readonly string[]): Spec {
  const pods = podMeans(rows, variants);
  const podOrder = uniqueInOrder([...pods].sort((a, b) => naturalCompare(a.node, b.node) || naturalCompare(a.pod, b.pod)).map((p) => p.label));
  const nodes = uniqueInOrder(pods.map((p) => p.node)).sort(naturalCompare);
  const own = uniqueInOrder(pods.map((p) => p.variant));
  const workloads = uniqueInOrder(pods.map((p) => p.workload));
  // One panel per variant, per workload, or per both: each with its own pods and its own mean line.
  const by = (p: PodMean) => [...(own.length > 1 ? [p.variant] : []), ...(workloads.length > 1 ? [p.workload] : [])].join(' · ');
  const groups = uniqueInOrder(pods.map(by));
  const several = groups.length > 1;
  const values = several ? pods.map((p) => ({ ...p, group: by(p) })) : pods;
  const panel = (m: (typeof MEASURES)[number]) => ({
    width: 280,
    height: { step: 14 },
    layer: [
      {
        mark: 'bar' as const,
        encoding: {
          // Labelled `pod (node)`; no axis title, whose rotated length would stretch short panels.
          y: { field: 'label', type: 'nominal' as const, title: null, sort: podOrder },
          x: { field: m.key, type: 'quantitative' as const, title: m.title, scale: { zero: true } },
          color: { field: 'node', type: 'nominal' as const, title: 'node', scale: colorScale(nodes) },
        },
      },
      {
        mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#333' },
        encoding: { x: { aggregate: 'mean' as const, field: m.key, type: 'quantitative' as const, title: m.title } },
      },
    ],
  });
  return {
    ...frame(
      'Requests and utilisation per pod',
      `means over replications; bars: pod (node), coloured by node; dashed line: mean over the panel's pods${several ? `; one row per ${[...(own.length > 1 ? ['variant'] : []), ...(workloads.length > 1 ? ['workload (a share is of its workload’s requests)'] : [])].join(' and ')}` : ''}`,
    ),
    data: { values },
    spacing: 24,
    hconcat: MEASURES.map((m) =>
      several
        ? {
            facet: { row: { ...variantRows(groups), field: 'group' } },
            spec: panel(m),
            resolve: { scale: { y: 'independent' as const } },
          }
        : panel(m),
    ),
  };
}

/**
 * Per variant, the pod whose share is the largest against the mean share of
 * its own workload's pods in that variant (shares are fractions of the
 * workload's requests, so pods of different workloads are not compared).
 */
export function busiestPods(pods: readonly PodMean[]): { pod: PodMean; relativeToMean: number }[] {
  return uniqueInOrder(pods.map((p) => p.variant)).flatMap((v) => {
    const own = pods.filter((p) => p.variant === v && p.share !== null);
    const avg = new Map(uniqueInOrder(own.map((p) => p.workload)).map((w) => [w, mean(own.filter((p) => p.workload === w).map((p) => p.share!))]));
    const relative = own.flatMap((p) => {
      const a = avg.get(p.workload);
      return a ? [{ pod: p, relativeToMean: p.share! / a }] : [];
    });
    const top = relative.reduce<(typeof relative)[number] | undefined>((m, x) => (!m || x.relativeToMean > m.relativeToMean ? x : m), undefined);
    return top ? [top] : [];
  });
}

export function podsDescription(rows: readonly Row[], variants?: readonly string[]): string {
  const pods = podMeans(rows, variants);
  const workloads = uniqueInOrder(pods.map((p) => p.workload));
  const parts = uniqueInOrder(pods.map((p) => p.variant)).flatMap((v) =>
    workloads.flatMap((w) => {
      const own = pods.filter((p) => p.variant === v && p.workload === w && p.share !== null);
      if (own.length === 0) return [];
      const lo = own.reduce<PodMean | undefined>((m, p) => (!m || p.share! < m.share! ? p : m), undefined);
      const hi = own.reduce<PodMean | undefined>((m, p) => (!m || p.share! > m.share! ? p : m), undefined);
      const util = own.map((p) => p.utilization).filter((x): x is number => x !== null);
      const name = [v, ...(workloads.length > 1 ? [w] : [])].join(' · ');
      return [`${name}: ${own.length} pods, share from ${fmt(lo?.share)} (${lo?.label ?? '—'}) to ${fmt(hi?.share)} (${hi?.label ?? '—'}), utilisation up to ${fmt(util.length ? util.reduce((m, x) => Math.max(m, x), -Infinity) : null)}`];
    }),
  );
  return `Mean share of requests${workloads.length > 1 ? ' (of its workload’s)' : ''} and utilisation of every pod, coloured by node. ${parts.join('; ')}.`;
}
