/**
 * Progress of a long run: a bar on a terminal, a plain line at most every
 * 10 s otherwise (replications done, simulated requests per second, time
 * left), nothing with --quiet.
 */
import cliProgress from 'cli-progress';

export class Progress {
  private done = 0;
  private requests = 0;
  private readonly started = Date.now();
  private lastLine = Date.now();
  private bar: cliProgress.SingleBar | undefined;

  constructor(
    private total: number,
    private readonly variants: number,
    private readonly quiet: boolean,
  ) {
    if (!quiet && process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: 'svcsim {bar} {value}/{total} replications | {rate} simulated requests/s | ~{eta_formatted} left', stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { rate: '0' });
    }
  }

  grow(more: number): void {
    this.total += more;
    this.bar?.setTotal(this.total);
  }

  tick(simulatedRequests: number): void {
    this.done++;
    this.requests += simulatedRequests;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.requests / elapsed : 0;
    if (this.bar) this.bar.update(this.done, { rate: formatRate(rate) });
    else if (!this.quiet && Date.now() - this.lastLine >= 10_000) {
      this.lastLine = Date.now();
      const left = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : NaN;
      process.stderr.write(
        `svcsim: ${this.done}/${this.total} replications (${this.variants} variant${this.variants === 1 ? '' : 's'}), ${formatRate(rate)} simulated requests/s, ~${Number.isFinite(left) ? Math.ceil(left) : '?'} s left\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
  }

  get simulatedRequests(): number {
    return this.requests;
  }
}

function formatRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0);
}
