/**
 * A real browser renders report.html as it is meant to be read: headless
 * Chromium at 1400 px, no JavaScript needed, nothing loaded from elsewhere,
 * no element sticking out of its container. The check itself lives in
 * scripts/check-report-browser.mjs so that it can be run on any report by
 * hand; skipped where Chromium is not installed (CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
const scratch = mkdtempSync(join(tmpdir(), 'svcsim-report-browser-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/check-report-browser.mjs', ...args], { encoding: 'utf8', timeout: 240_000 });
}

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  it('renders every chart as an inline SVG with marks and the metrics table, loads nothing, and nothing overflows at 1400 px', { timeout: 240_000 }, async () => {
    const dir = join(scratch, 'sweep');
    cpSync('test/fixtures/results-sweep', dir, { recursive: true });
    await writeReport(dir);
    const shot = join(scratch, 'sweep.png');
    const r = check(join(dir, 'report.html'), '--width', '1400', '--screenshot', shot);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('10 chart figures, 10 inline SVGs, 0 problems');
    expect(r.status).toBe(0);
    // The screenshot is a real page: a PNG of the window's size.
    const png = readFileSync(shot);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1400, 2400]);
  });

  it('names an element that sticks out of its container, and a page that scrolls sideways', { timeout: 240_000 }, async () => {
    const dir = join(scratch, 'wide');
    cpSync('test/fixtures/results-base', dir, { recursive: true });
    await writeReport(dir);
    const page = join(dir, 'report.html');
    writeFileSync(page, readFileSync(page, 'utf8').replace('<section id="run">', '<section id="run"><div id="too-wide" style="width:2000px;height:4px"></div>'));
    const r = check(page, '--width', '1400');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/at 1400 px: main > section#run > div#too-wide: 2000 px wide, sticks out of its container by \d+ px/);
    expect(r.stderr).toContain('it scrolls sideways');
  });

  it('reports what is missing from a page that is not a report', { timeout: 240_000 }, () => {
    const page = join(scratch, 'empty.html');
    cpSync('test/fixtures/results-base/summary.csv', page);
    const r = check(page);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no chart figures');
    expect(r.stderr).toContain('no key metrics table');
  });
});
