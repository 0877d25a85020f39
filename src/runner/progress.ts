/**
 * Progress of a long run, on stderr: a bar on a terminal that can draw one;
 * otherwise (not a terminal, or TERM=dumb: no cursor control) a plain line at
 * most every 10 s (`svcsim: 12/40 replications (2/6 variants), 1.2M
 * simulated requests/s, ~35 s left`), for logs and CI; nothing with --quiet.
 * The time left is unknown ("~? s left") until a replication has finished.
 */
import type cliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import type { Job } from './plan.js';

/** cli-progress, loaded to draw a bar (on a terminal): with readline, which it loads too, ≈ 3 ms of every start otherwise. */
const barModule = (): typeof cliProgress => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

export interface ProgressOptions {
  quiet: boolean;
  /** Draw a bar (default: when stderr is a terminal and TERM is not "dumb"). */
  tty?: boolean;
  /** Where the bar is drawn (default: stderr). */
  stream?: NodeJS.WritableStream;
  /** Where plain lines go (default: stderr). */
  write?: (line: string) => void;
  /** Milliseconds between plain lines (default 10 s). */
  interval?: number;
  now?: () => number;
}

export class Progress {
  private done = 0;
  private total = 0;
  private requests = 0;
  /** Replications still to come, per variant index. */
  private readonly left = new Map<number, number>();
  private readonly started: number;
  private lastLine: number;
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly write: (line: string) => void;
  private readonly interval: number;
  private readonly now: () => number;

  constructor(
    jobs: readonly Job[],
    private readonly opts: ProgressOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.write = opts.write ?? ((line) => process.stderr.write(line));
    this.interval = opts.interval ?? 10_000;
    this.started = this.now();
    this.lastLine = this.started;
    this.add(jobs);
    if (!opts.quiet && (opts.tty ?? canDrawBar(process.stderr, process.env))) {
      const cli = barModule();
      this.bar = new cli.SingleBar(
        {
          format: 'svcsim {bar} {value}/{total} replications ({variantsDone}/{variants} variants) | {rate} simulated requests/s | ~{left} s left',
          stream: opts.stream ?? process.stderr,
          hideCursor: true,
        },
        cli.Presets.shades_classic,
      );
      this.bar.start(this.total, 0, this.fields(0));
    }
  }

  /** More replications were planned (sequential stopping). */
  grow(jobs: readonly Job[]): void {
    this.add(jobs);
    this.bar?.setTotal(this.total);
  }

  /** One replication finished. */
  tick(job: Job, simulatedRequests: number): void {
    this.done++;
    this.requests += simulatedRequests;
    this.left.set(job.variant, (this.left.get(job.variant) ?? 1) - 1);
    const elapsed = (this.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.requests / elapsed : 0;
    if (this.bar) this.bar.update(this.done, this.fields(rate));
    else if (!this.opts.quiet && this.now() - this.lastLine >= this.interval) {
      this.lastLine = this.now();
      this.write(
        `svcsim: ${this.done}/${this.total} replications (${this.variantsDone()}/${this.left.size} variants), ${formatRate(rate)} simulated requests/s, ~${this.secondsLeft()} s left\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
  }

  private add(jobs: readonly Job[]): void {
    for (const j of jobs) this.left.set(j.variant, (this.left.get(j.variant) ?? 0) + 1);
    this.total += jobs.length;
  }

  private variantsDone(): number {
    let n = 0;
    for (const left of this.left.values()) if (left <= 0) n++;
    return n;
  }

  /** Whole seconds left at the pace so far, or "?" before any replication has finished. */
  private secondsLeft(): string {
    if (this.done === 0) return '?';
    const elapsed = (this.now() - this.started) / 1000;
    return String(Math.ceil((elapsed / this.done) * (this.total - this.done)));
  }

  private fields(rate: number) {
    return { rate: formatRate(rate), variantsDone: this.variantsDone(), variants: this.left.size, left: this.secondsLeft() };
  }
}

/** A bar needs a terminal that understands cursor control: not a pipe or file, and not TERM=dumb (Emacs shells, some CI). */
export function canDrawBar(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** 1234567 → "1.2M", 45600 → "45.6k". */
export function formatRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0);
}
