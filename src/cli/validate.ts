/**
 * `svcsim validate <scenario>... [--resolved]`: checks files and prints every
 * problem as `file:line:column: path: message`; `--resolved` prints the
 * scenario with every default filled in, as YAML that validates again.
 */
import { stringify } from 'yaml';
import { formatProblem, ScenarioError } from '../scenario/errors.js';
import { loadScenario } from '../scenario/load.js';
import { expandVariants } from '../scenario/sweep.js';
import type { Scenario } from '../scenario/schema.js';

/** The resolved scenario as YAML: loaded data (trace times, empirical file values) is left to its files. */
export function resolvedYaml(s: Scenario): string {
  const copy = structuredClone(s);
  for (const t of copy.traffic) if (t.arrival.process === 'trace') delete t.arrival.times;
  const dists = [
    ...copy.workloads.map((w) => w.serviceTime),
    ...copy.traffic.flatMap((t) => [t.latency, t.retryBackoff]),
    ...Object.values(copy.cluster.latency),
    copy.cluster.controlPlane.endpointPropagation,
    ...copy.loadBalancers.map((lb) => lb.latency),
  ];
  for (const d of dists) if (d.dist === 'empirical' && d.file) delete d.values;
  return stringify(copy, { lineWidth: 0 });
}

export async function validateCommand(files: string[], opts: { resolved?: boolean; set: string[] }): Promise<number> {
  let code = 0;
  for (const file of files) {
    try {
      const loaded = loadScenario(file, { set: opts.set });
      const variants = expandVariants(loaded);
      for (const w of loaded.warnings) process.stderr.write(`${formatProblem(w)} (warning)\n`);
      if (opts.resolved) process.stdout.write(`# resolved: ${file}\n${resolvedYaml(loaded.scenario)}`);
      else process.stdout.write(`${file}: ok (${variants.length} variant${variants.length === 1 ? '' : 's'}, ${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'})\n`);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      process.stderr.write(`${err.message}\n`);
      code = 2;
    }
  }
  return Promise.resolve(code);
}
