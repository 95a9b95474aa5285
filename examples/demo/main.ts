/**
 * The workspace demo: build a synthetic clip, draw the official two mask generators, embed the clip
 * with a small encoder, run the predictor for each generator, and print shapes and mask ratios.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { MaskCollator, maskStatistics } from '@vjepa/masking';
import { VisionTransformer } from '@vjepa/vit';
import { Predictor } from '@vjepa/predictor';

export async function runDemo(log: (line: string) => void = console.log): Promise<void> {
  const choice = await selectBackend('auto');
  log(`backend: ${choice.backend} (${choice.reason})`);
  const [batch, frames, crop] = [2, 16, 64];
  const rng = new RandomStream(0);
  const video = tf.tensor5d(rng.uniform(batch * frames * crop * crop * 3, -2, 2), [batch, frames, crop, crop, 3]);
  const encoder = new VisionTransformer({ dim: 192, depth: 6, heads: 3, frames, imageSize: crop });
  const predictor = new Predictor({ encoderDim: 192, dim: 96, depth: 2, heads: 3, frames, imageSize: crop });
  const collator = new MaskCollator({ grid: { frames, crop }, seed: 0 });
  log(`clip [B, T, H, W, C] = [${video.shape}], tokens per clip ${encoder.grid.depth}×${encoder.grid.height}×${encoder.grid.width}`);
  const full = encoder.apply(video);
  log(`encoder on the whole clip: [${full.shape}]`);
  collator.sample(batch).forEach((masks, i) => {
    const stats = maskStatistics(masks);
    const context = encoder.apply(video, masks.context);
    const predicted = predictor.apply(context, masks.context, masks.target, i);
    log(
      `generator ${i}: masked ${(100 * stats.maskedFraction).toFixed(1)} % per sample, context [${context.shape}], ` +
        `prediction [${predicted.shape}] (effective context ${(100 * stats.effectiveContextFraction).toFixed(1)} %)`,
    );
    tf.dispose([context, predicted]);
  });
  tf.dispose([video, full]);
  encoder.dispose();
  predictor.dispose();
}

await runDemo();
