/**
 * Every command the README and the reference pages show runs as written, from
 * a fresh copy of the scenarios and examples, and succeeds: a newcomer who
 * copies them gets results, not an error or an empty answer. `npx svcsim`,
 * `svcsim` and `node dist/src/cli/bin.js` run the sources here (through tsx),
 * so the test needs no build. (docs/guide.md's commands are run by
 * test/docs-guide.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
const tsx = createRequire(import.meta.url).resolve('tsx');
const svcsim = `"${process.execPath}" --import "${tsx}" "${join(repo, 'src/cli/bin.ts')}"`;

/** The lines of the README's ```sh block under "## Commands", without their comments. */
export function readmeCommands(): string[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Commands'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter(Boolean);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcsim-readme-'));
  cpSync(join(repo, 'scenarios'), join(dir, 'scenarios'), { recursive: true });
  cpSync(join(repo, 'examples'), join(dir, 'examples'), { recursive: true });
  // Worker threads load tsx by name, from the current folder.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // What the pages' commands take from the user's side, which a clone does not have: `kubectl get … -o
  // yaml > cluster.yaml` (docs/import.md: the example cluster is such a file); the user's own scenario
  // (docs/kubernetes-job.md's scenario.yaml and big.yaml: a bundled one, with 16 replications, stands in); and the shard folders
  // the Job's pods wrote, copied out of the cluster (made here as the pods would: `run --shard i/n`).
  cpSync(join(repo, 'examples/cluster.yaml'), join(dir, 'cluster.yaml'));
  // A big scenario: at least one replication per shard of the page's Job (16), kept short.
  const big = readFileSync(join(repo, 'scenarios/nodeport.yaml'), 'utf8').replace(/replications: \d+/, 'replications: 16').replace(/duration: 1m/, 'duration: 10s');
  for (const name of ['scenario.yaml', 'big.yaml']) writeFileSync(join(dir, name), big);
  for (const i of [0, 1]) {
    const r = spawnSync('bash', ['-c', `${svcsim} run big.yaml --shard ${i}/2 --out shards/shard-${i} --no-charts --quiet`], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`shard ${i}: ${r.stderr}`);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pages besides the README's Commands section whose command lines must run as written. */
const PAGES = ['README.md', 'docs/model.md', 'docs/outputs.md', 'docs/import.md', 'docs/kubernetes-job.md'];

/**
 * The svcsim command lines of a page's code blocks: lines that start with `svcsim `, `npx svcsim ` or
 * `node … dist/` (a `$ ` prompt before them is dropped, and so is a trailing `# comment`). The README's
 * Commands section is left out: the test above runs it.
 */
export function pageCommands(page: string): string[] {
  let text = readFileSync(join(repo, page), 'utf8');
  if (page === 'README.md') text = text.replace(/## Commands\n[\s\S]*?```sh\n[\s\S]*?```/, '');
  const commands: string[] = [];
  for (const block of text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)) {
    for (const raw of block[1].split('\n')) {
      const line = raw.trim().replace(/^\$ /, '').replace(/\s+#\s.*$/, '');
      if (/^(npx )?svcsim /.test(line) || /^node .*\bdist\//.test(line)) commands.push(line);
    }
  }
  return commands;
}

/** A page's command as the shell here runs it: svcsim is the sources through tsx. */
function runnable(command: string): string {
  if (/^node /.test(command) && !command.includes(' dist/src/cli/bin.js ')) throw new Error(`no way to run ${command} without a build`);
  return command
    .replace(/^node (.*)dist\/src\/cli\/bin\.js /, `"${process.execPath}" $1--import "${tsx}" "${join(repo, 'src/cli/bin.ts')}" `)
    .replace(/^(npx )?svcsim /, `${svcsim} `);
}

describe('the README commands', () => {
  const commands = readmeCommands();

  it('are the thirteen of the Commands section', () => {
    expect(commands).toHaveLength(13);
    for (const c of commands) expect(c).toMatch(/^npx svcsim /);
  });

  // In order: `report results/loadbalancer` reads what the first `run` wrote.
  it.each(commands.map((c, i) => [i + 1, c]))('%i. %s exits 0 and says something', (_i, command) => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', command.replaceAll('npx svcsim', svcsim)], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    expect(r.stderr, command).not.toMatch(/\n\s+at |internal error/);
    expect(r.status, `${command}\n${r.stderr}`).toBe(0);
    const said = r.stdout + r.stderr;
    expect(said.trim().length + (command.includes('>') ? 1 : 0)).toBeGreaterThan(0);
    // A trace prints at least one followed request, not just its header.
    if (command.includes(' trace ')) expect(r.stdout).toMatch(/^request 1 of traffic /m);
    if (command.includes(' schema > ')) expect(JSON.parse(readFileSync(join(dir, 'svcsim.schema.json'), 'utf8'))).toHaveProperty('$schema');
    if (command.includes(' merge ')) expect(existsSync(join(dir, 'results/all/summary.csv'))).toBe(true);
    if (command.includes(' plan ')) expect(r.stdout).toMatch(/^answer: workloads\.web\.replicas=\d+/m);
    if (command.includes(' job ')) expect(readFileSync(join(dir, 'results/job.yaml'), 'utf8')).toContain('kind: Job');
    if (command.includes(' import ')) expect(readFileSync(join(dir, 'results/imported.yaml'), 'utf8')).toContain('kind: Scenario');
    if (command.includes('--explain-scaling')) expect(r.stdout).toMatch(/cluster-autoscaler: .*scale up pool-a/);
  }, 300_000);
});

describe('the commands of the other pages', () => {
  const commands = PAGES.flatMap((page) => pageCommands(page).map((command) => [page, command] as const));

  it('are found: the profiling line of the README, import.md and kubernetes-job.md have some', () => {
    const pages = new Set(commands.map(([page]) => page));
    for (const page of ['README.md', 'docs/import.md', 'docs/kubernetes-job.md']) expect(pages, page).toContain(page);
  });

  it.each(commands)('%s: %s exits 0 without a stack trace', (_page, command) => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', runnable(command)], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    expect(r.stderr, command).not.toMatch(/\n\s+at |internal error/);
    expect(r.status, `${command}\n${r.stderr}`).toBe(0);
  }, 300_000);
});
