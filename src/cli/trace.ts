/**
 * `svcsim trace <scenario>`: follows N sample requests of replication 0 and
 * prints each hop with addresses and latency, and every outcome with its
 * reason. `--at T` starts following at time T (from the start of the
 * warm-up, the clock of `failures[].at`), e.g. just after a node crash.
 * `--only failed|new-connections` prints only such requests: every request
 * from `--at` on is still followed (and simulated as without tracing), and
 * those that do not match are dropped when they finish.
 */
import { loadScenario } from '../scenario/load.js';
import { expandVariants } from '../scenario/sweep.js';
import { ScenarioError } from '../scenario/errors.js';
import { parseDuration } from '../scenario/units.js';
import { resolved } from '../scenario/resolved.js';
import { Simulation } from '../sim/simulation.js';
import { TRACE_FILTERS, Tracer, type TraceFilter } from '../sim/tracer.js';

export interface TraceOptions {
  requests: number;
  seed?: number;
  set: string[];
  variant?: string;
  at?: string;
  replication?: number;
  /** Print only these requests: `failed`, or `new-connections` (those that opened a connection, so the DNAT shows). */
  only?: string;
}

export function traceCommand(file: string, opts: TraceOptions): number {
  let variants;
  try {
    variants = expandVariants(loadScenario(file, { set: opts.set }));
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const variant = opts.variant === undefined ? variants[0] : variants.find((v) => v.label === opts.variant);
  if (!variant) {
    process.stderr.write(`svcsim trace: no variant labelled "${opts.variant}" (have: ${variants.map((v) => v.label).join(', ')})\n`);
    return 2;
  }
  let from = variant.scenario.simulation.warmup;
  if (opts.at !== undefined) {
    try {
      from = parseDuration(opts.at);
    } catch (err) {
      process.stderr.write(`svcsim trace: --at: ${(err as Error).message}\n`);
      return 2;
    }
    const { warmup, duration } = variant.scenario.simulation;
    if (from >= warmup + duration) {
      process.stderr.write(
        `svcsim trace: --at ${opts.at} is past the end of the run: it lasts ${warmup + duration} s (warm-up ${warmup} s + duration ${duration} s), and --at counts from the start of the warm-up, like failures[].at\n`,
      );
      return 2;
    }
  }
  if (opts.only !== undefined && !(TRACE_FILTERS as readonly string[]).includes(opts.only)) {
    process.stderr.write(`svcsim trace: --only ${opts.only}: one of ${TRACE_FILTERS.join(', ')}\n`);
    return 2;
  }
  const tracer = new Tracer(opts.requests, from, opts.only as TraceFilter | undefined);
  const scenario = variant.scenario;
  const seed = opts.seed ?? scenario.simulation.seed;
  const sim = new Simulation(resolved(scenario), { replication: opts.replication ?? 0, rootSeed: seed, tracer });
  sim.run();
  const which = opts.only === undefined ? 'requests' : opts.only === 'failed' ? 'failed requests' : 'requests opening a new connection';
  const header = `svcsim trace: ${scenario.metadata.name}, variant ${variant.label}, replication ${opts.replication ?? 0}, seed ${seed}; ${opts.requests} ${which} from t=${from} s`;
  if (opts.only !== undefined && !tracer.complete)
    process.stderr.write(`svcsim trace: only ${tracer.kept} of ${opts.requests} ${which} between t=${from} s and the end of the run\n`);
  process.stdout.write(`${header}\n\n${tracer.text()}\n`);
  return 0;
}
