import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ADAMW, adamwUpdate, type AdamWUpdate } from './adamw';
import { random } from './native-vs-reference.test-util';
import { describeWebGpu, expectAgreeOnGpu } from './webgpu-vs-reference.test-util';

const u = (step: number, weightDecay: number): AdamWUpdate => ({ lr: 6.25e-4, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, step });

describeWebGpu('adamwUpdate: the WGSL kernel equals adamwUpdateReference', () => {
  for (const [step, decay] of [[1, 0.04], [7, 0], [300, 0.4]] as const) {
    it(`step ${step}, weight decay ${decay}: parameter and both moments, on an odd size`, async () => {
      const [p, m, v, g] = [random([5, 13], 30 + step), random([5, 13], 31 + step, 0.01), tf.abs(random([5, 13], 32 + step, 1e-4)), random([5, 13], 33 + step)];
      for (const k of [0, 1, 2]) await expectAgreeOnGpu((pp, mm, vv, gg) => adamwUpdate(pp, mm, vv, gg, u(step, decay))[k], [p, m, v, g], 2e-7, ADAMW, false);
      tf.dispose([p, m, v, g]);
      expect(tf.getBackend()).toBe('webgpu');
    });
  }
});
