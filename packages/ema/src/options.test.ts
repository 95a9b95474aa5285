import { describe, expect, it } from 'vitest';
import { MomentumSchedule, momentumTotalSteps } from './momentum';

describe('momentum schedule options', () => {
  it('refuses unknown keys, suggesting the meant one', () => {
    expect(() => new MomentumSchedule({ start: 0.998, end: 1, totalSteps: 10, step: 3 } as never)).toThrow(
      'options.step: expected one of the keys start, end, totalSteps, received an unknown key "step". Did you mean "totalSteps"?',
    );
    expect(() => momentumTotalSteps({ ipe: 300, epochs: 300, ipe_scale: 1.25 } as never)).toThrow(
      'options.ipe_scale: expected one of the keys ipe, epochs, ipeScale, received an unknown key "ipe_scale". Did you mean "ipeScale"?',
    );
    expect(momentumTotalSteps({ ipe: 300, epochs: 300, ipeScale: 1.25 })).toBe(112_500);
  });
});
