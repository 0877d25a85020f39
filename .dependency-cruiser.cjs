// @ts-check
/**
 * The architecture, checked by `npm run lint` (dependency-cruiser): data flows
 * one way, engine (a leaf) → scenario → the data path → one replication → runs →
 * results → report, with the CLI on top; no layer reaches back up.
 * Type-only imports count too (tsPreCompilationDeps): a type is a dependency
 * of the design even when the compiler erases it.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle ties modules so that neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-imports-nothing-of-the-project',
      severity: 'error',
      comment: 'The event queue, random streams and distributions know nothing of Kubernetes, statistics, files or the CLI.',
      from: { path: '^src/engine/' },
      to: { path: '^(src|workers|bench)/', pathNot: '^src/engine/' },
    },
    {
      name: 'data-and-control-plane-stay-below-the-replication',
      severity: 'error',
      comment: 'The hops and the control plane answer questions; the replication (sim/) and everything above it use them, never the reverse.',
      from: { path: '^src/(dataplane|controlplane)/' },
      to: { path: '^src/(sim|runner|results|report|cli)/' },
    },
    {
      name: 'stats-imports-only-itself',
      severity: 'error',
      comment: 'Statistics are pure functions from numbers to numbers (d3-array style), testable alone.',
      from: { path: '^src/stats/' },
      to: { path: '^(src|workers|bench)/', pathNot: '^src/stats/' },
    },
    {
      name: 'scenario-stays-below-the-simulation',
      severity: 'error',
      comment: 'The scenario (schema, units, rules, sweeps) is the input of the simulation and imports none of it; it may use the engine leaf (the Distribution type its schema produces) and pure statistics.',
      from: { path: '^src/scenario/' },
      to: { path: '^src/(dataplane|controlplane|sim|runner|results|report|cli)/' },
    },
    {
      name: 'runner-stays-below-results',
      severity: 'error',
      comment: 'Runs produce replication records; the results folder is written from them, never the reverse.',
      from: { path: '^src/runner/' },
      to: { path: '^src/(results|report|cli)/' },
    },
    {
      name: 'results-stay-below-report-and-cli',
      severity: 'error',
      comment: 'The results folder is written without charts or commands; the report reads it.',
      from: { path: '^src/results/' },
      to: { path: '^src/(report|cli)/' },
    },
    {
      name: 'report-draws-from-files-alone',
      severity: 'error',
      comment: 'Charts and report.html come from the results folder (CSV and manifest types), never from a run or a replication.',
      from: { path: '^src/report/' },
      to: { path: '^src/(engine|dataplane|controlplane|sim|runner|cli)/' },
    },
    {
      name: 'only-the-cli-imports-commands',
      severity: 'error',
      comment: 'Commands share cli/common.ts; nothing below the CLI imports it.',
      from: { path: '^(src|workers|bench)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
