/**
 * Every command the README shows runs as written, from a fresh copy of the
 * scenarios, and succeeds: a newcomer who copies them gets results, not an
 * error or an empty answer. `npx svcsim` runs the sources here (through tsx),
 * so the test needs no build.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the README commands', () => {
  const commands = readmeCommands();

  it('are the twelve of the Commands section', () => {
    expect(commands).toHaveLength(12);
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
  }, 300_000);
});
