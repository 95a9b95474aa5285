import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, optionKeys, fail, readNow, type Reads } from '@vjepa/core';
import { checkFeatureViews, checkInteger, checkLabels, type Labels } from './checks';
import { confusionMatrix } from './confusion';
import type { Probe } from './probe';
import { averageViewProbabilities } from './views';

/** Options of {@link evaluateProbe}. */
export interface EvaluateProbeOptions {
  /** Clips per probe call (default 64). */
  batchSize?: number;
}

/** What {@link evaluateProbe} returns. */
export interface ProbeEvaluation {
  /** Fraction of clips whose prediction is the label, in [0, 1] (the official logs print it × 100). */
  top1: number;
  /** `confusion[t][p]`: clips of true class t predicted as p. */
  confusion: number[][];
  /** The predicted class per clip: argmax of the view-averaged softmax. */
  predictions: Int32Array;
}

/**
 * Multi-view evaluation as the official evaluator (spec §11.3): the probe runs once per view, the
 * softmax probabilities are averaged over views, and the prediction is the argmax of the average.
 * Every check runs before any compute; each batch runs in a `tf.tidy`.
 *
 * @param probe - a trained probe.
 * @param featuresPerView - one `[M, N, D]` per view of the same clips (e.g. 3 spatial crops), or a
 *   single tensor for one view. With several segments, concatenate them per view first (`concatSegments`).
 * @param labels - one class index per clip.
 * @example
 * const { top1, confusion } = evaluateProbe(probe, [left, centre, right], labels);
 * console.log(formatConfusionMatrix(confusion));
 */
export function evaluateProbe(
  probe: Probe,
  featuresPerView: tf.Tensor3D | readonly tf.Tensor3D[],
  labels: Labels,
  options: EvaluateProbeOptions = {},
): ProbeEvaluation {
  return readNow(evaluateProbeReads(probe, featuresPerView, labels, options));
}

/** {@link evaluateProbe} as a computation that yields what it reads (run it with core's `readAll` on any backend, webgpu included). */
export function* evaluateProbeReads(
  probe: Probe,
  featuresPerView: tf.Tensor3D | readonly tf.Tensor3D[],
  labels: Labels,
  options: EvaluateProbeOptions = {},
): Reads<ProbeEvaluation> {
  checkKeys('options', options, optionKeys<EvaluateProbeOptions>({ batchSize: true }));
  const { batchSize = 64 } = options;
  if (typeof probe?.apply !== 'function' || typeof probe.config?.dim !== 'number') fail('probe', 'a Probe (e.g. AttentiveProbe or LinearProbe)', probe);
  const views = checkFeatureViews('featuresPerView', featuresPerView, probe.config.dim);
  const count = views[0].shape[0];
  const truth = checkLabels(labels, count, probe.config.classes);
  checkInteger('batchSize', batchSize, 1);
  const predictions = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const predicted = tf.tidy(() => {
      const logitsPerView = views.map((view) => probe.apply(tf.slice(view, [start, 0, 0], [size, -1, -1]))); // V × [b, C]
      return tf.argMax(averageViewProbabilities(logitsPerView), 1); // [b]
    });
    try {
      predictions.set(yield predicted, start);
    } finally {
      predicted.dispose();
    }
  }
  const correct = predictions.reduce((sum, predicted, i) => sum + (predicted === truth[i] ? 1 : 0), 0);
  return { top1: correct / count, confusion: confusionMatrix(truth, predictions, probe.config.classes), predictions };
}
