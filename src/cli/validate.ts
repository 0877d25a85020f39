/**
 * `svcsim validate <scenario>... [--resolved] [--set PATH=VALUE]...`: checks
 * each file, sweep variants included. A valid file prints
 * `file: ok (N variants, M warnings)` on stdout and its warnings on stderr;
 * an invalid one prints one line per problem on stderr,
 * `file:line:column: path: message`. Exit code 2 when any file is invalid.
 *
 * `--resolved` prints the scenario with every default filled in, as YAML
 * that validates again to the same scenario (see scenario/print.ts); with
 * several files, one YAML document each, separated by `---`.
 */
import { formatProblem, formatWarning, ScenarioError } from '../scenario/errors.js';
import { loadScenario } from '../scenario/load.js';
import { resolvedYaml } from '../scenario/print.js';
import { expandVariants } from '../scenario/sweep.js';

export async function validateCommand(files: string[], opts: { resolved?: boolean; set: string[] }): Promise<number> {
  let code = 0;
  let documents = 0;
  for (const file of files) {
    try {
      const loaded = loadScenario(file, { set: opts.set });
      const variants = expandVariants(loaded);
      for (const w of loaded.warnings) process.stderr.write(`${formatWarning(w)}\n`);
      if (opts.resolved) {
        process.stdout.write(`${documents++ > 0 ? '---\n' : ''}${resolvedYaml(loaded, variants)}`);
      } else {
        const n = variants.length;
        const m = loaded.warnings.length;
        process.stdout.write(`${file}: ok (${n} variant${n === 1 ? '' : 's'}, ${m} warning${m === 1 ? '' : 's'})\n`);
      }
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
      code = 2;
    }
  }
  return Promise.resolve(code);
}
