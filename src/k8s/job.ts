/**
 * A run sharded over the users' own Kubernetes cluster, as manifests:
 *
 * - a ConfigMap that holds the scenario and every file it refers to, mounted
 *   at /scenario with the files at their paths relative to the scenario, so
 *   that the pods read exactly what `svcsim run` would read here;
 * - a `batch/v1` Job with `completionMode: Indexed`: Kubernetes runs pod i for
 *   each index i in 0..N−1 and gives it `JOB_COMPLETION_INDEX` (declared here
 *   from the pod's `batch.kubernetes.io/job-completion-index` annotation, so
 *   that `$(JOB_COMPLETION_INDEX)` is expanded in the container's args, which
 *   Kubernetes does only for variables the container declares). Pod i runs
 *   `svcsim run --shard i/N` into /results/<job>/shard-i on a shared volume;
 *   `svcsim merge` of the N folders gives the CSV files of a run on one
 *   machine, byte for byte;
 * - `backoffLimitPerIndex` retries a crashed shard alone (the others keep
 *   their results), and a pod failure policy fails an index at once on exit
 *   code 2 (bad input: a retry would fail the same way) and does not count
 *   disruptions (eviction, preemption) against the retries;
 * - the results volume is a PersistentVolumeClaim shared by every pod: an
 *   `emptyDir` dies with its pod, so the shards could not be collected.
 *
 * Every object is a typed Kubernetes object (kubernetes-types), so a
 * misspelt or misplaced field is a type error here, not a rejected apply.
 */
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { ConfigMap, Container, PersistentVolumeClaim, PodSpec, ResourceRequirements, Volume } from 'kubernetes-types/core/v1.js';

/** A file the pods need, at `path` relative to the scenario's folder. */
export interface ScenarioFile {
  path: string;
  text: string;
}

export interface JobOptions {
  /** Kubernetes name of the Job (and prefix of the other objects). */
  name: string;
  namespace?: string;
  /** metadata.name of the scenario, for labels. */
  scenarioName: string;
  /** The scenario file's name (no folder) and text. */
  scenario: ScenarioFile;
  /** Files the scenario refers to, relative to its folder. */
  files: ScenarioFile[];
  shards: number;
  parallelism: number;
  image: string;
  /** An existing PersistentVolumeClaim for the results; without it the manifest creates `<name>-results`. */
  claim?: string;
  storage: string;
  storageClass?: string;
  /** Retries of one index before it is marked failed. */
  retries: number;
  /** Worker threads of each pod: its CPU request. */
  workers: number;
  /** Memory request of each pod, in MiB. */
  memoryMiB: number;
  /** Extra arguments of `svcsim run` (--set, --replications, --seed), as the user gave them. */
  runArgs: string[];
}

/** Where the pods see the scenario and the results volume. */
export const SCENARIO_MOUNT = '/scenario';
export const RESULTS_MOUNT = '/results';
export const INDEX_VARIABLE = 'JOB_COMPLETION_INDEX';
/** The uid and gid of the image's non-root user (`node` in the Node.js images). */
export const RUN_AS = 1000;

/** A ConfigMap key for a file: what Kubernetes allows in a key ([-._a-zA-Z0-9]), unique by its position. */
function keyFor(path: string, i: number): string {
  return `f${i}-${path.replace(/[^-._a-zA-Z0-9]/g, '_')}`.slice(0, 253);
}

/** The memory request as Kubernetes writes it. */
function mebibytes(n: number): string {
  return `${Math.ceil(n)}Mi`;
}

export interface JobManifest {
  claim?: PersistentVolumeClaim;
  configMap: ConfigMap;
  job: Job;
}

/** The objects to apply, in the order to apply them. */
export function buildJobManifest(o: JobOptions): JobManifest {
  const labels = { 'app.kubernetes.io/name': 'svcsim', 'app.kubernetes.io/instance': o.name, 'svcsim/scenario': o.scenarioName };
  const meta = (name: string) => ({ name, ...(o.namespace ? { namespace: o.namespace } : {}), labels });
  const claimName = o.claim ?? `${o.name}-results`;

  const all = [o.scenario, ...o.files];
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${o.name}-scenario`),
    data: Object.fromEntries(all.map((f, i) => [keyFor(f.path, i), f.text])),
  };

  const claim: PersistentVolumeClaim | undefined =
    o.claim === undefined
      ? {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: meta(claimName),
          spec: {
            // Every pod writes its shard while the others run, possibly on other nodes.
            accessModes: ['ReadWriteMany'],
            resources: { requests: { storage: o.storage } },
            ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
          },
        }
      : undefined;

  const index = `$(${INDEX_VARIABLE})`;
  const resources: ResourceRequirements = {
    // One worker thread per CPU; memory for the workers' replications in flight. No CPU limit: throttling only slows a batch run.
    requests: { cpu: String(o.workers), memory: mebibytes(o.memoryMiB) },
    limits: { memory: mebibytes(2 * o.memoryMiB) },
  };
  const container: Container = {
    name: 'svcsim',
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    // The image's entrypoint is svcsim; these are its arguments.
    args: [
      'run',
      `${SCENARIO_MOUNT}/${o.scenario.path}`,
      '--shard',
      `${index}/${o.shards}`,
      '--out',
      `${RESULTS_MOUNT}/${o.name}/shard-${index}`,
      '--workers',
      String(o.workers),
      // Charts are drawn by merge; progress lines (at most every 10 s) and the summary go to the pod's log.
      '--no-charts',
      ...o.runArgs,
    ],
    env: [{ name: INDEX_VARIABLE, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }],
    resources,
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: 'scenario', mountPath: SCENARIO_MOUNT, readOnly: true },
      { name: 'results', mountPath: RESULTS_MOUNT },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  const volumes: Volume[] = [
    { name: 'scenario', configMap: { name: configMap.metadata!.name!, items: all.map((f, i) => ({ key: keyFor(f.path, i), path: f.path })) } },
    { name: 'results', persistentVolumeClaim: { claimName } },
    { name: 'tmp', emptyDir: {} },
  ];
  const pod: PodSpec = {
    restartPolicy: 'Never',
    securityContext: { runAsNonRoot: true, runAsUser: RUN_AS, runAsGroup: RUN_AS, fsGroup: RUN_AS, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container],
    volumes,
  };
  const spec: JobSpec = {
    completionMode: 'Indexed',
    completions: o.shards,
    parallelism: o.parallelism,
    backoffLimitPerIndex: o.retries,
    podFailurePolicy: {
      rules: [
        // Exit code 2 is bad input (docs/outputs.md): the same pod would fail again.
        { action: 'FailIndex', onExitCodes: { containerName: 'svcsim', operator: 'In', values: [2] } },
        // An evicted or preempted pod is rerun without using up a retry.
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ],
    },
    template: { metadata: { labels }, spec: pod },
  };
  const job: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(o.name), spec };
  return { ...(claim ? { claim } : {}), configMap, job };
}
