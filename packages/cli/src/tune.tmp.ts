import * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsSync, selectBackend } from '@vjepa/core';
import { AttentiveProbe, LinearProbe, evaluateProbe, trainProbe } from '@vjepa/probe';
const [name, ...settings] = process.argv.slice(2);
await selectBackend('wasm');
const load = (split: string) => {
  const t = readSafetensorsSync(`/work/runs/feat-${name}-${split}.safetensors`).tensors;
  const f = t.get('features')!;
  return { x: tf.tensor3d(f.data as Float32Array, f.shape as [number, number, number]), shape: t.get('shape')!.data as Int32Array, direction: t.get('direction')!.data as Int32Array };
};
const train = load('train'); const val = load('val');
for (const setting of settings) {
  const [kind, lr, epochs, batch] = setting.split(':');
  for (const task of ['shape', 'direction'] as const) {
    const classes = task === 'shape' ? 4 : 8;
    const probe = kind === 'lin' ? new LinearProbe({ dim: 192, classes, seed: 0 }) : new AttentiveProbe({ dim: 192, heads: 3, classes, seed: 0 });
    const t0 = performance.now();
    const r = trainProbe({ probe, features: train.x, labels: train[task], epochs: Number(epochs), batchSize: Number(batch), lr: Number(lr), seed: 0 });
    const e = evaluateProbe(probe, val.x, val[task]);
    const tr = evaluateProbe(probe, train.x, train[task]);
    console.log(`${name} ${setting} ${task}: val ${(100 * e.top1).toFixed(1)} train ${(100 * tr.top1).toFixed(1)} loss ${r.losses[0].toFixed(3)}→${r.losses.at(-1)!.toFixed(3)} ${((performance.now() - t0) / 1000).toFixed(0)}s`);
    probe.dispose();
  }
}
