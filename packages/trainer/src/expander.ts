/**
 * VICReg's expander (Bardes, Ponce & LeCun 2022, §4.2): an MLP between the per-sample embeddings and the
 * variance/covariance terms, `Linear → BatchNorm → ReLU → Linear → BatchNorm → ReLU → Linear`, trained with
 * the encoder by the same optimiser. It lets the regulariser decorrelate a wider space than the encoder's
 * own; the encoder's features are what the downstream tasks read.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, RandomStream, fail, initLinearTorchDefault } from '@vjepa/core';

/** PyTorch's `nn.BatchNorm1d` default ε. */
const BATCH_NORM_EPS = 1e-5;

/** The expander's widths when none are given: three layers of twice the embedding width (VICReg uses 4× a ResNet-50's 2048). */
export function defaultExpanderWidths(dim: number): number[] {
  return [2 * dim, 2 * dim, 2 * dim];
}

/** Checks expander widths: three positive integers (the outputs of the three Linear layers). */
export function checkExpanderWidths(widths: readonly number[], argument = 'expander'): readonly number[] {
  if (!Array.isArray(widths) || widths.length !== 3 || !widths.every((w) => Number.isInteger(w) && w >= 1)) {
    fail(argument, 'three positive integer widths (the outputs of Linear → BN → ReLU → Linear → BN → ReLU → Linear)', widths);
  }
  return widths;
}

/**
 * `nn.BatchNorm1d` in training mode, the only mode the expander runs in: each feature normalised by the
 * mean and biased variance over the rows of its sample set, then scaled by `weight` (ones) and shifted by
 * `bias` (zeros). The running statistics of PyTorch's module are not kept: the expander feeds only the
 * training loss, never an evaluation.
 */
export class BatchNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(readonly dim: number) {
    super();
    this.weight = this.addState('weight', tf.ones([dim]));
    this.bias = this.addState('bias', tf.zeros([dim]));
  }

  /** `[S, n, F]` → `[S, n, F]`, each of the S sets normalised over its n rows. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const mean = tf.mean(x, 1, true); // [S, 1, F]
      const centred = tf.sub(x, mean); // [S, n, F]
      const variance = tf.mean(tf.square(centred), 1, true); // [S, 1, F]
      const normalised = tf.div(centred, tf.sqrt(tf.add(variance, BATCH_NORM_EPS))); // [S, n, F]
      return tf.add(tf.mul(normalised, this.weight), this.bias) as tf.Tensor3D; // [S, n, F]
    });
  }
}

/**
 * The expander: state keys `0.weight`, `0.bias`, `1.weight`, `1.bias`, `3.*`, `4.*`, `6.*` as VICReg's
 * `nn.Sequential` names them; Linear layers with PyTorch's default init drawn from `rng`.
 *
 * @example
 * const expander = new Expander(192, [384, 384, 384], new RandomStream(0).fork('expander'));
 * const expanded = expander.apply(sets); // [S, n, 192] → [S, n, 384]
 * expander.dispose();
 */
export class Expander extends Module {
  readonly layers: [Linear, BatchNorm, Linear, BatchNorm, Linear];

  constructor(
    readonly inFeatures: number,
    readonly widths: readonly number[],
    rng: RandomStream,
  ) {
    super();
    if (!Number.isInteger(inFeatures) || inFeatures < 1) fail('inFeatures', 'a positive integer', inFeatures);
    const [h1, h2, out] = checkExpanderWidths(widths);
    const first = this.addModule('0', new Linear(inFeatures, h1));
    const norm1 = this.addModule('1', new BatchNorm(h1));
    const second = this.addModule('3', new Linear(h1, h2));
    const norm2 = this.addModule('4', new BatchNorm(h2));
    const last = this.addModule('6', new Linear(h2, out));
    for (const layer of [first, second, last]) initLinearTorchDefault(layer, rng);
    this.layers = [first, norm1, second, norm2, last];
  }

  /** Output width of the expander. */
  get outFeatures(): number {
    return this.widths[2];
  }

  /** `[S, n, D]` → `[S, n, out]`: the S sample sets, each batch-normalised over its own n rows. */
  apply(sets: tf.Tensor3D): tf.Tensor3D {
    if (sets.rank !== 3 || sets.shape[2] !== this.inFeatures) fail('sets', `a [S, n, ${this.inFeatures}] tensor`, sets.shape);
    const [first, norm1, second, norm2, last] = this.layers;
    return tf.tidy(() => {
      const h1 = tf.relu(norm1.apply(first.apply(sets) as tf.Tensor3D)); // [S, n, h1]
      const h2 = tf.relu(norm2.apply(second.apply(h1) as tf.Tensor3D)); // [S, n, h2]
      return last.apply(h2) as tf.Tensor3D; // [S, n, out]
    });
  }
}
