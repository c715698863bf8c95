// Deterministic seeded PRNG: xoshiro128** (Blackman & Vigna), state filled by splitmix32.
// Pure TypeScript, 32-bit integer arithmetic only; identical streams on every platform.

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** splitmix32 step: returns [next state, output]. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [state, z >>> 0];
}

/** murmur3 32-bit finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 64-bit string hash (two independent 32-bit murmur-style lanes), returned as a 53-bit integer. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef ^ s.length;
  let h2 = 0x41c6ce57 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0) % 2097152 * TWO_32 + (h1 >>> 0);
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`Rng seed must be a safe integer, got ${seed}`);
  }
}

type Shufflable<T> = T[] | { length: number; [i: number]: T };

/** Seeded pseudo-random generator (xoshiro128**). Not cryptographic. */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;
  /** The integer seed this generator was created from. */
  readonly seed: number;

  constructor(seed: number) {
    checkSeed(seed);
    this.seed = seed;
    // Split the (possibly negative) 53-bit seed into two 32-bit words and expand with splitmix32.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_32) >>> 0;
    let st = fmix32(lo ^ 0x6a09e667) ^ Math.imul(fmix32(hi ^ 0xbb67ae85), 0x9e3779b1);
    let out: number;
    [st, out] = splitmix32(st);
    this.s0 = out | 0;
    [st, out] = splitmix32(st);
    this.s1 = out | 0;
    [st, out] = splitmix32(st);
    this.s2 = out | 0;
    [st, out] = splitmix32(st);
    this.s3 = out | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator with the given raw xoshiro128** state (for reproducing reference vectors). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Rng {
    const r = new Rng(0);
    r.s0 = s0 | 0;
    r.s1 = s1 | 0;
    r.s2 = s2 | 0;
    r.s3 = s3 | 0;
    if ((r.s0 | r.s1 | r.s2 | r.s3) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    return r;
  }

  /** The full stream state (xoshiro words and the cached normal), to resume exactly where it was. */
  getState(): (number | null)[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare];
  }
  setState(st: (number | null)[]): void {
    if (st.length !== 5 || !st.slice(0, 4).every(Number.isInteger)) throw new RangeError('bad Rng state');
    [this.s0, this.s1, this.s2, this.s3] = st.slice(0, 4).map((v) => v! | 0);
    this.spare = st[4];
  }

  /** An integer seed derived from `seed` and `labels` by hashing (stable across versions). */
  static deriveSeed(seed: number, ...labels: (string | number)[]): number {
    checkSeed(seed);
    const parts = [String(seed), ...labels.map((l) => (typeof l === 'number' ? `n${l}` : `s${l}`))];
    return hash53(parts.join('\u0000'));
  }

  /** An independent stream for (seed, ...labels), e.g. `Rng.derive(seed, 'split')`, `Rng.derive(seed, 'members', k)`. */
  static derive(seed: number, ...labels: (string | number)[]): Rng {
    return new Rng(Rng.deriveSeed(seed, ...labels));
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.next() >>> 5; // 27 bits
    const b = this.next() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_53;
  }

  /** Uniform integer in [0, n), unbiased; n must be a positive safe integer. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`Rng.int(n) needs a positive integer, got ${n}`);
    if (n <= TWO_32) {
      const limit = TWO_32 - (TWO_32 % n);
      for (;;) {
        const r = this.next();
        if (r < limit) return r % n;
      }
    }
    for (;;) {
      const r = Math.floor(this.uniform() * TWO_53);
      const limit = TWO_53 - (TWO_53 % n);
      if (r < limit) return r % n;
    }
  }

  /** Fisher-Yates shuffle in place; returns `arr`. */
  shuffle<A extends Shufflable<unknown>>(arr: A): A {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** Standard normal deviate (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * m;
        return u * m;
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
