import * as tf from '@tensorflow/tfjs-core';
import { fail } from '@vjepa/core';

/** Integer class labels, one per clip. */
export type Labels = Int32Array | readonly number[];

/**
 * Features given as one view `[M, N, D]` or several views of the same clips, returned as a list after
 * checking that every view is a live rank-3 tensor of the same shape with width `dim`.
 *
 * @param argument - the argument name used in error messages.
 * @param features - one tensor or a non-empty list of tensors.
 * @param dim - the probe's feature width.
 */
export function checkFeatureViews(argument: string, features: tf.Tensor3D | readonly tf.Tensor3D[], dim: number): tf.Tensor3D[] {
  const views: tf.Tensor3D[] | undefined =
    features instanceof tf.Tensor ? [features] : Array.isArray(features) ? [...(features as tf.Tensor3D[])] : undefined;
  if (views === undefined || views.length === 0) fail(argument, 'a [M, N, D] tensor or a non-empty list of them (one per view)', features);
  const first = views[0];
  views.forEach((view, i) => {
    const name = views.length === 1 && features instanceof tf.Tensor ? argument : `${argument}[${i}]`;
    if (!(view instanceof tf.Tensor) || view.isDisposed) fail(name, 'a live tensor', view);
    if (view.rank !== 3 || view.shape[2] !== dim) {
      fail(name, `a [M, N, ${dim}] tensor (the probe's feature width is ${dim})`, view.shape, 'Build the probe with the encoder’s width');
    }
    if (view.shape[0] !== first.shape[0] || view.shape[1] !== first.shape[1]) {
      fail(name, `the shape of the first view [${first.shape}] (every view holds the same clips)`, view.shape);
    }
  });
  return views;
}

/**
 * Checks that there is one integer label per clip, each in `[0, classes)`, and returns them as an
 * Int32Array (a copy).
 *
 * @param labels - the labels.
 * @param count - the number of clips M.
 * @param classes - the probe's class count C.
 */
export function checkLabels(labels: Labels, count: number, classes: number): Int32Array {
  if (!(labels instanceof Int32Array) && !Array.isArray(labels)) fail('labels', 'an Int32Array or an array of class indices', labels);
  if (labels.length !== count) fail('labels', `${count} labels, one per clip of the features`, labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      fail(`labels[${i}]`, `a class index in [0, ${classes}) (the probe has ${classes} classes)`, label);
    }
  }
  return Int32Array.from(labels);
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(argument: string, value: unknown, min: number): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < min) fail(argument, `an integer ≥ ${min}`, value);
}

/** Throws unless `value` is a finite number ≥ 0. */
export function checkNonNegative(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(argument, 'a finite number ≥ 0', value);
}
