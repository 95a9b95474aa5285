/**
 * The untrained baseline of surprise: an encoder left at its random initialisation, frozen, with a
 * predictor trained on its features by the V-JEPA objective (the run's masks, L1 to the layer-normed
 * features of the same frozen encoder). Only the predictor learns, so what the pretrained encoder adds
 * over random features shows as the difference.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, type MaskPair, type VideoBatch } from '@vjepa/core';
import { AdamW, clipGradNorm, CosineWDSchedule, gradientsByKey, groupParameters, paramGroups, WarmupCosineSchedule } from '@vjepa/optim';
import { averageLoss, gatherTargets, generatorLosses, targetFeatures } from '../loss';
import { officialRecipe, type TrainingRecipe } from '../recipe';
import { maskTokenIndex } from '../step';
import type { SurpriseModels } from './scores';

/** Options of {@link trainFrozenPredictor}. */
export interface FrozenPredictorOptions {
  /** The frozen encoder (context), its target copy and the predictor to train. */
  models: SurpriseModels;
  /** Training clips `[B, T, H, W, C]`, normalised; the trainer disposes each batch. */
  next: () => Promise<VideoBatch>;
  /** One context/target pair per mask generator for a batch of `batchSize`. */
  masks: (batchSize: number) => readonly MaskPair[];
  /** Optimisation steps. */
  steps: number;
  /** Learning-rate and weight-decay values (default the official ones, schedules scaled to `steps`). */
  recipe?: Partial<Pick<TrainingRecipe, 'startLr' | 'lr' | 'finalLr' | 'weightDecay' | 'finalWeightDecay' | 'clipGrad'>>;
  /** Told the loss after every step. */
  onStep?: (step: number, loss: number) => void;
}

/**
 * Trains `models.predictor` alone on the frozen `models.encoder`'s features (no gradient reaches either
 * encoder; the target encoder does not move). Returns the loss of every step.
 *
 * @example
 * const models = createPretrainingModels({ encoder: config.model.encoder, predictor: config.model.predictor, seed: 1 });
 * await trainFrozenPredictor({ models, next: async () => toVideoBatch(await loader.next()), masks: (b) => collator.sample(b), steps: 300 });
 */
export async function trainFrozenPredictor(options: FrozenPredictorOptions): Promise<number[]> {
  checkKeys('options', options, optionKeys<FrozenPredictorOptions>({ models: true, next: true, masks: true, steps: true, recipe: true, onStep: true }));
  const { models, steps } = options;
  if (!Number.isSafeInteger(steps) || steps < 1) fail('steps', 'a positive integer', steps);
  const recipe = { ...officialRecipe(steps), ...options.recipe };
  const groups = paramGroups({ predictor: models.predictor });
  const params = groupParameters(groups);
  const optimizer = new AdamW(groups);
  const lr = new WarmupCosineSchedule({ startLr: recipe.startLr, refLr: recipe.lr, finalLr: recipe.finalLr, warmupSteps: recipe.warmupSteps, totalSteps: Math.max(recipe.scheduleSteps, 1) });
  const wd = new CosineWDSchedule({ refWd: recipe.weightDecay, finalWd: recipe.finalWeightDecay, totalSteps: Math.max(recipe.scheduleSteps, 1) });
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const video = await options.next();
      try {
        const masks = options.masks(video.shape[0]);
        optimizer.setLearningRate(lr.step());
        optimizer.setWeightDecay(wd.step());
        const loss = tf.tidy(() => {
          const targets = gatherTargets(targetFeatures(models.targetEncoder, video), masks.map((m) => m.target)); // G × [B, K_tgt, D]
          const contexts = masks.map((m) => models.encoder.apply(video, m.context)); // G × [B, K_ctx, D], frozen
          const { value, grads } = tf.variableGrads(
            () => averageLoss(generatorLosses(masks.map((m, i) => models.predictor.apply(contexts[i], m.context, m.target, maskTokenIndex(models.predictor, i))), targets)),
            [...params.values()],
          );
          let byKey = gradientsByKey(params, grads);
          if (recipe.clipGrad !== null && step >= recipe.clipFromStep) byKey = clipGradNorm(byKey, recipe.clipGrad).grads;
          optimizer.step(byKey);
          return value;
        });
        losses.push(loss.dataSync()[0]);
        loss.dispose();
        options.onStep?.(step, losses[losses.length - 1]);
      } finally {
        video.dispose();
      }
    }
    return losses;
  } finally {
    optimizer.dispose();
  }
}
