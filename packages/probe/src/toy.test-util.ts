import * as tf from '@tensorflow/tfjs-core';
import { RandomStream } from '@vjepa/core';

/** A linearly separable toy task: the class c of a clip is the feature direction e_c (scaled) on every token, plus noise. */
export function toyTask(options: { count: number; tokens: number; dim: number; classes: number; seed: number; signal?: number; noise?: number }): {
  features: tf.Tensor3D;
  labels: Int32Array;
} {
  const { count, tokens, dim, classes, seed, signal = 2, noise = 0.5 } = options;
  const rng = new RandomStream(seed);
  const labels = Int32Array.from({ length: count }, (_, i) => i % classes);
  const data = new Float32Array(count * tokens * dim);
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < tokens; t++) {
      for (let d = 0; d < dim; d++) {
        const offset = (i * tokens + t) * dim + d;
        data[offset] = (d === labels[i] ? signal : 0) + rng.normal(0, noise);
      }
    }
  }
  return { features: tf.tensor3d(data, [count, tokens, dim]), labels };
}
