import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuMilliOf, customMilliOf, emptySample, PodMetrics } from '../src/controlplane/podMetrics.js';

describe('pod metrics over the metrics-server window', () => {
  it('report the busy slot-time fraction of the last whole window, as of the last scrape', () => {
    const m = new PodMetrics(15);
    m.podStarted(0, -30, 2);
    m.busyChange(0, 0, 2); // both slots busy from 0
    m.busyChange(0, 6, -1); // one freed at 6
    m.busyChange(0, 12, -1); // idle from 12
    const s = m.read(0, 20, emptySample());
    // Window [0, 15): 2 × 6 + 1 × 6 = 18 slot-seconds of 2 × 15.
    expect(s.available).toBe(true);
    expect(s.timestamp).toBe(15);
    expect(s.window).toBe(15);
    expect(s.cpuFraction).toBeCloseTo(0.6, 12);
    expect(s.cpuMilli).toBe(1200);
    expect(s.cpuRequestMilli).toBe(2000);
  });

  it('report the attempts served per second in the window', () => {
    const m = new PodMetrics(15);
    m.podStarted(0, -30, 1);
    for (let t = 0.5; t < 15; t += 1) m.served(0, t);
    m.served(0, 15); // belongs to the next window
    expect(m.read(0, 15, emptySample()).requestsPerSecond).toBeCloseTo(1, 12);
  });

  it('have no value for a pod until it has run for one whole window (two scrapes)', () => {
    const m = new PodMetrics(15);
    m.podStarted(0, 3, 1);
    expect(m.read(0, 14, emptySample()).available).toBe(false);
    expect(m.read(0, 15, emptySample()).available).toBe(false); // window [0, 15) began before the pod
    expect(m.read(0, 29.9, emptySample()).available).toBe(false);
    expect(m.read(0, 30, emptySample()).available).toBe(true);
  });

  it('count a pod started exactly at a scrape from that scrape on', () => {
    const m = new PodMetrics(15, 5);
    m.podStarted(0, 5, 1);
    m.busyChange(0, 5, 1);
    const s = m.read(0, 20, emptySample());
    expect([s.available, s.timestamp, s.cpuFraction]).toEqual([true, 20, 1]);
  });

  it('carry a constant busy level across idle windows without any event', () => {
    const m = new PodMetrics(15);
    m.podStarted(0, 0, 4);
    m.busyChange(0, 1, 3);
    const s = m.read(0, 1000, emptySample());
    expect(s.timestamp).toBe(990);
    expect(s.cpuFraction).toBeCloseTo(0.75, 12);
    expect(s.requestsPerSecond).toBe(0);
  });

  it('average several windows when a value spans them', () => {
    const m = new PodMetrics(15, 0, 2);
    m.podStarted(0, -100, 1);
    m.busyChange(0, 0, 1);
    m.busyChange(0, 15, -1);
    const s = m.read(0, 30, emptySample());
    expect([s.window, s.timestamp, s.cpuFraction]).toEqual([30, 30, 0.5]);
  });

  it('forget a stopped pod, and start a restarted one from nothing', () => {
    const m = new PodMetrics(15);
    m.podStarted(3, -60, 1);
    m.busyChange(3, -60, 1);
    m.podStopped(3);
    expect(m.read(3, 0, emptySample()).available).toBe(false);
    m.busyChange(3, 1, 1); // ignored: not running
    m.podStarted(3, 0, 1);
    expect(m.read(3, 15, emptySample()).cpuFraction).toBe(0);
  });

  it('agree with a direct integral for any sequence of slot changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: 4 })), { maxLength: 30 }),
        fc.double({ min: 15, max: 130, noNaN: true }),
        (changes, readAt) => {
          const m = new PodMetrics(15);
          m.podStarted(0, -15, 4);
          const steps = [...changes].sort((a, b) => a[0] - b[0]).filter(([t]) => t < readAt);
          let level = 0;
          for (const [t, busy] of steps) {
            m.busyChange(0, t, busy - level);
            level = busy;
          }
          const s = m.read(0, readAt, emptySample());
          const end = Math.floor(readAt / 15) * 15;
          const start = end - 15;
          // Direct integral of the level over [start, end).
          let integral = 0;
          let prevT = -15;
          let prevLevel = 0;
          for (const [t, busy] of [...steps, [Infinity, 0] as [number, number]]) {
            const a = Math.max(prevT, start);
            const b = Math.min(t, end);
            if (b > a) integral += prevLevel * (b - a);
            prevT = t;
            prevLevel = busy;
          }
          expect(s.timestamp).toBe(end);
          expect(s.cpuFraction).toBeCloseTo(integral / 60, 9);
        },
      ),
    );
  });
});

describe('metric quantities', () => {
  it('round CPU up to whole millicores after whole nanocores, as Quantity.MilliValue does', () => {
    expect([cpuMilliOf(0.5), cpuMilliOf(2 / 3), cpuMilliOf(0.6 * 3), cpuMilliOf(1e-7)]).toEqual([500, 667, 1800, 1]);
  });

  it('truncate custom values to milli-units, as the custom-metrics adapters do', () => {
    expect([customMilliOf(800), customMilliOf(1600 / 9), customMilliOf(0.0004)]).toEqual([800000, 177777, 0]);
  });
});
