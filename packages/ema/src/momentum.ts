import { checkKeys, optionKeys, fail } from '@vjepa/core';

/** Options of {@link momentumSchedule}. */
export interface MomentumScheduleOptions {
  /** m₀, the momentum of the first update (official `ema[0]`, 0.998 in the released configs). */
  start: number;
  /** m₁, the momentum the schedule would reach after `totalSteps` updates (official `ema[1]`, 1.0). */
  end: number;
  /**
   * The denominator T of `m_k = m₀ + k·(m₁ − m₀)/T`: `ipe · epochs · ipeScale` in the official code
   * (112 500 for the released configs; see {@link momentumTotalSteps}). The schedule yields
   * `floor(T) + 1` values, k = 0 … floor(T).
   */
  totalSteps: number;
}

/** What {@link MomentumSchedule.state} saves: how many momenta have been handed out. */
export interface MomentumScheduleState {
  /** k of the next update, i.e. the number of `step()` calls so far. */
  step: number;
}

/** Sizes of the official schedule, as in the training config. */
export interface ScheduleSizeOptions {
  /** Iterations per (virtual) epoch, official `ipe` (300). */
  ipe: number;
  /** Number of epochs, official `num_epochs` (300). */
  epochs: number;
  /** Stretch factor of every schedule, official `ipe_scale` (1.25). Default 1. */
  ipeScale?: number;
}

function checkFinite(argument: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(argument, 'a finite number', value);
}

/**
 * `int(ipe · epochs · ipe_scale)` as the official code computes the length of the momentum generator
 * (the product in that order, in float64, truncated).
 *
 * @example momentumTotalSteps({ ipe: 300, epochs: 300, ipeScale: 1.25 }) // 112500
 */
export function momentumTotalSteps(options: ScheduleSizeOptions): number {
  checkKeys('options', options, optionKeys<ScheduleSizeOptions>({ ipe: true, epochs: true, ipeScale: true }));
  const { ipe, epochs, ipeScale = 1 } = options;
  checkFinite('ipe', ipe);
  checkFinite('epochs', epochs);
  checkFinite('ipeScale', ipeScale);
  if (ipe <= 0 || epochs <= 0 || ipeScale <= 0) {
    fail('momentumTotalSteps options', 'positive ipe, epochs and ipeScale', options);
  }
  return Math.trunc(ipe * epochs * ipeScale);
}

/**
 * The linear EMA momentum schedule of spec §7, as a resumable iterator.
 *
 * The k-th update (0-based) uses `m_k = m₀ + k·(m₁ − m₀)/T`, computed in float64 in the official order.
 * `step()` returns the momentum of the next update and advances; `state()`/`loadState()` save and
 * restore the position for resuming. It is also an `Iterable<number>` that yields the remaining values.
 */
export class MomentumSchedule implements Iterable<number> {
  readonly start: number;
  readonly end: number;
  readonly totalSteps: number;
  private position = 0;

  constructor(options: MomentumScheduleOptions) {
    checkKeys('options', options, optionKeys<MomentumScheduleOptions>({ start: true, end: true, totalSteps: true }));
    checkFinite('start', options.start);
    checkFinite('end', options.end);
    checkFinite('totalSteps', options.totalSteps);
    if (options.totalSteps <= 0) fail('totalSteps', 'a positive number (ipe · epochs · ipeScale)', options.totalSteps);
    this.start = options.start;
    this.end = options.end;
    this.totalSteps = options.totalSteps;
  }

  /** How many values the schedule holds: `floor(totalSteps) + 1` (the official generator's length). */
  get length(): number {
    return Math.floor(this.totalSteps) + 1;
  }

  /** k of the next update: the number of `step()` calls so far. */
  get stepCount(): number {
    return this.position;
  }

  /** `m_k` without advancing; `k` may be any non-negative integer (no range check against `length`). */
  valueAt(k: number): number {
    if (!Number.isInteger(k) || k < 0) fail('k', 'a non-negative integer', k);
    return this.start + (k * (this.end - this.start)) / this.totalSteps;
  }

  /** The momentum of the next update, without advancing. */
  peek(): number {
    this.checkNotExhausted();
    return this.valueAt(this.position);
  }

  /** The momentum of the next update; advances the counter. Throws once all `length` values are used. */
  step(): number {
    const value = this.peek();
    this.position += 1;
    return value;
  }

  /** The position, for a checkpoint. */
  state(): MomentumScheduleState {
    return { step: this.position };
  }

  /** Restores a position saved by {@link state}; the next `step()` returns `m_{state.step}`. */
  loadState(state: MomentumScheduleState): void {
    const step = state?.step;
    if (!Number.isInteger(step) || step < 0 || step > this.length) {
      fail('state.step', `an integer in [0, ${this.length}]`, step);
    }
    this.position = step;
  }

  *[Symbol.iterator](): Iterator<number> {
    while (this.position < this.length) yield this.step();
  }

  private checkNotExhausted(): void {
    if (this.position >= this.length) {
      fail(
        'momentum schedule step',
        `at most ${this.length} updates (totalSteps ${this.totalSteps})`,
        this.position + 1,
        'The official generator ends here too; size the schedule with ipe · epochs · ipeScale of the whole run',
      );
    }
  }
}

/**
 * Creates the EMA momentum schedule of spec §7.
 *
 * @example
 * const momenta = momentumSchedule({ start: 0.998, end: 1, totalSteps: momentumTotalSteps({ ipe: 300, epochs: 300, ipeScale: 1.25 }) });
 * momenta.step(); // 0.998 (first update)
 * momenta.step(); // 0.99800001777…
 */
export function momentumSchedule(options: MomentumScheduleOptions): MomentumSchedule {
  return new MomentumSchedule(options);
}
