import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int64ToInt32, maxAbsError, readSafetensorsSync, selectBackend, selectGroup, StateDictError, type IndexBatch, type SafeTensor } from '@vjepa/core';
import { PredictorV2 } from './predictor-v2';
import { resolvePredictorV2Config } from './config-v2';

// The official V-JEPA 2 fixture (fixtures/vjepa2/README.md): encoder dim 24, predictor 20 wide, 2 deep, 1 head.
const fixture = readSafetensorsSync(new URL('../../../fixtures/vjepa2/tiny.safetensors', import.meta.url)).tensors;
const tinyConfig = { encoderDim: 24, dim: 20, depth: 2, heads: 1, frames: 8, imageSize: 16, patch: 4, tubelet: 2 };

const mask = (name: string): IndexBatch => {
  const t = fixture.get(name)!;
  return { data: int64ToInt32(t.data as BigInt64Array), shape: t.shape as [number, number] };
};
const tensor = (t: SafeTensor) => tf.tensor(t.data as Float32Array, t.shape);


describe.each(['cpu', 'wasm'] as const)('PredictorV2 equals the official V-JEPA 2 predictor on %s', (backend) => {
  let predictor: PredictorV2;
  beforeAll(async () => {
    await selectBackend(backend);
    predictor = new PredictorV2(tinyConfig);
    predictor.loadStateDict(selectGroup(fixture, 'predictor'));
  });
  afterAll(() => predictor.dispose());

  it('out/context0 with mask token 0 → out/pred0, and the gradients of the L1 loss → grad/predictor/*', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const context = tensor(fixture.get('out/context0')!) as tf.Tensor3D;
      const target = tensor(fixture.get('out/target0')!);
      const params = [...predictor.parameters()];
      const { value, grads } = tf.variableGrads(() => {
        const predicted = predictor.apply(context, mask('masks/enc0'), mask('masks/pred0'), 0);
        expect(maxAbsError(predicted, fixture.get('out/pred0')!)).toBeLessThan(1e-4);
        return tf.mean(tf.abs(tf.sub(predicted, target))) as tf.Scalar;
      }, params.map(([, v]) => v));
      expect(Math.abs(value.dataSync()[0] - Number(fixture.get('out/loss')!.data[0]))).toBeLessThan(1e-5);
      const expected = selectGroup(fixture, 'grad/predictor');
      // Only mask token 0 receives a gradient; every other parameter has one in the file.
      const withGrad = params.filter(([key]) => !/^mask_tokens\.[1-9]$/.test(key));
      expect(withGrad.map(([key]) => key).sort()).toEqual([...expected.keys()].sort());
      for (const [key, variable] of withGrad) expect(maxAbsError(grads[variable.name], expected.get(key)!), key).toBeLessThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the mask index is taken modulo the 10 tokens; the direct-call default is token 1', () => {
    tf.tidy(() => {
      const context = tensor(fixture.get('out/context0')!) as tf.Tensor3D;
      const zero = predictor.apply(context, mask('masks/enc0'), mask('masks/pred0'), 10);
      expect(maxAbsError(zero, fixture.get('out/pred0')!)).toBeLessThan(1e-4);
      const one = predictor.apply(context, mask('masks/enc0'), mask('masks/pred0'));
      const eleven = predictor.apply(context, mask('masks/enc0'), mask('masks/pred0'), 11);
      expect(tf.max(tf.abs(tf.sub(one, eleven))).dataSync()[0]).toBe(0);
      expect(maxAbsError(one, fixture.get('out/pred0')!)).toBeGreaterThan(1e-3);
    });
  });
});

describe('PredictorV2 configs and weights', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('defaults are the released predictor: 384 wide, 12 blocks, 12 heads, 10 mask tokens', () => {
    expect(resolvePredictorV2Config({ encoderDim: 1024 })).toMatchObject({
      dim: 384, depth: 12, heads: 12, numMaskTokens: 10, imageSize: 256, outputDim: 1024, ropeLayout: 'vjepa2',
    });
    expect(() => resolvePredictorV2Config({ encoderDim: 24, uniformPower: true } as never)).toThrow('config.uniformPower: expected one of the keys');
    expect(() => resolvePredictorV2Config({ encoderDim: 24, dim: 20, heads: 2 })).toThrow('config.heads: expected a head count leaving at least 12 channels per head');
  });

  it('refuses ids outside the configured clip and mismatched context ids before any work', () => {
    const predictor = new PredictorV2(tinyConfig);
    const context = tf.zeros([1, 2, 24]) as tf.Tensor3D;
    expect(() => predictor.apply(context, { data: Int32Array.from([0, 1]), shape: [1, 2] }, { data: Int32Array.from([64]), shape: [1, 1] })).toThrow(
      'indices: expected token ids in [0, 64), received 64',
    );
    expect(() => predictor.apply(context, { data: Int32Array.from([0]), shape: [1, 1] }, { data: Int32Array.from([3]), shape: [1, 1] })).toThrow(
      'contextIndices: expected [1, 2] ids, one per context token',
    );
    context.dispose();
    predictor.dispose();
  });

  it('loads the official keys (prefixes stripped, predictor_pos_embed ignored); missing and unexpected keys are errors', () => {
    const predictor = new PredictorV2(tinyConfig);
    const weights = new Map([...selectGroup(fixture, 'predictor')].map(([k, v]) => [`module.backbone.${k}`, v]));
    weights.set('predictor_pos_embed', { shape: [1, 64, 20], data: new Float32Array(64 * 20), dtype: 'F32' } as never);
    expect(predictor.loadStateDict(weights).loaded.length).toBe(2 + 10 + 12 * 2 + 2 + 2);
    const missing = selectGroup(fixture, 'predictor');
    missing.delete('mask_tokens.9');
    expect(() => predictor.loadStateDict(missing)).toThrow(StateDictError);
    expect(() => predictor.loadStateDict(missing)).toThrow(/missing keys: mask_tokens\.9/);
    predictor.dispose();
  });
});
