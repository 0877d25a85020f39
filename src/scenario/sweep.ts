/**
 * What-if sweeps: every combination of the swept values is a *variant* of
 * the scenario. A value is any YAML value (a number, a string, a mapping
 * such as `{zone: zone-a}`, a list; `null` removes the field so its default
 * applies), set at its parameter's path as if written there.
 *
 * - grid: the cartesian product, the first parameter varying slowest.
 *   Parameters that share a `group` vary together (their i-th values
 *   together) as one dimension of the grid, placed at the group's first
 *   parameter: a zip inside a grid, e.g. `from` and `via` of one traffic
 *   entry zipped, times `externalTrafficPolicy`.
 * - zip: the i-th values of every parameter together.
 *
 * A variant is labelled like `replicas=3;rate=1000/s`: each key is the
 * shortest path suffix unique among the sweep paths, each value as written
 * in the file (a mapping or list in compact flow form, `{zone: zone-a}`), or
 * the parameter's `labels` entry; joined by `;`. The first variant is the
 * baseline of paired differences. Without a sweep there is one variant,
 * `base`, with no parameters.
 *
 * Each variant is the document as written with its values set (paths.ts),
 * checked and resolved again like a file of its own, so that the defaults
 * that depend on a swept field (placement from replicas, load balancer
 * health checks from externalTrafficPolicy, ...) follow it. A value that
 * makes a variant invalid is a problem that names the variant; in a grid,
 * a combination that is invalid only as a combination is left out with a
 * warning (see expandVariants).
 */
import { ScenarioError } from './errors.js';
import { checkDocument, internalError, positionsIn, type FileCache, type LoadedScenario } from './load.js';
import { assign, overlaps, type Segment } from './paths.js';
import { sweepDimensions } from './rules.js';
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

/** Warnings already added to a loaded scenario, so that expanding it twice does not repeat them. */
const warned = new WeakSet<LoadedScenario>();

/**
 * The variants of a loaded scenario; throws a ScenarioError naming the
 * variant when one is invalid, except for a grid's combinations: a variant
 * of a grid that is invalid only as a combination (each of its values, or
 * group of values, makes a valid variant elsewhere in the grid, e.g.
 * `from=external;via=clusterIP`) is left out, with a warning naming it and
 * the reason, added to `loaded.warnings`. In zip mode, where each variant is
 * written as such, every invalid variant is an error, before anything runs.
 */
export function expandVariants(loaded: LoadedScenario): Variant[] {
  const sweep = loaded.scenario.sweep;
  if (!sweep) return [{ index: 0, label: 'base', params: [], scenario: loaded.scenario }];
  const params = sweep.parameters;
  const keys = labelKeys(params.map((p) => p.path));
  const positions = positionsIn(loaded);
  const cache: FileCache = new Map();
  const targets = loaded.sweepTargets;
  const dimensions = sweepDimensions(params, sweep.mode);
  const dimensionOf = new Map(dimensions.flatMap((dim, d) => dim.map((k) => [k, d] as const)));
  const dimensionCombos = combinations(
    dimensions.map((dim) => Math.min(...dim.map((k) => params[k].values.length))),
    'grid',
  );

  const checked = dimensionCombos.map((dc) => {
    const combo = params.map((_, k) => dc[dimensionOf.get(k) ?? 0]);
    const labelled = combo.map((j, i) => ({ key: keys[i], value: loaded.sweepText[i]?.[j] ?? String(params[i].values[j]) }));
    const label = labelled.map((p) => `${p.key}=${p.value}`).join(';');
    const raw = structuredClone(loaded.raw);
    combo.forEach((j, i) => assign(raw, targets[i], params[i].values[j]));
    // A problem inside a swept place is the swept value's: point at it.
    const place = (segs: readonly Segment[], atKey?: boolean) => {
      const i = targets.findIndex((t) => t.segs.length > 0 && t.segs.length <= segs.length && overlaps(t.segs, segs));
      return i >= 0 ? positions.at(['sweep', 'parameters', i, 'values', combo[i]]) : positions.at(segs, atKey);
    };
    try {
      return { dc, label, params: labelled, scenario: checkDocument(raw, loaded.file, place, cache).scenario };
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw internalError(err, loaded.file);
      return { dc, label, params: labelled, problems: err.problems };
    }
  });

  // A value (or group of values) that no valid variant uses is wrong in itself: an error, as is every invalid variant of a zip.
  const wrong = (v: (typeof checked)[number]) => v.dc.some((j, d) => checked.every((w) => w.dc[d] !== j || w.problems !== undefined));
  const errors = checked.filter((v) => v.problems !== undefined && (sweep.mode === 'zip' || wrong(v)));
  if (errors.length) throw new ScenarioError(errors.flatMap((v) => (v.problems ?? []).map((p) => ({ ...p, message: `in variant ${v.label}: ${p.message}` }))));

  const seen = new Map<string, number>();
  checked.forEach((v, i) => {
    const before = seen.get(v.label);
    if (before !== undefined)
      throw new ScenarioError([{ file: loaded.file, ...positions.at(['sweep', 'parameters']), path: 'sweep.parameters', message: `variants ${before} and ${i} are both labelled ${v.label}: a variant is known by its label (--variant LABEL, the result tables); give the values distinct labels: with labels: [...] next to values` }]);
    seen.set(v.label, i);
  });

  if (!warned.has(loaded)) {
    warned.add(loaded);
    for (const v of checked)
      for (const p of v.problems ?? []) loaded.warnings.push({ ...p, message: `variant ${v.label} is left out of the grid (the other combinations run): ${p.message}` });
  }
  return checked.flatMap((v) => (v.scenario === undefined ? [] : [v])).map((v, index) => ({ index, label: v.label, params: v.params, scenario: v.scenario }));
}
