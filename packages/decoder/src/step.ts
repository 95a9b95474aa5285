import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, type IndexBatch, type MaskPair, type Module, type VideoBatch } from '@vjepa/core';
import { AdamW, clipGradNorm, gradientsByKey, groupParameters, paramGroups, type AdamWState } from '@vjepa/optim';
import type { Predictor } from '@vjepa/predictor';
import type { PixelDecoder } from './decoder';
import { pixelLoss, tokenPixelTargets, type PixelLossKind } from './loss';

/** What the decoder reads its features from: an encoder of the context (a `VisionTransformer`). */
export interface FrozenEncoder extends Module {
  apply(video: VideoBatch, contextIndices?: IndexBatch | tf.Tensor2D): tf.Tensor3D;
}

/** The frozen V-JEPA pair whose predictions are decoded: the (online) encoder and the predictor trained with it. */
export interface FrozenModels {
  encoder: FrozenEncoder;
  predictor: Predictor;
}

/**
 * What the predictor predicts for the target tokens of `mask`, from the context tokens only, with mask
 * token `maskIndex` (the generator's): `[B, K_tgt, D]`, outside any gradient.
 */
export function predictedFeatures(models: FrozenModels, video: VideoBatch, mask: MaskPair, maskIndex = 0): tf.Tensor3D {
  return tf.tidy(() => {
    const context = models.encoder.apply(video, mask.context); // [B, K_ctx, D]
    return models.predictor.apply(context, mask.context, mask.target, maskIndex); // [B, K_tgt, D]
  });
}

/** Options of {@link DecoderTrainStep}. */
export interface DecoderStepOptions {
  /** Learning rate of AdamW (default 1e-3). */
  lr?: number;
  /** Weight decay of the weights (not biases, norms) (default 0.05). */
  weightDecay?: number;
  /** `l1` (default) or `l2`. */
  loss?: PixelLossKind;
  /** Clip the gradient norm to this, null for none (default 1). */
  clipGrad?: number | null;
}

const STEP_OPTION_KEYS = optionKeys<DecoderStepOptions>({ lr: true, weightDecay: true, loss: true, clipGrad: true });

/** One step's numbers. */
export interface DecoderStepMetrics {
  /** 0-based index of the step. */
  step: number;
  /** The pixel loss, averaged over the mask generators. */
  loss: number;
}

/**
 * The decoder's training step on a frozen encoder and predictor: the predicted features of every mask
 * generator's targets are computed without gradient, decoded, and AdamW moves the decoder alone toward
 * the true pixels of those tokens.
 */
export class DecoderTrainStep {
  readonly options: Required<Omit<DecoderStepOptions, 'clipGrad'>> & { clipGrad: number | null };
  private readonly optimizer: AdamW;
  private readonly params: Map<string, tf.Variable>;

  constructor(
    readonly decoder: PixelDecoder,
    options: DecoderStepOptions = {},
  ) {
    checkKeys('options', options, STEP_OPTION_KEYS);
    this.options = { lr: 1e-3, weightDecay: 0.05, loss: 'l1', ...options, clipGrad: options.clipGrad === undefined ? 1 : options.clipGrad };
    const { lr, weightDecay, clipGrad, loss } = this.options;
    if (!(Number.isFinite(lr) && lr > 0)) fail('options.lr', 'a positive number', lr);
    if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) fail('options.weightDecay', 'a number ≥ 0', weightDecay);
    if (clipGrad !== null && !(clipGrad > 0)) fail('options.clipGrad', 'a positive number or null', clipGrad);
    if (loss !== 'l1' && loss !== 'l2') fail('options.loss', "'l1' or 'l2'", loss);
    const groups = paramGroups({ decoder });
    this.params = groupParameters(groups);
    this.optimizer = new AdamW(groups, { lr, weightDecay });
  }

  /** Steps taken. */
  get stepCount(): number {
    return this.optimizer.stepCount;
  }

  /** One step on clips `[B, T, H, W, C]` and one context/target pair per mask generator (generator i uses mask token i). */
  run(models: FrozenModels, video: VideoBatch, masks: readonly MaskPair[]): DecoderStepMetrics {
    if (masks.length === 0) fail('masks', 'one context/target pair per mask generator', masks.length);
    const step = this.stepCount;
    const { tubelet, patch } = this.decoder.config;
    const lossValue = tf.tidy(() => {
      const features = masks.map((mask, i) => predictedFeatures(models, video, mask, i)); // G × [B, K_tgt, D]
      const targets = masks.map((mask) => tokenPixelTargets(video, mask.target, tubelet, patch)); // G × [B, K_tgt, t·p·p·C]
      const { value, grads } = tf.variableGrads(() => {
        const losses = masks.map((mask, i) => pixelLoss(this.decoder.apply(features[i], mask.target), targets[i], this.options.loss));
        return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
      }, [...this.params.values()]);
      const byKey = gradientsByKey(this.params, grads);
      this.optimizer.step(this.options.clipGrad === null ? byKey : clipGradNorm(byKey, this.options.clipGrad).grads);
      return value;
    });
    const loss = lossValue.dataSync()[0];
    lossValue.dispose();
    return { step, loss };
  }

  /** The optimiser's state (moments), for a checkpoint. */
  state(): AdamWState {
    return this.optimizer.state();
  }

  /** Restores {@link DecoderTrainStep.state}. */
  loadState(state: AdamWState): void {
    this.optimizer.loadState(state);
  }

  /** Frees the optimiser's moments (the decoder is the caller's). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
