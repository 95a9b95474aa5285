import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { CosineWDSchedule, WarmupCosineSchedule } from './schedules';

describe('optim options refuse unknown keys', () => {
  it.each([
    [() => new AdamW([], { learningRate: 1e-3 } as never), 'options.learningRate: expected one of the keys lr, weightDecay, beta1, beta2, eps, received an unknown key "learningRate"'],
    [() => new AdamW([], { betas: [0.9, 0.999] } as never), 'options.betas: expected one of the keys lr, weightDecay, beta1, beta2, eps, received an unknown key "betas". Did you mean "beta1"?'],
    [() => new WarmupCosineSchedule({ startLr: 0, refLr: 1, warmupSteps: 1, totalSteps: 2, finalLR: 0 } as never), 'options.finalLR: expected one of the keys startLr, refLr, finalLr, warmupSteps, totalSteps, received an unknown key "finalLR". Did you mean "finalLr"?'],
    [() => new CosineWDSchedule({ refWd: 0.04, finalWd: 0.4, totalSteps: 10, steps: 10 } as never), 'options.steps: expected one of the keys refWd, finalWd, totalSteps, received an unknown key "steps". Did you mean "totalSteps"?'],
  ])('%#', (call, message) => {
    expect(call).toThrow(message);
  });
});
