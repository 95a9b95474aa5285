import { MaskConfigError } from './errors';

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_24 = 16777216;

/**
 * The serialisable state of an {@link Mt19937} stream: the 624 words and the position of the next
 * word to temper. Plain numbers, so `JSON.stringify` keeps it exactly.
 */
export interface Mt19937State {
  /** The 624 state words, each an unsigned 32-bit integer. */
  readonly words: number[];
  /** Index of the next word to use, 0…624 (624 = regenerate before the next draw). */
  readonly index: number;
}

/**
 * The Mersenne Twister MT19937 with the standard `init_genrand` seeding, drawing numbers exactly as
 * PyTorch's CPU generator does:
 * - {@link Mt19937.nextFloat32}: one 32-bit output `u`, returns `(u & 0xFFFFFF) / 2^24` (torch.rand);
 * - {@link Mt19937.randint}: one 32-bit output `u`, returns `low + (u mod (high − low))` (torch.randint).
 *
 * `new Mt19937(0)` then three `nextFloat32()` gives 0.4962566, 0.7682218, 0.0884774, like
 * `torch.manual_seed(0); torch.rand(3)`.
 */
export class Mt19937 {
  private readonly words = new Uint32Array(STATE_SIZE);
  private index = STATE_SIZE;

  /** @param seed an integer; like torch, only its low 32 bits are used. */
  constructor(seed: number) {
    this.seed(seed);
  }

  /** Re-seeds the stream in place (standard `init_genrand`). */
  seed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new MaskConfigError('seed', 'a safe integer', seed);
    }
    const words = this.words;
    words[0] = seed >>> 0;
    for (let i = 1; i < STATE_SIZE; i++) {
      const previous = words[i - 1];
      words[i] = (Math.imul(1812433253, previous ^ (previous >>> 30)) + i) >>> 0;
    }
    this.index = STATE_SIZE;
  }

  /** The next raw output, an unsigned 32-bit integer. */
  nextUint32(): number {
    if (this.index >= STATE_SIZE) this.twist();
    let y = this.words[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A float32-grid uniform in [0, 1) from one 32-bit output, as `torch.rand` on CPU. */
  nextFloat32(): number {
    return (this.nextUint32() & 0xffffff) / TWO_POW_24;
  }

  /**
   * A uniform integer in `[low, high)` from one 32-bit output, as `torch.randint(low, high)`:
   * `low + (u mod (high − low))`. The range must be 1…2^32.
   */
  randint(low: number, high: number): number {
    const range = high - low;
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || range < 1 || range > 0x100000000) {
      throw new MaskConfigError('randint(low, high)', 'integers with 1 ≤ high − low ≤ 2^32', [low, high]);
    }
    return low + (this.nextUint32() % range);
  }

  /** A copy of the state, to be saved with a checkpoint. */
  getState(): Mt19937State {
    return { words: Array.from(this.words), index: this.index };
  }

  /** Restores a state from {@link Mt19937.getState}; the next draws repeat those that followed it. */
  setState(state: Mt19937State): void {
    const words: unknown = state?.words;
    const valid =
      Array.isArray(words) &&
      words.length === STATE_SIZE &&
      words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffffffff);
    if (!valid) {
      throw new MaskConfigError('state.words', `an array of ${STATE_SIZE} unsigned 32-bit integers`, words);
    }
    const index: unknown = state.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > STATE_SIZE) {
      throw new MaskConfigError('state.index', `an integer in [0, ${STATE_SIZE}]`, index);
    }
    this.words.set(words as number[]);
    this.index = index;
  }

  /** An independent stream in the same state. */
  clone(): Mt19937 {
    const copy = new Mt19937(0);
    copy.setState(this.getState());
    return copy;
  }

  private twist(): void {
    const words = this.words;
    for (let k = 0; k < STATE_SIZE; k++) {
      const y = (words[k] & UPPER_MASK) | (words[(k + 1) % STATE_SIZE] & LOWER_MASK);
      words[k] = words[(k + SHIFT_SIZE) % STATE_SIZE] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}
