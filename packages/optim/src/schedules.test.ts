import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VjepaError } from '@vjepa/core';
import { CosineWDSchedule, WarmupCosineSchedule, scheduleSteps } from './schedules';

/** The official settings of the fixture's training steps (its `train` block, all numbers). */
type FixtureTrain = Record<'warmup' | 'start_lr' | 'lr' | 'final_lr' | 'T' | 'wd' | 'final_wd' | 'steps', number>;
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/reference/tiny.json', import.meta.url), 'utf8')) as {
  train: FixtureTrain;
  train_lrs: number[];
  train_wds: number[];
};

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('scheduleSteps', () => {
  it('sizes the released config as init_opt does', () => {
    expect(scheduleSteps({ ipe: 300, epochs: 300, ipeScale: 1.25, warmupEpochs: 40 })).toEqual({ warmupSteps: 12_000, totalSteps: 112_500 });
    expect(scheduleSteps({ ipe: 7, epochs: 3, ipeScale: 1.25, warmupEpochs: 0.5 })).toEqual({ warmupSteps: 3, totalSteps: 26 });
  });
});

describe('released pretraining schedules (spec §8, §17.3)', () => {
  const sizes = scheduleSteps({ ipe: 300, epochs: 300, ipeScale: 1.25, warmupEpochs: 40 });
  const lr = new WarmupCosineSchedule({ startLr: 2e-4, refLr: 6.25e-4, finalLr: 1e-6, ...sizes });
  const wd = new CosineWDSchedule({ refWd: 0.04, finalWd: 0.4, totalSteps: sizes.totalSteps });

  it.each([
    [1, 2.000354167e-4, 0.04000000007],
    [2, 2.000708333e-4, 0.04000000028],
    [6000, 4.125e-4, 0.04252071333],
    [11999, 6.249645833e-4, 0.05001060036],
    [12000, 6.25e-4, 0.05001225336],
    [50000, 4.295757662e-4, 0.188743328],
    [90000, 7.504222443e-5, 0.365623059],
    [112500, 1e-6, 0.4],
  ])('s = %d: lr %f, wd %f', (s, expectedLr, expectedWd) => {
    expect(relativeError(lr.valueAt(s), expectedLr)).toBeLessThan(1e-9);
    expect(relativeError(wd.valueAt(s), expectedWd)).toBeLessThan(1e-9);
  });

  it('exposes the official sizes', () => {
    expect(lr.warmupSteps).toBe(12_000);
    expect(lr.cosineSteps).toBe(100_500);
  });

  it('step() starts at s = 1 and matches valueAt', () => {
    const a = new WarmupCosineSchedule({ startLr: 2e-4, refLr: 6.25e-4, finalLr: 1e-6, ...sizes });
    expect(a.stepCount).toBe(0);
    expect(a.step()).toBe(a.valueAt(1));
    expect(a.step()).toBe(a.valueAt(2));
    expect(a.stepCount).toBe(2);
  });
});

describe('the reference fixture schedules (tiny.json, T = 10, warm-up 2 steps)', () => {
  const { train, train_lrs: lrs, train_wds: wds } = fixture;

  it('reproduces train_lrs and train_wds of the official schedulers', () => {
    const lr = new WarmupCosineSchedule({ startLr: train.start_lr, refLr: train.lr, finalLr: train.final_lr, warmupSteps: train.warmup, totalSteps: train.T });
    const wd = new CosineWDSchedule({ refWd: train.wd, finalWd: train.final_wd, totalSteps: train.T });
    expect(lrs).toHaveLength(train.steps);
    for (let i = 0; i < train.steps; i++) {
      const [l, w] = [lr.step(), wd.step()];
      expect(Math.abs(l - lrs[i])).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(w - wds[i])).toBeLessThanOrEqual(1e-12);
      expect(l).toBe(lrs[i]); // the same float64 op order gives the very same numbers
      expect(w).toBe(wds[i]);
    }
  });
});

describe('the probe schedules (spec §11.4: lr 1e-3 cosine to 0, no warm-up; wd 0.01 → 1e-6)', () => {
  const { warmupSteps, totalSteps } = scheduleSteps({ ipe: 100, epochs: 20 }); // 0, 2000
  const lr = new WarmupCosineSchedule({ startLr: 1e-3, refLr: 1e-3, finalLr: 0, warmupSteps, totalSteps });
  const wd = new CosineWDSchedule({ refWd: 0.01, finalWd: 1e-6, totalSteps });

  it.each([
    [1, 1e-3 * 0.5 * (1 + Math.cos(Math.PI / 2000)), 1e-6 + (0.01 - 1e-6) * 0.5 * (1 + Math.cos(Math.PI / 2000))],
    [500, 1e-3 * 0.5 * (1 + Math.SQRT1_2), 1e-6 + (0.01 - 1e-6) * 0.5 * (1 + Math.SQRT1_2)],
    [1000, 5e-4, 0.0050005],
    [2000, 0, 1e-6],
  ])('s = %d: lr %f, wd %f', (s, expectedLr, expectedWd) => {
    expect(lr.valueAt(s)).toBeCloseTo(expectedLr, 15);
    expect(relativeError(wd.valueAt(s), expectedWd)).toBeLessThan(1e-12);
  });

  it('starts below 1e-3 (s counts from 1) and decreases monotonically to the floor', () => {
    expect(lr.step()).toBeLessThan(1e-3);
    expect(lr.valueAt(1)).toBeGreaterThan(0.99999e-3);
    for (let s = 2; s <= totalSteps; s += 37) {
      expect(lr.valueAt(s)).toBeLessThan(lr.valueAt(s - 1));
      expect(wd.valueAt(s)).toBeLessThan(wd.valueAt(s - 1));
      expect(wd.valueAt(s)).toBeGreaterThanOrEqual(1e-6);
    }
  });
});

describe('clamping and state', () => {
  it('clamps the WD at finalWd from the right side in both directions', () => {
    // Past T the cosine turns back; the clamp keeps the value on the final side only at the extreme.
    const up = new CosineWDSchedule({ refWd: 0.04, finalWd: 0.4, totalSteps: 10 });
    const down = new CosineWDSchedule({ refWd: 0.4, finalWd: 0.04, totalSteps: 10 });
    expect(up.valueAt(10)).toBe(0.4);
    expect(down.valueAt(10)).toBe(0.04);
    for (let s = 0; s <= 10; s++) {
      expect(up.valueAt(s)).toBeLessThanOrEqual(0.4);
      expect(down.valueAt(s)).toBeGreaterThanOrEqual(0.04);
    }
  });

  it('floors the LR at finalLr', () => {
    const lr = new WarmupCosineSchedule({ startLr: 0, refLr: 1, finalLr: 0.25, warmupSteps: 0, totalSteps: 4 });
    expect(lr.valueAt(4)).toBe(0.25);
    expect(lr.valueAt(0)).toBe(1);
  });

  it('saves and restores the counter', () => {
    const options = { startLr: 2e-4, refLr: 1e-3, finalLr: 1e-6, warmupSteps: 2, totalSteps: 10 };
    const a = new WarmupCosineSchedule(options);
    const aw = new CosineWDSchedule({ refWd: 0.04, finalWd: 0.4, totalSteps: 10 });
    for (let i = 0; i < 4; i++) [a.step(), aw.step()];
    const saved = JSON.parse(JSON.stringify({ lr: a.state(), wd: aw.state() }));
    expect(saved).toEqual({ lr: { step: 4 }, wd: { step: 4 } });
    const b = new WarmupCosineSchedule(options);
    const bw = new CosineWDSchedule({ refWd: 0.04, finalWd: 0.4, totalSteps: 10 });
    b.loadState(saved.lr);
    bw.loadState(saved.wd);
    expect(b.step()).toBe(a.step());
    expect(bw.step()).toBe(aw.step());
    expect(() => b.loadState({ step: -1 })).toThrow(/state.step/);
  });

  it.each([
    [{ startLr: 0, refLr: 1, warmupSteps: 1.5, totalSteps: 10 }, /warmupSteps/],
    [{ startLr: 0, refLr: 1, warmupSteps: 11, totalSteps: 10 }, /warmupSteps: expected at most totalSteps/],
    [{ startLr: 0, refLr: 1, warmupSteps: 0, totalSteps: 0 }, /totalSteps/],
    [{ startLr: Number.NaN, refLr: 1, warmupSteps: 0, totalSteps: 10 }, /startLr/],
  ])('rejects LR options %o', (options, message) => {
    expect(() => new WarmupCosineSchedule(options)).toThrow(VjepaError);
    expect(() => new WarmupCosineSchedule(options)).toThrow(message);
  });

  it('rejects WD options', () => {
    expect(() => new CosineWDSchedule({ refWd: 0.04, totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => new CosineWDSchedule({ refWd: Number.POSITIVE_INFINITY, totalSteps: 5 })).toThrow(/refWd/);
  });
});
