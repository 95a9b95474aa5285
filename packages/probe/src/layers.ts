import * as tf from '@tensorflow/tfjs-core';
import { fail, type VideoBatch } from '@vjepa/core';
import type { FeatureEncoder } from './features';

/** Which encoder output a probe reads: a block number 1…depth (the residual stream after it) or `final` (after the final norm). */
export type EncoderLayer = number | 'final';

/**
 * What {@link layerFeatures} needs of an encoder: the tubelet embedding, the blocks and the final norm
 * (`VisionTransformer` of `@vjepa/vit` is one).
 */
export interface LayeredEncoder extends FeatureEncoder {
  /** Clips `[B, T, H, W, C]` → embedded tokens with positions `[B, N, D]`. */
  embed(video: VideoBatch): tf.Tensor3D;
  readonly blocks: readonly { apply(x: tf.Tensor3D): tf.Tensor3D }[];
  readonly norm: { apply(x: tf.Tensor): tf.Tensor };
}

/**
 * A {@link FeatureEncoder} that reads the encoder outputs named by `layers`, concatenated on the
 * channels: `[B, N, D · layers]`, in one pass through the blocks whatever their number. `['final']`
 * (the default) is the encoder's own `apply`. The layers are checked here, before any work: block numbers
 * 1…depth and/or `final`, each once.
 *
 * @example
 * const features = layerFeatures(encoder, [2, 4, 'final']); // features.apply(video): [B, N, 3·D]
 */
export function layerFeatures(encoder: LayeredEncoder, layers: readonly EncoderLayer[] = ['final']): FeatureEncoder {
  // A V-JEPA 2 encoder's blocks need its rotations: running them here without would be silently wrong.
  if (typeof (encoder as { ropeFor?: unknown }).ropeFor === 'function') {
    fail('encoder', 'a V-JEPA 1 encoder (blocks without RoPE)', 'a V-JEPA 2 encoder', 'Use its applyLayers (the official out_layers) or clipAggregationFeatures');
  }
  const depth = encoder.blocks.length;
  const expected = `block numbers 1…${depth} and/or 'final'`;
  if (!Array.isArray(layers) || layers.length === 0) fail('layers', expected, layers);
  for (const layer of layers) {
    if (layer !== 'final' && !(Number.isInteger(layer) && layer >= 1 && layer <= depth)) fail('layers', expected, layer);
  }
  if (new Set(layers).size !== layers.length) fail('layers', 'each layer once', layers);
  if (layers.length === 1 && layers[0] === 'final') return encoder;
  const deepest = Math.max(...layers.map((layer) => (layer === 'final' ? depth : layer)));
  return {
    apply: (video) =>
      tf.tidy(() => {
        const outputs = new Map<EncoderLayer, tf.Tensor3D>();
        let x = encoder.embed(video); // [B, N, D]
        for (let k = 0; k < deepest; k++) {
          x = encoder.blocks[k].apply(x); // [B, N, D]
          outputs.set(k + 1, x);
        }
        if (layers.includes('final')) outputs.set('final', encoder.norm.apply(x) as tf.Tensor3D); // [B, N, D]
        const picked = layers.map((layer) => outputs.get(layer)!);
        return picked.length === 1 ? picked[0] : (tf.concat(picked, 2) as tf.Tensor3D); // [B, N, D·L]
      }),
  };
}
