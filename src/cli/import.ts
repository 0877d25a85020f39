/**
 * `svcsim import <kubectl-yaml|folder>... [--out FILE] [--namespace NS]...
 * [--selector SEL] [--name NAME]`: a starting scenario from what
 * `kubectl get nodes,deployments,services,hpa -A -o yaml` prints
 * (src/import/). The scenario goes to FILE (or stdout); on stderr, one line
 * per note (skipped objects, guessed presets) and per placeholder, with why.
 *
 * Every guessed value carries a `# PLACEHOLDER: why` comment and a line in
 * `metadata.annotations["svcsim/placeholders"]`, so that `validate` and `run`
 * warn about it until it is replaced (scenario/placeholders.ts). The scenario
 * is checked as written before it is written: a problem (a cluster svcsim
 * cannot represent) is printed as `validate` prints it, with exit code 2.
 * A file that is not YAML, or not Kubernetes objects, is exit code 2 with its
 * `file:line:column`.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Document, isMap, isPair, isScalar, isSeq, stringify, visit, type Node, type YAMLMap } from 'yaml';
import { importCluster, type Imported } from '../import/scenario.js';
import { ImportError, inputFiles, readObjects, type KubeObject } from '../import/read.js';
import { formatProblem, formatWarning, ScenarioError } from '../scenario/errors.js';
import { parseScenarioText } from '../scenario/load.js';
import { locate } from '../scenario/paths.js';
import { formatPlaceholders, PLACEHOLDERS_ANNOTATION } from '../scenario/placeholders.js';
import { scenarioSchema } from '../scenario/schema.js';

export interface ImportCommandOptions {
  out?: string;
  namespace: string[];
  selector?: string;
  name?: string;
}

function where(o: KubeObject | undefined): string {
  return o ? `${o.file}:${o.line}:${o.column}: ` : '';
}

/** The scenario as YAML: a comment above every guessed field, HPAs as comments where the schema cannot take them yet. */
export function renderScenario(imported: Imported): string {
  const { scenario, guesses, autoscalingAsComments } = imported;
  const withAnnotation = structuredClone(scenario);
  if (guesses.length > 0) {
    const metadata = withAnnotation.metadata as Record<string, unknown>;
    metadata.annotations = { [PLACEHOLDERS_ANNOTATION]: `${formatPlaceholders(guesses)}\n` };
  }
  const doc = new Document(withAnnotation, { aliasDuplicateObjects: false });
  const commented = new Set<Node>();
  for (const g of guesses) {
    const segs = locate(withAnnotation, g.path, scenarioSchema).segs;
    const parent = doc.getIn(segs.slice(0, -1), true);
    if (!isMap(parent)) continue;
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === segs[segs.length - 1]);
    if (pair && isScalar(pair.key)) {
      pair.key.commentBefore = ` PLACEHOLDER: ${g.why}`;
      commented.add(parent);
    }
  }
  const workloads = doc.get('workloads', true);
  if (isSeq(workloads)) {
    for (const item of workloads.items) {
      if (!isMap(item)) continue;
      const hpa = autoscalingAsComments.get(String(item.get('name')));
      if (hpa === undefined) continue;
      const text = stringify({ autoscaling: hpa }, { lineWidth: 0 }).trimEnd();
      item.comment = ` The HorizontalPodAutoscaler of this workload (its spec without scaleTargetRef), for when svcsim models autoscaling:\n${text
        .split('\n')
        .map((l) => ` ${l}`)
        .join('\n')}`;
    }
  }
  // Short mappings of plain values on one line, as users write them, unless a key in them carries a comment.
  visit(doc, {
    Map(_, node: YAMLMap) {
      const plain = node.items.every((p) => isPair(p) && isScalar(p.value) && !(isScalar(p.key) && p.key.commentBefore));
      const length = node.items.reduce((n, p) => n + String(isScalar(p.key) ? p.key.value : '').length + String(isScalar(p.value) ? p.value.value : '').length + 4, 0);
      if (plain && !commented.has(node) && length <= 70 && !node.items.some((p) => isScalar(p.value) && typeof p.value.value === 'string' && p.value.value.includes('\n'))) node.flow = true;
    },
  });
  const header = '# A starting scenario from a cluster, written by svcsim import. Cluster objects are as they are;\n# every value a cluster cannot tell is marked PLACEHOLDER: validate and run warn until it is replaced.\n';
  return header + doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function importCommand(inputs: string[], opts: ImportCommandOptions): Promise<number> {
  return Promise.resolve(runImport(inputs, opts));
}

function runImport(inputs: string[], opts: ImportCommandOptions): number {
  let objects: KubeObject[];
  try {
    objects = inputFiles(inputs).flatMap(readObjects);
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const name = opts.name ?? (opts.out ? basename(opts.out).replace(/\.(ya?ml|json)$/i, '') : 'imported');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    process.stderr.write(`svcsim import: ${name} is not a scenario name (a DNS label: lower-case letters, digits and "-"); give --name\n`);
    return 2;
  }
  let imported: Imported;
  try {
    imported = importCluster(objects, { namespaces: opts.namespace, ...(opts.selector ? { selector: opts.selector } : {}), name });
  } catch (err) {
    process.stderr.write(`svcsim import: ${(err as Error).message}\n`);
    return 2;
  }
  for (const n of imported.notes) process.stderr.write(`${where(n.object)}note: ${n.message}\n`);
  const text = renderScenario(imported);

  // Checked as written, as if read from where it goes.
  const file = opts.out ?? 'imported.yaml';
  let warnings: string[];
  try {
    warnings = parseScenarioText(text, file).warnings.map(formatWarning);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write('svcsim import: the imported scenario is not valid (above); nothing written\n');
    return 2;
  }
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
  const placeholders = warnings.filter((w) => w.includes('warning: placeholder:'));
  process.stderr.write(`svcsim import: ${objects.length} objects read; ${imported.guesses.length} placeholders to replace${opts.out ? ` in ${opts.out}` : ''}:\n`);
  for (const g of imported.guesses) process.stderr.write(`  ${g.path} = ${JSON.stringify(g.value)}: ${g.why}\n`);
  for (const w of warnings) if (!placeholders.includes(w)) process.stderr.write(`${w}\n`);
  return 0;
}
