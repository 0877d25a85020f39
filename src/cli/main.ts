/**
 * The `svcsim` command: one subcommand per file in this folder. This file
 * only parses the command line; each command returns its exit code
 * (0 success, 1 the run failed, 2 bad input — docs/outputs.md).
 */
import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { SVCSIM_VERSION } from '../version.js';
import type { ImportCommandOptions } from './import.js';
import type { JobCommandOptions } from './job.js';
import type { PlanOptions } from './plan.js';
import type { RunOptions } from './run.js';
import type { TraceOptions } from './trace.js';


// No default value ([]) on repeatable options: commander would print "(default: [])" in the help.
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
      throw new CommanderError(2, 'svcsim.badOption', `error: option ${name} takes a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not "${value}"`);
    }
    return n;
  };
}

/**
 * An option's value only when the command line gave it: the help still shows
 * the default, and the command knows it may choose (e.g. no threads for a
 * small run when --workers was not asked for).
 */
const asked = <T>(cmd: Command, name: string, value: T): T | undefined => (cmd.getOptionValueSource(name) === 'default' ? undefined : value);

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('svcsim')
    .description('Discrete-event simulation of Kubernetes Service traffic: LB → nodePort → clusterIP → pod, with Monte Carlo analysis')
    .version(SVCSIM_VERSION)
    .exitOverride()
    .showHelpAfterError(false);

  program
    .command('run')
    .description('simulate every variant × replication and write the results folder')
    .argument('<scenario>', 'scenario YAML file')
    .option('--out <dir>', 'results folder (default results/<metadata.name>)')
    .option('--replications <n>', 'replications per variant', intOption('--replications'))
    .option('--seed <s>', 'root seed', intOption('--seed'))
    .option('--workers <n>', 'worker threads (0: everything in the main thread, e.g. for node --cpu-prof)', intOption('--workers'), availableParallelism())
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--shard <i/n>', 'run only replications r with r mod n = i')
    .option('--variant <label>', 'rerun one variant (with --replication)')
    .option('--replication <r>', 'rerun one replication (with --variant)', intOption('--replication'))
    .option('--no-charts', 'skip charts and report.html')
    .option('--quiet', 'no progress output')
    .option('--explain-scaling', "print every HPA and cluster-autoscaler decision of replication 0 of each variant (simulated again in this thread: same seed, same decisions) to stdout")
    .action(async (file: string, opts: RunOptions, cmd: Command) => {
      const { runCommand } = await import('./run.js');
      setExitCode(await runCommand(file, { ...opts, workers: asked(cmd, 'workers', opts.workers) }));
    });

  program
    .command('validate')
    .description('check scenario files; --resolved prints them with every default filled in')
    .argument('<scenario...>', 'scenario YAML files')
    .option('--resolved', 'print the resolved scenario (YAML)')
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .action(async (files: string[], opts: { resolved?: boolean; set: string[] }) => {
      const { validateCommand } = await import('./validate.js');
      setExitCode(await validateCommand(files, opts));
    });

  program
    .command('trace')
    .description('follow sample requests hop by hop and print addresses, latencies and outcomes')
    .argument('<scenario>', 'scenario YAML file')
    .option('--requests <n>', 'how many requests to follow', intOption('--requests'), 5)
    .option('--seed <s>', 'root seed', intOption('--seed'))
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--variant <label>', 'which sweep variant (default: the first)')
    .option('--replication <r>', 'which replication (default 0)', intOption('--replication'))
    .option('--at <time>', 'follow requests that start at or after this time (from the start of the warm-up), e.g. 5m31s')
    .option('--only <which>', 'print only the requests that failed (failed) or that opened a new connection (new-connections); every request is still simulated')
    .action(async (file: string, opts: TraceOptions) => {
      const { traceCommand } = await import('./trace.js');
      setExitCode(traceCommand(file, opts));
    });

  program
    .command('schema')
    .description('print the JSON Schema of the scenario format (for editors)')
    .action(async () => {
      const { schemaCommand } = await import('./schema.js');
      setExitCode(schemaCommand());
    });

  program
    .command('report')
    .description('(re)draw charts and report.html from the CSV files of a results folder')
    .argument('<results-dir>')
    .action(async (dir: string) => {
      const { reportCommand } = await import('./report.js');
      setExitCode(await reportCommand(dir));
    });

  program
    .command('plan')
    .description('find the smallest value of PATH in [LO, HI] for which every SLO holds with the given confidence')
    .argument('<scenario>', 'scenario YAML file')
    .requiredOption('--vary <PATH=LO..HI>', 'integer parameter to search, e.g. workloads.web.replicas=2..40')
    .option('--slo <expr>', "service level objective, e.g. 'latency_p99_ms<200' (repeatable; the metrics are listed in docs/outputs.md; default: the scenario's slos:)", collect)
    .option('--confidence <c>', 'confidence that each SLO holds', '0.95')
    .option('--replications <n>', 'replications per candidate value', intOption('--replications'))
    .option('--workers <n>', 'worker threads (0: everything in the main thread, e.g. for node --cpu-prof)', intOption('--workers'), availableParallelism())
    .option('--seed <s>', 'root seed', intOption('--seed'))
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--out <dir>', 'write the results folder of the answer here')
    .option('--no-charts', 'skip charts and report.html (with --out)')
    .option('--quiet', 'no progress output')
    .option('--node-down <question>', 'plan with one node down: steady (down from t = 0, judged once the control plane has converged) or transient (judged over the window from a crash to convergence)')
    .option('--node <name>', 'with --node-down: the node that is down (default: the one running the most pods)')
    .option('--crash-at <time>', 'with --node-down transient: when the node crashes, from the start of the warm-up (default: the end of the warm-up)')
    .action(async (file: string, opts: PlanOptions, cmd: Command) => {
      const { planCommand } = await import('./plan.js');
      setExitCode(await planCommand(file, { ...opts, workers: asked(cmd, 'workers', opts.workers) }));
    });

  program
    .command('merge')
    .description('merge shard folders written by run --shard into one results folder')
    .argument('<dirs...>', 'shard results folders')
    .requiredOption('--out <dir>', 'merged results folder')
    .option('--allow-partial', 'merge what is there when replications are missing (complete: false)')
    .option('--no-charts', 'skip charts and report.html')
    .action(async (dirs: string[], opts: { out: string; charts: boolean; allowPartial?: boolean }) => {
      const { mergeCommand } = await import('./merge.js');
      setExitCode(await mergeCommand(dirs, opts));
    });

  program
    .command('job')
    .description('print a ConfigMap and an Indexed Job (batch/v1) that run the scenario as N shards on a Kubernetes cluster')
    .argument('<scenario>', 'scenario YAML file')
    .requiredOption('--shards <n>', 'pods, each running run --shard i/n', intOption('--shards'))
    .option('--parallelism <n>', 'pods running at once (default: all)', intOption('--parallelism'))
    .option('--image <img>', 'the svcsim image (deploy/Dockerfile), e.g. registry.example.com/svcsim:0.1.0')
    .option('--out-volume <claim>', 'an existing PersistentVolumeClaim for the results (default: the manifest creates <job>-results)')
    .option('--storage <size>', 'size of the created results claim', '1Gi')
    .option('--storage-class <class>', 'storage class of the created results claim (ReadWriteMany)')
    .option('--name <name>', 'name of the Job (default svcsim-<metadata.name>)')
    .option('--namespace <ns>', 'namespace of every object')
    .option('--retries <n>', 'retries of a failed shard (backoffLimitPerIndex)', intOption('--retries'), 2)
    .option('--cpus <n>', 'at most this many CPUs (worker threads) per pod', intOption('--cpus'), 4)
    .option('--replications <n>', 'replications per variant (passed to run)', intOption('--replications'))
    .option('--seed <s>', 'root seed (passed to run)', intOption('--seed'))
    .option('--set <path=value>', 'override a scenario field (repeatable, passed to run)', collect)
    .action(async (file: string, opts: JobCommandOptions) => {
      const { jobCommand } = await import('./job.js');
      setExitCode(await jobCommand(file, { ...opts, set: opts.set ?? [] }));
    });

  program
    .command('import')
    .description('a starting scenario from kubectl get nodes,deployments,services,hpa -A -o yaml (a List, or files and folders of manifests)')
    .argument('<kubectl-yaml...>', 'files or folders')
    .option('--out <file>', 'write the scenario here (default: stdout)')
    .option('--namespace <ns>', 'import this namespace only (repeatable; default all)', collect)
    .option('-l, --selector <selector>', 'import Deployments and Services whose labels match, e.g. app=web,tier!=cache')
    .option('--name <name>', 'metadata.name of the scenario (default: from --out)')
    .action(async (files: string[], opts: ImportCommandOptions) => {
      const { importCommand } = await import('./import.js');
      setExitCode(await importCommand(files, { ...opts, namespace: opts.namespace ?? [] }));
    });

  program.addOption(new Option('--no-color').hideHelp());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exitCode 0; every usage error is bad input.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'svcsim.badOption') process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return code;
}
