/** Exact results of queueing theory (validation-and-statistics.md), for tests. */

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ. */
export function erlangC(c: number, a: number): number {
  const rho = a / c;
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const last = (term * a) / c; // a^c / c!
  const tail = last / (1 - rho);
  return tail / (sum + tail);
}

/** M/M/c mean time in system. */
export function mmcW(lambda: number, mu: number, c: number): number {
  return erlangC(c, lambda / mu) / (c * mu - lambda) + 1 / mu;
}

/** M/M/c/K blocking probability (K = c + queue capacity). */
export function mmckBlocking(lambda: number, mu: number, c: number, K: number): number {
  const a = lambda / mu;
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  let p0inv = 0;
  for (let k = 0; k < c; k++) p0inv += a ** k / fact(k);
  for (let k = c; k <= K; k++) p0inv += a ** k / (fact(c) * c ** (k - c));
  return a ** K / (fact(c) * c ** (K - c)) / p0inv;
}

/** GI/M/1 with Erlang-n inter-arrival times (n pods behind IPVS rr): σ = (λ/(λ + μ(1 − σ)))ⁿ; W = 1/(μ(1 − σ)). */
export function erlangArrivalsW(lambda: number, mu: number, n: number): number {
  let sigma = 0.5;
  for (let i = 0; i < 10_000; i++) sigma = (lambda / (lambda + mu * (1 - sigma))) ** n;
  return 1 / (mu * (1 - sigma));
}
