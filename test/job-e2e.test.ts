/**
 * End to end, what a cluster would do with `svcsim job`'s manifest, without a
 * cluster: the image's build steps are taken from deploy/Dockerfile and run
 * here (Docker cannot build on this machine); the ConfigMap volume is written
 * out with its items at their paths; then, for every index i, the container
 * runs as its own process — the image's ENTRYPOINT plus the Job's args, with
 * `$(JOB_COMPLETION_INDEX)` expanded as the kubelet does and the volumes'
 * mount paths mapped to folders — and `svcsim merge` of the shard folders must
 * give the CSV files of a single-machine run of the same scenario and seed,
 * byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'svcsim-job-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Instruction {
  keyword: string;
  args: string;
}

/** The stages of a Dockerfile, each its instructions (continuation lines joined, comments dropped). */
function dockerStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    pending += raw.replace(/\\\s*$/, ' ');
    if (/\\\s*$/.test(raw)) continue;
    const line = pending.trim();
    pending = '';
    if (line === '') continue;
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(instruction);
  }
  return stages;
}

/** `$(VAR)` replaced by the container's variables as the kubelet does; `$$` is a literal `$`; an unknown variable stays as written. */
function expand(arg: string, env: Record<string, string>): string {
  return arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in env ? env[name] : m));
}

/** Bare package names imported by compiled JavaScript files under `folder`. */
function importedPackages(folder: string): Set<string> {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.js')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
          const spec = m[1] ?? m[2];
          if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
          found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        }
      }
    }
  };
  walk(folder);
  return found;
}

const dockerfile = dockerStages(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const [buildStage, runtimeStage] = dockerfile;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

const SCENARIO = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: e2e}
simulation: {duration: 30s, warmup: 5s, replications: 7, seed: 42}
cluster:
  nodes: [{name: a, zone: zone-a}, {name: b, zone: zone-b}]
workloads:
  - {name: web, replicas: 3, ports: [8080], concurrency: 2, serviceTime: {dist: histogram, file: data/latency.txt, max: 100ms}}
services:
  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: users, to: {service: web, port: 80, via: nodePort}, arrival: {process: poisson, rate: 150/s}}
sweep:
  parameters:
    - {path: services.web.spec.externalTrafficPolicy, values: [Cluster, Local]}
`;

describe('the Indexed Job, run as its pods would run it, merges into the CSV files of one machine', () => {
  it('deploy/Dockerfile builds in two stages: the build stage compiles, the runtime stage installs only runtime dependencies and runs svcsim as uid 1000', () => {
    expect(dockerfile).toHaveLength(2);
    expect(buildStage.filter((i) => i.keyword === 'RUN').map((i) => i.args)).toEqual(['npm ci --ignore-scripts', 'npm run build']);
    expect(runtimeStage.filter((i) => i.keyword === 'RUN').map((i) => i.args)).toEqual(['npm ci --omit=dev --ignore-scripts && npm cache clean --force']);
    expect(runtimeStage.find((i) => i.keyword === 'USER')?.args).toBe('1000:1000');
    expect(runtimeStage.find((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build'))?.args).toBe('--from=build /app/dist ./dist');
  });

  it('runs the image build steps here, and the runtime imports only packages that npm ci --omit=dev installs', async () => {
    // The build stage's `npm ci` is the repository's own install, from the same lockfile; the rest runs as written.
    for (const step of buildStage.filter((i) => i.keyword === 'RUN' && !i.args.startsWith('npm ci'))) {
      await run('sh', ['-c', step.args], { cwd: ROOT });
    }
    const imported = [...importedPackages(join(ROOT, 'dist/src')), ...importedPackages(join(ROOT, 'dist/workers'))];
    expect(imported.length).toBeGreaterThan(3);
    for (const name of imported) expect(Object.keys(pkg.dependencies), `dist imports ${name}`).toContain(name);
  }, 600_000);

  it('7 replications × 2 variants in 3 shards, each index its own process: merge gives byte-identical CSV files to a single run', async () => {
    const entrypoint = JSON.parse(runtimeStage.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
    const workdir = runtimeStage.find((i) => i.keyword === 'WORKDIR')!.args;
    // The image's files are this checkout, built by the test above.
    const inImage = (p: string) => (p.startsWith(`${workdir}/`) ? join(ROOT, p.slice(workdir.length + 1)) : p);
    const command = entrypoint.map(inImage);
    const svcsim = (...args: string[]) => run(command[0], [...command.slice(1), ...args], { cwd: dir, maxBuffer: 1 << 24 });

    const local = join(dir, 'local');
    mkdirSync(join(local, 'data'), { recursive: true });
    writeFileSync(join(local, 'e2e.yaml'), SCENARIO);
    writeFileSync(join(local, 'data/latency.txt'), 'latency_bucket{le="0.002"} 100\nlatency_bucket{le="0.005"} 700\nlatency_bucket{le="0.02"} 990\nlatency_bucket{le="+Inf"} 1000\n');

    const { stdout } = await svcsim('job', join(local, 'e2e.yaml'), '--shards', '3', '--image', 'svcsim:test');
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string });
    const job = docs.find((d) => d.kind === 'Job') as Job;
    const configMap = docs.find((d) => d.kind === 'ConfigMap') as ConfigMap;
    const pod = job.spec!.template.spec!;
    const container = pod.containers[0];
    expect(container.command).toBeUndefined(); // the image's ENTRYPOINT runs

    // Volumes: the ConfigMap's items at their paths, the results claim as a folder.
    const mounts = new Map<string, string>();
    for (const m of container.volumeMounts!) {
      const volume = pod.volumes!.find((v) => v.name === m.name)!;
      const folder = join(dir, 'volumes', m.name);
      mkdirSync(folder, { recursive: true });
      for (const item of volume.configMap?.items ?? []) {
        mkdirSync(dirname(join(folder, item.path)), { recursive: true });
        writeFileSync(join(folder, item.path), configMap.data![item.key]);
      }
      mounts.set(m.mountPath, folder);
    }
    const onDisk = (arg: string) => {
      for (const [mountPath, folder] of mounts) if (arg === mountPath || arg.startsWith(`${mountPath}/`)) return folder + arg.slice(mountPath.length);
      return arg;
    };

    // Every index at once, as parallelism = completions: separate processes, each with its JOB_COMPLETION_INDEX.
    const completions = job.spec!.completions!;
    expect(completions).toBe(3);
    expect(container.env?.[0].valueFrom?.fieldRef?.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    await Promise.all(
      Array.from({ length: completions }, (_, index) => {
        const env = { JOB_COMPLETION_INDEX: String(index) };
        const args = container.args!.map((a) => onDisk(expand(a, env)));
        return run(command[0], [...command.slice(1), ...args], { cwd: dir, env: { ...process.env, ...env } });
      }),
    );
    const shardRoot = join(mounts.get('/results')!, job.metadata!.name!);
    const shards = readdirSync(shardRoot).sort();
    expect(shards).toEqual(['shard-0', 'shard-1', 'shard-2']);

    await svcsim('merge', ...shards.map((s) => join(shardRoot, s)), '--out', join(dir, 'merged'), '--no-charts');
    await svcsim('run', join(local, 'e2e.yaml'), '--out', join(dir, 'single'), '--no-charts', '--quiet', '--workers', '1');

    const csv = readdirSync(join(dir, 'single')).filter((f) => f.endsWith('.csv')).sort();
    expect(csv).toEqual(expect.arrayContaining(['diffs.csv', 'latency_cdf.csv', 'nodes.csv', 'pods.csv', 'replications.csv', 'summary.csv', 'timeseries.csv']));
    expect(readdirSync(join(dir, 'merged')).filter((f) => f.endsWith('.csv')).sort()).toEqual(csv);
    for (const f of csv) {
      const merged = readFileSync(join(dir, 'merged', f));
      expect(merged.equals(readFileSync(join(dir, 'single', f))), `${f} differs`).toBe(true);
    }
    // Not trivially equal: 14 replication rows per scope.
    expect(readFileSync(join(dir, 'single', 'replications.csv'), 'utf8').split('\n').filter((l) => l.startsWith('externalTrafficPolicy') || /^(Cluster|Local),/.test(l)).length).toBeGreaterThanOrEqual(14);
  }, 600_000);
});
