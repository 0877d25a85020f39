/**
 * What each node's kube-proxy did (nodes.csv, means over replications):
 * attempts it DNATed (`received`), those it sent on to a pod on another node
 * (`forwarded_cross_node`, the extra hop of `externalTrafficPolicy: Cluster`)
 * and those it dropped (no local endpoint under `Local`, a dead node). With
 * a cloud LB spreading connections evenly over zones, a zone with one node
 * gives that node a zone's whole share: the bar far from the dashed mean.
 */
import type { Row } from '../readCsv.js';
import { colorScale, fmt, frame, isConstant, meansBy, naturalCompare, uniqueInOrder, variantRows, type Spec } from './common.js';

export const NODE_MEASURES = [
  { key: 'received', label: 'received', title: 'received (attempts per replication)' },
  { key: 'forwarded_cross_node', label: 'forwarded cross-node', title: 'forwarded to another node (attempts per replication)' },
  { key: 'dropped', label: 'dropped', title: 'dropped (attempts per replication)' },
] as const;
type MeasureKey = (typeof NODE_MEASURES)[number]['key'];

export interface NodeMean {
  variant: string;
  node: string;
  zone: string;
  /** `node (zone)`. */
  label: string;
  received: number | null;
  forwarded_cross_node: number | null;
  dropped: number | null;
  /** This node's received over the mean received of the variant's nodes. */
  relativeToMean: number | null;
  /** This node's received over all received of the variant. */
  shareOfReceived: number | null;
}

/** Means over replications per variant × node, ordered by variant (as given), then zone and node. */
export function nodeMeans(rows: readonly Row[], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant))): NodeMean[] {
  const keys = NODE_MEASURES.map((m) => m.key);
  const groups = meansBy(rows, (r) => JSON.stringify([r.variant, r.node]), keys);
  const out = groups.map(({ first, means }) => ({
    variant: first.variant,
    node: first.node,
    zone: first.zone ?? '',
    label: first.zone ? `${first.node} (${first.zone})` : first.node,
    ...means,
    relativeToMean: null as number | null,
    shareOfReceived: null as number | null,
  }));
  for (const v of uniqueInOrder(out.map((n) => n.variant))) {
    const own = out.filter((n) => n.variant === v && n.received !== null);
    const total = own.reduce((s, n) => s + n.received!, 0);
    for (const n of own) {
      n.relativeToMean = total > 0 ? n.received! / (total / own.length) : null;
      n.shareOfReceived = total > 0 ? n.received! / total : null;
    }
  }
  const order = (v: string) => (variants.includes(v) ? variants.indexOf(v) : variants.length);
  return out.sort((a, b) => order(a.variant) - order(b.variant) || naturalCompare(a.zone, b.zone) || naturalCompare(a.node, b.node));
}

/** The measures worth a panel: those not zero in every row (a flat zero panel is said in words instead). */
export function shownNodeMeasures(nodes: readonly NodeMean[]) {
  return NODE_MEASURES.filter((m) => !(isConstant(nodes.map((n) => n[m.key])) && nodes.every((n) => !n[m.key])));
}

export function nodesChart(rows: readonly Row[], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant))): Spec {
  const nodes = nodeMeans(rows, variants);
  const labels = uniqueInOrder(nodes.map((n) => n.label));
  const zones = uniqueInOrder(nodes.map((n) => n.zone)).sort(naturalCompare);
  const own = uniqueInOrder(nodes.map((n) => n.variant));
  const several = own.length > 1;
  const shown = shownNodeMeasures(nodes);
  const hidden = NODE_MEASURES.filter((m) => !shown.includes(m));
  const values = nodes.flatMap((n) => shown.map((m) => ({ variant: n.variant, label: n.label, zone: n.zone, measure: m.key, value: n[m.key] })));
  const panel = (m: (typeof NODE_MEASURES)[number]) => ({
    width: several ? 180 : 240,
    height: { step: 16 },
    transform: [{ filter: { field: 'measure', equal: m.key } }],
    layer: [
      {
        mark: 'bar' as const,
        encoding: {
          y: { field: 'label', type: 'nominal' as const, title: null, sort: labels },
          x: { field: 'value', type: 'quantitative' as const, title: m.title, scale: { zero: true } },
          color: { field: 'zone', type: 'nominal' as const, title: 'zone', scale: colorScale(zones) },
        },
      },
      {
        mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#333' },
        encoding: { x: { aggregate: 'mean' as const, field: 'value', type: 'quantitative' as const, title: m.title } },
      },
    ],
  });
  const notes = [
    'means over replications; bars: node (zone), coloured by zone; dashed line: mean over nodes; axes start at 0',
    ...(hidden.length ? [`${hidden.map((m) => m.label).join(' and ')}: 0 on every node (not drawn)`] : []),
  ];
  return {
    ...frame('What each node’s kube-proxy did', notes.join('; ')),
    data: { values },
    spacing: 24,
    hconcat: shown.map((m) => (several ? { facet: { row: variantRows(own) }, spec: panel(m), resolve: { scale: { y: 'independent' as const } } } : panel(m))),
  };
}

/** The node that received the most against the mean over nodes, per variant. */
export function busiestNodes(nodes: readonly NodeMean[]): NodeMean[] {
  return uniqueInOrder(nodes.map((n) => n.variant)).flatMap((v) => {
    const own = nodes.filter((n) => n.variant === v && n.relativeToMean !== null);
    const top = own.reduce<NodeMean | undefined>((m, n) => (!m || n.relativeToMean! > m.relativeToMean! ? n : m), undefined);
    return top ? [top] : [];
  });
}

export function nodesDescription(rows: readonly Row[], variants?: readonly string[]): string {
  const nodes = nodeMeans(rows, variants);
  const parts = busiestNodes(nodes).map((top) => {
    const own = nodes.filter((n) => n.variant === top.variant);
    const sum = (k: MeasureKey) => own.reduce((s, n) => s + (n[k] ?? 0), 0);
    const received = sum('received');
    const cross = sum('forwarded_cross_node');
    const dropped = sum('dropped');
    return (
      `${top.variant}: ${own.length} nodes; ${top.label} received the most, ${fmt(top.received)} attempts per replication, ` +
      `${fmt(top.relativeToMean)}× the mean over nodes (${fmt((top.shareOfReceived ?? 0) * 100)}% of all received); ` +
      `${fmt(received > 0 ? (cross / received) * 100 : null)}% forwarded to another node, ${fmt(dropped)} dropped per replication`
    );
  });
  return `Attempts each node's kube-proxy received, forwarded to a pod on another node, and dropped, means over replications. ${parts.join('. ')}.`;
}
