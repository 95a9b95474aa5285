import type { MaskGeneratorConfig } from '@vjepa/masking';
import type { RunConfig } from './run-config';

/**
 * Future prediction: the context is the first half of the clip, the target ≈ 90 % of the second half
 * (`--masks future`). What is left to predict is where things go, so the context has to carry motion.
 */
const FUTURE: MaskGeneratorConfig[] = [{ type: 'future' }];

/**
 * Named starting points for `vjepa train --preset NAME`; flags and a config file still override them.
 * `official` is the released recipe (the default, and the one for full-size runs). `small` is the best
 * recipe measured for small models on short CPU budgets (the official optimisation with future-prediction
 * masks), chosen on the motion benchmark `synthetic:motion-noise` from the attempts listed in
 * examples/evidence. It does **not** beat the untrained encoder there: see the README's evidence table.
 * (`small` used to be the time-gap masks, kept as the evidence variant `time-gaps`.)
 */
export const TRAIN_PRESETS: Record<string, Partial<RunConfig>> = {
  official: {},
  small: { preset: 'small', mask: FUTURE },
};
