import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { Expander } from './expander';
import { checkRegularizer, eppsPulleyKnots, randomUnitDirections, regularizerSampleSets, regularizerValue, sigreg, vicregTerms, type RegularizerConfig } from './regularizers';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Each element of `gradient` against the central difference of `f` at `data` (step `h`, default 1e-2). */
function expectCentralDifferences(f: (values: Float32Array) => number, data: Float32Array, gradient: ArrayLike<number>, name: string, h = 1e-2): void {
  for (let i = 0; i < data.length; i++) {
    const plus = Float32Array.from(data);
    const minus = Float32Array.from(data);
    plus[i] += h;
    minus[i] -= h;
    const numeric = (f(plus) - f(minus)) / (2 * h);
    expect(Math.abs(gradient[i] - numeric), `${name} [${i}]`).toBeLessThan(2e-3 + 1e-2 * Math.abs(numeric));
  }
}

describe('SIGReg (sliced Epps–Pulley)', () => {
  it('knots and weights: trapezoid on [0, tMax] doubled for t < 0, times φ(t) = exp(−t²/2)', () => {
    const { t, phi, weights } = eppsPulleyKnots(3, 2);
    expect(Array.from(t)).toEqual([0, 1, 2]);
    expect(Array.from(phi)).toEqual([1, Math.fround(Math.exp(-0.5)), Math.fround(Math.exp(-2))]);
    expect(Array.from(weights)).toEqual([1, Math.fround(2 * Math.exp(-0.5)), Math.fround(Math.exp(-2))]);
    expect(eppsPulleyKnots().t).toHaveLength(17);
    expect(() => eppsPulleyKnots(4)).toThrow(/knots: expected an odd integer ≥ 3, received 4/);
  });

  it('equals the hand-computed statistic of two points along two directions', () => {
    // x = (0, 0) and (1, 0); direction e₁ projects to [0, 1], direction e₂ to [0, 0]. With knots t = 0, 1, 2
    // (tMax 2) and weights (1, 2, 1)·φ(t): e₁ gives N·Σ w[(mean cos − φ)² + mean sin²] = 0.557005732…, and
    // e₂ (cos ≡ 1, sin ≡ 0) gives 2·[2φ(1)(1 − φ(1))² + φ(2)(1 − φ(2))²] = 0.577974…; the mean is reported.
    const e = (v: number) => Math.exp(-v * v / 2);
    const along = (cos1: number, sin1: number, cos2: number, sin2: number) =>
      2 * (2 * e(1) * ((cos1 - e(1)) ** 2 + sin1 ** 2) + e(2) * ((cos2 - e(2)) ** 2 + sin2 ** 2));
    const first = along((1 + Math.cos(1)) / 2, Math.sin(1) / 2, (1 + Math.cos(2)) / 2, Math.sin(2) / 2);
    const second = along(1, 0, 1, 0);
    expect(first).toBeCloseTo(0.557005732, 8);
    expect(second).toBeCloseTo(0.577974, 5);
    const x = tf.tensor2d([0, 0, 1, 0], [2, 2]);
    const directions = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    expect(sigreg(x, directions, { knots: 3, tMax: 2 }).dataSync()[0]).toBeCloseTo((first + second) / 2, 5);
    tf.dispose([x, directions]);
  });

  it('is small for standard normal samples and large for collapsed or stretched ones', () => {
    const rng = new RandomStream(1);
    const normal = tf.tensor2d(Float32Array.from({ length: 4096 * 8 }, () => rng.normal()), [4096, 8]);
    const directions = tf.tensor2d(randomUnitDirections(new RandomStream(2), 8, 32), [8, 32]);
    const value = (x: tf.Tensor2D) => tf.tidy(() => sigreg(x, directions).dataSync()[0]);
    const stretched = tf.mul(normal, 5) as tf.Tensor2D;
    const collapsed = tf.zeros([4096, 8]) as tf.Tensor2D;
    expect(value(normal)).toBeLessThan(3); // N · O(1/N) under the null
    expect(value(stretched)).toBeGreaterThan(100);
    expect(value(collapsed)).toBeGreaterThan(100);
    tf.dispose([normal, directions, stretched, collapsed]);
  });

  it('its gradient matches central finite differences', () => {
    const rng = new RandomStream(5);
    const data = Float32Array.from({ length: 6 * 3 }, () => rng.normal());
    const directions = tf.tensor2d(randomUnitDirections(new RandomStream(6), 3, 4), [3, 4]);
    const f = (values: Float32Array) => tf.tidy(() => sigreg(tf.tensor2d(values, [6, 3]), directions, { knots: 9 }).dataSync()[0]);
    const gradient = tf.tidy(() => tf.grad((x: tf.Tensor) => sigreg(x as tf.Tensor2D, directions, { knots: 9 }))(tf.tensor2d(data, [6, 3])).dataSync());
    expectCentralDifferences(f, data, gradient, 'sigreg');
    directions.dispose();
  });

  it('draws unit directions, new each step but the same for the same (seed, step)', () => {
    const a = randomUnitDirections(new RandomStream(0), 5, 3);
    for (let k = 0; k < 3; k++) {
      let norm = 0;
      for (let i = 0; i < 5; i++) norm += a[i * 3 + k] ** 2;
      expect(norm).toBeCloseTo(1, 6);
    }
    const rng = new RandomStream(4);
    const tokens = [tf.tensor3d(Float32Array.from({ length: 2 * 6 * 4 }, () => rng.normal()), [2, 6, 4])];
    const config = { kind: 'sigreg' as const, weight: 0.1, directions: 8, seed: 3 };
    const at = (step: number) => tf.tidy(() => regularizerValue(config, tokens, step).dataSync()[0]);
    expect(at(7)).toBe(at(7));
    expect(at(7)).not.toBe(at(8));
    tf.dispose(tokens);
  });
});

describe('VICReg terms', () => {
  it('hand case: variance hinge on the std and the squared off-diagonal covariance over D', () => {
    // rows (0, 0), (2, 1), (4, 2): unbiased variances 4 and 1, covariance 2.
    const x = tf.tensor2d([0, 0, 2, 1, 4, 2], [3, 2]);
    const { variance, covariance } = vicregTerms(x, { gamma: 1.5, eps: 0 });
    expect(variance.dataSync()[0]).toBeCloseTo((0 + (1.5 - 1)) / 2, 6); // std 2 → 0, std 1 → 0.5
    expect(covariance.dataSync()[0]).toBeCloseTo((2 * 2 ** 2) / 2, 6);
    tf.dispose([x, variance, covariance]);
  });

  it('checks configs: known kinds and keys, a weight ≥ 0', () => {
    expect(() => checkRegularizer({ kind: 'barlow', weight: 1 } as never)).toThrow(/regularizer.kind: expected 'sigreg' or 'vicreg', received "barlow"/);
    expect(() => checkRegularizer({ kind: 'sigreg', weight: -1 })).toThrow(/regularizer.weight: expected a finite number ≥ 0, received -1/);
    expect(() => checkRegularizer({ kind: 'vicreg', weight: 1, directions: 3 } as never)).toThrow(/regularizer.directions: expected one of the keys/);
  });
});

describe('regularisers over samples', () => {
  // two clips of three tokens in 2-D: clip 0 = (0,0), (2,0), (4,0); clip 1 = (1,1), (1,3), (1,5)
  const tokens = () => tf.tensor3d([0, 0, 2, 0, 4, 0, 1, 1, 1, 3, 1, 5], [2, 3, 2]);

  it('sample sets: pooled [1, B, D], by position [K, B, D], token rows [1, B·K, D]', () => {
    const x = tokens();
    const sets = (samples: 'pooled' | 'positions' | 'tokens') => tf.tidy(() => regularizerSampleSets(x, samples).arraySync());
    expect(sets('pooled')).toEqual([[[2, 0], [1, 3]]]);
    expect(sets('positions')).toEqual([[[0, 0], [1, 1]], [[2, 0], [1, 3]], [[4, 0], [1, 5]]]);
    expect(sets('tokens')).toEqual([[[0, 0], [2, 0], [4, 0], [1, 1], [1, 3], [1, 5]]]);
    x.dispose();
  });

  it('VICReg hand values: spread inside a clip no longer counts as spread across clips', () => {
    const x = tokens();
    const value = (config: RegularizerConfig) => tf.tidy(() => regularizerValue(config, [x], 0).dataSync()[0]);
    const eps = 1e-4;
    const hinge = (variance: number) => Math.max(0, 1 - Math.sqrt(variance + eps));
    // pooled: (2, 0) and (1, 3): variances 0.5 and 4.5, covariance −1.5 (n − 1 = 1)
    const pooled = (hinge(0.5) + hinge(4.5)) / 2 + (2 * 1.5 ** 2 / 2) / 25;
    expect(value({ kind: 'vicreg', weight: 1 })).toBeCloseTo(pooled, 5);
    // by position: k = 0: (0,0),(1,1) var 0.5, 0.5, cov 0.5; k = 1: (2,0),(1,3) var 0.5, 4.5, cov −1.5; k = 2: (4,0),(1,5) var 4.5, 12.5, cov −7.5
    const at = (v1: number, v2: number, c: number) => (hinge(v1) + hinge(v2)) / 2 + (2 * c * c / 2) / 25;
    expect(value({ kind: 'vicreg', weight: 1, samples: 'positions' })).toBeCloseTo((at(0.5, 0.5, 0.5) + at(0.5, 4.5, -1.5) + at(4.5, 12.5, -7.5)) / 3, 5);
    // token rows: the old behaviour, equal to vicregTerms on the 6 rows with weights 1 and 1/25
    const rows = tf.reshape(x, [6, 2]) as tf.Tensor2D;
    const { variance, covariance } = vicregTerms(rows);
    expect(value({ kind: 'vicreg', weight: 1, samples: 'tokens' })).toBeCloseTo(variance.dataSync()[0] + covariance.dataSync()[0] / 25, 5);
    tf.dispose([x, rows, variance, covariance]);
  });

  it('SIGReg pooled equals the statistic of the pooled embeddings; one clip is refused over samples', () => {
    const x = tokens();
    const config = { kind: 'sigreg' as const, weight: 1, directions: 4, seed: 2 };
    const directions = tf.tensor2d(randomUnitDirections(new RandomStream(2).fork('sigreg/5'), 2, 4), [2, 4]);
    const pooled = tf.tensor2d([2, 0, 1, 3], [2, 2]);
    expect(tf.tidy(() => regularizerValue(config, [x], 5).dataSync()[0])).toBeCloseTo(tf.tidy(() => sigreg(pooled, directions).dataSync()[0]), 5);
    const one = tf.slice(x, [0, 0, 0], [1, 3, 2]) as tf.Tensor3D;
    expect(() => regularizerValue(config, [one], 5)).toThrow(/batch: expected at least 2 clips for a regulariser over samples \('pooled'; 'tokens' takes one\), received 1/);
    expect(() => regularizerValue({ ...config, samples: 'tokens' }, [one], 5)).not.toThrow();
    expect(() => checkRegularizer({ kind: 'vicreg', weight: 1, samples: 'rows' as never })).toThrow(/regularizer.samples: expected one of pooled, positions, tokens, received "rows"/);
    tf.dispose([x, directions, pooled, one]);
  });

  it('gradients over samples match central finite differences (pooled and by position, both kinds)', () => {
    const rng = new RandomStream(9);
    const data = Float32Array.from({ length: 3 * 4 * 3 }, () => rng.normal());
    for (const config of [
      { kind: 'vicreg', weight: 1, gamma: 2 },
      { kind: 'vicreg', weight: 1, gamma: 2, samples: 'positions' },
      { kind: 'sigreg', weight: 1, directions: 6, knots: 9, seed: 1 },
      { kind: 'sigreg', weight: 1, directions: 6, knots: 9, seed: 1, samples: 'positions' },
    ] as RegularizerConfig[]) {
      const f = (values: Float32Array) => tf.tidy(() => regularizerValue(config, [tf.tensor3d(values, [3, 4, 3])], 0).dataSync()[0]);
      const gradient = tf.tidy(() => tf.grad((x: tf.Tensor) => regularizerValue(config, [x as tf.Tensor3D], 0))(tf.tensor3d(data, [3, 4, 3])).dataSync());
      expectCentralDifferences(f, data, gradient, `${config.kind}/${config.samples ?? 'pooled'}`);
    }
  });
});

describe('VICReg through the expander', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('needs an Expander exactly when config.expander is set; widths are checked', () => {
    const expander = new Expander(3, [4, 4, 4], new RandomStream(0));
    const x = tf.tensor3d(Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i % 5), [2, 2, 3]);
    expect(() => regularizerValue({ kind: 'vicreg', weight: 1, expander: [4, 4, 4] }, [x], 0)).toThrow(/expander: expected the Expander of config.expander, received "none"/);
    expect(() => regularizerValue({ kind: 'vicreg', weight: 1 }, [x], 0, expander)).toThrow(/expander: expected none \(config.expander is not set\), received "an Expander"/);
    expect(() => checkRegularizer({ kind: 'vicreg', weight: 1, expander: [4, 4] })).toThrow(/regularizer.expander: expected three positive integer widths/);
    expect(() => checkRegularizer({ kind: 'sigreg', weight: 1, expander: [4, 4, 4] } as never)).toThrow(/regularizer.expander: expected one of the keys/);
    tf.dispose(x);
    expander.dispose();
  });

  it('gradients through the expander match central finite differences (inputs pooled and by position; the first layer)', () => {
    const rng = new RandomStream(4);
    const data = Float32Array.from({ length: 6 * 2 * 3 }, () => rng.normal());
    for (const samples of ['pooled', 'positions'] as const) {
      const config: RegularizerConfig = { kind: 'vicreg', weight: 1, gamma: 3, samples, expander: [5, 4, 6] };
      const expander = new Expander(3, [5, 4, 6], new RandomStream(7));
      const value = (x: tf.Tensor) => regularizerValue(config, [x as tf.Tensor3D], 0, expander);
      const f = (values: Float32Array) => tf.tidy(() => value(tf.tensor3d(values, [6, 2, 3])).dataSync()[0]);
      const gradient = tf.tidy(() => tf.grad(value)(tf.tensor3d(data, [6, 2, 3])).dataSync());
      // A step of 1e-3: at 1e-2 or 3e-3 some inputs and first-layer weights move a BatchNorm output across its ReLU kink.
      expectCentralDifferences(f, data, gradient, `inputs/${samples}`, 1e-3);
      expander.dispose();
    }
    // The parameters' gradient (what the optimiser trains the expander with), on the pooled embeddings.
    {
      const config: RegularizerConfig = { kind: 'vicreg', weight: 1, gamma: 3, expander: [5, 4, 6] };
      const expander = new Expander(3, [5, 4, 6], new RandomStream(7));
      const value = (x: tf.Tensor) => regularizerValue(config, [x as tf.Tensor3D], 0, expander);
      const weight = expander.layers[0].weight;
      const initial = Float32Array.from(weight.dataSync());
      const x = tf.tensor3d(data, [6, 2, 3]);
      const weightGradient = tf.tidy(() => tf.variableGrads(() => value(x), [weight]).grads[weight.name].dataSync());
      const atWeights = (values: Float32Array) => {
        tf.tidy(() => weight.assign(tf.tensor2d(values, weight.shape as [number, number])));
        return tf.tidy(() => value(x).dataSync()[0]);
      };
      expectCentralDifferences(atWeights, initial, weightGradient, '0.weight', 1e-3);
      x.dispose();
      expander.dispose();
    }
  });
});
