/**
 * Progress of a run. Away from a terminal (or with TERM=dumb): a plain line at most every 10 s
 * with replications and variants done, the simulated request rate and the
 * time left; nothing with --quiet.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { canDrawBar, formatRate, Progress } from '../src/runner/progress.js';

const jobs = [0, 1].flatMap((variant) => [0, 1].map((replication) => ({ variant, replication })));

describe('progress without a terminal', () => {
  it('prints a plain line at most every 10 s, counting the variants whose replications are all done', () => {
    let now = 0;
    const lines: string[] = [];
    const p = new Progress(jobs, { quiet: false, tty: false, write: (l) => lines.push(l), now: () => now });
    now = 5_000;
    p.tick(jobs[0], 1_000_000);
    expect(lines).toEqual([]);
    now = 10_000;
    p.tick(jobs[1], 1_400_000);
    expect(lines).toEqual(['svcsim: 2/4 replications (1/2 variants), 240.0k simulated requests/s, ~10 s left\n']);
    now = 15_000;
    p.tick(jobs[2], 1_000_000);
    expect(lines).toHaveLength(1);
    p.grow([{ variant: 1, replication: 2 }]);
    now = 20_000;
    p.tick(jobs[3], 600_000);
    expect(lines[1]).toBe('svcsim: 4/5 replications (1/2 variants), 200.0k simulated requests/s, ~5 s left\n');
    p.stop();
  });

  it('prints nothing with --quiet', () => {
    let now = 0;
    const lines: string[] = [];
    const p = new Progress(jobs, { quiet: true, tty: false, write: (l) => lines.push(l), now: () => now });
    for (const j of jobs) {
      now += 20_000;
      p.tick(j, 1000);
    }
    expect(lines).toEqual([]);
  });

  it('writes rates in thousands and millions', () => {
    expect([formatRate(950), formatRate(45_600), formatRate(1_234_567)]).toEqual(['950', '45.6k', '1.2M']);
  });
});

describe('progress on a terminal', () => {
  it('draws a bar only on a terminal that can, not for TERM=dumb or a pipe', () => {
    expect(canDrawBar({ isTTY: true }, { TERM: 'xterm-256color' })).toBe(true);
    expect(canDrawBar({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(canDrawBar({ isTTY: undefined }, { TERM: 'xterm' })).toBe(false);
  });

  it('says the time left is unknown until the first replication has finished, then estimates it', () => {
    let now = 0;
    let drawn = '';
    const stream = Object.assign(new Writable({ write: (chunk: Buffer, _enc, done) => ((drawn += chunk.toString()), done()) }), { isTTY: true, columns: 200 });
    const p = new Progress(jobs, { quiet: false, tty: true, stream, now: () => now });
    expect(drawn).toContain('0/4 replications');
    expect(drawn).toContain('~? s left');
    expect(drawn).not.toContain('~0 s left');
    now = 5_000;
    p.tick(jobs[0], 1_000_000);
    p.stop();
    expect(drawn).toContain('1/4 replications');
    expect(drawn).toContain('~15 s left');
  });
});
