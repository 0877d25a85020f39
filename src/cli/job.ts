/**
 * `svcsim job <scenario> --shards N [options]`: prints the manifests that run
 * one scenario as N shards on a Kubernetes cluster (src/k8s/job.ts): a
 * ConfigMap with the scenario and its files, a PersistentVolumeClaim for the
 * results (unless `--out-volume` names an existing one) and an Indexed Job
 * whose pod i runs `svcsim run --shard i/N`. `kubectl apply -f -` takes the
 * output as it is; docs/kubernetes-job.md explains build, apply, watch,
 * collect and merge.
 *
 * The scenario is checked here first (exit 2 with its problems, as `validate`),
 * so that a mistake is not found by N pods at once. Each pod gets one worker
 * thread per CPU it requests: as many as it has replications, at most
 * `--cpus` (default 4).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, normalize, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { buildJobManifest, type ScenarioFile } from '../k8s/job.js';
import { formatProblem, ScenarioError } from '../scenario/errors.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { expandVariants } from '../scenario/sweep.js';
import { SVCSIM_VERSION } from '../version.js';

export interface JobCommandOptions {
  shards: number;
  parallelism?: number;
  image?: string;
  outVolume?: string;
  storage: string;
  storageClass?: string;
  name?: string;
  namespace?: string;
  retries: number;
  cpus: number;
  replications?: number;
  seed?: number;
  set: string[];
}

/** ConfigMaps hold at most 1 MiB (etcd's object limit). */
const CONFIGMAP_LIMIT = 1024 * 1024;
/** Memory of one pod: Node.js and the scenario, then each worker's replication in flight (README: ≈ 90 MB for 10⁷ requests). */
const BASE_MIB = 256;
const PER_WORKER_MIB = 256;

function bad(message: string): number {
  process.stderr.write(`svcsim job: ${message}\n`);
  return 2;
}

/** Every `file:` of the scenario (empirical and histogram distributions, trace and schedule arrivals), relative to its folder. */
export function referencedFiles(parsed: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, depth: number) => {
    if (depth > 16 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) visit(x, depth + 1);
      return;
    }
    const o = node as Record<string, unknown>;
    const fileKind = o.dist === 'empirical' || o.dist === 'histogram' || o.process === 'trace' || o.process === 'schedule';
    if (fileKind && typeof o.file === 'string') found.add(o.file);
    for (const v of Object.values(o)) visit(v, depth + 1);
  };
  visit(parsed, 0);
  return [...found];
}

/** A Kubernetes name from a scenario name: DNS label, at most 63 characters. */
function jobName(scenarioName: string): string {
  return `svcsim-${scenarioName}`.slice(0, 63).replace(/-+$/, '');
}

export function jobCommand(file: string, opts: JobCommandOptions): Promise<number> {
  return Promise.resolve(job(file, opts));
}

function job(file: string, opts: JobCommandOptions): number {
  if (!(opts.shards >= 1)) return bad('--shards must be at least 1');
  const parallelism = opts.parallelism ?? opts.shards;
  if (!(parallelism >= 1)) return bad('--parallelism must be at least 1');
  if (!(opts.cpus >= 1)) return bad('--cpus must be at least 1');
  const name = opts.name ?? undefined;
  if (name !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return bad(`--name ${name}: must be a DNS label (lower-case letters, digits and "-")`);
  if (name !== undefined && name.length > 63) return bad(`--name ${name}: at most 63 characters`);
  if (opts.outVolume !== undefined && !/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(opts.outVolume)) return bad(`--out-volume ${opts.outVolume}: the name of a PersistentVolumeClaim (lower-case letters, digits, "-" and ".")`);

  const runArgs: string[] = [];
  for (const s of opts.set) runArgs.push('--set', s);
  if (opts.replications !== undefined) runArgs.push('--replications', String(opts.replications));
  if (opts.seed !== undefined) runArgs.push('--seed', String(opts.seed));

  let loaded: LoadedScenario;
  let variants: number;
  try {
    loaded = loadScenario(file, { set: opts.set });
    variants = expandVariants(loaded).length;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 2;
  }
  const replications = opts.replications ?? loaded.scenario.simulation.replications;
  if (opts.shards > replications) return bad(`--shards ${opts.shards} is more than the ${replications} replications: shard i runs replications r with r mod ${opts.shards} = i, so some pods would have nothing to do`);

  // The scenario and its files, at their places relative to the scenario.
  const folder = dirname(resolve(file));
  const files: ScenarioFile[] = [];
  for (const ref of referencedFiles(loaded.parsed)) {
    const path = normalize(ref);
    if (isAbsolute(ref) || path.startsWith('..')) {
      return bad(`${file}: ${ref} is outside the scenario's folder; the ConfigMap holds files at their places below it: move the file next to the scenario (or into a folder beside it)`);
    }
    files.push({ path: relative(folder, resolve(folder, path)), text: readFileSync(resolve(folder, path), 'utf8') });
  }
  const scenario = { path: basename(file), text: loaded.text };
  const bytes = [scenario, ...files].reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  if (bytes > CONFIGMAP_LIMIT * 0.95) {
    return bad(`the scenario and its files are ${(bytes / 1024).toFixed(0)} KiB; a ConfigMap holds at most 1 MiB: put large files in the image or on the results volume`);
  }

  const perShard = variants * Math.ceil(replications / opts.shards);
  const workers = Math.max(1, Math.min(opts.cpus, perShard));
  const manifest = buildJobManifest({
    name: name ?? jobName(loaded.scenario.metadata.name),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    scenarioName: loaded.scenario.metadata.name,
    scenario,
    files,
    shards: opts.shards,
    parallelism,
    image: opts.image ?? `svcsim:${SVCSIM_VERSION}`,
    ...(opts.outVolume ? { claim: opts.outVolume } : {}),
    storage: opts.storage,
    ...(opts.storageClass ? { storageClass: opts.storageClass } : {}),
    retries: opts.retries,
    workers,
    memoryMiB: BASE_MIB + PER_WORKER_MIB * workers,
    runArgs,
  });
  const jobObject = manifest.job.metadata!.name!;
  const header = [
    `# svcsim job ${basename(file)}: ${opts.shards} shards of ${variants} variant${variants === 1 ? '' : 's'} × ${replications} replications, ${workers} worker${workers === 1 ? '' : 's'} per pod.`,
    '# Apply:   kubectl apply -f this.yaml',
    `# Watch:   kubectl get pods -l job-name=${jobObject} --watch`,
    `# Collect: copy ${'/results/'}${jobObject}/shard-* from the volume, then: svcsim merge shard-* --out results/${loaded.scenario.metadata.name}`,
    '# (docs/kubernetes-job.md: build and push the image, collect, merge, clean up.)',
  ];
  const docs = [manifest.claim, manifest.configMap, manifest.job].filter((x) => x !== undefined).map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }));
  process.stdout.write(`${header.join('\n')}\n${docs.join('---\n')}`);
  return 0;
}
