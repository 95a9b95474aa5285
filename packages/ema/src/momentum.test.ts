import { describe, expect, it } from 'vitest';
import { VjepaError } from '@vjepa/core';
import { MomentumSchedule, momentumSchedule, momentumTotalSteps } from './momentum';

const released = { start: 0.998, end: 1, totalSteps: momentumTotalSteps({ ipe: 300, epochs: 300, ipeScale: 1.25 }) };

describe('momentumTotalSteps', () => {
  it.each([
    [{ ipe: 300, epochs: 300, ipeScale: 1.25 }, 112_500],
    [{ ipe: 300, epochs: 300 }, 90_000],
    [{ ipe: 10, epochs: 3, ipeScale: 1.25 }, 37], // int(37.5)
  ])('%o → %d', (options, expected) => {
    expect(momentumTotalSteps(options)).toBe(expected);
  });

  it('rejects non-positive sizes', () => {
    expect(() => momentumTotalSteps({ ipe: 0, epochs: 300 })).toThrow(VjepaError);
  });
});

describe('momentumSchedule (spec §7, §17.3 column "EMA m")', () => {
  // s is the 1-based training step; update s uses m_{s−1}.
  it.each([
    [1, 0.998],
    [2, 0.9980000178],
    [6000, 0.9981066489],
    [11999, 0.9982132978],
    [12000, 0.9982133156],
    [50000, 0.9988888711],
    [90000, 0.9995999822],
  ])('step %d uses m ≈ %f', (s, expected) => {
    const schedule = momentumSchedule(released);
    expect(schedule.valueAt(s - 1)).toBeCloseTo(expected, 10);
    expect(Math.abs(schedule.valueAt(s - 1) - expected) / expected).toBeLessThan(1e-9);
  });

  it('hands out m_0, m_1, … through step() and matches the float64 formula exactly', () => {
    const schedule = momentumSchedule(released);
    expect(schedule.step()).toBe(0.998);
    expect(schedule.step()).toBe(0.998 + (1 * (1 - 0.998)) / 112_500);
    expect(schedule.stepCount).toBe(2);
    expect(schedule.peek()).toBe(0.998 + (2 * 0.0020000000000000018) / 112_500);
    expect(schedule.stepCount).toBe(2);
  });

  it('reproduces the fixture schedule ema [0.9, 1.0] over T = 10', () => {
    const schedule = momentumSchedule({ start: 0.9, end: 1, totalSteps: 10 });
    expect([schedule.step(), schedule.step(), schedule.step()]).toEqual([0.9, 0.9 + 0.09999999999999998 / 10, 0.9 + (2 * 0.09999999999999998) / 10]);
  });

  it('yields floor(T) + 1 values as an iterable, ending at m₁, then throws', () => {
    const schedule = new MomentumSchedule({ start: 0.5, end: 1, totalSteps: 4 });
    expect(schedule.length).toBe(5);
    expect([...schedule]).toEqual([0.5, 0.625, 0.75, 0.875, 1]);
    expect(() => schedule.step()).toThrow(/at most 5 updates/);
  });

  it('saves and restores its position for resuming', () => {
    const a = momentumSchedule(released);
    for (let i = 0; i < 7; i++) a.step();
    const saved = JSON.parse(JSON.stringify(a.state()));
    expect(saved).toEqual({ step: 7 });
    const b = momentumSchedule(released);
    b.loadState(saved);
    expect(b.step()).toBe(a.step());
    expect(b.stepCount).toBe(8);
  });

  it.each([
    [{ step: -1 }],
    [{ step: 1.5 }],
    [{ step: 10 }],
  ])('rejects state %o', (state) => {
    expect(() => momentumSchedule({ start: 0.5, end: 1, totalSteps: 4 }).loadState(state)).toThrow(/state.step/);
  });

  it.each([
    [{ start: Number.NaN, end: 1, totalSteps: 10 }, /start/],
    [{ start: 0.9, end: 1, totalSteps: 0 }, /totalSteps/],
  ])('rejects options %o', (options, message) => {
    expect(() => momentumSchedule(options)).toThrow(message);
  });
});
