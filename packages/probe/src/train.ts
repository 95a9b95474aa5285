import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, checkKeys, fail, optionKeys, readNow, readsAsync, type Reads } from '@vjepa/core';
import {
  AdamW,
  CosineWDSchedule,
  WarmupCosineSchedule,
  clipGradNormOnDevice,
  clipOptional,
  gradientsByKey,
  groupParameters,
  paramGroups,
  type AdamWState,
} from '@vjepa/optim';
import { checkFeatureViews, checkInteger, checkLabels, checkNonNegative, type Labels } from './checks';
import { crossEntropy } from './losses';
import type { Probe } from './probe';
import { batchesOf, batchesPerEpoch, permutation } from './shuffle';

/** What one optimizer step of {@link trainProbe} did. */
export interface ProbeStepMetrics {
  /** 1-based step (the schedules' `s`). */
  step: number;
  /** 0-based epoch. */
  epoch: number;
  /** Cross-entropy of this batch (mean over views). */
  loss: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Weight decay of the decayed group at this step. */
  weightDecay: number;
  /** Global gradient norm before clipping (absent when `clipGrad` is null). */
  gradNorm?: number;
}

/** Options of {@link trainProbe}; the defaults are the released video eval configs (spec §11.4). */
export interface TrainProbeOptions {
  /** The probe to train (its variables are updated in place). */
  probe: Probe;
  /**
   * Precomputed frozen features `[M, N, D]`, or one such tensor per view of the same clips (the loss
   * is then the mean of the per-view cross-entropies, as the official trainer). Not disposed.
   */
  features: tf.Tensor3D | readonly tf.Tensor3D[];
  /** One class index in `[0, classes)` per clip. */
  labels: Labels;
  /** Passes over the data (default 20). */
  epochs?: number;
  /** Clips per optimizer step (default 256, the official global batch 4 × 64 GPUs). */
  batchSize?: number;
  /** Seed of the per-epoch shuffling (default 0). */
  seed?: number;
  /** Reference learning rate (default 1e-3). */
  lr?: number;
  /** Learning rate at the start of the warm-up (default `lr`). */
  startLr?: number;
  /** Learning rate the cosine ends at (default 0). */
  finalLr?: number;
  /** Warm-up length in epochs (default 0). */
  warmupEpochs?: number;
  /** Weight decay at step 0 (default 0.01). */
  weightDecay?: number;
  /** Weight decay the cosine ends at (default 1e-6). */
  finalWeightDecay?: number;
  /** Global-norm gradient clip applied every step; null for none (default 1.0). */
  clipGrad?: number | null;
  /** Drop the last, shorter batch of each epoch (default false, as the official loader). */
  dropLast?: boolean;
  /**
   * AdamW moments, step counts and group settings to continue from (e.g. read from an official probe
   * checkpoint, or a previous {@link TrainProbeResult.optimizer}); group names `probe/decay` and
   * `probe/no-decay`, parameter keys `probe/<official key>`. Default: a fresh optimizer.
   */
  optimizerState?: AdamWState;
  /**
   * Epochs already done (default 0): as the official resume does, the schedules are advanced by
   * `startEpoch · ipe` steps and training runs epochs `startEpoch … epochs − 1`; the shuffling
   * stream skips the permutations of the epochs done, so a resumed run sees the same batches as an
   * uninterrupted one.
   */
  startEpoch?: number;
  /** Called after every optimizer step. */
  onStep?: (metrics: ProbeStepMetrics) => void;
  /** Called after every epoch with its 0-based index and mean loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/** What {@link trainProbe} returns. */
export interface TrainProbeResult {
  /** Mean cross-entropy of each epoch (per-batch losses weighted by batch size). */
  losses: number[];
  /** Schedule steps at the end (with `startEpoch`, those of the epochs done before count too). */
  steps: number;
  /** Optimizer steps per epoch (`ipe`). */
  stepsPerEpoch: number;
  /** The optimizer's state at the end (moments, step counts, group settings), to resume or export. */
  optimizer: AdamWState;
}

/**
 * Trains a probe on precomputed frozen features as the official evaluator does (spec §11.4): AdamW
 * with the official groups (biases and 1-D tensors not decayed, the query token decayed), learning
 * rate by `WarmupCosineSchedule` (warm-up 0, cosine from `lr` to `finalLr` over `epochs · ipe` steps,
 * `s` counting from 1), weight decay by `CosineWDSchedule` (`weightDecay` → `finalWeightDecay`), both
 * stepped before every update, global-norm clipping to `clipGrad` every step, cross-entropy, and a
 * seeded reshuffle each epoch.
 *
 * Difference from the official loop (spec §16 item 4): the encoder is frozen, so features are computed
 * once (see `extractFeatures`) and every epoch sees the same ones, whereas the official trainer decodes
 * and augments (RandAugment, random resized crop, random erasing) the clips anew in every epoch.
 *
 * Every check (shapes, widths, counts, class range, options) runs before the first step. Each step runs
 * in one `tf.tidy`, and the optimizer's moments are freed at the end, so `tf.memory().numTensors`
 * is the same before and after, and flat from epoch to epoch.
 *
 * @example
 * const { losses } = trainProbe({ probe, features, labels, epochs: 20, batchSize: 16, seed: 0 });
 */
const TRAIN_PROBE_KEYS = optionKeys<TrainProbeOptions>({
  probe: true, features: true, labels: true, epochs: true, batchSize: true, seed: true, lr: true, startLr: true, finalLr: true, warmupEpochs: true,
  weightDecay: true, finalWeightDecay: true, clipGrad: true, dropLast: true, optimizerState: true, startEpoch: true, onStep: true, onEpoch: true,
});

export function trainProbe(options: TrainProbeOptions): TrainProbeResult {
  return readNow(trainProbeReads(options));
}

/** {@link trainProbe} as a computation that yields what it reads (run it with core's `readAll` on any backend, webgpu included). */
export function* trainProbeReads(options: TrainProbeOptions): Reads<TrainProbeResult> {
  checkKeys('options', options, TRAIN_PROBE_KEYS);
  const { probe, epochs = 20, batchSize = 256, seed = 0, lr = 1e-3, finalLr = 0, warmupEpochs = 0 } = options;
  const { startLr = lr, weightDecay = 0.01, finalWeightDecay = 1e-6, dropLast = false, startEpoch = 0, onStep, onEpoch } = options;
  const clipGrad = options.clipGrad === undefined ? 1 : options.clipGrad;
  if (typeof probe?.apply !== 'function' || typeof probe.config?.dim !== 'number') fail('probe', 'a Probe (e.g. AttentiveProbe or LinearProbe)', probe);
  const views = checkFeatureViews('features', options.features, probe.config.dim);
  const count = views[0].shape[0];
  const labels = checkLabels(options.labels, count, probe.config.classes);
  checkInteger('epochs', epochs, 1);
  checkInteger('batchSize', batchSize, 1);
  if (!Number.isInteger(startEpoch) || startEpoch < 0 || startEpoch > epochs) fail('startEpoch', `an integer in [0, ${epochs}] (epochs)`, startEpoch);
  if (!Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
  for (const [name, value] of Object.entries({ lr, startLr, finalLr, warmupEpochs, weightDecay, finalWeightDecay })) checkNonNegative(name, value);
  if (clipGrad !== null && !(typeof clipGrad === 'number' && clipGrad > 0 && Number.isFinite(clipGrad))) fail('clipGrad', 'a positive number or null', clipGrad);
  const stepsPerEpoch = batchesPerEpoch(count, batchSize, dropLast);
  if (stepsPerEpoch === 0) fail('batchSize', `at most the ${count} clips when dropLast is set`, batchSize);

  // 1. Optimizer and schedules, sized as the official `init_opt` (T = epochs · ipe).
  const groups = paramGroups({ probe });
  const params = groupParameters(groups);
  const optimizer = new AdamW(groups, { lr, weightDecay });
  if (options.optimizerState !== undefined) {
    try {
      optimizer.loadState(options.optimizerState);
    } catch (error) {
      optimizer.dispose();
      throw error;
    }
  }
  const totalSteps = epochs * stepsPerEpoch;
  const warmupSteps = Math.min(Math.trunc(warmupEpochs * stepsPerEpoch), totalSteps);
  const lrSchedule = new WarmupCosineSchedule({ startLr, refLr: lr, finalLr, warmupSteps, totalSteps });
  const wdSchedule = new CosineWDSchedule({ refWd: weightDecay, finalWd: finalWeightDecay, totalSteps });
  const rng = new RandomStream(seed);
  // 1b. The official resume: schedules advanced by the epochs done (and the shuffles of those epochs skipped).
  for (let s = 0; s < startEpoch * stepsPerEpoch; s++) {
    lrSchedule.step();
    wdSchedule.step();
  }
  for (let epoch = 0; epoch < startEpoch; epoch++) permutation(count, rng);
  const losses: number[] = [];
  let finalState: AdamWState;
  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      let lossSum = 0;
      let seen = 0;
      for (const indices of batchesOf(permutation(count, rng), batchSize, dropLast)) {
        // 2. Schedules step first, so the first update uses s = 1.
        const stepLr = lrSchedule.step();
        const stepWd = wdSchedule.step();
        optimizer.setLearningRate(stepLr);
        optimizer.setWeightDecay(stepWd);
        const batchLabels = Int32Array.from(indices, (i) => labels[i]);
        let gradNorm: number | undefined;
        const read = tf.tidy(() => {
          // 3. Loss and gradients of the probe's parameters only: the features are constants.
          const rows = tf.tensor1d(indices, 'int32'); // [b]
          const batchViews = views.map((view) => tf.gather(view, rows)); // V × [b, N, D]
          const { value, grads } = tf.variableGrads(() => {
            const perView = batchViews.map((view) => crossEntropy(probe.apply(view), batchLabels)); // V scalars
            return tf.div(perView.reduce((a, b) => tf.add(a, b)), perView.length) as tf.Scalar;
          }, [...params.values()]);
          // 4. Clip the global norm, then one AdamW step (on webgpu the norm stays a tensor until read).
          if (readsAsync() && clipGrad !== null) {
            const clipped = clipGradNormOnDevice(gradientsByKey(params, grads), clipGrad);
            optimizer.step(clipped.grads);
            return [value, clipped.totalNorm]; // loss, norm
          }
          const update = clipOptional(gradientsByKey(params, grads), clipGrad);
          gradNorm = update.totalNorm;
          optimizer.step(update.grads);
          return [value]; // loss
        });
        let loss: number;
        try {
          loss = (yield read[0])[0];
          if (read.length > 1) gradNorm = (yield read[1])[0];
        } finally {
          tf.dispose(read);
        }
        lossSum += loss * indices.length;
        seen += indices.length;
        onStep?.({ step: lrSchedule.stepCount, epoch, loss, lr: stepLr, weightDecay: stepWd, gradNorm });
      }
      losses.push(lossSum / seen);
      onEpoch?.(epoch, lossSum / seen);
    }
    if (readsAsync()) for (const moment of optimizer.momentTensors()) yield moment; // then state() reads them from the host
    finalState = optimizer.state();
  } finally {
    optimizer.dispose();
  }
  return { losses, steps: lrSchedule.stepCount, stepsPerEpoch, optimizer: finalState };
}
