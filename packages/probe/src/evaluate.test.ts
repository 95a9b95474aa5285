import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { confusionMatrix, formatConfusionMatrix } from './confusion';
import { evaluateProbe } from './evaluate';
import { LinearProbe } from './linear';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('evaluateProbe', () => {
  it('gives top-1, the confusion matrix (rows = true class) and the predictions', () => {
    // Logits = mean token (identity head), one token per clip: the predicted class is the largest entry.
    const probe = new LinearProbe({ dim: 3, classes: 3 });
    probe.linear.weight.assign(tf.eye(3));
    probe.linear.bias!.assign(tf.zeros([3]));
    const rows = [[5, 0, 0], [0, 5, 0], [0, 0, 5], [5, 0, 0], [0, 5, 0]];
    const features = tf.tensor3d(rows.map((row) => [row])); // [5, 1, 3]
    const labels = [0, 1, 2, 1, 0];
    const result = evaluateProbe(probe, features, labels, { batchSize: 2 });
    expect(Array.from(result.predictions)).toEqual([0, 1, 2, 0, 1]);
    expect(result.top1).toBeCloseTo(3 / 5, 12);
    expect(result.confusion).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    features.dispose();
    probe.dispose();
  });

  it('keeps tf.memory().numTensors unchanged', () => {
    const probe = new LinearProbe({ dim: 4, classes: 2 });
    const views = [tf.ones([7, 3, 4]), tf.zeros([7, 3, 4])] as tf.Tensor3D[];
    const before = tf.memory().numTensors;
    evaluateProbe(probe, views, [0, 1, 0, 1, 0, 1, 0], { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(views);
    probe.dispose();
  });

  it('rejects labels outside the classes and views of different shapes', () => {
    const probe = new LinearProbe({ dim: 4, classes: 2 });
    const a = tf.zeros([3, 2, 4]) as tf.Tensor3D;
    const b = tf.zeros([3, 5, 4]) as tf.Tensor3D;
    expect(() => evaluateProbe(probe, a, [0, 2, 1])).toThrow('labels[1]: expected a class index in [0, 2) (the probe has 2 classes), received 2');
    expect(() => evaluateProbe(probe, [a, b], [0, 1, 1])).toThrow('featuresPerView[1]: expected the shape of the first view [3,2,4] (every view holds the same clips), received [3, 5, 4]');
    expect(() => evaluateProbe(probe, a, [0, 1])).toThrow('labels: expected 3 labels, one per clip of the features, received 2');
    tf.dispose([a, b]);
    probe.dispose();
  });
});

describe('confusion matrix', () => {
  it('counts (true, predicted) pairs', () => {
    expect(confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2)).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(() => confusionMatrix([0, 1], [0, 2], 2)).toThrow('predictions[1]: expected a class index in [0, 2), received 2');
  });

  it('renders as plain text with recall per true class', () => {
    const text = formatConfusionMatrix(
      [
        [2, 0],
        [1, 3],
      ],
      { classNames: ['cat', 'dog'] },
    );
    expect(text).toBe(['true \\ predicted  cat  dog  recall', 'cat                 2    0  100.0%', 'dog                 1    3   75.0%'].join('\n'));
    expect(formatConfusionMatrix([[0, 0], [0, 12]])).toBe(
      ['true \\ predicted   0   1  recall', '0                  0   0       -', '1                  0  12  100.0%'].join('\n'),
    );
    expect(() => formatConfusionMatrix([[1, 2]])).toThrow('confusion: expected a square C × C matrix of counts');
  });
});
