import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, VjepaError, selectBackend } from '@vjepa/core';
import { AdamW } from './adamw';
import { paramGroups } from './param-groups';

const [B1, B2, EPS] = [0.9, 0.999, 1e-8];

/** One parameter under torch.optim.AdamW's formulas, in float64 (`f` = identity) or float32 (`f` = fround per op). */
function reference(p0: number[], grads: number[][], lrs: number[], wds: number[], f: (x: number) => number = (x) => x): number[] {
  return p0.map((p0i, i) => {
    let [p, m, v] = [f(p0i), 0, 0];
    grads.forEach((g, s) => {
      const t = s + 1;
      const [lr, wd] = [lrs[s], wds[s]];
      if (wd !== 0) p = f(p * f(1 - lr * wd));
      m = f(f(m * f(B1)) + f(g[i] * f(1 - B1)));
      v = f(f(v * f(B2)) + f(f(g[i] * f(1 - B2)) * g[i]));
      const stepSize = lr / (1 - B1 ** t);
      const denom = f(f(f(Math.sqrt(v)) / f(Math.sqrt(1 - B2 ** t))) + f(EPS));
      p = f(p + f(f(m / denom) * f(-stepSize)));
    });
    return p;
  });
}

/** A Linear 3 → 1: weight [1, 3] (decayed) and bias [1] (not decayed), with non-trivial values. */
function tinyModel(): Linear {
  const model = new Linear(3, 1);
  model.weight.assign(tf.tensor2d([[0.5, -1, 2]]));
  model.bias!.assign(tf.tensor1d([0.25]));
  return model;
}

const W0 = [0.5, -1, 2];
const WEIGHT_GRADS = [
  [0.1, -0.2, 0.3],
  [-0.05, 0.4, 0],
];
const BIAS_GRADS = [[0.7], [-0.3]];
const LRS = [1e-2, 5e-3];
const WDS = [0.1, 0.2];

function gradsAt(s: number): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ['model/weight', tf.tensor2d([WEIGHT_GRADS[s]])],
    ['model/bias', tf.tensor1d(BIAS_GRADS[s])],
  ]);
}

function twoSteps(model: Module, optimizer: AdamW): void {
  for (let s = 0; s < 2; s++) {
    optimizer.setLearningRate(LRS[s]);
    optimizer.setWeightDecay(WDS[s]);
    const grads = gradsAt(s);
    optimizer.step(grads);
    tf.dispose([...grads.values()]);
  }
}

describe.each(['cpu', 'wasm'] as const)('AdamW on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('matches a hand-computed 2-step update for a decayed and a non-decayed group', () => {
    const model = tinyModel();
    const optimizer = new AdamW(paramGroups({ model }));
    twoSteps(model, optimizer);
    const weight = Array.from(model.weight.dataSync());
    const bias = Array.from(model.bias!.dataSync());
    const expectedWeight = reference(W0, WEIGHT_GRADS, LRS, WDS);
    const expectedBias = reference([0.25], BIAS_GRADS, LRS, [0, 0]);
    weight.forEach((x, i) => expect(Math.abs(x - expectedWeight[i])).toBeLessThan(2e-7 * Math.abs(expectedWeight[i]) + 1e-9));
    expect(Math.abs(bias[0] - expectedBias[0])).toBeLessThan(2e-7);
    // The decay really acted on the weight and not on the bias.
    const undecayed = reference(W0, WEIGHT_GRADS, LRS, [0, 0]);
    expect(Math.abs(weight[0] - undecayed[0])).toBeGreaterThan(1e-4);
    expect(optimizer.groups.map((g) => [g.name, g.weightDecay])).toEqual([
      ['model/decay', 0.2],
      ['model/no-decay', 0],
    ]);
    expect(optimizer.stepCount).toBe(2);
    if (backend === 'cpu') {
      // Same float32 op order as PyTorch: bit-identical to a per-op float32 emulation.
      expect(weight).toEqual(reference(W0, WEIGHT_GRADS, LRS, WDS, Math.fround));
      expect(bias).toEqual(reference([0.25], BIAS_GRADS, LRS, [0, 0], Math.fround));
    }
    optimizer.dispose();
    model.dispose();
  });

  it('neither decays nor moves a parameter without a gradient', () => {
    const model = tinyModel();
    const optimizer = new AdamW(paramGroups({ model }), { lr: 0.1, weightDecay: 0.5 });
    const grads = new Map([['model/bias', tf.tensor1d([1])]]);
    optimizer.step(grads);
    expect(Array.from(model.weight.dataSync())).toEqual(W0);
    expect(model.bias!.dataSync()[0]).toBeCloseTo(0.25 - 0.1, 6); // first Adam step moves by ≈ lr·sign(g)
    expect(Object.keys(optimizer.state().params)).toEqual(['model/bias']);
    tf.dispose([...grads.values()]);
    optimizer.dispose();
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat over 50 steps', () => {
    const model = tinyModel();
    const optimizer = new AdamW(paramGroups({ model }));
    const grads = gradsAt(0);
    optimizer.step(grads); // creates the moments
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) optimizer.step(grads);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before - 4); // two moments for each of the two parameters
    tf.dispose([...grads.values()]);
    model.dispose();
  });

  it('resumes exactly from state()/loadState()', () => {
    const [a, b] = [tinyModel(), tinyModel()];
    const [optA, optB] = [new AdamW(paramGroups({ model: a })), new AdamW(paramGroups({ model: b }))];
    twoSteps(a, optA);
    const saved = optA.state();
    expect(saved.stepCount).toBe(2);
    expect(saved.params['model/weight'].step).toBe(2);
    expect(saved.params['model/weight'].expAvg.shape).toEqual([1, 3]);
    expect(saved.groups).toEqual([
      { name: 'model/decay', lr: 5e-3, weightDecay: 0.2 },
      { name: 'model/no-decay', lr: 5e-3, weightDecay: 0 },
    ]);
    b.loadStateDict(a.stateDict());
    optB.loadState(saved);
    const grads = gradsAt(1);
    optA.step(grads);
    optB.step(grads);
    expect(Array.from(b.weight.dataSync())).toEqual(Array.from(a.weight.dataSync()));
    expect(Array.from(b.bias!.dataSync())).toEqual(Array.from(a.bias!.dataSync()));
    expect(optB.state().params['model/bias'].step).toBe(3);
    tf.dispose([...grads.values()]);
    for (const x of [optA, optB, a, b]) x.dispose();
  });
});

describe('AdamW validation', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('checks every gradient before writing anything', () => {
    const model = tinyModel();
    const optimizer = new AdamW(paramGroups({ model }));
    const good = tf.tensor1d([1]);
    const bad = tf.tensor1d([1, 2, 3]);
    expect(() => optimizer.step(new Map([['model/bias', good], ['model/weight', bad]]))).toThrow(/grads 'model\/weight' shape: expected \[1,3\]/);
    expect(() => optimizer.step({ 'model/bias': good, 'encoder/weight': good })).toThrow(/grads: expected keys of this optimizer/);
    expect(model.bias!.dataSync()[0]).toBe(0.25);
    expect(optimizer.stepCount).toBe(0);
    optimizer.groups[0].lr = Number.NaN;
    expect(() => optimizer.step({ 'model/bias': good })).toThrow(/group 'model\/decay' lr/);
    expect(() => optimizer.setLearningRate(-1)).toThrow(VjepaError);
    tf.dispose([good, bad]);
    optimizer.dispose();
    expect(() => optimizer.state()).toThrow(/disposed/);
    model.dispose();
  });

  it('rejects a state that does not fit, leaving its own state intact', () => {
    const model = tinyModel();
    const optimizer = new AdamW(paramGroups({ model }));
    twoSteps(model, optimizer);
    const saved = optimizer.state();
    const wrongShape = { ...saved, params: { ...saved.params, 'model/weight': { ...saved.params['model/weight'], expAvg: { shape: [3], data: new Float32Array(3) } } } };
    expect(() => optimizer.loadState(wrongShape)).toThrow(/expAvg: expected shape \[1,3\]/);
    expect(() => optimizer.loadState({ ...saved, params: { 'x/y': saved.params['model/bias'] } })).toThrow(/state.params/);
    expect(() => optimizer.loadState({ ...saved, groups: [{ name: 'nope', lr: 1, weightDecay: 0 }] })).toThrow(/state.groups/);
    expect(optimizer.state().params['model/weight'].expAvg.data).toEqual(saved.params['model/weight'].expAvg.data);
    optimizer.dispose();
    model.dispose();
  });

  it('rejects bad hyper-parameters and a parameter in two groups', () => {
    const model = tinyModel();
    const groups = paramGroups({ model });
    expect(() => new AdamW(groups, { beta1: 1 })).toThrow(/beta1/);
    expect(() => new AdamW(groups, { eps: -1 })).toThrow(/eps/);
    expect(() => new AdamW([groups[0], { ...groups[0], name: 'again' }])).toThrow(/in one group only/);
    model.dispose();
  });
});
