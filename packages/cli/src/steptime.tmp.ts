import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe } from '@vjepa/trainer';
await selectBackend('wasm');
const [B, T, S] = [Number(process.argv[2] ?? 8), 16, 64];
const depth = Number(process.argv[3] ?? 6), pdim = Number(process.argv[4] ?? 96), pdepth = Number(process.argv[5] ?? 4);
const models = createPretrainingModels({ encoder: { dim: 192, depth, heads: 3, frames: T, imageSize: S }, predictor: { dim: pdim, depth: pdepth } });
const step = createTrainStep(models, officialRecipe(1000));
const masks = new MaskCollator({ grid: { frames: T, crop: S }, seed: 0 });
const rng = new RandomStream(0);
const times: number[] = [];
for (let i = 0; i < 6; i++) {
  const video = tf.tensor5d(rng.uniform(B * T * S * S * 3, -2, 2), [B, T, S, S, 3]);
  const t0 = performance.now();
  const m = step.run(video, masks.sample(B));
  times.push(performance.now() - t0);
  video.dispose();
  if (i === 0) console.log('loss', m.loss);
}
console.log(`B=${B} depth=${depth} pred=${pdim}/${pdepth}: step ms`, times.map((t) => t.toFixed(0)).join(' '));
