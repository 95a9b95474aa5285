import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend, writeSafetensors } from '@vjepa/core';
import { ClipLoader, evalTransform, openClipSource } from '@vjepa/data';
import { VisionTransformer, vitConfig } from '@vjepa/vit';
import { loadCheckpoint } from '@vjepa/trainer';
const [name, ckpt, which] = process.argv.slice(2);
await selectBackend('wasm');
const enc = new VisionTransformer(vitConfig('tiny', { depth: 6, frames: 16, imageSize: 64 }), { rng: new RandomStream(0), init: 'pretraining' });
if (ckpt !== 'random') loadCheckpoint(ckpt, { [which]: enc });
for (const [split, seed, size] of [['train', 1000, 1024], ['val', 2000, 512]] as const) {
  const source = await openClipSource('synthetic', { synthetic: { seed, numFrames: 16, size } });
  const loader = new ClipLoader(source, { batchSize: 16, transform: evalTransform({ cropSize: 64 }), seed: 0, shuffle: false, dropLast: false });
  const chunks: Float32Array[] = []; const shape: number[] = []; const dir: number[] = [];
  for await (const b of loader.iterateEpoch()) {
    const f = tf.tidy(() => enc.apply(tf.tensor5d(b.data, b.shape)));
    chunks.push(f.dataSync() as Float32Array); f.dispose();
    shape.push(...b.labels.shape); dir.push(...b.labels.direction);
  }
  const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0)); chunks.reduce((o, c) => (all.set(c, o), o + c.length), 0);
  await writeSafetensors(`/work/runs/feat-${name}-${split}.safetensors`, { features: { dtype: 'F32', shape: [shape.length, 128, 192], data: all }, shape: { dtype: 'I32', shape: [shape.length], data: Int32Array.from(shape) }, direction: { dtype: 'I32', shape: [dir.length], data: Int32Array.from(dir) } });
  console.log(name, split, shape.length);
}
