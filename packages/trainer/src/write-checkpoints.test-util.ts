// Test helper run as a child process: writes checkpoints of a module whose every value equals the step,
// forever, until the parent kills it. Prints each committed step.
import * as tf from '@tensorflow/tfjs-core';
import { Linear, selectBackend } from '@vjepa/core';
import { saveCheckpoint } from './checkpoint';

const root = process.argv[2];
await selectBackend('cpu');
const layer = new Linear(512, 512); // ~1 MB per file, so a write takes a while
for (let step = 1; ; step++) {
  tf.tidy(() => {
    layer.weight.assign(tf.fill(layer.weight.shape, step));
    layer.bias!.assign(tf.fill(layer.bias!.shape, step));
  });
  saveCheckpoint(root, { encoder: layer, predictor: layer }, { step }, undefined, { keep: 2 });
  process.stdout.write(`${step}\n`);
}
