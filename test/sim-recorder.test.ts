/**
 * The recorder's scopes: `all` is the sum of the traffic entries' counters
 * (and the largest of their maximum latencies). With one traffic entry the
 * recorder counts only the entry's scope and `all` reads it, which must give
 * the same numbers to the last bit as counting both; with two, `all` counts
 * each entry's requests as well.
 */
import { describe, expect, it } from 'vitest';
import { Outcome } from '../src/dataplane/client.js';
import { Attempts } from '../src/sim/pools.js';
import { Recorder } from '../src/sim/recorder.js';
import { TimeHistogram } from '../src/stats/timeHistogram.js';

const FIELDS = ['requests', 'ok', 'timeout', 'refused', 'rejected', 'retries', 'forwarded', 'crossNode', 'crossZone', 'latencySum', 'latencyMax', 'dependency', 'calls'] as const;

/** Feeds a recorder the same mixed traffic: entries' scopes from 1, `entries` of them, with a call scope after them. */
function feed(entries: number): Recorder {
  const edgeScopes = 1 + entries;
  const service = edgeScopes; // one Service scope for calls
  const rec = new Recorder(edgeScopes + 1, 3, 0, 10, 1, edgeScopes);
  const att = new Attempts();
  const a = att.alloc(0, 0, Infinity, true);
  let x = 0.3;
  for (let i = 0; i < 500; i++) {
    const scope = 1 + (i % entries);
    const bucket = i % 10;
    x = (x * 7.31 + 0.011) % 1; // latencies with many digits, so that the order of additions shows
    rec.request(scope, bucket);
    rec.forwarded(scope, bucket, i % 3, i % 2 === 0 ? 1 : 0, i % 5 === 0 ? 1 : 0);
    if (i % 7 === 0) rec.retry(scope);
    if (i % 11 === 0) rec.call(service, scope);
    att.segClient[a] = x / 3;
    att.segQueue[a] = x / 7;
    att.segService[a] = x / 2;
    const outcome = i % 13 === 0 ? Outcome.Timeout : i % 17 === 0 ? Outcome.Refused : i % 19 === 0 ? Outcome.Rejected : Outcome.Ok;
    if (outcome === Outcome.Ok) rec.breakdown(scope, att, a, i % 23 === 0 ? 0.5 : 0);
    rec.ended(scope, bucket, bucket, bucket + x, outcome, 100);
  }
  return rec;
}

describe('recorder scopes', () => {
  it('with one traffic entry, `all` reads the same counters and segments as the entry, bit for bit', () => {
    const rec = feed(1);
    for (const f of FIELDS) expect(Object.is(rec.get(0, f), rec.get(1, f)), f).toBe(true);
    expect(rec.get(0, 'requests')).toBe(500);
    expect(rec.get(0, 'ok')).toBeGreaterThan(400);
    expect(rec.get(0, 'calls')).toBe(46);
    expect(rec.segmentMeans(0)).toEqual(rec.segmentMeans(1));
    expect(rec.segmentMeans(0)[0]).toBeGreaterThan(0);
  });

  it('with two entries, `all` is their sum (their maximum for the largest latency), summed in the order requests ended', () => {
    const rec = feed(2);
    for (const f of FIELDS) {
      if (f === 'latencyMax') expect(rec.get(0, f)).toBe(Math.max(rec.get(1, f), rec.get(2, f)));
      else if (f !== 'latencySum') expect(rec.get(0, f), f).toBe(rec.get(1, f) + rec.get(2, f));
    }
    expect(rec.get(0, 'latencySum')).toBeCloseTo(rec.get(1, 'latencySum') + rec.get(2, 'latencySum'), 9);
    expect(rec.get(0, 'requests')).toBe(500);
    expect(rec.get(1, 'requests')).toBe(250);
    // Both entries' ok requests in `all`'s segment means, weighted by their counts.
    const ok = [1, 2].map((s) => rec.get(s, 'ok'));
    const mean = (s: number) => rec.segmentMeans(s)[5];
    expect(mean(0)).toBeCloseTo((mean(1) * ok[0] + mean(2) * ok[1]) / (ok[0] + ok[1]), 12);
  });

  it('the same requests through one entry give `all` the figures that two entries give it', () => {
    const one = feed(1);
    const two = feed(2);
    for (const f of FIELDS) expect(one.get(0, f), f).toBeCloseTo(two.get(0, f), 9);
  });
});

describe("a time bucket's latency quantiles", () => {
  /**
   * Requests every 10 ms for 200 s (1-second buckets), each ending after a
   * pseudo-random latency (a mean of 0.5 s, up to ≈ 6 s), in end order
   * interleaved with the starts as a replication meets them; one in 13 fails,
   * and one in 997 ends after the drain (never counted: its bucket stays open
   * to the end). From 100 s on, requests start only in the first half of each
   * second and take a tenth of the time: most buckets have seen all their
   * requests end before the next one opens.
   */
  function run(): { rec: Recorder; expected: [number, number][]; mostHeld: number } {
    const drainEnd = 250;
    const rec = new Recorder(2, 1, 0, 200, 1, 2);
    const byBucket = Array.from({ length: 200 }, () => new TimeHistogram());
    type Ev = { t: number; start: number; end: number; i: number; isEnd: boolean };
    const events: Ev[] = [];
    let u = 0.4;
    for (let i = 0; i < 20_000; i++) {
      u = (u * 9.871 + 0.0173) % 1;
      const start = i * 0.01;
      const bursty = start >= 100;
      if (bursty && start % 1 >= 0.5) continue;
      const end = i % 997 === 0 ? drainEnd + 1 : start - (bursty ? 0.05 : 0.5) * Math.log(1 - u * 0.999);
      events.push({ t: start, start, end, i, isEnd: false }, { t: end, start, end, i, isEnd: true });
    }
    events.sort((a, b) => a.t - b.t || Number(a.isEnd) - Number(b.isEnd));
    let mostHeld = 0;
    for (const [k, e] of events.entries()) {
      const bucket = rec.bucketOf(e.start);
      if (!e.isEnd) {
        rec.request(1, bucket);
        continue;
      }
      const outcome = e.i % 13 === 0 ? Outcome.Timeout : Outcome.Ok;
      rec.ended(1, bucket, e.start, e.end, outcome, drainEnd);
      if (outcome === Outcome.Ok && e.end <= drainEnd) byBucket[bucket].record(e.end - e.start);
      if (k % 50 === 0) mostHeld = Math.max(mostHeld, rec.bucketLatency.filter((h) => h !== undefined).length);
    }
    return { rec, expected: byBucket.map((h) => h.quantilePair(0.5, 0.99)), mostHeld };
  }

  it('are the ones of all its latencies, though taken as soon as nothing more can end in it', () => {
    const { rec, expected } = run();
    for (let b = 0; b < 200; b++) expect(rec.bucketQuantiles(b), `bucket ${b}`).toEqual(expected[b]);
    expect(expected[10][0]).toBeGreaterThan(0.2);
  });

  it('hold histograms only for the buckets with requests in flight, and those a request past the drain keeps open', () => {
    const { mostHeld } = run();
    // Latencies up to ≈ 6 s keep ≈ 7 one-second buckets open at once, plus the 11 with a request past the drain.
    expect(mostHeld).toBeGreaterThan(2);
    expect(mostHeld).toBeLessThan(30);
  });
});
