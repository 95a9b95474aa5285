import { RandomStream, selectBackend } from '@vjepa/core';
import { movingSquares, trainCustom } from './custom-trainer';

const choice = await selectBackend('auto');
console.log(`backend ${choice.backend}`);
const rng = new RandomStream(0);
const losses = await trainCustom(
  { encoder: { dim: 96, depth: 4, heads: 3, frames: 8, imageSize: 32, patch: 8 }, predictorDim: 48, predictorDepth: 2, lr: 5e-4, steps: 60, seed: 0 },
  () => movingSquares(4, 8, 32, rng),
);
losses.forEach((loss, step) => {
  if (step % 10 === 0 || step === losses.length - 1) console.log(`step ${step + 1}: smooth-L1 ${loss.toFixed(4)}`);
});
