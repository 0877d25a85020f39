/**
 * Random streams: where every random number of a replication comes from.
 *
 * A replication draws from many independent *streams*, one per source of
 * randomness (the arrivals of one traffic entry, the service times of one
 * workload, one kube-proxy's choices, ...). A stream is named by the root seed,
 * a source id that does not depend on the variant, and the replication index.
 * Replication r of every variant therefore draws the same numbers from the same
 * source: common random numbers, which make paired differences between variants
 * tight. Because a stream depends on nothing else, the worker count and the
 * order in which replications run cannot change what a replication draws.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
 * PractRand-clean, 128 bits of state, guaranteed period ≥ 2^32 thanks to its
 * counter and ~2^127 on average). It runs on uint32 arithmetic only, so its
 * output is the same on every platform and JavaScript engine.
 *
 * How a stream is derived (a contract: changing it changes every result, and a
 * test pins the first outputs):
 *  1. `replicationSeed(root, r)` = mix32(mix32(fold(root)) + r·0x9E3779B9 mod 2^32),
 *     where mix32 is a bijective 32-bit avalanche hash (Wellons' lowbias32) and
 *     fold(root) XORs the high word of a root seed above 2^32 (mixed) into its low word.
 *     For a fixed root the map r ↦ seed is a bijection, so no two replications of one
 *     run share a seed. This uint32 is what `replications.csv` shows.
 *  2. `streamFromSeed(seed, source)` hashes the source id with 64-bit FNV-1a over its
 *     UTF-8 bytes and seeds sfc32 with (a, b, c, counter) = (mix32(seed), low word of
 *     the hash, high word of the hash, 1), then discards the first 15 outputs so the
 *     state is well mixed. Distinct (seed, source hash) pairs give distinct states.
 */
export class RandomStream {
  // sfc32 state, kept as int32 values (| 0) so that V8 stores them unboxed.
  private a: number;
  private b: number;
  private c: number;
  private counter: number;
  /** The last n of nextInt and its rejection limit: most calls ask for the same n again. */
  private lastN = 0;
  private lastLimit = 0;

  /** Seeds the generator directly from four uint32 words; prefer {@link deriveStream}. */
  constructor(a: number, b: number, c: number, counter: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.counter = counter | 0;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** The next raw output: a uniform integer in [0, 2^32). */
  nextUint32(): number {
    return this.step() >>> 0;
  }

  /**
   * One step of sfc32: its output as an int32 (the uint32 output's bits).
   * Callers take the unsigned value themselves: a function that V8 does not
   * inline returns an int32 as a small integer, but a uint32 from 2^31 up as a
   * heap-allocated number.
   */
  private step(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const t = (((a + b) | 0) + this.counter) | 0;
    this.counter = (this.counter + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }

  /**
   * A uniform double in the open interval (0, 1), from two steps
   * ({@link unitInterval}). The steps are step()'s arithmetic written out
   * twice, on purpose: the state read and written once, in 101 bytes of
   * bytecode instead of 269 (what V8's inlining budget counts wherever next()
   * is inlined). Back as `unitInterval(this.step(), this.step())`, the
   * reference scenario took 7 620 → 7 933 instructions a request. A test
   * checks it against unitInterval() of two raw outputs.
   */
  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const n = this.counter;
    const first = (((a + b) | 0) + n) | 0;
    const a1 = b ^ (b >>> 9);
    const b1 = (c + (c << 3)) | 0;
    const c1 = (((c << 21) | (c >>> 11)) + first) | 0;
    const second = (((a1 + b1) | 0) + ((n + 1) | 0)) | 0;
    this.a = b1 ^ (b1 >>> 9);
    this.b = (c1 + (c1 << 3)) | 0;
    this.c = (((c1 << 21) | (c1 >>> 11)) + second) | 0;
    this.counter = (n + 2) | 0;
    return unitInterval(first, second);
  }

  /**
   * A uniform integer in [0, n) for an integer 1 ≤ n ≤ 2^32, without bias:
   * raw outputs above the largest multiple of n are rejected (probability < n/2^32).
   */
  nextInt(n: number): number {
    if (n !== this.lastN) this.newN(n);
    const limit = this.lastLimit;
    let x = this.step() >>> 0;
    while (x >= limit) x = this.step() >>> 0;
    // x mod n without a floating-point remainder (x and n are below 2^53, so the quotient's floor is exact).
    return x - Math.floor(x / n) * n;
  }

  /** nextInt's n changed: checks it and computes its rejection limit (apart, to keep nextInt's bytecode short for V8's inlining budget). */
  private newN(n: number): void {
    if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) {
      throw new RangeError(`nextInt needs an integer in [1, 2^32], got ${n}`);
    }
    this.lastN = n;
    this.lastLimit = 4294967296 - (4294967296 % n);
  }
}

/**
 * The uniform double in (0, 1) of two raw outputs (as int32 or uint32): 52
 * random bits k, the top 26 of each, give (k + ½)·2^-52, so the smallest
 * value is 2^-53 and the largest 1 − 2^-53, both exact. Never 0 (safe before
 * a `log`) and never 1.
 */
export function unitInterval(high: number, low: number): number {
  return ((high >>> 6) * 67108864 + (low >>> 6) + 0.5) * 2.220446049250313e-16;
}

/** Wellons' lowbias32: a bijective avalanche mix of a 32-bit integer (returns int32). */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x | 0;
}

/** Folds a non-negative safe-integer root seed into 32 bits (identity below 2^32). */
function foldSeed(rootSeed: number): number {
  if (!(Number.isSafeInteger(rootSeed) && rootSeed >= 0)) {
    throw new RangeError(`a seed is an integer in [0, 2^53), got ${rootSeed}`);
  }
  const high = Math.floor(rootSeed / 4294967296);
  const low = rootSeed >>> 0;
  return high === 0 ? low | 0 : low ^ mix32(high + 0x6a09e667);
}

/**
 * The uint32 seed of replication `replication` under `rootSeed`: the name shown
 * to users so that one replication can be rerun alone ({@link streamFromSeed}).
 */
export function replicationSeed(rootSeed: number, replication: number): number {
  if (!(Number.isInteger(replication) && replication >= 0 && replication < 4294967296)) {
    throw new RangeError(`a replication index is an integer in [0, 2^32), got ${replication}`);
  }
  return mix32((mix32(foldSeed(rootSeed)) + Math.imul(replication, 0x9e3779b9)) | 0) >>> 0;
}

/**
 * 64-bit FNV-1a of the UTF-8 bytes of `text`, as [low, high] uint32 words.
 * The 64-bit multiply by the FNV prime 2^40 + 0x1b3 is done on 32-bit halves.
 */
export function fnv1a64(text: string): [low: number, high: number] {
  let low = 0x84222325;
  let high = 0xcbf29ce4;
  for (const byte of new TextEncoder().encode(text)) {
    low = (low ^ byte) >>> 0;
    const lowTimesPrime = low * 0x1b3; // < 2^41: exact in a double
    const carry = Math.floor(lowTimesPrime / 4294967296);
    high = (Math.imul(high, 0x1b3) + carry + (low << 8)) >>> 0;
    low = lowTimesPrime >>> 0;
  }
  return [low, high];
}

/** The stream of `source` in the replication whose seed is `seed` (see the contract above). */
export function streamFromSeed(seed: number, source: string): RandomStream {
  const [low, high] = fnv1a64(source);
  return new RandomStream(mix32(seed | 0), low, high, 1);
}

/**
 * The independent stream of one source of randomness in one replication.
 * Stable across runs, machines and worker counts; see the contract above.
 */
export function deriveStream(rootSeed: number, source: string, replication: number): RandomStream {
  return streamFromSeed(replicationSeed(rootSeed, replication), source);
}
