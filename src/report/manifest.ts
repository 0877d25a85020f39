/**
 * What the report reads from `manifest.json`: the run's facts and the
 * resolved scenario. Every field is optional, because the report must draw
 * from a hand-made, older or merged folder too; nothing here is validated
 * beyond what the report itself needs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest as WrittenManifest } from '../results/manifest.js';
import type { Scenario, Service } from '../scenario/schema.js';

export type { PlanAnswer } from '../results/manifest.js';

/** T with every field, at every depth, optional (maps such as labels stay as they are): what a hand-made or older file may hold of it. */
type DeepPartial<T> = T extends readonly (infer E)[] ? DeepPartial<E>[] : T extends object ? (string extends keyof T ? T : { [K in keyof T]?: DeepPartial<T[K]> }) : T;

/** The resolved scenario as the report reads it: the scenario's own type, with any part possibly missing. */
export type ResolvedScenario = DeepPartial<Scenario>;
export type ServiceSpec = DeepPartial<Service>;

/**
 * manifest.json as the report reads it: the one manifest type of
 * results/manifest.ts, any field possibly missing, and the resolved
 * scenario possibly incomplete at any depth.
 */
export type Manifest = Partial<Omit<WrittenManifest, 'resolvedScenario'>> & { resolvedScenario?: ResolvedScenario };

/** The folder's manifest, or an empty one when there is none; a manifest that is not JSON is an error. */
export function readManifest(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/** What a plan answer is for (`svcsim plan --node-down`): read defensively, as an older plan record has none. */
export interface PlanQuestion {
  kind: 'steady' | 'transient';
  text?: string;
}

export function planQuestion(plan: unknown): PlanQuestion | undefined {
  const q = plan && typeof plan === 'object' ? (plan as { question?: unknown }).question : undefined;
  if (!q || typeof q !== 'object') return undefined;
  const { kind, text } = q as { kind?: unknown; text?: unknown };
  if (kind !== 'steady' && kind !== 'transient') return undefined;
  return { kind, ...(typeof text === 'string' ? { text } : {}) };
}

/** The glance's words for a plan question's kind. */
export const QUESTION_WORDS: Record<PlanQuestion['kind'], string> = {
  steady: 'for the steady state with one node down',
  transient: 'for the transient after a node crash',
};

export interface FailureMark {
  /** Seconds on the scenario clock, from the start of the warm-up (as `failures[].at`; timeseries.csv's `t_scenario_s`). */
  t: number;
  label: string;
  kind: 'failure' | 'recovery' | 'schedule';
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * The scheduled failures (and recoveries) from the start of the warm-up to
 * the end of the measured window, at the time the scenario gives them: a
 * crash written `at: 70s` is marked at 70 s, the clock every chart and
 * sentence of the report uses. Random failures have no fixed time and are
 * left out.
 */
export function failureMarks(scenario: ResolvedScenario | undefined): FailureMark[] {
  const warmup = isNumber(scenario?.simulation?.warmup) ? scenario.simulation.warmup : 0;
  const duration = scenario?.simulation?.duration;
  const inRun = (t: number) => t >= 0 && (!isNumber(duration) || t <= warmup + duration);
  const marks: FailureMark[] = [];
  for (const f of scenario?.failures ?? []) {
    if (!f || !isNumber(f.at)) continue;
    const what = f.node !== undefined ? `node ${f.node}` : f.pod !== undefined ? `pod ${f.pod}` : f.zone !== undefined ? `zone ${f.zone}` : 'failure';
    if (inRun(f.at)) marks.push({ t: f.at, label: `${what} down`, kind: 'failure' });
    const back = isNumber(f.recoverAfter) ? f.recoverAfter : f.pod !== undefined && isNumber(f.restartAfter) ? f.restartAfter : undefined;
    if (back !== undefined && inRun(f.at + back)) marks.push({ t: f.at + back, label: `${what} back`, kind: 'recovery' });
  }
  return marks.sort((a, b) => a.t - b.t);
}

/** At most this many rate changes are marked (a schedule from a Prometheus file may have thousands). */
const MAX_SCHEDULE_MARKS = 12;

/**
 * The steps of the traffic entries' `arrival: {process: schedule}` after
 * t = 0, up to the end of the window, on the scenario clock (`steps[].at`
 * counts from the start of the warm-up); none when there are more than
 * MAX_SCHEDULE_MARKS in all (the rate is then read off the throughput).
 */
export function scheduleMarks(scenario: ResolvedScenario | undefined): FailureMark[] {
  const warmup = isNumber(scenario?.simulation?.warmup) ? scenario.simulation.warmup : 0;
  const duration = scenario?.simulation?.duration;
  const marks: FailureMark[] = [];
  for (const t of scenario?.traffic ?? []) {
    const arrival = t?.arrival as { process?: unknown; steps?: { at?: unknown; rate?: unknown }[] } | undefined;
    if (arrival?.process !== 'schedule' || !Array.isArray(arrival.steps)) continue;
    for (const step of arrival.steps) {
      if (!isNumber(step?.at) || !isNumber(step.rate) || step.at <= 0 || (isNumber(duration) && step.at > warmup + duration)) continue;
      marks.push({ t: step.at, label: `${t?.name ?? 'traffic'} → ${Number(step.rate.toPrecision(4))}/s`, kind: 'schedule' });
    }
  }
  return marks.length > MAX_SCHEDULE_MARKS ? [] : marks.sort((a, b) => a.t - b.t);
}

/**
 * Each variant's warm-up (s) by label: the manifest's `variants[].warmupSeconds`,
 * else the base scenario's `simulation.warmup` (folders written before
 * variants carried it), else 0.
 */
export function warmups(manifest: Manifest): (variant: string) => number {
  const base = isNumber(manifest.resolvedScenario?.simulation?.warmup) ? manifest.resolvedScenario.simulation.warmup : 0;
  const own = new Map((manifest.variants ?? []).flatMap((v) => (v.label !== undefined && isNumber(v.warmupSeconds) ? [[v.label, v.warmupSeconds] as const] : [])));
  return (variant) => own.get(variant) ?? base;
}
