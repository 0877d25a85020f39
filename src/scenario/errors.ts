/**
 * Problems with a scenario, each pinned to the place in the file where it
 * is: `file:line:column: path: what is wrong and what is allowed`. The loader
 * collects every problem it finds and throws them together in one
 * ScenarioError, so a user fixes a file in one pass; warnings have the same
 * form and do not stop a run.
 *
 * - `file` is the file name as the user gave it.
 * - `line` and `column` are 1-based and point at the offending YAML node: the
 *   value that is wrong, the key of an unknown field, the mapping that lacks a
 *   required field. Line 0 means "the file as a whole" (it cannot be read)
 *   and is printed without a position: `web.yaml: cannot read: no such file`.
 * - `path` is dotted from the top of the scenario. A list element is named by
 *   its `name` (`metadata.name` for a Service, `service` for a loadBalancers
 *   entry) where it has one, and by its 0-based index otherwise:
 *   `traffic.users.to.via`, `services.web.spec.ports.http.nodePort`,
 *   `services.web.spec.ports.0.nodePort` (an unnamed port), `failures.1.node`.
 *   Problems of the command line use the option as their path
 *   (`--set workloads.wbe.replicas=3`). An empty path (the YAML syntax, the
 *   file as a whole) is left out of the line.
 */
export interface Problem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** Something that is allowed but probably not what the user meant (same form as a Problem). */
export interface Warning {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** `file:line:column: path: message`; without the position for line 0 and without the path when it is empty. */
export function formatProblem(p: Problem | Warning): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** A warning line: like a problem, with `warning: ` before the message. */
export function formatWarning(w: Warning): string {
  return formatProblem({ ...w, message: `warning: ${w.message}` });
}

/** Problems in file order (then as found), without repeats. */
export function sortProblems<T extends Problem | Warning>(problems: readonly T[]): T[] {
  const seen = new Set<string>();
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p)
    .filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Every problem of a scenario, thrown at once; the message is one line per problem. */
export class ScenarioError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const sorted = sortProblems(problems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = sorted;
  }
}
