import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@vjepa/core';

/** The sizes every probe is built for. */
export interface ProbeShape {
  /** Feature width D (the encoder's). */
  readonly dim: number;
  /** Number of classes C. */
  readonly classes: number;
}

/**
 * What every probe is: a {@link Module} (so optimizers and state dicts work on it) that maps frozen
 * features `[B, N, D]` to logits `[B, C]`. {@link AttentiveProbe} and {@link LinearProbe} implement it;
 * {@link trainProbe} and {@link evaluateProbe} accept any implementation.
 */
export interface Probe extends Module {
  /** Feature width and class count. */
  readonly config: ProbeShape;
  /** Frozen features `[B, N, D]` → logits `[B, C]`. */
  apply(features: tf.Tensor3D): tf.Tensor2D;
}
