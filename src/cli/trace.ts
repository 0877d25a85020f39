/**
 * `svcsim trace <scenario>`: follows N sample requests of replication 0 and
 * prints each hop with addresses and latency, and every outcome with its
 * reason. `--at T` starts following at time T (from the start of the
 * warm-up), e.g. just after a node crash.
 */
import { loadScenario } from '../scenario/load.js';
import { expandVariants } from '../scenario/sweep.js';
import { ScenarioError } from '../scenario/errors.js';
import { parseDuration } from '../scenario/units.js';
import { resolved } from '../scenario/resolved.js';
import { Simulation } from '../sim/simulation.js';
import { Tracer } from '../sim/tracer.js';

export interface TraceOptions {
  requests: number;
  seed?: number;
  set: string[];
  variant?: string;
  at?: string;
  replication?: number;
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
  }
  const tracer = new Tracer(opts.requests, from);
  const scenario = variant.scenario;
  const seed = opts.seed ?? scenario.simulation.seed;
  const sim = new Simulation(resolved(scenario), { replication: opts.replication ?? 0, rootSeed: seed, tracer });
  sim.run();
  const header = `svcsim trace: ${scenario.metadata.name}, variant ${variant.label}, replication ${opts.replication ?? 0}, seed ${seed}; ${opts.requests} requests from t=${from} s`;
  process.stdout.write(`${header}\n\n${tracer.text()}\n`);
  return 0;
}
