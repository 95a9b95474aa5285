import * as tf from '@tensorflow/tfjs-core';
import {
  initLinearTorchDefault,
  Linear,
  Module,
  RandomStream,
  fail,
  stripKeyPrefixes,
  type LoadOptions,
  type LoadReport,
  type StateDictInput,
  checkKeys, optionKeys,
} from '@vjepa/core';
import type { Probe } from './probe';
import { checkFeatureViews } from './checks';

/** Configuration of {@link LinearProbe}. */
export interface LinearProbeConfig {
  /** Feature width D (the encoder's). */
  dim: number;
  /** Number of classes. */
  classes: number;
  /** Seed of the weight init (default 0). */
  seed?: number;
}

/**
 * The simple baseline: the mean of the tokens, then `linear = Linear(D, classes)` with PyTorch's
 * default init (weight and bias ~ U(±1/√D)). Not part of the official code; keys `linear.weight`,
 * `linear.bias`, and a `module.` prefix is removed on load.
 *
 * @example
 * const probe = new LinearProbe({ dim: 192, classes: 10 });
 * const logits = probe.apply(features); // [B, 10] from frozen features [B, N, 192]
 */
export class LinearProbe extends Module implements Probe {
  readonly linear: Linear;
  readonly config: Required<LinearProbeConfig>;

  constructor(config: LinearProbeConfig) {
    super();
    checkKeys('config', config, optionKeys<LinearProbeConfig>({ dim: true, classes: true, seed: true }));
    const c = { seed: 0, ...config };
    for (const key of ['dim', 'classes'] as const) {
      if (!Number.isInteger(c[key]) || c[key] < 1) fail(`config.${key}`, 'a positive integer', c[key]);
    }
    this.config = c;
    this.linear = this.addModule('linear', new Linear(c.dim, c.classes));
    const rng = new RandomStream(c.seed);
    initLinearTorchDefault(this.linear, rng);
  }

  /** Frozen features `[B, N, D]` → logits `[B, classes]`. */
  apply(features: tf.Tensor3D): tf.Tensor2D {
    checkFeatureViews('features', features, this.config.dim);
    return tf.tidy(() => {
      const pooled = tf.mean(features, 1); // [B, D]
      return this.linear.apply(pooled) as tf.Tensor2D; // [B, classes]
    });
  }

  /** Loads weights by key; a `module.` prefix is removed first. */
  override loadStateDict(input: StateDictInput, options: LoadOptions = {}): LoadReport {
    return super.loadStateDict(stripKeyPrefixes(input, ['module.']), options);
  }
}
