/**
 * What the report reads from `manifest.json`: the run's facts and the
 * resolved scenario. Every field is optional, because the report must draw
 * from a hand-made, older or merged folder too; nothing here is validated
 * beyond what the report itself needs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PlanAnswer {
  /** The scenario path that was varied, e.g. `workloads.web.replicas`. */
  path: string;
  /** The smallest value meeting every SLO, or null when none in the range does. */
  value: number | null;
  slos: string[];
  confidence: number;
  evidence: { value: number; holds: boolean; detail: string }[];
  range?: [number, number];
}

export interface FailureSpec {
  at?: number;
  node?: string;
  pod?: string;
  zone?: string;
  recoverAfter?: number;
  restartAfter?: number;
  random?: unknown;
}

export interface ServiceSpec {
  metadata?: { name?: string };
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    externalTrafficPolicy?: string;
    internalTrafficPolicy?: string;
    sessionAffinity?: string;
    trafficDistribution?: string;
    ports?: { name?: string; port?: number; targetPort?: number | string; nodePort?: number }[];
  };
}

export interface ResolvedScenario {
  metadata?: { name?: string; description?: string };
  simulation?: { duration?: number; warmup?: number; timeBucket?: number };
  cluster?: { proxyMode?: string; ipvsScheduler?: string; nodes?: { name?: string; zone?: string }[] };
  workloads?: { name?: string; replicas?: number; concurrency?: number; labels?: Record<string, string>; placement?: unknown }[];
  services?: ServiceSpec[];
  loadBalancers?: { service?: string; preset?: string; algorithm?: string; targets?: string; crossZone?: boolean; failOpen?: boolean }[];
  traffic?: { name?: string; from?: unknown; entryNode?: string; clients?: number; arrival?: { process?: string; rate?: number }; to?: { service?: string; port?: number | string; via?: string } }[];
  failures?: FailureSpec[];
  sweep?: { mode?: string; parameters?: { path?: string; values?: unknown[] }[] };
}

export interface Manifest {
  svcsim?: string;
  scenarioFile?: string;
  seed?: number;
  replicationsPerVariant?: number;
  workers?: number;
  shard?: string | null;
  wallTimeSeconds?: number;
  simulatedRequests?: number;
  suppressedRequests?: number;
  complete?: boolean;
  variants?: { label?: string; replications?: number }[];
  mser5?: { suggestedWarmupSeconds?: number };
  precision?: { metric?: string; relative?: number; replications?: number; perVariant?: { label?: string; met?: boolean }[] };
  warnings?: string[];
  failure?: string;
  resolvedScenario?: ResolvedScenario;
  plan?: PlanAnswer;
}

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

export interface FailureMark {
  /** Seconds from the start of the measured window (the time axis of timeseries.csv). */
  t: number;
  label: string;
  kind: 'failure' | 'recovery';
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * The scheduled failures (and recoveries) inside the measured window. A
 * failure's `at` counts from the start of the warm-up while `t_s` counts
 * from the window start, hence the warm-up is subtracted; random failures
 * have no fixed time and are left out.
 */
export function failureMarks(scenario: ResolvedScenario | undefined): FailureMark[] {
  const warmup = isNumber(scenario?.simulation?.warmup) ? scenario.simulation.warmup : 0;
  const duration = scenario?.simulation?.duration;
  const inWindow = (t: number) => t >= 0 && (!isNumber(duration) || t <= duration);
  const marks: FailureMark[] = [];
  for (const f of scenario?.failures ?? []) {
    if (!f || !isNumber(f.at)) continue;
    const what = f.node !== undefined ? `node ${f.node}` : f.pod !== undefined ? `pod ${f.pod}` : f.zone !== undefined ? `zone ${f.zone}` : 'failure';
    const down = f.at - warmup;
    if (inWindow(down)) marks.push({ t: down, label: `${what} down`, kind: 'failure' });
    const back = isNumber(f.recoverAfter) ? f.recoverAfter : f.pod !== undefined && isNumber(f.restartAfter) ? f.restartAfter : undefined;
    if (back !== undefined && inWindow(down + back)) marks.push({ t: down + back, label: `${what} back`, kind: 'recovery' });
  }
  return marks.sort((a, b) => a.t - b.t);
}
