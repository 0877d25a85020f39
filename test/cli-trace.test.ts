/** `svcsim trace`: sample requests hop by hop, with addresses, latencies and the reason of every failure. */
import { describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';

async function trace(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await svcsim('trace', ...args);
  return { code, out: stdout, err: stderr };
}

describe('svcsim trace', () => {
  it('follows a LoadBalancer request: LB IP:port → node IP:nodePort → kube-proxy DNAT → pod IP:targetPort', async () => {
    const { code, out } = await trace('scenarios/loadbalancer.yaml', '--requests', '2');
    expect(code).toBe(0);
    expect(out).toMatch(/client → LB 203\.0\.113\.10:443 → node [ab]-\d 10\.0\.0\.\d+:3\d{4} \(flowHash, \d+ healthy targets, no cross-zone\)/);
    expect(out).toMatch(/kube-proxy on [ab]-\d: DNAT \(iptables, 1 of 8 endpoints\) → pod web-\d 10\.244\.\d+\.\d+:8080 on [ab]-\d \(zone-[ab]\)/);
    expect(out).toMatch(/SYN {6}client→LB [\d.]+ ms, LB→node 0\.300 ms, kube-proxy DNAT 0\.020 ms, node→/);
    expect(out).toMatch(/outcome: ok, latency [\d.]+ ms/);
    expect(out.match(/^request \d/gm)).toHaveLength(2);
  });

  it('says why a request to a dead node fails and what the client saw', async () => {
    const { out } = await trace('scenarios/node-failure.yaml', '--at', '61s', '--requests', '6');
    expect(out).toContain('node node-1 is down: the SYN is not answered');
    expect(out).toMatch(/outcome: failed_timeout after 1000\.000 ms/);
  });

  it('says when a Local policy drops a connection at a node without a local endpoint', async () => {
    const { out } = await trace('scenarios/nodeport.yaml', '--set', 'services.shop.spec.externalTrafficPolicy=Local', '--set', 'traffic.direct.entryNode=node-3', '--requests', '1');
    expect(out).toContain('kube-proxy on node-3: no local endpoint, Local policy: node-local endpoints only: drop');
    expect(out).toContain('node-3 has no local endpoint for externalTrafficPolicy: Local: dropped');
  });

  it('rejects an unknown variant with exit code 2', async () => {
    expect((await trace('scenarios/etp-local-vs-cluster.yaml', '--variant', 'nope')).code).toBe(2);
  });

  it('prints only failed requests with --only failed, e.g. those sent to the crashed node before kube-proxy learns', async () => {
    // node-failure.yaml: node-1 crashes at 40 s (warm-up clock); its own hint traces from there.
    const { code, out } = await trace('scenarios/node-failure.yaml', '--at', '40s', '--only', 'failed', '--requests', '3');
    expect(code).toBe(0);
    expect(out).toContain('3 failed requests from t=40 s');
    expect(out.match(/^request \d+/gm)).toHaveLength(3);
    expect(out.match(/^ {2}outcome: failed_\w+ after/gm)).toHaveLength(3);
    expect(out).not.toMatch(/^ {2}outcome: ok/m);
  });

  it('prints only requests that open a new connection with --only new-connections, so the clusterIP DNAT shows', async () => {
    const { code, out } = await trace('scenarios/clusterip-internal.yaml', '--only', 'new-connections', '--requests', '2');
    expect(code).toBe(0);
    expect(out.match(/^request \d+/gm)).toHaveLength(2);
    expect(out.match(/DNAT/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect((await trace('scenarios/clusterip-internal.yaml', '--only', 'slow')).code).toBe(2);
  });

  it('rejects an --at past the end of the run with exit code 2, saying how long the run lasts', async () => {
    // node-failure.yaml: warm-up 10 s + duration 2m = 130 s, on the clock of failures[].at.
    const r = await trace('scenarios/node-failure.yaml', '--at', '131s', '--requests', '1');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('svcsim trace: --at 131s is past the end of the run: it lasts 130 s (warm-up 10 s + duration 120 s)');
  });
});
