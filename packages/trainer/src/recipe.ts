import { checkKeys, fail, optionKeys, RandomStream } from '@vjepa/core';
import { VisionTransformer, VisionTransformerV2, type ModelInitOptions, type ResolvedVitConfig, type VisionTransformerConfig } from '@vjepa/vit';
import { Predictor, PredictorV2, type PredictorConfig } from '@vjepa/predictor';
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

/** Which V-JEPA: `vjepa` (V-JEPA 1, sin-cos positions) or `vjepa2` (V-JEPA 2: RoPE, 10 mask tokens). */
export type VjepaArch = 'vjepa' | 'vjepa2';

/** Every architecture, for option checks. */
export const VJEPA_ARCHS: readonly VjepaArch[] = ['vjepa', 'vjepa2'];

/** Options of `createPretrainingModels`. */
export interface PretrainingModelsOptions {
  /** The architecture (default `vjepa`). For `vjepa2` the encoder's `uniformPower` is ignored (no table). */
  arch?: VjepaArch;
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
    arch: true, encoder: true, predictor: true, seed: true, target: true, init: true,
  }));
  const arch = options.arch ?? 'vjepa';
  if (!VJEPA_ARCHS.includes(arch)) fail('options.arch', `one of ${VJEPA_ARCHS.join(', ')}`, arch);
  const rng = new RandomStream(options.seed ?? 0);
  const init = options.init ?? 'pretraining';
  // V-JEPA 2 has no positional table: its configs have no `uniformPower`.
  const { uniformPower: _table, ...ropeEncoder } = options.encoder;
  const makeEncoder = (modelInit: ModelInitOptions) =>
    arch === 'vjepa2' ? new VisionTransformerV2(ropeEncoder, modelInit) : new VisionTransformer(options.encoder, modelInit);
  const encoder = makeEncoder({ rng, init });
  const c = encoder.config;
  const { uniformPower: predictorTable, ...predictorOverrides } = options.predictor ?? {};
  const predictorConfig = {
    encoderDim: c.dim,
    heads: c.heads,
    frames: c.frames,
    imageSize: c.imageSize,
    patch: c.patch,
    tubelet: c.tubelet,
    ...(options.target === 'pixels' ? { outputDim: c.tubelet * c.patch * c.patch * c.channels } : {}),
    ...predictorOverrides,
  };
  const predictor =
    arch === 'vjepa2'
      ? new PredictorV2(predictorConfig, { rng, init })
      : new Predictor({ uniformPower: predictorTable ?? (c as ResolvedVitConfig).uniformPower, ...predictorConfig }, { rng, init });
  const targetEncoder = makeEncoder({ rng: new RandomStream(0) });
  targetEncoder.loadStateDict(encoder.stateDict());
  return { encoder, predictor, targetEncoder };
}
