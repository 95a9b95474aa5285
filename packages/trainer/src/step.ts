import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, optionKeys, fail, RandomStream, type MaskPair, type VideoBatch } from '@vjepa/core';
import type { VisionTransformer, VisionTransformerV2 } from '@vjepa/vit';
import { PredictorV2, type Predictor } from '@vjepa/predictor';
import { EmaUpdater, type MomentumSchedule } from '@vjepa/ema';
import {
  AdamW,
  clipGradNorm,
  clipGradNormOnDevice,
  groupParameters,
  gradientsByKey,
  paramGroups,
  type AdamWState,
  type CosineWDSchedule,
  type WarmupCosineSchedule,
} from '@vjepa/optim';
import { averageLoss, gatherTargets, generatorLosses, pixelTargets, targetFeatures } from './loss';
import { Expander } from './expander';
import { checkRegularizer, regularizerValue, type RegularizerConfig } from './regularizers';
import { changeWeights, pixelChangeScores, weightedGeneratorLosses } from './token-weights';

/** The three networks of V-JEPA pretraining: V-JEPA 1 (sin-cos positions) or V-JEPA 2 (RoPE). */
export interface VjepaModels {
  encoder: VisionTransformer | VisionTransformerV2;
  predictor: Predictor | PredictorV2;
  /** The EMA copy of the encoder; never receives gradients. */
  targetEncoder: VisionTransformer | VisionTransformerV2;
}

/**
 * The mask token the predictor uses for mask generator `generator`: V-JEPA 1 has one per generator; V-JEPA 2
 * passes the clip-length group (`PredictorMultiSeqWrapper`), 0 with one clip length as every released config.
 */
export function maskTokenIndex(predictor: Predictor | PredictorV2, generator: number): number {
  return predictor instanceof PredictorV2 ? 0 : generator;
}

/** The schedules and optimiser settings of a V-JEPA step. */
export interface TrainStepOptions {
  lrSchedule: WarmupCosineSchedule;
  wdSchedule: CosineWDSchedule;
  momentumSchedule: MomentumSchedule;
  /** Global-norm clip applied separately to encoder and predictor gradients; null for none (default 10). */
  clipGrad?: number | null;
  /** First 0-based step that clips; the official code clips from epoch warmup + 1 on (default 0). */
  clipFromStep?: number;
  /**
   * What the predictor regresses: `features` (V-JEPA: the EMA target encoder's normalised features) or
   * `pixels` (the normalised pixels of each masked tubelet, the baseline; the predictor's `outputDim` must
   * then be t·p·p·C). Default `features`.
   */
  target?: 'features' | 'pixels';
  /**
   * Exponent e of the loss `mean(|prediction − target|^e) / e` per generator, the official `loss_exp`
   * (default 1: the L1 loss of every released config; 2 weighs large errors more).
   */
  lossExp?: number;
  /**
   * A regulariser on the context encoder's output tokens, `loss + weight · R` (default none): SIGReg
   * (LeJEPA) or VICReg's variance/covariance terms. See `regularizerValue`.
   */
  regularizer?: RegularizerConfig | null;
  /** Keep the target encoder fixed at its initial weights (a frozen teacher: EMA momentum 1, no update). Default false. */
  frozenTeacher?: boolean;
  /**
   * α in [0, 1]: weight each target token's loss by `(1 − α) + α · change / mean change`, where change is
   * the mean absolute frame difference of its pixels (default 0: the plain loss).
   */
  changeWeighting?: number;
  /** AdamW β₁, β₂, ε (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** What one step did. */
export interface StepMetrics {
  /** 0-based index of this step. */
  step: number;
  loss: number;
  /** Per-generator L1 losses. */
  generatorLosses: number[];
  /** The regulariser's unweighted value, when one is set (the loss includes `weight ·` it). */
  regularizer?: number;
  lr: number;
  weightDecay: number;
  momentum: number;
  /** Pre-clip gradient norms (only computed when clipping is active). */
  gradNorm?: { encoder: number; predictor: number };
}

/** A step queued on the backend: what the metrics need, with its scalars not yet read. */
interface LaunchedStep {
  step: number;
  lr: number;
  weightDecay: number;
  momentum: number;
  generators: number;
  regularized: boolean;
  clipped: boolean;
  values: tf.Scalar[];
}

/** The step's resumable state (schedules and optimiser moments). */
export interface TrainStepState {
  lr: { step: number };
  wd: { step: number };
  momentum: { step: number };
  optimizer: AdamWState;
}

/**
 * One V-JEPA optimisation step, spec §9: schedules → target features of the whole clip (EMA encoder,
 * then a non-affine LayerNorm) → context encoder + predictor per mask generator → L1 averaged over
 * generators → gradients → per-module clipping → AdamW → EMA of the target encoder.
 *
 * The tubelet embedding of the clip is computed once and shared by the generators' encoder passes
 * (the official wrapper recomputes it per generator; values and gradients are the same).
 *
 * @example
 * const step = new VjepaTrainStep({ encoder, predictor, targetEncoder }, { lrSchedule, wdSchedule, momentumSchedule });
 * const metrics = step.run(video, collator.sample(batchSize));
 */
export class VjepaTrainStep {
  readonly optimizer: AdamW;
  /**
   * VICReg's expander when the regulariser asks for one (`expander` widths), else null: owned by the step,
   * trained by its optimiser (parameter keys `expander/…`), saved in checkpoints as `expander.safetensors`.
   */
  readonly expander: Expander | null;
  private readonly params: Map<string, tf.Variable>;
  private readonly ema: EmaUpdater;
  private readonly options: TrainStepOptions;

  constructor(
    readonly models: VjepaModels,
    options: TrainStepOptions,
  ) {
    checkKeys('options', options, optionKeys<TrainStepOptions>({
      lrSchedule: true, wdSchedule: true, momentumSchedule: true, clipGrad: true, clipFromStep: true, target: true,
      lossExp: true, regularizer: true, frozenTeacher: true, changeWeighting: true, beta1: true, beta2: true, eps: true,
    }));
    if (options.regularizer) checkRegularizer(options.regularizer, 'options.regularizer');
    const alpha = options.changeWeighting ?? 0;
    if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) fail('options.changeWeighting', 'a number in [0, 1]', alpha);
    this.options = options;
    const r = options.regularizer;
    this.expander = r?.kind === 'vicreg' && r.expander !== undefined ? new Expander(models.encoder.config.dim, r.expander, new RandomStream(r.seed ?? 0).fork('expander')) : null;
    const groups = paramGroups({ encoder: models.encoder, predictor: models.predictor, ...(this.expander ? { expander: this.expander } : {}) });
    this.params = groupParameters(groups);
    this.optimizer = new AdamW(groups, { beta1: options.beta1, beta2: options.beta2, eps: options.eps });
    this.ema = new EmaUpdater(models.targetEncoder, models.encoder);
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.options.momentumSchedule.stepCount;
  }

  /** Runs one step on a batch `[B, T, H, W, C]` and one context/target pair per mask generator. */
  run(video: VideoBatch, masks: readonly MaskPair[]): StepMetrics {
    const launched = this.launch(video, masks, false);
    return this.metrics(launched, launched.values.map((t) => t.dataSync()[0]));
  }

  /**
   * {@link run} for GPU backends: the whole step — gradients, clipping, AdamW and the EMA update — is
   * queued on the backend without reading a value back, and the metrics are read once at the end,
   * asynchronously. The same values as `run`; the way to train on `webgpu`, whose tensors cannot be
   * read synchronously in Node and only slowly in a browser.
   */
  async runAsync(video: VideoBatch, masks: readonly MaskPair[]): Promise<StepMetrics> {
    const launched = this.launch(video, masks, true);
    const read = await Promise.all(launched.values.map(async (t) => (await t.data())[0]));
    return this.metrics(launched, read);
  }

  /**
   * Queues one step. `values` are the scalars the metrics need, in order: the loss, one loss per
   * generator, the regulariser when set, the two gradient norms when clipping; `onDevice` keeps the
   * clipping's norms on the backend (otherwise the native kernels may sum them on the host).
   */
  private launch(video: VideoBatch, masks: readonly MaskPair[], onDevice: boolean): LaunchedStep {
    if (masks.length === 0) fail('masks', 'one context/target pair per mask generator', masks.length);
    const { encoder, predictor, targetEncoder } = this.models;
    encoder.patchEmbed.checkInput(video.shape);
    const step = this.stepCount;
    const lr = this.options.lrSchedule.step();
    const weightDecay = this.options.wdSchedule.step();
    this.optimizer.setLearningRate(lr);
    this.optimizer.setWeightDecay(weightDecay);

    const { regularizer, changeWeighting = 0 } = this.options;
    let clipped = false;
    const values = tf.tidy(() => {
      const full =
        this.options.target === 'pixels'
          ? pixelTargets(video, encoder.config.tubelet, encoder.config.patch) // [B, N, t·p·p·C]
          : targetFeatures(targetEncoder, video); // [B, N, D]
      const targets = gatherTargets(full, masks.map((m) => m.target)); // G × [B, K_tgt, ·]
      const weights = changeWeighting > 0 ? changeWeights(pixelChangeScores(video, encoder.config.tubelet, encoder.config.patch), changeWeighting) : null; // [B, N]
      let perGenerator = [] as tf.Scalar[];
      let regularization: tf.Scalar | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const tokens = encoder.embed(video); // [B, N, D]
        const contexts = masks.map((m) => encoder.encodeTokens(tokens, m.context)); // G × [B, K_ctx, D]
        const predictions = masks.map((m, i) => predictor.apply(contexts[i], m.context, m.target, maskTokenIndex(predictor, i))); // G × [B, K_tgt, D]
        const losses =
          weights === null
            ? generatorLosses(predictions, targets, this.options.lossExp)
            : weightedGeneratorLosses(predictions, targets, weights, masks.map((m) => m.target), this.options.lossExp);
        perGenerator = losses.map((l) => tf.keep(l));
        const loss = averageLoss(perGenerator);
        if (!regularizer) return loss;
        regularization = tf.keep(regularizerValue(regularizer, contexts, step, this.expander));
        return tf.add(loss, tf.mul(regularization, regularizer.weight)) as tf.Scalar;
      }, [...this.params.values()]);
      const scalars: tf.Scalar[] = [value, ...perGenerator];
      if (regularization !== null) scalars.push(regularization);
      let byKey = gradientsByKey(this.params, grads);
      const clip = this.options.clipGrad === undefined ? 10 : this.options.clipGrad;
      if (clip !== null && step >= (this.options.clipFromStep ?? 0)) {
        const split = (prefix: string) => new Map([...byKey].filter(([key]) => key.startsWith(prefix)));
        const clipOne = (prefix: string) => {
          if (onDevice) return clipGradNormOnDevice(split(prefix), clip);
          const result = clipGradNorm(split(prefix), clip);
          return { grads: result.grads, totalNorm: tf.scalar(result.totalNorm) };
        };
        const [enc, pred] = [clipOne('encoder/'), clipOne('predictor/')];
        scalars.push(enc.totalNorm, pred.totalNorm);
        clipped = true;
        // The expander is clipped on its own, as a third module (its norm is not reported).
        const expanded = this.expander ? clipOne('expander/').grads : [];
        byKey = new Map([...enc.grads, ...pred.grads, ...expanded]);
      }
      this.optimizer.step(byKey);
      return scalars;
    });
    const scheduled = this.options.momentumSchedule.step();
    const momentum = this.options.frozenTeacher ? 1 : scheduled;
    if (!this.options.frozenTeacher) this.ema.update(momentum);
    return { step, lr, weightDecay, momentum, generators: masks.length, regularized: Boolean(regularizer), clipped, values };
  }

  /** The metrics of a launched step from its scalars' values; disposes the scalars. */
  private metrics(launched: LaunchedStep, read: number[]): StepMetrics {
    tf.dispose(launched.values);
    const { step, lr, weightDecay, momentum, generators, regularized, clipped } = launched;
    const regularizerAt = 1 + generators;
    const normsAt = regularizerAt + (regularized ? 1 : 0);
    return {
      step,
      loss: read[0],
      generatorLosses: read.slice(1, 1 + generators),
      lr,
      weightDecay,
      momentum,
      gradNorm: clipped ? { encoder: read[normsAt], predictor: read[normsAt + 1] } : undefined,
      ...(regularized ? { regularizer: read[regularizerAt] } : {}),
    };
  }

  /** Schedules and optimiser state, for checkpoints. */
  state(): TrainStepState {
    return { ...this.schedules(), optimizer: this.optimizer.state() };
  }

  /** {@link state} on any backend: the optimiser moments are read asynchronously where the backend needs it (webgpu). */
  async stateAsync(): Promise<TrainStepState> {
    return { ...this.schedules(), optimizer: await this.optimizer.stateAsync() };
  }

  /** The schedules' part of {@link state}. */
  private schedules(): Omit<TrainStepState, 'optimizer'> {
    return { lr: this.options.lrSchedule.state(), wd: this.options.wdSchedule.state(), momentum: this.options.momentumSchedule.state() };
  }

  /** Restores what `state()` returned. */
  loadState(state: TrainStepState): void {
    this.optimizer.loadState(state.optimizer);
    this.options.lrSchedule.loadState(state.lr);
    this.options.wdSchedule.loadState(state.wd);
    this.options.momentumSchedule.loadState(state.momentum);
  }

  /** Frees the optimiser moments and the expander (the models belong to the caller). */
  dispose(): void {
    this.optimizer.dispose();
    this.expander?.dispose();
  }
}
