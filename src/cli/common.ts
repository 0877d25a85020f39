/**
 * What the commands share: loading a scenario with its variants, checking
 * and writing a results folder, and drawing its report. Commands import this
 * file, never each other, so each command file stays one command.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { formatWarning, ScenarioError } from '../scenario/errors.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { expandVariants, type Variant } from '../scenario/sweep.js';
import type { ReplicationResult } from '../sim/result.js';
import { writeResultsFolder } from '../results/folder.js';
import type { Slo } from '../scenario/slos.js';
import { claimOutput } from '../results/write.js';
import { RUN_LIMITS } from '../scenario/units.js';
import type { Manifest, PlanAnswer, VariantInfo } from '../results/manifest.js';

/** A loaded scenario and its sweep variants, ready to run. */
export interface Prepared {
  loaded: LoadedScenario;
  variants: Variant[];
}

export function warn(message: string): void {
  process.stderr.write(`svcsim: warning: ${message}\n`);
}

type ReportModule = typeof import('../report/index.js');
let reportModule: Promise<ReportModule> | undefined;

/** The report's code (vega, vega-lite, resvg: ≈ 0.2–0.3 s to load), imported once. */
function loadReport(): Promise<ReportModule> {
  if (!reportModule) {
    reportModule = import('../report/index.js');
    // A run that ends before drawing never hears of a failed load; drawReport does.
    reportModule.catch(() => undefined);
  }
  return reportModule;
}

/**
 * Starts loading the report's code for a command that will draw charts
 * (never when charts are off): called before the replications, it loads
 * while they run on worker threads, when this thread only waits; then the
 * PNG thread starts and warms up while they run.
 */
export function startCharts(): void {
  // Warming the PNG thread is an optimisation: its failure is the report's to tell.
  loadReport()
    .then((report) => report.warmCharts())
    .catch(() => undefined);
}

/** Draws charts and report.html into a results folder; a failure is a warning, never lost results. */
export async function drawReport(dir: string, plan?: PlanAnswer): Promise<void> {
  try {
    const { writeReport } = await loadReport();
    await writeReport(dir, plan ? { plan } : undefined);
  } catch (err) {
    warn(`charts and report.html were not drawn (the results are complete without them; \`svcsim report\` draws them later): ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Loads the scenario and its variants; an invalid scenario prints its problems and gives exit code 2. */
export function prepare(file: string, set: string[] | undefined, printWarnings = true): Prepared | number {
  try {
    const loaded = loadScenario(file, { set });
    const variants = expandVariants(loaded);
    if (printWarnings) for (const w of loaded.warnings) process.stderr.write(`${formatWarning(w)}\n`);
    return { loaded, variants };
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Why `--workers n` is refused: more than a few per core only costs memory (each worker has a heap of its own). */
export function workersProblem(workers: number | undefined): string | undefined {
  const most = RUN_LIMITS.workersPerCore * availableParallelism();
  if (workers !== undefined && workers > most) return `--workers ${workers}: at most ${most} (${RUN_LIMITS.workersPerCore} × the ${availableParallelism()} cores here)`;
  return undefined;
}

/**
 * Whether a results folder can be made at `out` (it is nothing yet, an
 * empty folder or one svcsim wrote; its parent exists or can be made, and is
 * writable); the problem otherwise. Takes the folder's lock for this process
 * (results/write.ts).
 */
export function checkOutput(out: string): string | undefined {
  const refused = claimOutput(out);
  if (refused) return refused;
  const parent = dirname(resolve(out));
  try {
    mkdirSync(parent, { recursive: true });
    accessSync(parent, constants.W_OK);
    return undefined;
  } catch (err) {
    return `cannot write the results folder ${out}: ${(err as Error).message}`;
  }
}

/**
 * Writes a results folder (charts unless `charts` is false); a file-system
 * error is a message and exit code 2, and the folder is left as it was.
 * Returns the exit code on failure, else the folder written: `out`, or
 * `<out>.partial` when `out` holds a complete run that these incomplete
 * results must not replace (undefined: nothing to write).
 */
export async function saveResults(
  command: string,
  out: string,
  manifest: Manifest,
  variants: readonly VariantInfo[],
  results: readonly ReplicationResult[],
  charts: boolean,
  plan?: PlanAnswer,
  slos?: readonly Slo[],
): Promise<number | string | undefined> {
  try {
    const written = await writeResultsFolder(out, manifest, variants, results, charts ? (tmp) => drawReport(tmp, plan) : undefined, slos);
    if (written !== out)
      process.stderr.write(
        `svcsim ${command}: ${out} holds a complete run, which an incomplete one never replaces: ` +
          (written === undefined ? `no replication finished, so nothing was written\n` : `the replications that finished are in ${written}/ instead\n`),
      );
    return written;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    process.stderr.write(`svcsim ${command}: cannot write the results folder ${out}: ${(err as Error).message}\n`);
    return 2;
  }
}
