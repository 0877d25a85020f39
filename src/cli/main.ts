/**
 * The `svcsim` command: one subcommand per file in this folder. This file
 * only parses the command line; each command returns its exit code
 * (0 success, 1 the run failed, 2 bad input — docs/outputs.md).
 */
import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { SVCSIM_VERSION } from '../version.js';
import type { PlanOptions } from './plan.js';
import type { RunOptions } from './run.js';
import type { TraceOptions } from './trace.js';


// No default value ([]) on repeatable options: commander would print "(default: [])" in the help.
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new CommanderError(2, 'svcsim.badOption', `error: option ${name} takes a whole number, not "${value}"`);
    }
    return n;
  };
}

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
    .option('--workers <n>', 'worker threads', intOption('--workers'), availableParallelism())
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--shard <i/n>', 'run only replications r with r mod n = i')
    .option('--variant <label>', 'rerun one variant (with --replication)')
    .option('--replication <r>', 'rerun one replication (with --variant)', intOption('--replication'))
    .option('--no-charts', 'skip charts and report.html')
    .option('--quiet', 'no progress output')
    .action(async (file: string, opts: RunOptions) => {
      const { runCommand } = await import('./run.js');
      setExitCode(await runCommand(file, opts));
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
    .action(async (file: string, opts: TraceOptions) => {
      const { traceCommand } = await import('./trace.js');
      setExitCode(await traceCommand(file, opts));
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
    .requiredOption('--slo <expr>', "service level objective, e.g. 'latency_p99_ms<200' (repeatable; the metrics are listed in docs/outputs.md)", collect)
    .option('--confidence <c>', 'confidence that each SLO holds', '0.95')
    .option('--replications <n>', 'replications per candidate value', intOption('--replications'))
    .option('--workers <n>', 'worker threads', intOption('--workers'), availableParallelism())
    .option('--seed <s>', 'root seed', intOption('--seed'))
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--out <dir>', 'write the results folder of the answer here')
    .option('--no-charts', 'skip charts and report.html (with --out)')
    .option('--quiet', 'no progress output')
    .action(async (file: string, opts: PlanOptions) => {
      const { planCommand } = await import('./plan.js');
      setExitCode(await planCommand(file, opts));
    });

  program
    .command('merge')
    .description('merge shard folders written by run --shard into one results folder')
    .argument('<dirs...>', 'shard results folders')
    .requiredOption('--out <dir>', 'merged results folder')
    .option('--no-charts', 'skip charts and report.html')
    .action(async (dirs: string[], opts: { out: string; charts: boolean }) => {
      const { mergeCommand } = await import('./merge.js');
      setExitCode(await mergeCommand(dirs, opts));
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
