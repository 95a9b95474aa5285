import { checkKeys, optionKeys, RandomStream } from '@vjepa/core';
import { VisionTransformer, type VisionTransformerConfig } from '@vjepa/vit';
import { Predictor, type PredictorConfig } from '@vjepa/predictor';
import { momentumSchedule } from '@vjepa/ema';
import { CosineWDSchedule, WarmupCosineSchedule } from '@vjepa/optim';
import { VjepaTrainStep, type VjepaModels } from './step';
import type { RegularizerConfig } from './regularizers';

/**
 * Optimisation hyper-parameters in steps. `officialRecipe(totalSteps)` gives the released values with
 * the official schedule proportions (warm-up 40 of 300 epochs, schedules stretched by ipe_scale 1.25).
 */
export interface TrainingRecipe {
  /** Learning rate at the start of the warm-up (official 2e-4). */
  startLr: number;
  /** Peak learning rate (official 6.25e-4). */
  lr: number;
  /** Floor of the cosine (official 1e-6). */
  finalLr: number;
  /** Warm-up steps. */
  warmupSteps: number;
  /** Length of the LR/WD/EMA schedules (official ipe·epochs·ipe_scale, longer than the run). */
  scheduleSteps: number;
  /** Weight decay at the start and the end of its cosine (official 0.04 → 0.4). */
  weightDecay: number;
  finalWeightDecay: number;
  /** EMA momentum at the start and the (never reached) end (official [0.998, 1.0]). */
  ema: [number, number];
  /** Gradient clipping norm per module, null for none (official 10). */
  clipGrad: number | null;
  /** First 0-based step that clips (official: after the warm-up epochs). */
  clipFromStep: number;
  /** `features` (V-JEPA, default) or `pixels` (the pixel-reconstruction baseline). */
  target?: 'features' | 'pixels';
  /** Exponent of the regression loss, the official `loss.loss_exp` (default 1: L1). */
  lossExp?: number;
  /** A SIGReg or VICReg term on the context tokens, added to the loss (default none). */
  regularizer?: RegularizerConfig | null;
  /** Keep the target encoder at its initial weights (EMA momentum fixed at 1; default false). */
  frozenTeacher?: boolean;
  /** α in [0, 1] of the loss weighted toward tokens whose pixels change (default 0). */
  changeWeighting?: number;
}

/** The released recipe (spec §8) scaled to a run of `steps` steps, in the official proportions. */
export function officialRecipe(steps: number): TrainingRecipe {
  const epochs = 300;
  const ipe = steps / epochs;
  return {
    startLr: 2e-4,
    lr: 6.25e-4,
    finalLr: 1e-6,
    warmupSteps: Math.trunc(40 * ipe),
    scheduleSteps: Math.trunc(1.25 * epochs * ipe),
    weightDecay: 0.04,
    finalWeightDecay: 0.4,
    ema: [0.998, 1.0],
    clipGrad: 10,
    clipFromStep: Math.trunc(41 * ipe),
  };
}

/** Builds the V-JEPA step (schedules, AdamW, EMA) of a recipe for the given models. */
export function createTrainStep(models: VjepaModels, recipe: TrainingRecipe): VjepaTrainStep {
  return new VjepaTrainStep(models, {
    lrSchedule: new WarmupCosineSchedule({
      startLr: recipe.startLr,
      refLr: recipe.lr,
      finalLr: recipe.finalLr,
      warmupSteps: recipe.warmupSteps,
      totalSteps: recipe.scheduleSteps,
    }),
    wdSchedule: new CosineWDSchedule({ refWd: recipe.weightDecay, finalWd: recipe.finalWeightDecay, totalSteps: recipe.scheduleSteps }),
    momentumSchedule: momentumSchedule({ start: recipe.ema[0], end: recipe.ema[1], totalSteps: recipe.scheduleSteps }),
    clipGrad: recipe.clipGrad,
    clipFromStep: recipe.clipFromStep,
    target: recipe.target,
    lossExp: recipe.lossExp,
    regularizer: recipe.regularizer,
    frozenTeacher: recipe.frozenTeacher,
    changeWeighting: recipe.changeWeighting,
  });
}

/** Options of `createPretrainingModels`. */
export interface PretrainingModelsOptions {
  encoder: VisionTransformerConfig;
  /** Predictor settings; width, geometry and heads default to the official ones for this encoder. */
  predictor?: Partial<PredictorConfig>;
  /** Seed of the weight init (default 0). */
  seed?: number;
  /** `pixels` sizes the predictor's output to the tubelet volume t·p·p·C (default `features`). */
  target?: 'features' | 'pixels';
  /** `pretraining` (default) reproduces the official second init pass; `official` keeps the depth rescale. */
  init?: 'official' | 'pretraining';
}

/**
 * Encoder, predictor and target encoder as the official pretraining builds them: one random stream
 * for both networks, the second init pass, and a target encoder that starts as an exact copy.
 */
export function createPretrainingModels(options: PretrainingModelsOptions): VjepaModels {
  checkKeys('options', options, optionKeys<PretrainingModelsOptions>({
    encoder: true, predictor: true, seed: true, target: true, init: true,
  }));
  const rng = new RandomStream(options.seed ?? 0);
  const init = options.init ?? 'pretraining';
  const encoder = new VisionTransformer(options.encoder, { rng, init });
  const c = encoder.config;
  const predictor = new Predictor(
    {
      encoderDim: c.dim,
      heads: c.heads,
      frames: c.frames,
      imageSize: c.imageSize,
      patch: c.patch,
      tubelet: c.tubelet,
      uniformPower: c.uniformPower,
      ...(options.target === 'pixels' ? { outputDim: c.tubelet * c.patch * c.patch * c.channels } : {}),
      ...options.predictor,
    },
    { rng, init },
  );
  const targetEncoder = new VisionTransformer(options.encoder, { rng: new RandomStream(0) });
  targetEncoder.loadStateDict(encoder.stateDict());
  return { encoder, predictor, targetEncoder };
}
