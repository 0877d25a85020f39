/**
 * writeReport and `svcsim report` on copies of the hand-made fixture
 * folders: the files drawn, PNGs with real text, the same bytes on every
 * redraw, and a report.html that stands on its own.
 */
import { Resvg } from '@resvg/resvg-js';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { reportCommand } from '../src/cli/report.js';
import { writeReport, type PlanAnswer } from '../src/report/index.js';
import { roundToInterval } from '../src/report/metricsTable.js';
import { toPng, toSvg } from '../src/report/render.js';
import { chartSpecs, readResultFiles } from '../src/report/index.js';
import { readManifest } from '../src/report/manifest.js';

const scratch = mkdtempSync(join(tmpdir(), 'svcsim-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of a fixture folder, so that drawing never writes into test/fixtures. */
function copyOf(fixture: 'results-sweep' | 'results-base'): string {
  const dir = join(scratch, `${fixture}-${copies++}`);
  cpSync(join('test/fixtures', fixture), dir, { recursive: true });
  return dir;
}

const drawn = new Map<string, Promise<string>>();
/** A copy of a fixture folder with its report drawn once, for the tests that only read it. */
function drawnOnce(fixture: 'results-sweep' | 'results-base'): Promise<string> {
  if (!drawn.has(fixture)) {
    const dir = copyOf(fixture);
    drawn.set(
      fixture,
      writeReport(dir).then(() => dir),
    );
  }
  return drawn.get(fixture)!;
}

const chartFiles = (dir: string) => readdirSync(join(dir, 'charts')).sort();
const html = (dir: string) => readFileSync(join(dir, 'report.html'), 'utf8');

/** Decodes a PNG with resvg itself (as an <image> in an SVG) and returns its RGBA pixels. */
function decodePng(png: Buffer): { width: number; height: number; pixels: Buffer } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}"><image width="${width}" height="${height}" xlink:href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const image = new Resvg(svg, { background: 'white' }).render();
  return { width: image.width, height: image.height, pixels: image.pixels };
}

/** Pixels darker than mid-grey in a rectangle of an RGBA image. */
function darkPixels(img: { width: number; pixels: Buffer }, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      if (img.pixels[i] + img.pixels[i + 1] + img.pixels[i + 2] < 3 * 110) n++;
    }
  return n;
}

describe('writeReport', () => {
  it('draws every chart of a sweep folder as SVG and PNG, and report.html', async () => {
    const dir = copyOf('results-sweep');
    const { charts } = await writeReport(dir);
    expect(charts).toEqual(['latency-cdf', 'breakdown', 'timeseries', 'failures', 'in-flight', 'pods', 'nodes', 'slos', 'sweep', 'diffs']);
    expect(chartFiles(dir)).toEqual(['latency-cdf', 'breakdown', 'timeseries', 'failures', 'in-flight', 'pods', 'nodes', 'slos', 'sweep', 'diffs'].flatMap((c) => [`${c}.png`, `${c}.svg`]).sort());
    for (const f of chartFiles(dir)) {
      const bytes = readFileSync(join(dir, 'charts', f));
      if (f.endsWith('.png')) expect(bytes.subarray(1, 4).toString('latin1'), f).toBe('PNG');
      else expect(bytes.toString('utf8'), f).toMatch(/^<svg [^>]*role="img" aria-label="[^"]+"><title>[^<]+<\/title><desc>[^<]+<\/desc>/);
    }
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });

  it('draws the latency, breakdown, time series, pod and node charts for a folder without a sweep (variant base)', async () => {
    const dir = copyOf('results-base');
    expect((await writeReport(dir)).charts).toEqual(['latency-cdf', 'breakdown', 'timeseries', 'pods', 'nodes']);
    expect(chartFiles(dir)).toEqual(['breakdown.png', 'breakdown.svg', 'latency-cdf.png', 'latency-cdf.svg', 'nodes.png', 'nodes.svg', 'pods.png', 'pods.svg', 'timeseries.png', 'timeseries.svg']);
  });

  it('skips the charts of missing optional files instead of failing', async () => {
    const dir = copyOf('results-sweep');
    for (const f of ['latency_cdf.csv', 'timeseries.csv', 'pods.csv', 'nodes.csv', 'diffs.csv', 'replications.csv', 'manifest.json', 'latency_breakdown.csv', 'slos.csv']) rmSync(join(dir, f));
    expect((await writeReport(dir)).charts).toEqual(['sweep']);
    expect(html(dir)).toContain('Key metrics per variant');
    expect(html(dir)).toContain('no <code>resolvedScenario</code>');
  });

  it('removes a chart drawn before from a table that is gone, and keeps other files in charts/', async () => {
    const dir = copyOf('results-sweep');
    await writeReport(dir);
    writeFileSync(join(dir, 'charts', 'notes.txt'), 'mine');
    rmSync(join(dir, 'diffs.csv'));
    await writeReport(dir);
    expect(chartFiles(dir)).not.toContain('diffs.svg');
    expect(chartFiles(dir)).not.toContain('diffs.png');
    expect(chartFiles(dir)).toContain('notes.txt');
  });

  it('refuses a folder without summary.csv', async () => {
    await expect(writeReport(scratch)).rejects.toThrow(`${scratch}: no summary.csv: not a results folder`);
  });
});

describe('the charts as files', () => {
  it('PNGs have text: the title band of the PNG, decoded by resvg, is dark where the title is and blank without it', async () => {
    const dir = await drawnOnce('results-base');
    const png = decodePng(readFileSync(join(dir, 'charts', 'latency-cdf.png')));
    // The PNG is drawn at twice the SVG's size; the title "End-to-end latency distribution" (15 px bold, 8 px padding)
    // lies in the SVG's top-left 300 × 26 px, where nothing but text is drawn.
    const band = [0, 0, 2 * 300, 2 * 26] as const;
    const withText = darkPixels(png, ...band);
    expect(withText).toBeGreaterThan(1500);
    // The same chart without its <text> elements: the band is white.
    const spec = chartSpecs(readResultFiles(dir), readManifest(dir)).find((c) => c.name === 'latency-cdf')!.spec;
    const bare = decodePng(toPng((await toSvg(spec)).replace(/<text\b[^>]*>[^<]*<\/text>/g, '')));
    expect(darkPixels(bare, ...band)).toBe(0);
    // And every other chart's PNG has its title there too.
    for (const name of ['timeseries', 'pods', 'nodes', 'breakdown']) expect(darkPixels(decodePng(readFileSync(join(dir, 'charts', `${name}.png`))), ...band), name).toBeGreaterThan(1000);
  });

  it('redrawing from the same CSV files gives byte-identical SVG files and report.html', async () => {
    const a = copyOf('results-sweep');
    const b = copyOf('results-sweep');
    await writeReport(a);
    await writeReport(b);
    const svgs = (dir: string) => chartFiles(dir).filter((f) => f.endsWith('.svg')).map((f) => readFileSync(join(dir, 'charts', f), 'utf8'));
    const first = svgs(a);
    expect(first).toHaveLength(10);
    expect(svgs(b)).toEqual(first);
    expect(html(b)).toBe(html(a));
    // Again in the same folder, after other charts were drawn in this process.
    await writeReport(a);
    expect(svgs(a)).toEqual(first);
  });
});

describe('report.html', () => {
  it('stands on its own: the scenario, the metrics table, every chart inline with a text alternative, nothing to load', async () => {
    const dir = await drawnOnce('results-sweep');
    const page = html(dir);
    expect(page).toContain('<h1>checkout-sweep</h1>');
    expect(page).toContain('<table><caption>Key metrics per variant (scope all)');
    for (const variant of ['replicas=2;<wbr>externalTrafficPolicy=Cluster', 'replicas=4;<wbr>externalTrafficPolicy=Local']) expect(page).toContain(`<th scope="row">${variant}</th>`);
    // p99 of the baseline: mean 48.5… ± 3.4… in summary.csv, rounded to its interval.
    expect(page).toContain('<td title="mean 48.4870, 95% CI [45.1243, 51.8498], n = 3">48.5<span class="ci"> ± 3.4</span></td>');
    for (const name of ['latency-cdf', 'breakdown', 'timeseries', 'failures', 'in-flight', 'pods', 'nodes', 'slos', 'sweep', 'diffs']) {
      const figure = new RegExp(`<figure id="${name}" role="img" aria-label="[^"]{40,}"><figcaption><strong>[^<]+</strong>[^<]+</figcaption><svg [^>]*>`);
      expect(page, name).toMatch(figure);
    }
    expect(page.match(/<svg /g)).toHaveLength(10);
    // The numbers of each chart in words follow it, folded; the figure's text alternative keeps all of them.
    expect(page).toMatch(/<\/figure>\n<details class="words"><summary>Latency distribution: the numbers in words<\/summary><p>replicas=2;externalTrafficPolicy=Cluster: pooled median about/);
    expect(page).not.toMatch(/<script|<link\b|<img\b|<iframe|@import|url\(["']?https?:|\s(src|href)=["']?https?:/i);
    // Links only inside the page (to a chart or a section).
    expect(page).not.toMatch(/\s(src|href)=(?!"#[a-z0-9-]+")/);
  });

  it('escapes text from the files', async () => {
    const dir = await drawnOnce('results-sweep');
    // The fixture's description holds markup and an ampersand.
    expect(html(dir)).toContain('node n-0 lost for 8 s &lt;b&gt;mid-window&lt;/b&gt; &amp; back');
    expect(html(dir)).not.toContain('<b>mid-window</b>');
  });

  it('draws the request path with the Service type, the load balancer and the policies, swept ones with all their values', async () => {
    const sweep = await drawnOnce('results-sweep');
    const page = html(sweep);
    expect(page).toContain('Traffic shoppers to Service web (type LoadBalancer, via loadBalancer)');
    expect(page).toMatch(/<dt>preset<\/dt><dd>aws-nlb<\/dd><dt>algorithm<\/dt><dd>flowHash<\/dd>/);
    expect(page).toContain('<dt>externalTrafficPolicy</dt><dd>Cluster | Local (swept)</dd>');
    expect(page).toContain('<dt>sessionAffinity</dt><dd>None</dd>');
    expect(page).toContain('<dt>kube-proxy</dt><dd>iptables</dd>');
    // Pods inside their nodes (from pods.csv), and the node without one flagged.
    expect(page).toContain('<li class="node"><span class="name">n-0</span><ul class="pods"><li class="pod">web-0</li></ul></li>');
    expect(page).toContain('<li class="node"><span class="name">n-2</span><span class="empty">no pod of this Service</span></li>');

    const base = await drawnOnce('results-base');
    const plain = html(base);
    expect(plain).toContain('Traffic browsers to Service web (type NodePort, via nodePort)');
    expect(plain).not.toContain('cloud load balancer');
    expect(plain).toContain('<dt>kube-proxy</dt><dd>ipvs, scheduler lc</dd>');
    expect(plain).toContain('<dt>sessionAffinity</dt><dd>ClientIP</dd>');
    expect(plain).toContain('<li class="node"><span class="name">node-a</span><ul class="pods"><li class="pod">web-0</li><li class="pod">web-2</li></ul></li>');
  });

  it('draws the path from a sparse manifest too: in-cluster clients, IP-mode load balancers, missing fields left out', async () => {
    const dir = copyOf('results-base');
    const sparse = {
      resolvedScenario: {
        metadata: { name: 'sparse' },
        cluster: { nodes: [{ name: 'node-a' }, { name: 'node-b' }] },
        services: [{ metadata: { name: 'api' }, spec: { type: 'ClusterIP' } }, { metadata: { name: 'edge' }, spec: { type: 'LoadBalancer' } }],
        loadBalancers: [{ service: 'edge', targets: 'pods' }],
        traffic: [{ name: 'jobs', from: { zone: 'zone-a' }, to: { service: 'api', via: 'clusterIP' } }, { name: 'users', to: { service: 'edge' } }],
      },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(sparse));
    await writeReport(dir);
    const page = html(dir);
    expect(page).toContain('Traffic jobs to Service api (type ClusterIP, via clusterIP)');
    expect(page).toContain('<dt>from</dt><dd>inside the cluster, from zone zone-a</dd>');
    expect(page).toContain('kube-proxy on the client’s node, then pods');
    expect(page).toContain('<dt>internalTrafficPolicy</dt><dd>Cluster</dd>');
    expect(page).toContain('Traffic users to Service edge (type LoadBalancer, via loadBalancer)');
    expect(page).toContain('<dt>targets</dt><dd>pods (IP mode: no nodePort, no kube-proxy)</dd>');
    expect(page).not.toContain('undefined');
    // No seed, workers or wall time in the manifest: those lines are left out.
    expect(page).not.toContain('<dt>seed</dt>');

    writeFileSync(join(dir, 'manifest.json'), '{}');
    await writeReport(dir);
    expect(html(dir)).toContain('<h1>svcsim results</h1>');
    expect(html(dir)).toContain('no <code>resolvedScenario</code>');
  });

  it('tells how the run went: seed, replications, workers, wall time, requests, completeness, the MSER-5 warm-up', async () => {
    const dir = await drawnOnce('results-base');
    const page = html(dir);
    for (const fact of [
      '<dt>seed</dt><dd>7</dd>',
      '<dt>replications per variant</dt><dd>5</dd>',
      '<dt>workers</dt><dd>1</dd>',
      '<dt>wall time</dt><dd>1.4 s</dd>',
      '<dt>simulated requests</dt><dd>21968</dd>',
      '<dt>complete</dt><dd>yes</dd>',
      '<dt>MSER-5 suggested warm-up</dt><dd>3 s — longer than the 2 s used',
    ])
      expect(page).toContain(fact);
    expect(page).toContain('latency_p999_ms rests on 4 ok requests');
  });

  it('shows a plan answer given as an option, or found in the manifest', async () => {
    const plan: PlanAnswer = {
      path: 'workloads.web.replicas',
      value: 3,
      slos: ['latency_p99_ms<200', 'success_ratio>=0.999'],
      confidence: 0.95,
      range: [1, 8],
      evidence: [
        { value: 2, holds: false, detail: 'latency_p99_ms<200: mean 231, bound 260' },
        { value: 3, holds: true, detail: 'latency_p99_ms<200: mean 18.2, bound 19.0' },
      ],
    };
    const dir = copyOf('results-base');
    await writeReport(dir, { plan });
    expect(html(dir)).toContain('The smallest <code>workloads.web.replicas</code> in [1, 8] that meets every SLO is <strong>3</strong>.');
    expect(html(dir)).toContain('<code>latency_p99_ms&lt;200</code>');
    expect(html(dir)).toContain('<tr><td>2</td><td>no</td><td class="text">latency_p99_ms&lt;200: mean 231, bound 260</td></tr>');

    const fromManifest = copyOf('results-base');
    const manifest = JSON.parse(readFileSync(join(fromManifest, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const question = { kind: 'transient', text: 'the worst 30 s window after node-1 crashes at 40 s' };
    const explanation = ['success_ratio>=0.999 stays 0.87–0.88 from 1 to 8: the failures come from the detection delay, which replicas do not change'];
    const evidence = plan.evidence.map((e) => ({ ...e, node: 'node-a' }));
    writeFileSync(join(fromManifest, 'manifest.json'), JSON.stringify({ ...manifest, plan: { ...plan, value: null, question, explanation, evidence } }));
    await writeReport(fromManifest);
    expect(html(fromManifest)).toContain('<p>Why not:</p><ul class="explanation"><li>success_ratio&gt;=0.999 stays 0.87–0.88 from 1 to 8: the failures come from the detection delay, which replicas do not change</li></ul>');
    expect(html(fromManifest)).toContain('<th scope="col">node down</th>');
    expect(html(fromManifest)).toContain('<tr><td>2</td><td class="text">node-a</td><td>no</td>');
    expect(html(fromManifest)).toContain('<p>The question: the worst 30 s window after node-1 crashes at 40 s</p>');
    expect(html(fromManifest)).toContain('Plan for the transient after a node crash: no value of workloads.web.replicas');
    expect(html(fromManifest)).toContain('No value of <code>workloads.web.replicas</code> in [1, 8] meets every SLO.');
  });

  it('opens with a summary whose numbers are the key metrics table’s, each sentence naming its table and statistic', async () => {
    const base = html(await drawnOnce('results-base'));
    const glance = /<section id="glance">[\s\S]*?<\/section>/.exec(base)![0];
    // The same digits as the table's cell for p99 (mean 17.4278, half-width 0.298869).
    expect(glance).toContain('p99 latency 17.43 ± 0.30 ms, success ratio 1, throughput 199.4 ± 3.5 requests/s (means over replications ± 95% CI half-width, as in the key metrics table).');
    expect(base).toContain('<td title="mean 17.4278, 95% CI [17.1289, 17.7267], n = 5">17.43<span class="ci"> ± 0.30</span></td>');
    expect(glance).toContain('The largest part of the mean latency of ok requests is service time, 3.2 of 5.29 ms (60.5%) (latency_breakdown.csv).');
    expect(glance).toContain('Busiest pod: web-1 (node-b), with 1.02× the mean share of its variant&#39;s pods (no pod is more than 5% above the mean) (share');
    expect(glance).toContain('Busiest node: node-a (zone-a) received 1.01× the mean over nodes, 50.3% of all attempts');
    expect(glance).toContain('No request failed in any replication of any variant.');
    expect(base.indexOf('id="glance"')).toBeLessThan(base.indexOf('id="simulated"'));

    const sweep = /<section id="glance">[\s\S]*?<\/section>/.exec(html(await drawnOnce('results-sweep')))![0];
    expect(sweep).toContain('SLO latency_p99_ms &lt; 45: met by 2 of 4 variants; undecided by 1 of 4 variants (replicas=2;externalTrafficPolicy=Local); not met by 1 of 4 variants (replicas=2;externalTrafficPolicy=Cluster) (slos.csv).');
    // The most failures: replicas=2 Cluster, 1418 ± 142 in the table, its causes from summary.csv, its buckets from timeseries.csv.
    expect(sweep).toContain('Requests failed in 4 of 4 variants, most in replicas=2;externalTrafficPolicy=Cluster: 1418 ± 142 per replication (1248 timed out, 170.3 refused), in the time buckets from 20 s to 28 s (scheduled: node n-0 down at 20 s, node n-0 back at 28 s). Times count from the start of the 5 s warm-up, as failures[].at does.');
    expect(sweep).not.toContain('above capacity');
  });

  it('shows slos.csv and latency_breakdown.csv as tables, and a section per traffic scope', async () => {
    const page = html(await drawnOnce('results-sweep'));
    expect(page).toContain('<caption>Service-level objectives (slos.csv): mean over replications, 95% confidence interval, verdict at one-sided 95%</caption>');
    expect(page).toContain('<td class="text"><code>latency_p99_ms &lt; 45</code></td><td>48.49</td><td>[45.12, 51.85]</td><td class="text verdict-not-met">not met</td>');
    expect(page).toContain('<caption>Where the latency goes (latency_breakdown.csv, scope all)');
    expect(page).toMatch(/<section id="scopes"><h2>Per scope<\/h2>[\s\S]*<details class="scope" id="scope-traffic-shoppers" open><summary><code>traffic:shoppers<\/code><\/summary>\s*<div class="scroll"><table><caption>Key metrics per variant \(scope traffic:shoppers\)/);
    expect(page).toContain('<caption>Where the latency goes (latency_breakdown.csv, scope traffic:shoppers)');
  });

  it('rounds a mean to the digits its 95% interval supports', () => {
    expect(roundToInterval(8022, 43.0982)).toEqual({ mean: '8022', halfWidth: '43' });
    expect(roundToInterval(0.86337, 0.0115686)).toEqual({ mean: '0.863', halfWidth: '0.012' });
    expect(roundToInterval(25.3242, 1.01042)).toEqual({ mean: '25.3', halfWidth: '1.0' });
    expect(roundToInterval(0, 0)).toEqual({ mean: '0' });
    expect(roundToInterval(7.52247, undefined)).toEqual({ mean: '7.52247' });
  });
});

describe('svcsim report', () => {
  function capture() {
    const out = { stdout: '', stderr: '' };
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out.stdout += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((out.stderr += String(s)), true));
    return { out, restore: () => (o.mockRestore(), e.mockRestore()) };
  }

  it('exits 2 with a clear message when the folder is not a results folder', async () => {
    const c = capture();
    try {
      expect(await reportCommand(scratch)).toBe(2);
    } finally {
      c.restore();
    }
    expect(c.out.stderr).toBe(`svcsim report: ${scratch}: no summary.csv: not a results folder\n`);
  });

  it('exits 2 when manifest.json is not JSON, naming the file', async () => {
    const dir = copyOf('results-base');
    writeFileSync(join(dir, 'manifest.json'), '{ not json');
    const c = capture();
    try {
      expect(await reportCommand(dir)).toBe(2);
    } finally {
      c.restore();
    }
    expect(c.out.stderr).toMatch(new RegExp(`^svcsim report: ${join(dir, 'manifest.json')}: not valid JSON`));
  });

  it('exits 0 and prints where report.html is', async () => {
    const dir = copyOf('results-base');
    const c = capture();
    try {
      expect(await reportCommand(dir)).toBe(0);
    } finally {
      c.restore();
    }
    expect(c.out.stdout).toBe(`svcsim report: ${join(dir, 'report.html')} (5 charts in ${join(dir, 'charts')}/: latency-cdf, breakdown, timeseries, pods, nodes)\n`);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });
});
