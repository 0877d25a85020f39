/**
 * What-if sweeps: every combination of the swept values is a *variant* of
 * the scenario (grid: the cartesian product, the first parameter varying
 * slowest; zip: the i-th values together). A variant is labelled like
 * `replicas=3;rate=1000/s`: each key is the shortest path suffix unique among
 * the sweep paths, each value as written in the file, joined by `;`. The
 * first variant is the baseline of paired differences. Without a sweep there
 * is one variant, `base`, with no parameters.
 *
 * Each variant is the document as written with its values set (paths.ts),
 * checked and resolved again like a file of its own, so that the defaults
 * that depend on a swept field (placement from replicas, load balancer
 * health checks from externalTrafficPolicy, ...) follow it. A value that
 * makes a variant invalid is a problem that names the variant.
 */
import { ScenarioError } from './errors.js';
import { checkDocument, internalError, positionsIn, type FileCache, type LoadedScenario } from './load.js';
import { assign, overlaps, type Segment } from './paths.js';
import type { Scenario } from './schema.js';

export interface Variant {
  /** 0-based, in sweep order; 0 is the baseline. */
  index: number;
  /** `replicas=3;rate=1000/s`, or `base` without a sweep. */
  label: string;
  /** One per sweep parameter: the label key and the value as written. */
  params: { key: string; value: string }[];
  /** The resolved scenario of this variant. */
  scenario: Scenario;
}

/** The shortest dotted suffix of each path that no other path ends with (the whole path when none is). */
export function labelKeys(paths: readonly string[]): string[] {
  const split = paths.map((p) => p.split('.'));
  return split.map((parts, i) => {
    for (let k = 1; k <= parts.length; k++) {
      const suffix = parts.slice(-k).join('.');
      if (split.every((other, j) => j === i || other.slice(-k).join('.') !== suffix)) return suffix;
    }
    return parts.join('.');
  });
}

/** Index tuples of the combinations: grid (first parameter slowest) or zip (the shortest list's length). */
export function combinations(lengths: readonly number[], mode: 'grid' | 'zip'): number[][] {
  if (lengths.length === 0) return [[]];
  if (mode === 'zip') return Array.from({ length: Math.min(...lengths) }, (_, i) => lengths.map(() => i));
  let out: number[][] = [[]];
  for (const n of lengths) out = out.flatMap((c) => Array.from({ length: n }, (_, i) => [...c, i]));
  return out;
}

/** The variants of a loaded scenario; throws a ScenarioError naming the variant when one is invalid. */
export function expandVariants(loaded: LoadedScenario): Variant[] {
  const sweep = loaded.scenario.sweep;
  if (!sweep) return [{ index: 0, label: 'base', params: [], scenario: loaded.scenario }];
  const keys = labelKeys(sweep.parameters.map((p) => p.path));
  const positions = positionsIn(loaded);
  const cache: FileCache = new Map();
  const targets = loaded.sweepTargets;

  return combinations(
    sweep.parameters.map((p) => p.values.length),
    sweep.mode,
  ).map((combo, index) => {
    const params = combo.map((j, i) => ({ key: keys[i], value: loaded.sweepText[i]?.[j] ?? String(sweep.parameters[i].values[j]) }));
    const label = params.map((p) => `${p.key}=${p.value}`).join(';');
    const raw = structuredClone(loaded.raw);
    combo.forEach((j, i) => assign(raw, targets[i], sweep.parameters[i].values[j]));
    // A problem inside a swept place is the swept value's: point at it.
    const place = (segs: readonly Segment[], atKey?: boolean) => {
      const i = targets.findIndex((t) => t.segs.length > 0 && t.segs.length <= segs.length && overlaps(t.segs, segs));
      return i >= 0 ? positions.at(['sweep', 'parameters', i, 'values', combo[i]]) : positions.at(segs, atKey);
    };
    try {
      return { index, label, params, scenario: checkDocument(raw, loaded.file, place, cache).scenario };
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw internalError(err, loaded.file);
      throw new ScenarioError(err.problems.map((p) => ({ ...p, message: `in variant ${label}: ${p.message}` })));
    }
  });
}
