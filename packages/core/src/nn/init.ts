import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import type { Block } from './block';
import { RandomStream } from '../random';

/** Overwrites a variable with samples of trunc_normal(0, std) (absolute cut at ±2, as PyTorch). */
export function fillTruncNormal(variable: tf.Variable, rng: RandomStream, std: number): void {
  tf.tidy(() => variable.assign(tf.tensor(rng.truncatedNormal(variable.size, { std }), variable.shape)));
}

/** Options of `initTransformerWeights`. */
export interface InitOptions {
  /** Standard deviation of the truncated normal (default 0.02). */
  std?: number;
  /**
   * Touch only `Linear` and `LayerNorm` modules: the second init pass of the official pretraining
   * script (spec §4.5), which leaves the tubelet conv, positional tables and mask tokens alone.
   */
  linearAndNormOnly?: boolean;
}

/**
 * The official `_init_weights`, applied to every sub-module in registration order: LayerNorm → weight 1,
 * bias 0; any other module whose own state has a `weight` of rank ≥ 2 (Linear, the tubelet conv) →
 * trunc_normal(std) weight and zero bias. Fixed tables and other state are untouched.
 */
export function initTransformerWeights(root: Module, rng: RandomStream, options: InitOptions = {}): void {
  const std = options.std ?? 0.02;
  for (const [, module] of root.namedModules()) {
    if (options.linearAndNormOnly && !(module instanceof Linear || module instanceof LayerNorm)) continue;
    const own = module.ownState();
    const weight = own.get('weight');
    const bias = own.get('bias');
    if (module instanceof LayerNorm) {
      tf.tidy(() => module.weight.assign(tf.onesLike(module.weight)));
      tf.tidy(() => module.bias.assign(tf.zerosLike(module.bias)));
    } else if (weight && weight.rank >= 2) {
      fillTruncNormal(weight, rng, std);
      if (bias) tf.tidy(() => bias.assign(tf.zerosLike(bias)));
    }
  }
}

/** PyTorch's default `nn.Linear` init (kaiming-uniform with a = √5): weight and bias ~ U(±1/√in). */
export function initLinearTorchDefault(layer: Linear, rng: RandomStream): void {
  const bound = 1 / Math.sqrt(layer.inFeatures);
  tf.tidy(() => {
    layer.weight.assign(tf.tensor(rng.uniform(layer.weight.size, -bound, bound), layer.weight.shape));
    if (layer.bias) layer.bias.assign(tf.tensor(rng.uniform(layer.bias.size, -bound, bound)));
  });
}

/** Divides each weight by √(2·layerId), the official per-layer rescale of residual-branch outputs. */
export function rescaleLayer(weights: readonly tf.Variable[], layerId: number): void {
  const factor = Math.sqrt(2 * layerId);
  for (const weight of weights) tf.tidy(() => weight.assign(tf.div(weight, factor)));
}

/**
 * The official depth rescale: for block i (layer id i + 1), `attn.proj.weight /= √(2·(i+1))` and
 * `mlp.fc2.weight /= √(2·(i+1))`.
 */
export function rescaleBlocks(blocks: readonly Block[]): void {
  blocks.forEach((block, i) => rescaleLayer([block.attn.proj.weight, block.mlp.fc2.weight], i + 1));
}

/** How to initialise a model (the options of the encoders' and predictors' constructors). */
export interface ModelInitOptions {
  /** Seed of the random stream used for the weights (default 0). Ignored when `rng` is given. */
  seed?: number;
  /** A random stream to draw the weights from (shared between models for one seeded run). */
  rng?: RandomStream;
  /**
   * `official` (default): the model constructor's init — trunc_normal(0.02) Linear and conv weights, zero
   * biases, LayerNorm (1, 0), then `attn.proj` and `mlp.fc2` divided by √(2·layer).
   * `pretraining`: then re-initialise every Linear and LayerNorm again, as the official pretraining script
   * does (spec §4.5 QUIRK), which undoes the depth rescale.
   */
  init?: 'official' | 'pretraining';
}

/**
 * The official init of an encoder or predictor: `initTransformerWeights`, the depth rescale of `blocks`,
 * `extra(rng)` (e.g. the mask tokens), then with `init: 'pretraining'` the second Linear/LayerNorm pass.
 */
export function initModelWeights(root: Module, blocks: readonly Block[], options: ModelInitOptions, extra?: (rng: RandomStream) => void): void {
  const rng = options.rng ?? new RandomStream(options.seed ?? 0);
  initTransformerWeights(root, rng);
  rescaleBlocks(blocks);
  extra?.(rng);
  if (options.init === 'pretraining') initTransformerWeights(root, rng, { linearAndNormOnly: true });
}
