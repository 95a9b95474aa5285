import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { generatorLosses, vjepaLoss } from './loss';

describe('the regression loss', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  // Errors |p − t| = 1, 2, 0.5, 0 (one sample, two tokens, two channels).
  const prediction = () => tf.tensor3d([[[1, -2], [0.5, 0]]]);
  const target = () => tf.zeros([1, 2, 2]) as tf.Tensor3D;
  const value = (scalar: tf.Scalar) => scalar.dataSync()[0];

  it('loss_exp 1 (every released config) is the mean absolute error', () => {
    const [loss] = generatorLosses([prediction()], [target()]);
    expect(value(loss)).toBeCloseTo((1 + 2 + 0.5 + 0) / 4, 6);
  });

  it('loss_exp e is mean(|error|^e) / e, as the official code', () => {
    const [squared] = generatorLosses([prediction()], [target()], 2);
    expect(value(squared)).toBeCloseTo((1 + 4 + 0.25 + 0) / 4 / 2, 6);
    const [cubed] = generatorLosses([prediction()], [target()], 3);
    expect(value(cubed)).toBeCloseTo((1 + 8 + 0.125 + 0) / 4 / 3, 6);
  });

  it('generators weigh the same whatever their sizes', () => {
    const small = tf.tensor3d([[[4]]]); // error 4 on one element
    const loss = vjepaLoss([prediction(), small], [target(), tf.zeros([1, 1, 1]) as tf.Tensor3D]);
    expect(value(loss)).toBeCloseTo((0.875 + 4) / 2, 6);
  });

  it('an exponent below 1 or not finite is refused before any work', () => {
    expect(() => generatorLosses([prediction()], [target()], 0.5)).toThrow(/lossExp: expected a finite number ≥ 1, received 0.5/);
    expect(() => generatorLosses([prediction()], [target()], Number.NaN)).toThrow(/lossExp: expected a finite number ≥ 1/);
  });
});
