import { describe, expect, it } from 'vitest';
import { autoscaledWorkloads, replicasChart, replicasDescription, scaleSteps } from '../src/report/charts/replicas.js';
import { parseCsvTable } from '../src/report/readCsv.js';
import { toSvg } from '../src/report/render.js';

const CSV = [
  'variant,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms,replicas:web,pending:web',
  'base,0,1000,1000,0,100,1,2,2,0',
  'base,10,1000,1000,0,100,1,2,2,0',
  'base,20,16000,16000,0,1600,1,2,6,0',
  'base,30,16000,16000,0,1600,1,2,12,2',
  'base,40,16000,16000,0,1600,1,2,16,0',
  'base,50,16000,16000,0,1600,1,2,16,0',
].join('\n');

describe('the replicas chart', () => {
  const rows = parseCsvTable(CSV).rows;

  it('finds the autoscaled workloads and the buckets where their replicas changed', () => {
    expect(autoscaledWorkloads(rows)).toEqual(['web']);
    expect(scaleSteps(rows, 'web')).toEqual([20, 30, 40]);
  });

  it('says in words how the replicas moved', () => {
    expect(replicasDescription(rows)).toContain('web: from 2 to 16 replicas, at most 16, changing in 3 buckets, up to 2 Pending');
  });

  it('renders to an SVG with the load and replica panels', async () => {
    const svg = await toSvg(replicasChart(rows));
    expect(svg).toContain('<svg');
    expect(svg).toContain('replicas of web');
    expect(svg).toContain('load served');
  });
});
