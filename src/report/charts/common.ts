/** What every chart shares: size, fonts, and the vega-lite schema. */
export type Spec = Record<string, unknown>;

export const FONT = 'DejaVu Sans';

export function chart(title: string, subtitle: string | undefined, body: Spec): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, ...(subtitle ? { subtitle } : {}), anchor: 'start', fontSize: 15 },
    ...body,
    config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 }, background: 'white' },
  };
}

/** The sweep parameter columns of a table: those between `variant` and the table's own columns. */
export function paramColumns(header: string[], firstOwn: string): string[] {
  const i = header.indexOf(firstOwn);
  return header.slice(1, i < 0 ? 1 : i);
}
