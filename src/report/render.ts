/**
 * One renderer for every chart: vega-lite spec → vega → SVG (in Node, no
 * canvas) → PNG with resvg. Text needs a font: DejaVu Sans is loaded from its
 * files, because without one resvg drops text silently.
 */
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as vega from 'vega';
import type { Spec } from './charts/common.js';
import { cutFonts, drawnByCutFonts } from './fonts.js';
import { runtimeOf } from './vegaCache.js';

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/usr/share/fonts/dejavu-sans-fonts'];
export const FONT_FILES = FONT_DIRS.flatMap((d) => ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => `${d}/${f}`)).filter((f) => existsSync(f));

type ResvgModule = typeof import('@resvg/resvg-js');
let resvgModule: ResvgModule | undefined;

/**
 * resvg-js, loaded on first use: a report draws its PNGs on its own thread
 * (pngThread.ts), which loads the addon there while the replications run,
 * so this thread needs it only for a PNG that thread has not started.
 */
export function resvg(): ResvgModule {
  return (resvgModule ??= createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule);
}

const resvgOptions = (scale: number, fontFiles: readonly string[] = FONT_FILES): ResvgRenderOptions => ({
  fitTo: { mode: 'zoom', value: scale },
  background: 'white',
  // System fonts only when DejaVu is missing: the PNG then still has text, in another face.
  font: { fontFiles: [...fontFiles], loadSystemFonts: FONT_FILES.length === 0, defaultFontFamily: 'DejaVu Sans' },
});

export async function toSvg(spec: Spec): Promise<string> {
  const view = new vega.View(await runtimeOf(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The SVG with a text alternative: role="img", an aria-label, and <title>/<desc> as its first children. */
export function withTextAlternative(svg: string, title: string, description: string): string {
  return svg.replace(
    /^<svg([^>]*)>/,
    (_, attrs: string) => `<svg${attrs} role="img" aria-label="${escapeXml(`${title}. ${description}`)}"><title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>`,
  );
}

export function toPng(svg: string, scale = 2): Buffer {
  return drawPng(svg, resvgOptions(scale));
}

/** The PNG resvg draws of `svg` with `options`, on this thread (the PNG thread's own code does the same). */
export function drawPng(svg: string, options: ResvgRenderOptions): Buffer {
  return new (resvg().Resvg)(svg, options).render().asPng();
}

/**
 * resvg's options for the PNG of `svg` at `scale`, as toPng's, but with its
 * text drawn from the cut-down copies of the fonts when it can be
 * (fonts.ts): the same pixels, for far fewer bytes read. A plain object,
 * handed to the PNG thread (pngThread.ts).
 */
export function pngOptions(svg: string, scale = 2): ResvgRenderOptions {
  const cut = FONT_FILES.length > 0 && drawnByCutFonts(svg) ? cutFonts(FONT_FILES) : undefined;
  return resvgOptions(scale, cut);
}

/** Raw RGBA pixels of an SVG drawn at scale 1 (for checks that text was drawn). */
export function toPixels(svg: string): { width: number; height: number; pixels: Buffer } {
  const image = new (resvg().Resvg)(svg, resvgOptions(1)).render();
  return { width: image.width, height: image.height, pixels: image.pixels };
}
