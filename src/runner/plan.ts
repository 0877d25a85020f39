/**
 * Which replications a run executes: every variant × replication, or one
 * shard of them (`--shard I/N`: replications r with r mod N = I), or exactly
 * one (`--variant LABEL --replication R`, to rerun a crashed one).
 */
export interface Job {
  variant: number;
  replication: number;
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}

export function planJobs(variants: number, from: number, to: number, shard?: Shard): Job[] {
  const jobs: Job[] = [];
  for (let r = from; r < to; r++) {
    if (shard && r % shard.count !== shard.index) continue;
    for (let v = 0; v < variants; v++) jobs.push({ variant: v, replication: r });
  }
  return jobs;
}
