/**
 * `svcsim job`: the printed YAML is a ConfigMap with the scenario and its
 * files, a results claim and an Indexed Job whose pod i runs
 * `svcsim run --shard i/N`; these tests parse what the command prints and check
 * the fields that make it so, and the refusals (exit code 2).
 */
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { ConfigMap, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scratch, svcsim } from './helpers/cli.js';

const { file } = scratch('svcsim-job-');

const scenario = (serviceTime: string, replications = 32) => `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: shop}
simulation: {duration: 20s, warmup: 2s, replications: ${replications}}
cluster:
  nodes: [{name: n, count: 2}]
workloads:
  - {name: web, replicas: 2, ports: [8080], serviceTime: ${serviceTime}}
services:
  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - name: users
    to: {service: web, port: 80, via: clusterIP}
    from: {node: n-0}
    arrival: {process: trace, file: data/arrivals.csv}
`;

function objects(out: string): { claim?: PersistentVolumeClaim; configMap: ConfigMap; job: Job } {
  const docs = parseAllDocuments(out).map((d) => d.toJS() as { kind: string });
  expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['ConfigMap', 'Job']));
  return {
    claim: docs.find((d) => d.kind === 'PersistentVolumeClaim') as PersistentVolumeClaim | undefined,
    configMap: docs.find((d) => d.kind === 'ConfigMap') as ConfigMap,
    job: docs.find((d) => d.kind === 'Job') as Job,
  };
}

describe('svcsim job prints an Indexed Job that shards the run', () => {
  file('data/arrivals.csv', 'seconds\n0.1\n0.5\n1.25\n');
  file('data/latency.txt', 'http_request_duration_seconds_bucket{le="0.01"} 80\nhttp_request_duration_seconds_bucket{le="+Inf"} 100\n');
  const path = file('shop.yaml', scenario('{dist: histogram, file: data/latency.txt, max: 50ms}'));

  it('a batch/v1 Job with completionMode Indexed, completions = parallelism = shards, retried per index, pods never restarted in place', async () => {
    const { code, stdout: out } = await svcsim('job', path, '--shards', '16', '--image', 'registry.example.com/svcsim:1');
    expect(code).toBe(0);
    const { job } = objects(out);
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec?.completionMode).toBe('Indexed');
    expect(job.spec?.completions).toBe(16);
    expect(job.spec?.parallelism).toBe(16);
    expect(job.spec?.backoffLimitPerIndex).toBe(2);
    expect(job.spec?.podFailurePolicy?.rules[0]).toEqual({ action: 'FailIndex', onExitCodes: { containerName: 'svcsim', operator: 'In', values: [2] } });
    const pod = job.spec?.template.spec;
    expect(pod?.restartPolicy).toBe('Never');
    const container = pod?.containers[0];
    expect(container?.image).toBe('registry.example.com/svcsim:1');
    expect(container?.args?.slice(0, 6)).toEqual(['run', '/scenario/shop.yaml', '--shard', '$(JOB_COMPLETION_INDEX)/16', '--out', '/results/svcsim-shop/shard-$(JOB_COMPLETION_INDEX)']);
    // The index comes from the pod's annotation, declared so that $(JOB_COMPLETION_INDEX) is expanded in args.
    expect(container?.env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  });

  it('--parallelism runs fewer pods at once; --retries sets backoffLimitPerIndex; --set, --replications and --seed reach svcsim run', async () => {
    const { stdout: out } = await svcsim('job', path, '--shards', '8', '--parallelism', '3', '--retries', '5', '--set', 'workloads.web.replicas=3', '--replications', '16', '--seed', '9');
    const { job } = objects(out);
    expect(job.spec?.completions).toBe(8);
    expect(job.spec?.parallelism).toBe(3);
    expect(job.spec?.backoffLimitPerIndex).toBe(5);
    expect(job.spec?.template.spec?.containers[0].args?.slice(-6)).toEqual(['--set', 'workloads.web.replicas=3', '--replications', '16', '--seed', '9']);
  });

  it('each pod requests one CPU per worker (as many as its replications, at most --cpus), memory for them, and runs as non-root', async () => {
    // 32 replications over 16 shards: 2 per pod, so 2 workers.
    const two = objects((await svcsim('job', path, '--shards', '16')).stdout).job.spec!.template.spec!;
    expect(two.containers[0].args).toEqual(expect.arrayContaining(['--workers', '2']));
    expect(two.containers[0].resources?.requests).toEqual({ cpu: '2', memory: '768Mi' });
    // 32 replications over 2 shards: 16 per pod, capped at --cpus 4.
    const four = objects((await svcsim('job', path, '--shards', '2')).stdout).job.spec!.template.spec!;
    expect(four.containers[0].resources?.requests?.cpu).toBe('4');
    expect(four.containers[0].args).toEqual(expect.arrayContaining(['--workers', '4']));
    expect(four.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(four.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('the ConfigMap holds the scenario and every file it refers to, mounted at their paths next to it', async () => {
    const { configMap, job } = objects((await svcsim('job', path, '--shards', '4')).stdout);
    const volume = job.spec!.template.spec!.volumes!.find((v) => v.name === 'scenario')!;
    expect(volume.configMap?.name).toBe(configMap.metadata?.name);
    const byPath = Object.fromEntries(volume.configMap!.items!.map((item) => [item.path, configMap.data![item.key]]));
    expect(Object.keys(byPath).sort()).toEqual(['data/arrivals.csv', 'data/latency.txt', 'shop.yaml']);
    expect(byPath['shop.yaml']).toBe(scenario('{dist: histogram, file: data/latency.txt, max: 50ms}'));
    expect(byPath['data/arrivals.csv']).toBe('seconds\n0.1\n0.5\n1.25\n');
  });

  it('the results go to a ReadWriteMany claim it creates, or to the existing one --out-volume names', async () => {
    const created = objects((await svcsim('job', path, '--shards', '4', '--storage', '5Gi', '--storage-class', 'nfs')).stdout);
    expect(created.claim?.spec).toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'nfs' });
    const results = (o: typeof created) => o.job.spec!.template.spec!.volumes!.find((v) => v.name === 'results');
    expect(results(created)?.persistentVolumeClaim?.claimName).toBe(created.claim?.metadata?.name);
    const existing = objects((await svcsim('job', path, '--shards', '4', '--out-volume', 'team-results', '--namespace', 'sim')).stdout);
    expect(existing.claim).toBeUndefined();
    expect(results(existing)?.persistentVolumeClaim?.claimName).toBe('team-results');
    expect(existing.job.metadata?.namespace).toBe('sim');
    expect(existing.configMap.metadata?.namespace).toBe('sim');
  });

  it('refuses, with exit code 2, more shards than replications, a file outside the scenario folder, and an invalid scenario', async () => {
    const tooMany = await svcsim('job', path, '--shards', '33');
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/--shards 33 is more than the 32 replications/);
    const outside = file('sub/outside.yaml', scenario('5ms').replace('data/arrivals.csv', '../data/arrivals.csv'));
    const escaped = await svcsim('job', outside, '--shards', '2');
    expect(escaped.code).toBe(2);
    expect(escaped.stderr).toMatch(/\.\.\/data\/arrivals\.csv is outside the scenario's folder/);
    const invalid = await svcsim('job', file('bad.yaml', scenario('fast')), '--shards', '2');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/bad\.yaml:8:\d+: workloads\.web\.serviceTime: "fast" is not a Duration/);
    expect(invalid.stdout).toBe('');
  });
});

describe('the manifest is built from typed Kubernetes objects', () => {
  it('a misspelt field does not compile (checked by npm run typecheck)', () => {
    const spec: JobSpec = {
      completionMode: 'Indexed',
      // @ts-expect-error: the field is `completions`
      completion: 3,
      template: {},
    };
    expect(spec.completionMode).toBe('Indexed');
  });
});
