import * as tf from '@tensorflow/tfjs-core';
import {
  initLinearTorchDefault,
  Block,
  CrossAttention,
  LayerNorm,
  Linear,
  Mlp,
  Module,
  RandomStream,
  fail,
  fillTruncNormal,
  initTransformerWeights,
  rescaleLayer,
  stripKeyPrefixes,
  type LoadOptions,
  type LoadReport,
  type StateDictInput,
  checkKeys, optionKeys,
} from '@vjepa/core';
import type { Probe } from './probe';
import { checkFeatureViews } from './checks';

/** The probe's LayerNorm epsilon: PyTorch's default, the probe is built without the encoder's 1e-6. */
export const PROBE_NORM_EPS = 1e-5;

/**
 * `q + xattn(q, norm1(x))`, then `q + mlp(norm2(q))`. Only the keys/values are normalised, never the
 * query; `xattn.proj` exists but is not applied (official QUIRK, spec §11.2).
 */
export class CrossAttentionBlock extends Module {
  readonly norm1: LayerNorm;
  readonly xattn: CrossAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;

  /** `unusedProj: false` leaves out the never-applied `xattn.proj` (the V-JEPA 2 probe has none). */
  constructor(dim: number, heads: number, mlpRatio = 4, options: { unusedProj?: boolean; normEps?: number } = {}) {
    super();
    const eps = options.normEps ?? PROBE_NORM_EPS;
    this.norm1 = this.addModule('norm1', new LayerNorm(dim, eps));
    this.xattn = this.addModule('xattn', new CrossAttention(dim, heads, { unusedProj: options.unusedProj }));
    this.norm2 = this.addModule('norm2', new LayerNorm(dim, eps));
    this.mlp = this.addModule('mlp', new Mlp(dim, Math.floor(dim * mlpRatio)));
  }

  /** Queries `[B, Q, D]` read features `[B, N, D]` → `[B, Q, D]`. */
  apply(queries: tf.Tensor3D, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = tf.add(queries, this.xattn.apply(queries, this.norm1.apply(x) as tf.Tensor3D)); // [B, Q, D]
      return tf.add(attended, this.mlp.apply(this.norm2.apply(attended))) as tf.Tensor3D; // [B, Q, D]
    });
  }
}

/** One learnable query that attends to all tokens, then optional self-attention blocks on the query. */
export class AttentivePooler extends Module {
  readonly queryTokens: tf.Variable;
  readonly crossAttentionBlock: CrossAttentionBlock;
  readonly blocks: Block[];

  constructor(dim: number, heads: number, depth = 1, mlpRatio = 4) {
    super();
    this.queryTokens = this.addState('query_tokens', tf.zeros([1, 1, dim]));
    this.crossAttentionBlock = this.addModule('cross_attention_block', new CrossAttentionBlock(dim, heads, mlpRatio));
    this.blocks = Array.from({ length: depth - 1 }, (_, i) =>
      this.addModule(`blocks.${i}`, new Block(dim, heads, { mlpRatio, normEps: PROBE_NORM_EPS })),
    );
  }

  /** Features `[B, N, D]` → pooled `[B, 1, D]`. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const queries = tf.tile(this.queryTokens, [x.shape[0], 1, 1]) as tf.Tensor3D; // [B, 1, D]
      let q = this.crossAttentionBlock.apply(queries, x); // [B, 1, D]
      for (const block of this.blocks) q = block.apply(q); // [B, 1, D]
      return q;
    });
  }
}

/** Configuration of the attentive classifier. */
export interface AttentiveProbeConfig {
  /** Feature width D (the encoder's). */
  dim: number;
  /** Number of classes. */
  classes: number;
  /** Attention heads (the official probe uses the encoder's head count). */
  heads: number;
  /** 1 = cross-attention only (official); more appends self-attention blocks on the query. */
  depth?: number;
  /** MLP ratio (default 4). */
  mlpRatio?: number;
  /** Seed of the weight init (default 0). */
  seed?: number;
}

/** A module whose checkpoints carry DDP's `module.` prefix: it is removed from every key on load. */
export abstract class DdpPrefixedModule extends Module {
  /** Loads weights by official key; a `module.` prefix is removed first. */
  override loadStateDict(input: StateDictInput, options: LoadOptions = {}): LoadReport {
    return super.loadStateDict(stripKeyPrefixes(input, ['module.']), options);
  }
}

/** What the attentive classifiers of V-JEPA 1 and 2 share: a pooler to one query, then a linear head. */
export abstract class PooledClassifier extends DdpPrefixedModule implements Probe {
  abstract readonly pooler: { apply(features: tf.Tensor3D): tf.Tensor3D };
  abstract readonly linear: Linear;
  abstract readonly config: { dim: number; classes: number };

  /** Frozen features `[B, N, D]` → logits `[B, classes]`. */
  apply(features: tf.Tensor3D): tf.Tensor2D {
    checkFeatureViews('features', features, this.config.dim);
    return tf.tidy(() => {
      const pooled = tf.reshape(this.pooler.apply(features), [features.shape[0], this.config.dim]); // [B, D]
      return this.linear.apply(pooled) as tf.Tensor2D; // [B, classes]
    });
  }
}

/**
 * The official attentive probe (`AttentiveClassifier`, spec §11.2): an attentive pooler then a linear
 * head. Keys `pooler.query_tokens`, `pooler.cross_attention_block.*`, `linear.*`; a `module.` prefix (DDP)
 * is removed on load, so released probe checkpoints load.
 *
 * @example
 * const probe = new AttentiveProbe({ dim: 192, heads: 3, classes: 10 });
 * const logits = probe.apply(features); // [B, 10] from frozen features [B, N, 192]
 */
export class AttentiveProbe extends PooledClassifier {
  readonly pooler: AttentivePooler;
  readonly linear: Linear;
  readonly config: Required<AttentiveProbeConfig>;

  constructor(config: AttentiveProbeConfig) {
    super();
    checkKeys('config', config, optionKeys<AttentiveProbeConfig>({ dim: true, classes: true, heads: true, depth: true, mlpRatio: true, seed: true }));
    const c = { depth: 1, mlpRatio: 4, seed: 0, ...config };
    for (const key of ['dim', 'classes', 'heads', 'depth'] as const) {
      if (!Number.isInteger(c[key]) || c[key] < 1) fail(`config.${key}`, 'a positive integer', c[key]);
    }
    if (c.dim % c.heads !== 0) fail('config.heads', `a divisor of dim ${c.dim}`, c.heads);
    this.config = c;
    this.pooler = this.addModule('pooler', new AttentivePooler(c.dim, c.heads, c.depth, c.mlpRatio));
    this.linear = this.addModule('linear', new Linear(c.dim, c.classes));
    const rng = new RandomStream(c.seed);
    initTransformerWeights(this.pooler, rng);
    fillTruncNormal(this.pooler.queryTokens, rng, 0.02);
    // Official `_rescale_blocks`: the cross-attention block as layer 1. For depth > 1 the official loop
    // (`enumerate(1, self.blocks)`) raises a TypeError; we use the evident intent, extra block i as layer i + 2.
    const cross = this.pooler.crossAttentionBlock;
    rescaleLayer([cross.xattn.proj!.weight, cross.mlp.fc2.weight], 1);
    this.pooler.blocks.forEach((block, i) => rescaleLayer([block.attn.proj.weight, block.mlp.fc2.weight], i + 2));
    // The head keeps PyTorch's default Linear init: weight and bias ~ U(±1/√D).
    initLinearTorchDefault(this.linear, rng);
  }

}
