/**
 * What-if sweeps: every combination of the swept values is a *variant* of
 * the scenario (grid: the cartesian product, first parameter slowest; zip:
 * the i-th values together). A variant is labelled like
 * `replicas=3;rate=1000/s`: each key is the shortest path suffix unique
 * among the sweep paths, each value as written in the file. The first
 * variant is the baseline of paired differences. Without a sweep there is
 * one variant, `base`.
 */
import { ScenarioError } from './errors.js';
import { validateRaw, type LoadedScenario } from './load.js';
import { PathError, resolvePath } from './paths.js';
import type { Scenario } from './schema.js';

export interface Variant {
  index: number;
  label: string;
  params: { key: string; value: string }[];
  scenario: Scenario;
}

/** The shortest dotted suffix of each path that no other path ends with. */
export function labelKeys(paths: string[]): string[] {
  const split = paths.map((p) => p.split('.'));
  return split.map((parts, i) => {
    for (let k = 1; k <= parts.length; k++) {
      const suffix = parts.slice(-k).join('.');
      if (split.every((other, j) => j === i || other.slice(-k).join('.') !== suffix)) return suffix;
    }
    return parts.join('.');
  });
}

/** Index tuples of the combinations: grid (first parameter slowest) or zip. */
export function combinations(lengths: number[], mode: 'grid' | 'zip'): number[][] {
  if (mode === 'zip') return Array.from({ length: lengths[0] ?? 0 }, (_, i) => lengths.map(() => i));
  let out: number[][] = [[]];
  for (const n of lengths) out = out.flatMap((c) => Array.from({ length: n }, (_, i) => [...c, i]));
  return out;
}

/** Sets a value in the raw scenario, creating missing objects on the way (list elements must exist). */
function setCreating(raw: unknown, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = raw as Record<string, unknown>;
  for (let i = 0; i < parts.length - 1; i++) {
    const segs = resolvePath(cur, parts[i], true);
    const key = segs[0];
    if (cur[key] === undefined) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  const last = resolvePath(cur, parts[parts.length - 1], true)[0];
  cur[last] = value;
}

export function expandVariants(loaded: LoadedScenario): Variant[] {
  const sweep = loaded.scenario.sweep;
  if (!sweep) return [{ index: 0, label: 'base', params: [], scenario: loaded.scenario }];
  const paths = sweep.parameters.map((p) => p.path);
  const problems = [];
  for (const p of paths) {
    try {
      resolvePath(loaded.scenario, p, false);
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      problems.push({ file: loaded.file, line: 1, column: 1, path: `sweep ${p}`, message: err.message });
    }
  }
  if (problems.length) throw new ScenarioError(problems);
  const keys = labelKeys(paths);
  const combos = combinations(
    sweep.parameters.map((p) => p.values.length),
    sweep.mode,
  );
  return combos.map((combo, index) => {
    const raw = structuredClone(loaded.raw) as Record<string, unknown>;
    const params = combo.map((j, i) => ({ key: keys[i], value: loaded.sweepText[i]?.[j] ?? String(sweep.parameters[i].values[j]) }));
    combo.forEach((j, i) => setCreating(raw, paths[i], sweep.parameters[i].values[j]));
    const label = params.map((p) => `${p.key}=${p.value}`).join(';');
    try {
      const { scenario } = validateRaw(raw, loaded.file, loaded.text);
      return { index, label, params, scenario };
    } catch (err) {
      if (err instanceof ScenarioError) throw new ScenarioError(err.problems.map((p) => ({ ...p, message: `in variant ${label}: ${p.message}` })));
      throw err;
    }
  });
}
