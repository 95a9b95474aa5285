/**
 * Seeded random streams for the library (nothing here calls `Math.random`): xoshiro128** with four
 * 32-bit state words, seeded through splitmix64, plus the samplers weight initialisation needs —
 * PyTorch's `trunc_normal_` and `uniform_` — and the special functions behind them.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/base';

/** The complete state of a {@link RandomStream} as plain JSON; `setState` restores it exactly. */
export interface RandomState {
  /** The four xoshiro128** state words, unsigned 32-bit integers, not all zero. */
  words: [number, number, number, number];
  /** The second Box-Muller value waiting to be returned by `normal()`, or null. */
  spareNormal: number | null;
}

/** Options of {@link RandomStream.truncatedNormal}, with PyTorch's `trunc_normal_` defaults. */
export interface TruncatedNormalOptions {
  /** Mean of the untruncated normal; default 0. */
  mean?: number;
  /** Standard deviation of the untruncated normal; default 1. */
  std?: number;
  /** Lower bound, an absolute value (not in units of std); default -2. */
  a?: number;
  /** Upper bound, an absolute value (not in units of std); default 2. */
  b?: number;
}

const MASK64 = (1n << 64n) - 1n;
const GOLDEN64 = 0x9e3779b97f4a7c15n;
const TWO_POW_32 = 4294967296;

/** The splitmix64 finaliser: a bijective 64-bit mix. */
function mix64(value: bigint): bigint {
  let z = value & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** Four state words from a 64-bit seed by two splitmix64 steps; never all zero (mix64 is a bijection). */
function wordsFromSeed64(seed: bigint): [number, number, number, number] {
  const first = mix64(seed + GOLDEN64);
  const second = mix64(seed + 2n * GOLDEN64);
  return [Number(first & 0xffffffffn), Number(first >> 32n), Number(second & 0xffffffffn), Number(second >> 32n)];
}

/** FNV-1a (64-bit) of the UTF-8 bytes of a label. */
function hashLabel(label: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(label)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & MASK64;
  return hash;
}

function rotl(value: number, shift: number): number {
  return (value << shift) | (value >>> (32 - shift));
}

function isUint32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < TWO_POW_32;
}

function checkCount(n: number, argument: string): void {
  if (!Number.isSafeInteger(n) || n < 0) fail(argument, 'a non-negative integer', n);
}

/**
 * A deterministic stream of random numbers (xoshiro128**). Equal seeds give equal streams on every
 * platform; `getState`/`setState` resume a stream exactly, and `fork(label)` derives named children.
 *
 * @example
 * ```ts
 * const rng = new RandomStream(0);
 * const weights = rng.fork('init').truncatedNormal(48 * 48, { std: 0.02 });
 * ```
 */
export class RandomStream {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** @param seed - any safe integer (negative seeds are read as 64-bit two's complement). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
    this.setWords(wordsFromSeed64(BigInt.asUintN(64, BigInt(seed))));
  }

  /** A stream resumed from a state returned by {@link RandomStream.getState}. */
  static fromState(state: RandomState): RandomStream {
    const stream = new RandomStream(0);
    stream.setState(state);
    return stream;
  }

  /** The complete state as plain JSON (safe to `JSON.stringify` into a checkpoint). */
  getState(): RandomState {
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spare };
  }

  /** Restores a state from {@link RandomStream.getState}, validated first; the stream then continues exactly. */
  setState(state: RandomState): void {
    const words: unknown = state?.words;
    if (!Array.isArray(words) || words.length !== 4 || !words.every(isUint32)) {
      fail('state.words', 'four unsigned 32-bit integers', words);
    }
    if (words.every((word) => word === 0)) fail('state.words', 'not all zero (xoshiro cannot leave that state)', words);
    const spare: unknown = state.spareNormal;
    if (spare !== null && !Number.isFinite(spare)) fail('state.spareNormal', 'a finite number or null', spare);
    this.setWords(words as [number, number, number, number]);
    this.spare = spare as number | null;
  }

  /**
   * A child stream determined by this stream's current state and `label`; this stream does not advance,
   * so `fork('a')` twice in a row gives two equal streams and `fork('a')`, `fork('b')` independent ones.
   */
  fork(label: string): RandomStream {
    if (typeof label !== 'string') fail('label', 'a string', label);
    const [w0, w1, w2, w3] = this.getState().words;
    const high = (BigInt(w1) << 32n) | BigInt(w0);
    const low = (BigInt(w3) << 32n) | BigInt(w2);
    return this.child(mix64(high ^ mix64(low ^ mix64(hashLabel(label)))));
  }

  /** A child stream seeded from the next two outputs of this stream (which advances). */
  split(): RandomStream {
    const seed = (BigInt(this.nextUint32()) << 32n) | BigInt(this.nextUint32());
    return this.child(seed);
  }

  /** The next 32 random bits as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const shifted = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= shifted;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float64 in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform integer in [low, highInclusive], unbiased (rejection sampling); at most 2^32 possible values. */
  nextInt(low: number, highInclusive: number): number {
    if (!Number.isSafeInteger(low)) fail('low', 'a safe integer', low);
    if (!Number.isSafeInteger(highInclusive) || highInclusive < low) {
      fail('highInclusive', `a safe integer >= low (${low})`, highInclusive);
    }
    const span = highInclusive - low + 1;
    if (span > TWO_POW_32) fail('highInclusive - low + 1', 'at most 2^32 values', span);
    const limit = TWO_POW_32 - (TWO_POW_32 % span); // largest multiple of span that fits
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return low + (draw % span);
  }

  /** A normal sample N(mean, std²) by Box-Muller; the second value of each pair is cached (and kept in the state). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const spare = this.spare;
      this.spare = null;
      return mean + std * spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.nextFloat())); // 1 - u lies in (0, 1]
    const angle = 2 * Math.PI * this.nextFloat();
    this.spare = radius * Math.sin(angle);
    return mean + std * radius * Math.cos(angle);
  }

  /**
   * `n` samples of N(mean, std²) truncated to the ABSOLUTE interval [a, b], as PyTorch's `trunc_normal_`:
   * u ~ U(Φ((a−mean)/std), Φ((b−mean)/std)), x = mean + std·Φ⁻¹(u) (the same as PyTorch's
   * mean + std·√2·erfinv(2u−1), without its cancellation near u = 0), then clamped to [a, b].
   * Note the official V-JEPA init passes std 0.02 with the default a, b = ±2, which is effectively
   * untruncated — that quirk is kept on purpose.
   */
  truncatedNormal(n: number, options: TruncatedNormalOptions = {}): Float32Array {
    const { mean = 0, std = 1, a = -2, b = 2 } = options;
    checkCount(n, 'n');
    if (!Number.isFinite(mean)) fail('mean', 'a finite number', mean);
    if (!Number.isFinite(std) || std <= 0) fail('std', 'a positive finite number', std);
    if (Number.isNaN(a)) fail('a', 'a number', a);
    if (Number.isNaN(b) || b < a) fail('b', `a number >= a (${a})`, b);
    const lower = normalCdf((a - mean) / std);
    const width = normalCdf((b - mean) / std) - lower;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = mean + std * normalQuantile(lower + width * this.nextFloat());
      out[i] = Math.min(Math.max(x, a), b);
    }
    return out;
  }

  /**
   * `n` samples of U(low, high) as float32. PyTorch's default `nn.Linear` init (kaiming-uniform with
   * a=√5) is `uniform(n, -1/√fanIn, 1/√fanIn)` for both weight and bias.
   */
  uniform(n: number, low = 0, high = 1): Float32Array {
    checkCount(n, 'n');
    if (!Number.isFinite(low)) fail('low', 'a finite number', low);
    if (!Number.isFinite(high) || high < low) fail('high', `a finite number >= low (${low})`, high);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.nextFloat();
    return out;
  }

  private setWords(words: [number, number, number, number]): void {
    [this.s0, this.s1, this.s2, this.s3] = words.map((word) => word | 0);
  }

  private child(seed: bigint): RandomStream {
    const stream = new RandomStream(0);
    stream.setWords(wordsFromSeed64(seed & MASK64));
    return stream;
  }
}

// ---------------------------------------------------------------------------------------------------
// Special functions (float64). erf: Maclaurin series for |x| < 2.5, continued fraction for erfc
// beyond; Φ⁻¹ and erfinv: Wichura's AS241 (PPND16), relative accuracy about 1e-16.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

function erfSeries(x: number): number {
  // erf(x) = 2/√π · Σ (-1)^k x^(2k+1) / (k! (2k+1))
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 1; k < 100; k++) {
    term *= -x2 / k;
    const contribution = term / (2 * k + 1);
    sum += contribution;
    if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), x > 0, by modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 300; k++) {
    const coefficient = k / 2;
    d = x + coefficient * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = x + coefficient / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** The error function erf(x) in float64 (absolute error about 1e-15). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2.5) return erfSeries(x);
  const tail = x > 27 || x < -27 ? 0 : erfcContinuedFraction(Math.abs(x));
  return x > 0 ? 1 - tail : tail - 1;
}

/** The complementary error function 1 − erf(x), accurate (relative) in the upper tail too. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2.5) return 1 - erf(x);
  return x > 27 ? 0 : erfcContinuedFraction(x);
}

/** The standard normal CDF Φ(z), computed through erfc so the lower tail keeps its relative accuracy. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function polynomial(coefficients: readonly number[], r: number): number {
  let value = 0;
  for (const coefficient of coefficients) value = value * r + coefficient;
  return value;
}

// AS241 coefficients, highest power first.
const CENTRAL_NUM = [
  2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457,
  13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608,
];
const CENTRAL_DEN = [
  5226.495278852545561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867,
  5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1,
];
const NEAR_NUM = [
  7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258,
  3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734,
];
const NEAR_DEN = [
  1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459,
  0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1,
];
const FAR_NUM = [
  2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093,
  0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772,
];
const FAR_DEN = [
  2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4,
  0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769, 1,
];

/**
 * Φ⁻¹ from `centered` = p − 0.5 and `tail` = min(p, 1 − p), both supplied by the caller so neither loses
 * precision to a subtraction (AS241).
 */
function quantileFromParts(centered: number, tail: number): number {
  if (Math.abs(centered) <= 0.425) {
    const r = 0.180625 - centered * centered;
    return (centered * polynomial(CENTRAL_NUM, r)) / polynomial(CENTRAL_DEN, r);
  }
  if (tail <= 0) return centered < 0 ? -Infinity : Infinity;
  let r = Math.sqrt(-Math.log(tail));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = polynomial(NEAR_NUM, r) / polynomial(NEAR_DEN, r);
  } else {
    r -= 5;
    x = polynomial(FAR_NUM, r) / polynomial(FAR_DEN, r);
  }
  return centered < 0 ? -x : x;
}

/** The standard normal quantile Φ⁻¹(p) for p in [0, 1] (±Infinity at the ends). */
function normalQuantile(p: number): number {
  return quantileFromParts(p - 0.5, Math.min(p, 1 - p));
}

/**
 * The inverse error function: erfinv(erf(x)) = x, for y in [−1, 1] (±Infinity at ±1, NaN outside).
 * Relative accuracy about 1e-15 (AS241 through erfinv(y) = Φ⁻¹((1 + y)/2)/√2).
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  return quantileFromParts(y / 2, (1 - Math.abs(y)) / 2) / Math.SQRT2;
}
