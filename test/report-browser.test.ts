/**
 * A real browser renders report.html as it is meant to be read: headless
 * Chromium, no JavaScript needed, nothing loaded from elsewhere. The check
 * itself lives in scripts/check-report-browser.mjs so that it can be run on
 * any report by hand; skipped where Chromium is not installed (CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
const scratch = mkdtempSync(join(tmpdir(), 'svcsim-report-browser-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/check-report-browser.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  it('renders every chart as an inline SVG with marks, the metrics table with its rows, and loads nothing', async () => {
    const dir = join(scratch, 'sweep');
    cpSync('test/fixtures/results-sweep', dir, { recursive: true });
    await writeReport(dir);
    const shot = join(scratch, 'sweep.png');
    const r = check(join(dir, 'report.html'), '--screenshot', shot);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('5 chart figures, 5 inline SVGs, 0 problems');
    expect(r.status).toBe(0);
    // The screenshot is a real page: a PNG of the window's size.
    const png = readFileSync(shot);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 2400]);
  });

  it('reports what is missing from a page that is not a report', () => {
    const page = join(scratch, 'empty.html');
    cpSync('test/fixtures/results-base/summary.csv', page);
    const r = check(page);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no chart figures');
    expect(r.stderr).toContain('no key metrics table');
  });
});
