/**
 * One renderer for every chart: vega-lite spec → vega → SVG (in Node, no
 * canvas) → PNG with resvg. Text needs a font: DejaVu Sans is loaded from its
 * file (fonts-dejavu-core), because without one resvg drops text silently.
 */
import { Resvg } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Spec } from './charts/common.js';

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF'];
export const FONT_FILES = FONT_DIRS.flatMap((d) => ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => `${d}/${f}`)).filter((f) => existsSync(f));

export async function toSvg(spec: Spec): Promise<string> {
  const compiled = compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function toPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { fontFiles: FONT_FILES, loadSystemFonts: FONT_FILES.length === 0, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** Raw RGBA pixels of an SVG (for checks that text was drawn). */
export function toPixels(svg: string): { width: number; height: number; pixels: Buffer } {
  const img = new Resvg(svg, { background: 'white', font: { fontFiles: FONT_FILES, loadSystemFonts: FONT_FILES.length === 0, defaultFontFamily: 'DejaVu Sans' } }).render();
  return { width: img.width, height: img.height, pixels: img.pixels };
}
