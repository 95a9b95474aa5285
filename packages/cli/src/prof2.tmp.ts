import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe } from '@vjepa/trainer';
await selectBackend('wasm');
const [B, T, S] = [8, 16, 64];
const models = createPretrainingModels({ encoder: { dim: 192, depth: 6, heads: 3, frames: T, imageSize: S }, predictor: { dim: 96, depth: 4 } });
const step = createTrainStep(models, officialRecipe(1000));
const masks = new MaskCollator({ grid: { frames: T, crop: S }, seed: 0 });
const rng = new RandomStream(0);
const video = tf.tensor5d(rng.uniform(B * T * S * S * 3, -2, 2), [B, T, S, S, 3]);
step.run(video, masks.sample(B)); step.run(video, masks.sample(B));
let t0 = performance.now(); step.run(video, masks.sample(B)); console.log('plain step ms', (performance.now() - t0).toFixed(0));
const prof = await tf.profile(() => { step.run(video, masks.sample(B)); });
const by = new Map<string, [number, number]>();
for (const k of prof.kernels) { const e = by.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs as number; e[1]++; by.set(k.name, e); }
const total = [...by.values()].reduce((a, b) => a + b[0], 0);
console.log('total kernel ms', total.toFixed(0), 'kernels', prof.kernels.length);
for (const [n, [t, c]] of [...by].sort((a, b) => b[1][0] - a[1][0]).slice(0, 18)) console.log(n.padEnd(20), t.toFixed(1), c);
