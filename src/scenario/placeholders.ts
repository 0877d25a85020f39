/**
 * Placeholders: the values `svcsim import` had to guess because a cluster
 * does not tell them (service times, concurrency, traffic, latencies). Each
 * is marked twice in the imported scenario:
 *
 * - a comment `# PLACEHOLDER: why` above the field, for the reader;
 * - a line `PATH = VALUE` (VALUE as JSON) in the annotation
 *   `metadata.annotations["svcsim/placeholders"]`, for `validate` and `run`,
 *   which warn about every listed field that still holds the guessed value.
 *
 * Replacing a value silences its warning by itself (the field no longer
 * holds the guess), so nothing a user did not give goes unnoticed, and
 * nothing has to be unmarked by hand.
 */
import { isDeepStrictEqual } from 'node:util';
import { getAt, locate, PathError, type Segment } from './paths.js';
import { scenarioSchema } from './schema.js';

export const PLACEHOLDERS_ANNOTATION = 'svcsim/placeholders';

export interface Placeholder {
  /** Dotted path, as `--set` takes it: `workloads.web.serviceTime`. */
  path: string;
  /** The guessed value, as written in the scenario. */
  value: unknown;
}

/** The annotation's text: one `PATH = JSON` line per placeholder. */
export function formatPlaceholders(list: readonly Placeholder[]): string {
  return list.map((p) => `${p.path} = ${JSON.stringify(p.value)}`).join('\n');
}

/** The placeholders listed in a scenario's annotation (lines that do not parse are ignored: the annotation is a note). */
export function listedPlaceholders(raw: unknown): Placeholder[] {
  const text = (raw as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations?.[PLACEHOLDERS_ANNOTATION];
  if (typeof text !== 'string') return [];
  const out: Placeholder[] = [];
  for (const line of text.split('\n')) {
    const eq = line.indexOf(' = ');
    if (eq <= 0) continue;
    try {
      out.push({ path: line.slice(0, eq).trim(), value: JSON.parse(line.slice(eq + 3)) as unknown });
    } catch {
      continue;
    }
  }
  return out;
}

/** A warning for every listed field that still holds its guessed value, at that field. */
export function placeholderFindings(raw: unknown): { segs: Segment[]; message: string; warning: true }[] {
  const out: { segs: Segment[]; message: string; warning: true }[] = [];
  for (const p of listedPlaceholders(raw)) {
    let segs: Segment[];
    try {
      segs = locate(raw, p.path, scenarioSchema).segs;
    } catch (err) {
      if (err instanceof PathError) continue; // the field is gone: nothing guessed is left there
      throw err;
    }
    if (isDeepStrictEqual(getAt(raw, segs), p.value)) {
      out.push({ segs, warning: true, message: `placeholder: svcsim import guessed this value (a cluster does not tell it); replace it with a measured one (see the # PLACEHOLDER comment)` });
    }
  }
  return out;
}
