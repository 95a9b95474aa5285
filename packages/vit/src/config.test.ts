import { describe, expect, it } from 'vitest';
import { resolveVitConfig, vitConfig } from './config';

describe('resolveVitConfig refuses bad configs before any tensor is made', () => {
  it.each([
    [{ imgSize: 64 }, 'config.imgSize: expected one of the keys dim, depth, heads, mlpRatio, patch, tubelet, frames, imageSize, channels, uniformPower, qkvBias, normEps, received an unknown key "imgSize". Did you mean "imageSize"?'],
    [{ crop: 64 }, 'config.crop: expected one of the keys'],
    [{ dim: 100, heads: 3 }, 'config.heads: expected a divisor of dim 100, received 3'],
    [{ frames: 15 }, 'config.frames: expected a multiple of tubelet 2, received 15'],
    [{ imageSize: 72 }, 'config.imageSize: expected a multiple of patch 16, received 72'],
    [{ depth: 0 }, 'config.depth: expected a positive integer, received 0'],
    [{ uniformPower: 'yes' }, 'config.uniformPower: expected true or false, received "yes"'],
  ])('%j', (config, message) => {
    expect(() => resolveVitConfig(config as never)).toThrow(message);
  });

  it('refuses unknown keys in the overrides of a named size', () => {
    expect(() => vitConfig('small', { imagesize: 96 } as never)).toThrow('config.imagesize: expected one of the keys');
    expect(vitConfig('small', { imageSize: 96 })).toMatchObject({ dim: 384, imageSize: 96 });
  });
});
