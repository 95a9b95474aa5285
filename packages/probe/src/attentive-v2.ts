import * as tf from '@tensorflow/tfjs-core';
import {
  Block,
  Linear,
  Module,
  RandomStream,
  checkKeys,
  fail,
  fillTruncNormal,
  initLinearTorchDefault,
  initTransformerWeights,
  optionKeys,
  rescaleLayer,
} from '@vjepa/core';
import { CrossAttentionBlock, DdpPrefixedModule, PROBE_NORM_EPS, PooledClassifier } from './attentive';
import { checkFeatureViews } from './checks';

/** Configuration of the V-JEPA 2 attentive pooler (VJEPA2-SPEC §3). */
export interface AttentivePoolerV2Config {
  /** Feature width D (the encoder's). */
  dim: number;
  /** Attention heads (default 16, the official probe's whatever the encoder; transformers uses the encoder's). */
  heads?: number;
  /** Blocks in all: `depth − 1` self-attention blocks over the tokens, then the cross-attention block (default 4). */
  depth?: number;
  /** Learnable queries (default 1; the EK-100 probe has 3: verb, noun, action). */
  queries?: number;
  /** MLP ratio (default 4, also for ViT-g). */
  mlpRatio?: number;
  /** LayerNorm epsilon (default 1e-5, PyTorch's; transformers' port uses 1e-6). */
  normEps?: number;
}

/**
 * The V-JEPA 2 pooler: `depth − 1` full self-attention blocks over all tokens (no positions), then the
 * queries (not normalised) read the tokens through a cross-attention block without output projection.
 * Keys `query_tokens`, `blocks.{i}.*`, `cross_attention_block.{norm1, xattn.q, xattn.kv, norm2, mlp.*}`.
 */
export class AttentivePoolerV2 extends Module {
  readonly queryTokens: tf.Variable;
  readonly blocks: Block[];
  readonly crossAttentionBlock: CrossAttentionBlock;
  readonly config: Required<AttentivePoolerV2Config>;

  constructor(config: AttentivePoolerV2Config, rng: RandomStream) {
    super();
    const c = { heads: 16, depth: 4, queries: 1, mlpRatio: 4, normEps: PROBE_NORM_EPS, ...config };
    for (const key of ['dim', 'heads', 'depth', 'queries'] as const) {
      if (!Number.isInteger(c[key]) || c[key] < 1) fail(`config.${key}`, 'a positive integer', c[key]);
    }
    if (c.dim % c.heads !== 0) fail('config.heads', `a divisor of dim ${c.dim}`, c.heads);
    if (!(c.normEps > 0)) fail('config.normEps', 'a positive number', c.normEps);
    this.config = c;
    this.queryTokens = this.addState('query_tokens', tf.zeros([1, c.queries, c.dim]));
    this.crossAttentionBlock = this.addModule(
      'cross_attention_block',
      new CrossAttentionBlock(c.dim, c.heads, c.mlpRatio, { unusedProj: false, normEps: c.normEps }),
    );
    this.blocks = Array.from({ length: c.depth - 1 }, (_, i) =>
      this.addModule(`blocks.${i}`, new Block(c.dim, c.heads, { mlpRatio: c.mlpRatio, normEps: c.normEps })),
    );
    initTransformerWeights(this, rng);
    fillTruncNormal(this.queryTokens, rng, 0.02);
    // Official `_rescale_blocks`: self-attention block i as layer i + 1, the cross block's fc2 as the last of them.
    this.blocks.forEach((block, i) => rescaleLayer([block.attn.proj.weight, block.mlp.fc2.weight], i + 1));
    rescaleLayer([this.crossAttentionBlock.mlp.fc2.weight], Math.max(1, this.blocks.length));
  }

  /** Tokens `[B, N, D]` → pooled queries `[B, Q, D]`. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      let tokens = x; // [B, N, D]
      for (const block of this.blocks) tokens = block.apply(tokens); // [B, N, D]
      const queries = tf.tile(this.queryTokens, [x.shape[0], 1, 1]) as tf.Tensor3D; // [B, Q, D]
      return this.crossAttentionBlock.apply(queries, tokens); // [B, Q, D]
    });
  }
}

/** Configuration of {@link AttentiveProbeV2}. */
export interface AttentiveProbeV2Config extends Omit<AttentivePoolerV2Config, 'queries'> {
  /** Number of classes. */
  classes: number;
  /** Seed of the weight init (default 0). */
  seed?: number;
}

const POOLER_KEYS = { dim: true, heads: true, depth: true, mlpRatio: true, normEps: true, seed: true } as const;

/**
 * The V-JEPA 2 attentive probe (`AttentiveClassifier` of the vjepa2 evals, VJEPA2-SPEC §3): the pooler
 * above, then a linear head on the query. Keys `pooler.*`, `linear.*`; a `module.` prefix (DDP) is
 * removed on load, so the released probe checkpoints (`classifiers[0]`) load as they are.
 *
 * @example
 * const probe = new AttentiveProbeV2({ dim: 1024, classes: 174 });   // 16 heads, 4 blocks, eps 1e-5
 * const logits = probe.apply(features);                              // [B, 174] from [B, N, 1024]
 */
export class AttentiveProbeV2 extends PooledClassifier {
  readonly pooler: AttentivePoolerV2;
  readonly linear: Linear;
  readonly config: Required<Omit<AttentiveProbeV2Config, 'seed'>> & { seed: number };

  constructor(config: AttentiveProbeV2Config) {
    super();
    checkKeys('config', config, optionKeys<AttentiveProbeV2Config>({ ...POOLER_KEYS, classes: true }));
    if (!Number.isInteger(config.classes) || config.classes < 1) fail('config.classes', 'a positive integer', config.classes);
    const { classes, seed = 0, ...pooler } = config;
    const rng = new RandomStream(seed);
    this.pooler = this.addModule('pooler', new AttentivePoolerV2(pooler, rng));
    const { queries: _one, ...resolved } = this.pooler.config;
    this.config = { ...resolved, classes, seed };
    this.linear = this.addModule('linear', new Linear(resolved.dim, classes));
    initLinearTorchDefault(this.linear, rng);
  }

}

/** Configuration of {@link Ek100ProbeV2}: the pooler's, with the three head sizes. */
export interface Ek100ProbeV2Config extends Omit<AttentivePoolerV2Config, 'queries'> {
  verbClasses: number;
  nounClasses: number;
  actionClasses: number;
  seed?: number;
}

/** Logits of the three EPIC-Kitchens-100 heads. */
export interface Ek100Logits {
  verb: tf.Tensor2D;
  noun: tf.Tensor2D;
  action: tf.Tensor2D;
}

/**
 * The EPIC-Kitchens-100 anticipation probe of V-JEPA 2 (`evals/action_anticipation_frozen`): the same
 * pooler with three queries, then `verb_classifier`, `noun_classifier`, `action_classifier` on queries 0,
 * 1 and 2. Its input is the encoder tokens followed by the predictor's tokens of the future frames.
 */
export class Ek100ProbeV2 extends DdpPrefixedModule {
  readonly pooler: AttentivePoolerV2;
  readonly verbClassifier: Linear;
  readonly nounClassifier: Linear;
  readonly actionClassifier: Linear;

  constructor(config: Ek100ProbeV2Config) {
    super();
    checkKeys('config', config, optionKeys<Ek100ProbeV2Config>({ ...POOLER_KEYS, verbClasses: true, nounClasses: true, actionClasses: true }));
    const { verbClasses, nounClasses, actionClasses, seed = 0, ...pooler } = config;
    for (const [key, value] of Object.entries({ verbClasses, nounClasses, actionClasses })) {
      if (!Number.isInteger(value) || value < 1) fail(`config.${key}`, 'a positive integer', value);
    }
    const rng = new RandomStream(seed);
    this.pooler = this.addModule('pooler', new AttentivePoolerV2({ ...pooler, queries: 3 }, rng));
    const dim = this.pooler.config.dim;
    this.verbClassifier = this.addModule('verb_classifier', new Linear(dim, verbClasses));
    this.nounClassifier = this.addModule('noun_classifier', new Linear(dim, nounClasses));
    this.actionClassifier = this.addModule('action_classifier', new Linear(dim, actionClasses));
    for (const head of [this.verbClassifier, this.nounClassifier, this.actionClassifier]) initLinearTorchDefault(head, rng);
  }

  /** Features `[B, N, D]` → the logits of each head, `[B, classes]` each. */
  apply(features: tf.Tensor3D): Ek100Logits {
    checkFeatureViews('features', features, this.pooler.config.dim);
    return tf.tidy(() => {
      const pooled = this.pooler.apply(features); // [B, 3, D]
      const [verb, noun, action] = tf.unstack(pooled, 1) as tf.Tensor2D[]; // 3 × [B, D]
      return {
        verb: this.verbClassifier.apply(verb) as tf.Tensor2D, // [B, verbs]
        noun: this.nounClassifier.apply(noun) as tf.Tensor2D, // [B, nouns]
        action: this.actionClassifier.apply(action) as tf.Tensor2D, // [B, actions]
      };
    });
  }

}
