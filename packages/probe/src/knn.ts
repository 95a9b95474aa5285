import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, readNow, type Reads } from '@vjepa/core';
import { checkFeatureViews, checkInteger, checkLabels, type Labels } from './checks';
import { confusionMatrix } from './confusion';
import type { ProbeEvaluation } from './evaluate';

/** Options of the k-NN read-out; the defaults are DINO's k-NN evaluation (`eval_knn.py`). */
export interface KnnOptions {
  /** Number of classes C (default: the largest training label + 1). */
  classes?: number;
  /** Neighbours that vote (default 20; at most the training clips). */
  k?: number;
  /** Temperature T of the votes' weights `exp(similarity / T)` (default 0.07). */
  temperature?: number;
  /** Query clips per similarity product (default 256), to bound memory at `batch × M`. */
  batchSize?: number;
}

const KNN_KEYS = optionKeys<KnnOptions>({ classes: true, k: true, temperature: true, batchSize: true });

/** Rows scaled to unit L2 norm, as `F.normalize(x, dim=1)` (norms below 1e-12 are clamped). */
function normalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D); // [M, D]
}

function checkOptions(options: KnnOptions, bankSize: number, labels: Int32Array): { classes: number; k: number; temperature: number; batchSize: number } {
  checkKeys('options', options, KNN_KEYS);
  const { k = 20, temperature = 0.07, batchSize = 256 } = options;
  const classes = options.classes ?? labels.reduce((max, label) => Math.max(max, label), -1) + 1;
  checkInteger('k', k, 1);
  checkInteger('batchSize', batchSize, 1);
  checkInteger('classes', classes, 1);
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) fail('temperature', 'a positive number', temperature);
  return { classes, k: Math.min(k, bankSize), temperature, batchSize };
}

/**
 * Weighted k-NN votes as DINO's k-NN evaluation: training features and queries are L2-normalised, each
 * query's `k` most cosine-similar training clips vote for their class with weight `exp(similarity / T)`,
 * and the votes are summed per class. Returns `[Q, C]` (not normalised; the prediction is the argmax).
 *
 * @param bank - training features `[M, D]` (one row per clip).
 * @param bankLabels - one class index per training clip.
 * @param queries - features `[Q, D]` to classify.
 * @example
 * const votes = knnVotes(trainPooled, trainLabels, valPooled, { k: 20, temperature: 0.07 }); // [Q, C]
 */
export function knnVotes(bank: tf.Tensor2D, bankLabels: Labels, queries: tf.Tensor2D, options: KnnOptions = {}): tf.Tensor2D {
  if (!(bank instanceof tf.Tensor) || bank.rank !== 2) fail('bank', 'a [M, D] tensor of training features', bank?.shape ?? bank);
  if (!(queries instanceof tf.Tensor) || queries.rank !== 2 || queries.shape[1] !== bank.shape[1]) fail('queries', `a [Q, ${bank.shape[1]}] tensor`, queries?.shape ?? queries);
  const given = checkLabels(bankLabels, bank.shape[0], Number.MAX_SAFE_INTEGER);
  const { classes, k, temperature, batchSize } = checkOptions(options, bank.shape[0], given);
  const labels = checkLabels(given, bank.shape[0], classes);
  return tf.tidy(() => {
    const trainRows = normalizeRows(bank); // [M, D]
    const trainClasses = tf.tensor1d(labels, 'int32'); // [M]
    const chunks: tf.Tensor2D[] = [];
    for (let start = 0; start < queries.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, queries.shape[0] - start);
      const rows = normalizeRows(tf.slice(queries, [start, 0], [size, -1])); // [b, D]
      const similarity = tf.matMul(rows, trainRows, false, true); // [b, M]
      const { values, indices } = tf.topk(similarity, k); // [b, k] each
      const neighbours = tf.oneHot(tf.gather(trainClasses, indices), classes); // [b, k, C]
      const weights = tf.expandDims(tf.exp(tf.div(values, temperature)), 2); // [b, k, 1]
      chunks.push(tf.sum(tf.mul(neighbours, weights), 1) as tf.Tensor2D); // [b, C]
    }
    return (chunks.length === 1 ? chunks[0] : tf.concat(chunks, 0)) as tf.Tensor2D; // [Q, C]
  });
}

/**
 * The zero-training baseline of frozen features: each clip's tokens are mean-pooled, and the validation
 * clips are classified by {@link knnVotes} against the training clips. With several views the votes of
 * each view are normalised to sum 1 and averaged (as the probes average their softmax). Returns top-1,
 * the confusion matrix and the predictions, as `evaluateProbe` does.
 *
 * @param train - training features `[M, N, D]`.
 * @param trainLabels - one class index per training clip.
 * @param valPerView - validation features `[Q, N', D]`, or one per view.
 * @param valLabels - one class index per validation clip.
 * @example
 * const { top1 } = evaluateKnn(train.features[0], train.labels.shape, val.features, val.labels.shape);
 */
export function evaluateKnn(train: tf.Tensor3D, trainLabels: Labels, valPerView: tf.Tensor3D | readonly tf.Tensor3D[], valLabels: Labels, options: KnnOptions = {}): ProbeEvaluation {
  return readNow(evaluateKnnReads(train, trainLabels, valPerView, valLabels, options));
}

/** {@link evaluateKnn} as a computation that yields what it reads (run it with core's `readAll` on any backend, webgpu included). */
export function* evaluateKnnReads(train: tf.Tensor3D, trainLabels: Labels, valPerView: tf.Tensor3D | readonly tf.Tensor3D[], valLabels: Labels, options: KnnOptions = {}): Reads<ProbeEvaluation> {
  if (!(train instanceof tf.Tensor) || train.rank !== 3) fail('train', 'a [M, N, D] tensor of training features', train?.shape ?? train);
  const views = checkFeatureViews('valPerView', valPerView, train.shape[2]);
  const bankLabels = checkLabels(trainLabels, train.shape[0], Number.MAX_SAFE_INTEGER);
  const classes = options.classes ?? Math.max(...bankLabels, ...Array.from(valLabels)) + 1;
  const truth = checkLabels(valLabels, views[0].shape[0], classes);
  const predicted = tf.tidy(() => {
    const bank = tf.mean(train, 1) as tf.Tensor2D; // [M, D]
    const perView = views.map((view) => {
      const votes = knnVotes(bank, bankLabels, tf.mean(view, 1) as tf.Tensor2D, { ...options, classes }); // [Q, C]
      return tf.div(votes, tf.sum(votes, 1, true)); // [Q, C], rows sum to 1
    });
    return tf.argMax(perView.reduce((a, b) => tf.add(a, b)), 1); // [Q]
  });
  let predictions: Int32Array;
  try {
    predictions = Int32Array.from(yield predicted);
  } finally {
    predicted.dispose();
  }
  const correct = predictions.reduce((sum, predicted, i) => sum + (predicted === truth[i] ? 1 : 0), 0);
  return { top1: correct / truth.length, confusion: confusionMatrix(truth, predictions, classes), predictions: Int32Array.from(predictions) };
}
