import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int64ToInt32, readSafetensorsSync, selectBackend, selectGroup, type IndexBatch } from '@vjepa/core';
import { Predictor } from './predictor';

const fixture = readSafetensorsSync(new URL('../../../fixtures/reference/tiny.safetensors', import.meta.url)).tensors;
const geometry = { frames: 8, imageSize: 24, patch: 8, tubelet: 2 };

function mask(name: string): IndexBatch {
  const t = fixture.get(name)!;
  return { data: int64ToInt32(t.data as BigInt64Array), shape: t.shape as [number, number] };
}

describe('Predictor', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each([
    ['tiny', 192, 3, 21_443_136],
    ['large', 1024, 16, 22_082_944],
    ['huge', 1280, 16, 22_279_808],
  ] as const)('parameter count with a ViT-%s encoder equals spec §17.4', (_name, encoderDim, heads, count) => {
    const predictor = new Predictor({ encoderDim, heads });
    expect(predictor.parameterCount()).toBe(count);
    predictor.dispose();
  });

  it('equals the official predictor on the reference fixture, with mask token i for generator i', () => {
    const predictor = new Predictor({ encoderDim: 48, dim: 32, depth: 2, heads: 4, ...geometry });
    predictor.loadStateDict(selectGroup(fixture, 'predictor'));
    for (const i of [0, 1]) {
      const context = fixture.get(`out/context${i}`)!;
      const out = predictor.apply(tf.tensor3d(context.data as Float32Array, context.shape as [number, number, number]), mask(`masks/enc${i}`), mask(`masks/pred${i}`), i);
      const expected = fixture.get(`out/pred${i}`)!;
      expect(out.shape).toEqual(expected.shape);
      const got = out.dataSync();
      let worst = 0;
      for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k] - Number(expected.data[k])));
      expect(worst).toBeLessThan(1e-4);
      out.dispose();
    }
    predictor.dispose();
  });

  it('mask tokens start at zero; official keys; errors name the argument', () => {
    const predictor = new Predictor({ encoderDim: 16, dim: 8, depth: 1, heads: 2, ...geometry });
    expect(Array.from(predictor.maskTokens.items[1].dataSync()).every((v) => v === 0)).toBe(true);
    expect([...predictor.stateDict().keys()].slice(0, 5)).toEqual(['predictor_pos_embed', 'predictor_embed.weight', 'predictor_embed.bias', 'mask_tokens.0', 'mask_tokens.1']);
    const context = tf.zeros([1, 2, 12]) as tf.Tensor3D;
    const indices = { data: Int32Array.from([0, 1]), shape: [1, 2] as [number, number] };
    expect(() => predictor.apply(context, indices, indices)).toThrow('context: expected a [B, K, 16] tensor of encoder features, received [1, 2, 12]');
    expect(() => new Predictor({ encoderDim: 16, dim: 10, heads: 3 })).toThrow('config.heads: expected a divisor of dim 10, received 3');
    context.dispose();
    predictor.dispose();
  });
});
