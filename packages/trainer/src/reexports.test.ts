import { describe, expect, it } from 'vitest';
import * as optim from '@vjepa/optim';
import * as trainer from './index';

describe('@vjepa/trainer re-exports @vjepa/optim', () => {
  it.each(['AdamW', 'CosineWDSchedule', 'WarmupCosineSchedule', 'clipGradNorm', 'gradientsByKey', 'groupParameters', 'paramGroups', 'scheduleSteps', 'takesWeightDecay'] as const)(
    '%s is the same value as in @vjepa/optim',
    (name) => {
      expect(trainer[name]).toBeDefined();
      expect(trainer[name]).toBe(optim[name]);
    },
  );

  it('re-exports every runtime export of @vjepa/optim', () => {
    const missing = Object.keys(optim).filter((name) => !(name in trainer));
    expect(missing).toEqual([]);
  });
});
