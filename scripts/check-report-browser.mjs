// Renders a report.html in headless Chromium (no JavaScript needed, no network) and checks the rendered DOM:
// every chart figure holds an inline SVG with marks, the key metrics table has a row per variant, and the page
// loads nothing from elsewhere. Usage: node scripts/check-report-browser.mjs <report.html> [--screenshot out.png]
// Exit codes: 0 the page renders as it should, 1 it does not (each problem printed), 2 bad usage or no Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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

function main(argv) {
  const file = argv[0];
  const shotAt = argv.indexOf('--screenshot');
  if (!file || !existsSync(file)) {
    console.error(`usage: node scripts/check-report-browser.mjs <report.html> [--screenshot out.png]${file ? ` (${file}: no such file)` : ''}`);
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
    if (shotAt > 0 && argv[shotAt + 1]) chromium(['--window-size=1280,2400', `--screenshot=${resolve(argv[shotAt + 1])}`, url], profile);
    for (const p of problems) console.error(`check-report-browser: ${file}: ${p}`);
    console.log(`check-report-browser: ${file}: ${figures} chart figures, ${svgs} inline SVGs, ${problems.length} problems`);
    return problems.length ? 1 : 0;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(main(process.argv.slice(2)));
