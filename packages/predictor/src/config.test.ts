import { describe, expect, it } from 'vitest';
import { resolvePredictorConfig } from './config';

describe('resolvePredictorConfig refuses bad configs before any tensor is made', () => {
  it.each([
    [{ encoderDim: 192, numMaskToken: 2 }, 'config.numMaskToken: expected one of the keys encoderDim, outputDim, dim, depth, heads, mlpRatio, numMaskTokens, zeroInitMaskTokens, uniformPower, qkvBias, normEps, frames, imageSize, patch, tubelet, received an unknown key "numMaskToken". Did you mean "numMaskTokens"?'],
    [{ encoderDim: 192, dim: 100, heads: 3 }, 'config.heads: expected a divisor of dim 100, received 3'],
    [{ encoderDim: 0 }, 'config.encoderDim: expected a positive integer, received 0'],
    [{ encoderDim: 192, zeroInitMaskTokens: 1 }, 'config.zeroInitMaskTokens: expected true or false, received 1'],
  ])('%j', (config, message) => {
    expect(() => resolvePredictorConfig(config as never)).toThrow(message);
  });
});
