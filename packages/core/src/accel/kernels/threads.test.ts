import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { Block } from '../../nn/block';
import { RandomStream } from '../../random';
import { describeNative, random, relativeDiff } from './native-vs-reference.test-util';
import { loadedNativeKernels } from '../native';

// A transformer block's output and every gradient (input and parameters) on the native kernels with 1,
// 2 and 3 threads in their pool. The pool cuts work by shapes alone, so 2 and 3 threads agree bit for
// bit; with one thread a product is one BLAS call instead of blocks of rows, which OpenBLAS rounds a
// little differently (the built-in GEMM does not), so 1 and 2 threads agree to float32 error. The sizes
// are awkward and past the split thresholds: 5 clips of 67 tokens (335 rows), width 96 in 3 heads of 32.

/** The block's output and the gradients of Σ out·r, with the pool at `threads`. */
function run(block: Block, x: tf.Tensor3D, r: tf.Tensor, threads: number): tf.Tensor[] {
  expect(loadedNativeKernels().setThreads(threads)).toBe(threads);
  return tf.tidy(() => {
    const params = [...block.parameters().values()];
    const out = block.apply(x); // [B, N, D]
    const f = (input: tf.Tensor, ...weights: tf.Tensor[]) => {
      void weights;
      return tf.sum(tf.mul(block.apply(input as tf.Tensor3D), r));
    };
    const grads = tf.grads(f)([x, ...params]);
    return [out, ...grads];
  });
}

describeNative('the native kernels on 1, 2 and 3 threads: a block forward and backward', () => {
  afterAll(() => loadedNativeKernels().setThreads(1));

  it('2 and 3 threads give the same bits; 1 thread agrees to float32 error (bit for bit on the built-in GEMM)', () => {
    const block = new Block(96, 3);
    const rng = new RandomStream(7);
    for (const variable of block.parameters().values()) variable.assign(tf.tensor(rng.uniform(variable.size, -0.2, 0.2), variable.shape));
    const x = random([5, 67, 96], 8) as tf.Tensor3D; // [B, N, D]
    const r = random([5, 67, 96], 9); // [B, N, D]
    const [one, two, three] = [1, 2, 3].map((threads) => run(block, x, r, threads));
    const builtIn = loadedNativeKernels().blasCore().startsWith('built-in');
    one.forEach((expected, i) => {
      expect(Array.from(three[i].dataSync()), `output ${i}, 3 vs 2 threads`).toEqual(Array.from(two[i].dataSync()));
      if (builtIn) expect(Array.from(two[i].dataSync()), `output ${i}, 2 vs 1 thread`).toEqual(Array.from(expected.dataSync()));
      else expect(relativeDiff(two[i], expected), `output ${i}, 2 vs 1 thread`).toBeLessThan(1e-5);
    });
    tf.dispose([...one, ...two, ...three, x, r]);
    block.dispose();
  });
});
