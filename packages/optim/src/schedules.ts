import { checkKeys, optionKeys, fail } from '@vjepa/core';

/** The position of a schedule, for checkpoints: the official `_step` counter. */
export interface ScheduleState {
  /** Number of `step()` calls so far (0 before training). */
  step: number;
}

/** Options of {@link WarmupCosineSchedule}, in optimizer steps (see {@link scheduleSteps}). */
export interface WarmupCosineOptions {
  /** LR at the start of the linear warm-up (official `start_lr`, 2e-4). */
  startLr: number;
  /** LR at the end of the warm-up and the top of the cosine (official `lr`, 6.25e-4). */
  refLr: number;
  /** LR the cosine decays to and the floor of the schedule (official `final_lr`, 1e-6). Default 0. */
  finalLr?: number;
  /** W = `int(warmup · ipe)` warm-up steps (12 000 released); 0 for none. */
  warmupSteps: number;
  /** `int(ipeScale · epochs · ipe)`, warm-up included (112 500 released); the cosine spans `totalSteps − W`. */
  totalSteps: number;
}

/** Options of {@link CosineWDSchedule}, in optimizer steps. */
export interface CosineWdOptions {
  /** Weight decay at step 0 (official `weight_decay`, 0.04). */
  refWd: number;
  /** Weight decay at `totalSteps` (official `final_weight_decay`, 0.4). Default 0. */
  finalWd?: number;
  /** T = `int(ipeScale · epochs · ipe)` (112 500 released). */
  totalSteps: number;
}

/** Training sizes as in the official config, for {@link scheduleSteps}. */
export interface ScheduleSizes {
  /** Iterations per (virtual) epoch, `ipe` (300). */
  ipe: number;
  /** Epochs, `num_epochs` (300). */
  epochs: number;
  /** Stretch of every schedule, `ipe_scale` (1.25). Default 1. */
  ipeScale?: number;
  /** Warm-up epochs, `warmup` (40). Default 0. */
  warmupEpochs?: number;
}

function checkFinite(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(argument, 'a finite number', value);
}

function checkSteps(argument: string, value: unknown, min: number): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < min) {
    fail(argument, `an integer ≥ ${min} (a number of optimizer steps)`, value, 'Use scheduleSteps() to convert epochs');
  }
}

/**
 * Converts the official epoch-based sizes to steps as `init_opt` does:
 * `warmupSteps = int(warmup · ipe)`, `totalSteps = int(ipe_scale · epochs · ipe)` (products in that order).
 *
 * @example scheduleSteps({ ipe: 300, epochs: 300, ipeScale: 1.25, warmupEpochs: 40 }) // { warmupSteps: 12000, totalSteps: 112500 }
 */
export function scheduleSteps(sizes: ScheduleSizes): { warmupSteps: number; totalSteps: number } {
  const { ipe, epochs, ipeScale = 1, warmupEpochs = 0 } = sizes;
  for (const [name, value] of [['ipe', ipe], ['epochs', epochs], ['ipeScale', ipeScale], ['warmupEpochs', warmupEpochs]] as const) {
    checkFinite(name, value);
    if (value < 0) fail(name, 'a non-negative number', value);
  }
  return { warmupSteps: Math.trunc(warmupEpochs * ipe), totalSteps: Math.trunc(ipeScale * epochs * ipe) };
}

/** Shared counter logic: the official schedulers increment `_step` first, so step 1 is the first value. */
abstract class StepSchedule {
  private counter = 0;

  /** Number of `step()` calls so far; the last value returned was `valueAt(stepCount)`. */
  get stepCount(): number {
    return this.counter;
  }

  /** The value at 1-based step `s`, without advancing. */
  abstract valueAt(s: number): number;

  /** Advances the counter and returns the value for this optimizer step (1 on the first call). */
  step(): number {
    this.counter += 1;
    return this.valueAt(this.counter);
  }

  /** The counter, for a checkpoint. */
  state(): ScheduleState {
    return { step: this.counter };
  }

  /** Restores a counter saved by {@link state}; the next `step()` continues from there. */
  loadState(state: ScheduleState): void {
    checkSteps('state.step', state?.step, 0);
    this.counter = state.step;
  }

  protected checkStep(s: number): void {
    if (!Number.isInteger(s) || s < 0) fail('s', 'a non-negative integer step', s);
  }
}

/**
 * The official `WarmupCosineSchedule` (spec §8): with W warm-up steps and `Tc = totalSteps − W`,
 * `lr = startLr + (s/W)·(refLr − startLr)` while `s < W`, then
 * `max(finalLr, finalLr + (refLr − finalLr)·½·(1 + cos(π·(s − W)/Tc)))`. Float64, official op order.
 *
 * @example
 * const lr = new WarmupCosineSchedule({ startLr: 2e-4, refLr: 6.25e-4, finalLr: 1e-6, ...scheduleSteps({ ipe: 300, epochs: 300, ipeScale: 1.25, warmupEpochs: 40 }) });
 * optimizer.setLearningRate(lr.step()); // 2.000354166…e-4 at the first step
 */
export class WarmupCosineSchedule extends StepSchedule {
  readonly startLr: number;
  readonly refLr: number;
  readonly finalLr: number;
  readonly warmupSteps: number;
  /** The cosine length `Tc = totalSteps − warmupSteps` (official `self.T_max`). */
  readonly cosineSteps: number;

  constructor(options: WarmupCosineOptions) {
    super();
    checkKeys('options', options, optionKeys<WarmupCosineOptions>({
      startLr: true, refLr: true, finalLr: true, warmupSteps: true, totalSteps: true,
    }));
    const { startLr, refLr, finalLr = 0, warmupSteps, totalSteps } = options;
    checkFinite('startLr', startLr);
    checkFinite('refLr', refLr);
    checkFinite('finalLr', finalLr);
    checkSteps('warmupSteps', warmupSteps, 0);
    checkSteps('totalSteps', totalSteps, 1);
    if (warmupSteps > totalSteps) fail('warmupSteps', `at most totalSteps (${totalSteps})`, warmupSteps);
    this.startLr = startLr;
    this.refLr = refLr;
    this.finalLr = finalLr;
    this.warmupSteps = warmupSteps;
    this.cosineSteps = totalSteps - warmupSteps;
  }

  valueAt(s: number): number {
    this.checkStep(s);
    if (s < this.warmupSteps) {
      const progress = s / Math.max(1, this.warmupSteps);
      return this.startLr + progress * (this.refLr - this.startLr);
    }
    const progress = (s - this.warmupSteps) / Math.max(1, this.cosineSteps);
    const cosine = this.finalLr + (this.refLr - this.finalLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    return Math.max(this.finalLr, cosine);
  }
}

/**
 * The official `CosineWDSchedule` (spec §8): `wd = finalWd + (refWd − finalWd)·½·(1 + cos(π·s/T))`,
 * clamped with `max(finalWd, ·)` when `finalWd ≤ refWd` (decreasing) and `min(finalWd, ·)` otherwise
 * (increasing, as the released 0.04 → 0.4). Apply it only to the groups that take weight decay.
 *
 * @example
 * const wd = new CosineWDSchedule({ refWd: 0.04, finalWd: 0.4, totalSteps: 112_500 });
 * optimizer.setWeightDecay(wd.step()); // 0.04000000007… at the first step
 */
export class CosineWDSchedule extends StepSchedule {
  readonly refWd: number;
  readonly finalWd: number;
  readonly totalSteps: number;

  constructor(options: CosineWdOptions) {
    super();
    checkKeys('options', options, optionKeys<CosineWdOptions>({ refWd: true, finalWd: true, totalSteps: true }));
    const { refWd, finalWd = 0, totalSteps } = options;
    checkFinite('refWd', refWd);
    checkFinite('finalWd', finalWd);
    checkSteps('totalSteps', totalSteps, 1);
    this.refWd = refWd;
    this.finalWd = finalWd;
    this.totalSteps = totalSteps;
  }

  valueAt(s: number): number {
    this.checkStep(s);
    const progress = s / this.totalSteps;
    const wd = this.finalWd + (this.refWd - this.finalWd) * 0.5 * (1 + Math.cos(Math.PI * progress));
    return this.finalWd <= this.refWd ? Math.max(this.finalWd, wd) : Math.min(this.finalWd, wd);
  }
}
