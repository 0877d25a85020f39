// Renders a report.html in headless Chromium (no JavaScript needed, no network) and checks the rendered DOM:
// every chart figure holds an inline SVG with marks, the key metrics table has a row per variant, the page
// loads nothing from elsewhere, and at the window's width (1400 px unless --width says otherwise) no element
// sticks out of its container and nothing needs sideways scrolling. The layout check runs a copy of the page
// with a script appended that measures every element and writes its findings into the DOM, read with --dump-dom.
// Usage: node scripts/check-report-browser.mjs <report.html> [--width 1400] [--screenshot out.png]
// Exit codes: 0 the page renders as it should, 1 it does not (each problem printed), 2 bad usage or no Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars'];

function chromium(args, profile) {
  return execFileSync(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
}

/** The problems of a rendered DOM (an empty list when all is well). */
export function checkDom(dom) {
  const problems = [];
  const figures = [...dom.matchAll(/<figure id="([^"]+)"[^>]*>([\s\S]*?)<\/figure>/g)];
  if (figures.length === 0) problems.push('no chart figures');
  for (const [, id, body] of figures) {
    if (!/<svg[\s>]/.test(body)) problems.push(`figure ${id}: no inline <svg>`);
    else if (!/<(path|line|rect)\b/.test(body)) problems.push(`figure ${id}: the SVG has no marks`);
    if (!/<figcaption>[^<]*<strong>[^<]+/.test(body)) problems.push(`figure ${id}: no caption`);
  }
  const table = /<table><caption>Key metrics per variant[\s\S]*?<\/table>/.exec(dom);
  if (!table) problems.push('no key metrics table');
  else if (!/<tbody>\s*<tr>/.test(table[0])) problems.push('the key metrics table has no rows');
  if (!dom.includes('What was simulated')) problems.push('no "What was simulated" section');
  if (/<script\b|<link\b|\s(src|href)="https?:|url\(["']?https?:|@import/i.test(dom)) problems.push('the page loads something from elsewhere');
  return { problems, figures: figures.length, svgs: (dom.match(/<svg[\s>]/g) ?? []).length };
}

/**
 * Runs in the page: every element that sticks out of its parent's box (outside a container that scrolls or
 * clips on purpose), every block whose content is wider than itself, and every scrolling container that
 * needs to scroll. Written as JSON into <pre id="svcsim-layout">.
 */
/* global document, getComputedStyle -- measureLayout runs in the page, not in Node */
function measureLayout() {
  const problems = [];
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.classList.length ? `.${[...el.classList].join('.')}` : ''}`;
  const path = (el) => {
    const parts = [];
    for (let a = el; a && a !== document.body && parts.length < 4; a = a.parentElement) parts.unshift(name(a));
    return parts.join(' > ');
  };
  const view = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > view + 1) problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${view} px window: it scrolls sideways`);
  const clipped = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.position === 'absolute' || style.position === 'fixed') continue;
    const r = el.getBoundingClientRect();
    const parent = el.parentElement;
    if (r.width === 0 || !parent) continue;
    const q = parent.getBoundingClientRect();
    if ((r.right > q.right + 1 || r.left < q.left - 1) && !clipped(el)) problems.push(`${path(el)}: ${Math.round(r.width)} px wide, sticks out of its container by ${Math.round(Math.max(r.right - q.right, q.left - r.left))} px`);
    // An absolutely placed ::after (the arrows between the path's stages) counts in scrollWidth but is drawn in the gap on purpose.
    const decorated = getComputedStyle(el, '::after').position === 'absolute';
    if (!decorated && style.display !== 'inline' && style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && el.tagName.toLowerCase() !== 'svg')
      problems.push(`${path(el)}: its content is ${el.scrollWidth} px wide in a ${el.clientWidth} px box`);
    if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) problems.push(`${path(el)}: needs sideways scrolling (${el.scrollWidth} px of content in ${el.clientWidth} px)`);
  }
  const out = document.createElement('pre');
  out.id = 'svcsim-layout';
  out.textContent = JSON.stringify({ width: view, problems: [...new Set(problems)].slice(0, 50) });
  document.body.append(out);
}

/** Layout problems of a page at a window width (an empty list when nothing overflows). */
export function checkLayout(file, width, profile) {
  // The copy sits next to the original, so relative references would resolve the same way.
  const copy = join(dirname(resolve(file)), `.layout-check-${process.pid}.html`);
  writeFileSync(copy, readFileSync(file, 'utf8').replace(/<\/body>/i, `<script>(${measureLayout.toString()})()</script></body>`));
  try {
    const dom = chromium([`--window-size=${width},1000`, '--virtual-time-budget=2000', '--dump-dom', pathToFileURL(copy).href], profile);
    const m = /<pre id="svcsim-layout">([\s\S]*?)<\/pre>/.exec(dom);
    if (!m) return ['the layout check did not run'];
    const found = JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    return found.problems.map((p) => `at ${width} px: ${p}`);
  } finally {
    rmSync(copy, { force: true });
  }
}

function main(argv) {
  const file = argv[0];
  const option = (name) => {
    const i = argv.indexOf(name);
    return i > 0 ? argv[i + 1] : undefined;
  };
  const width = Number(option('--width') ?? 1400);
  if (!file || !existsSync(file) || !(width >= 320)) {
    console.error(`usage: node scripts/check-report-browser.mjs <report.html> [--width 1400] [--screenshot out.png]${file && !existsSync(file) ? ` (${file}: no such file)` : ''}`);
    return 2;
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`check-report-browser: ${CHROMIUM} not found (set CHROMIUM=/path/to/chromium)`);
    return 2;
  }
  const url = pathToFileURL(resolve(file)).href;
  const profile = mkdtempSync(join(tmpdir(), 'svcsim-chromium-'));
  try {
    const { problems, figures, svgs } = checkDom(chromium(['--dump-dom', url], profile));
    problems.push(...checkLayout(file, width, profile));
    const shot = option('--screenshot');
    if (shot) chromium([`--window-size=${width},2400`, `--screenshot=${resolve(shot)}`, url], profile);
    for (const p of problems) console.error(`check-report-browser: ${file}: ${p}`);
    console.log(`check-report-browser: ${file}: ${figures} chart figures, ${svgs} inline SVGs, ${problems.length} problems`);
    return problems.length ? 1 : 0;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(main(process.argv.slice(2)));
