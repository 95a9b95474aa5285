// Test helper: a tiny ViT, a linear head on its mean token and a labelled toy source whose batch i depends
// only on i (so a resumed run sees the same data), for the fine-tuning tests.
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, RandomStream, type BatchSource, type ClipBatch } from '@vjepa/core';
import { VisionTransformer } from '@vjepa/vit';
import type { FinetuneHead } from './finetune';

export const TOY = { frames: 4, imageSize: 16, patch: 8, tubelet: 2 };

/** Mean of the tokens, then a linear layer (init seeded). */
export class MeanHead extends Module implements FinetuneHead {
  readonly linear: Linear;
  readonly config: { dim: number; classes: number };
  constructor(dim: number, classes: number, seed = 0) {
    super();
    this.config = { dim, classes };
    this.linear = this.addModule('linear', new Linear(dim, classes));
    this.linear.weight.assign(tf.tensor2d(new RandomStream(seed).uniform(dim * classes, -0.1, 0.1), [classes, dim]));
  }
  apply(features: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => this.linear.apply(tf.mean(features, 1)) as tf.Tensor2D); // [B, C]
  }
}

/** A ViT of width 16, depth 2, on 4 × 16 × 16 clips (8 tokens). */
export function toyEncoder(seed = 0): VisionTransformer {
  return new VisionTransformer({ dim: 16, depth: 2, heads: 2, ...TOY }, { seed, init: 'pretraining' });
}

/** Batch i: noise, plus +0.8 (class 1) or −0.8 (class 0) on channel 0 of the left half of every frame. */
export class ToyLabelledSource implements BatchSource {
  index = 0;
  constructor(private readonly batchSize = 4) {}
  async next(): Promise<ClipBatch> {
    const rng = new RandomStream(500 + this.index++);
    const { frames, imageSize: side } = TOY;
    const labels = Int32Array.from({ length: this.batchSize }, () => rng.nextInt(0, 1));
    const data = rng.uniform(this.batchSize * frames * side * side * 3, -1, 1);
    for (let b = 0; b < this.batchSize; b++) {
      for (let t = 0; t < frames; t++) {
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side / 2; x++) data[(((b * frames + t) * side + y) * side + x) * 3] += labels[b] === 1 ? 0.8 : -0.8;
        }
      }
    }
    return { video: tf.tensor5d(data, [this.batchSize, frames, side, side, 3]), labels: { label: labels } };
  }
  getState() {
    return { index: this.index };
  }
  setState(state: unknown) {
    this.index = (state as { index: number }).index;
  }
}
