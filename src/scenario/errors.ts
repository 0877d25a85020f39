/**
 * Problems with a scenario, each pinned to the place in the file where it
 * is: `file:line:column: path: what is wrong and what is allowed`. A loader
 * collects every problem it finds and throws them together, so a user fixes
 * a file in one pass; warnings have the same form and do not stop a run.
 */
export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Dotted path; list elements by their name where they have one (`traffic.users.to.via`). */
  path: string;
  message: string;
}

export type Warning = Problem;

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path}: ${p.message}`;
}

export class ScenarioError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}
