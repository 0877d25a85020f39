/**
 * Which of the spec's forms a failure entry is. The schema (schema.ts) keeps
 * the four forms in one object, so that a mistake gets a precise message;
 * this lives apart from it so that the simulation's side (resolved.ts, in
 * every worker thread) does not load zod and build the schema to ask.
 */
import type { Failure } from './schema.js';

export type FailureKind = 'node' | 'pod' | 'zone' | 'random';

export function failureKind(f: Failure): FailureKind {
  if (f.node !== undefined) return 'node';
  if (f.pod !== undefined) return 'pod';
  if (f.zone !== undefined) return 'zone';
  return 'random';
}
