import * as tf from '@tensorflow/tfjs-core';
import { adamwUpdate, checkKeys, downloadForSyncReads, optionKeys, fail, sameShape, type HostTensor } from '@vjepa/core';
import type { ParamGroup } from './param-groups';

/** Hyper-parameters of {@link AdamW}; the defaults are PyTorch's and the official ones. */
export interface AdamWOptions {
  /** Initial learning rate of every group (default 1e-3); schedules overwrite it each step. */
  lr?: number;
  /** Initial weight decay of the groups with `applyWeightDecay` (default 0.01); the others get 0. */
  weightDecay?: number;
  /** β₁ (default 0.9). */
  beta1?: number;
  /** β₂ (default 0.999). */
  beta2?: number;
  /** ε added to the bias-corrected √v (default 1e-8). */
  eps?: number;
}

/** A group as the optimizer holds it; `lr` and `weightDecay` may be changed between steps. */
export interface OptimizerGroup {
  readonly name: string;
  readonly applyWeightDecay: boolean;
  /** The parameter keys of this group. */
  readonly keys: readonly string[];
  lr: number;
  weightDecay: number;
}

/** The saved state of one parameter: its own step count and both moments (PyTorch's `step`, `exp_avg`, `exp_avg_sq`). */
export interface AdamWParamState {
  step: number;
  expAvg: HostTensor;
  expAvgSq: HostTensor;
}

/** Everything {@link AdamW.loadState} needs to resume: moments by parameter key, and the group settings. */
export interface AdamWState {
  /** Number of `step()` calls. */
  stepCount: number;
  groups: { name: string; lr: number; weightDecay: number }[];
  /** Only parameters that have been stepped at least once have state (as in PyTorch). */
  params: Record<string, AdamWParamState>;
}

/** Gradients by parameter key (`${module}/${officialKey}`). */
export type Gradients = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

interface Slot {
  key: string;
  variable: tf.Variable;
  group: OptimizerGroup;
  step: number;
  expAvg?: tf.Variable;
  expAvgSq?: tf.Variable;
}

function checkNumber(argument: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(argument, `a finite number in [${min}, ${max}]`, value);
  }
}

/** A non-trainable float32 variable holding a copy of `data` (the initial tensor is freed at once). */
function momentVariable(data: HostTensor['data'], shape: readonly number[]): tf.Variable {
  // A copy, because backends may keep the very array they are given.
  const values = Float32Array.from(data as ArrayLike<number | bigint>, Number);
  const initial = tf.tensor(values, [...shape], 'float32');
  const variable = tf.variable(initial, false);
  initial.dispose();
  return variable;
}

function entriesOf(grads: Gradients): [string, tf.Tensor][] {
  return grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
}

/**
 * AdamW with PyTorch's semantics and op order (`torch.optim.AdamW`, amsgrad off), spec §8. Per parameter
 * with gradient g, at its t-th step:
 * `p ← p·(1 − lr·wd)`; `m ← β₁m + (1−β₁)g`; `v ← β₂v + (1−β₂)g²`;
 * `p ← p − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε)`.
 *
 * Moments are `tf.Variable`s created on a parameter's first step and updated in place with `assign`
 * inside one `tf.tidy`, so `tf.memory().numTensors` stays flat. Parameters are owned by their modules;
 * the optimizer owns only its moments (`dispose()` frees them).
 *
 * @example
 * const optimizer = new AdamW(paramGroups({ encoder, predictor }));
 * optimizer.setLearningRate(lrSchedule.step());
 * optimizer.setWeightDecay(wdSchedule.step()); // decay groups only
 * optimizer.step(grads); // Map of gradients by `${module}/${key}`
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** The groups, in the given order; set `lr` / `weightDecay` per group, or use the setters below. */
  readonly groups: readonly OptimizerGroup[];
  private readonly slots = new Map<string, Slot>();
  private steps = 0;
  private disposed = false;

  constructor(groups: readonly ParamGroup[], options: AdamWOptions = {}) {
    checkKeys('options', options, optionKeys<AdamWOptions>({ lr: true, weightDecay: true, beta1: true, beta2: true, eps: true }));
    const { lr = 1e-3, weightDecay = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
    checkNumber('lr', lr, 0);
    checkNumber('weightDecay', weightDecay, 0);
    checkNumber('beta1', beta1, 0, 1 - Number.EPSILON);
    checkNumber('beta2', beta2, 0, 1 - Number.EPSILON);
    checkNumber('eps', eps, 0);
    [this.beta1, this.beta2, this.eps] = [beta1, beta2, eps];
    const names = new Set<string>();
    const variables = new Set<tf.Variable>();
    this.groups = groups.map((group) => {
      if (names.has(group.name)) fail('groups', 'unique group names', group.name);
      names.add(group.name);
      const held: OptimizerGroup = {
        name: group.name,
        applyWeightDecay: group.applyWeightDecay,
        keys: [...group.params.keys()],
        lr,
        weightDecay: group.applyWeightDecay ? weightDecay : 0,
      };
      for (const [key, variable] of group.params) {
        if (this.slots.has(key) || variables.has(variable)) fail(`parameter '${key}'`, 'to appear in one group only', group.name);
        variables.add(variable);
        this.slots.set(key, { key, variable, group: held, step: 0 });
      }
      return held;
    });
  }

  /** Number of `step()` calls so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Sets the learning rate of every group (what `WarmupCosineSchedule` does). */
  setLearningRate(lr: number): void {
    checkNumber('lr', lr, 0);
    for (const group of this.groups) group.lr = lr;
  }

  /** Sets the weight decay of the groups with `applyWeightDecay` only (what `CosineWDSchedule` does). */
  setWeightDecay(weightDecay: number): void {
    checkNumber('weightDecay', weightDecay, 0);
    for (const group of this.groups) if (group.applyWeightDecay) group.weightDecay = weightDecay;
  }

  /**
   * One update of every parameter that has a gradient in `grads` (the others, like PyTorch's
   * `grad is None`, are neither decayed nor moved). Every key and shape is checked before anything is
   * written. The gradients stay owned by the caller.
   */
  step(grads: Gradients): void {
    const updates = this.validate(grads);
    for (const [slot] of updates) {
      if (slot.expAvg === undefined || slot.expAvgSq === undefined) {
        slot.expAvg = momentVariable(new Float32Array(slot.variable.size), slot.variable.shape);
        slot.expAvgSq = momentVariable(new Float32Array(slot.variable.size), slot.variable.shape);
      }
    }
    const [beta1, beta2, eps] = [this.beta1, this.beta2, this.eps];
    tf.tidy(() => {
      for (const [slot, grad] of updates) {
        const { lr, weightDecay } = slot.group;
        const m = slot.expAvg!;
        const v = slot.expAvgSq!;
        const [p1, m1, v1] = adamwUpdate(slot.variable, m, v, grad, { lr, weightDecay, beta1, beta2, eps, step: slot.step + 1 });
        m.assign(m1);
        v.assign(v1);
        slot.variable.assign(p1);
      }
    });
    for (const [slot] of updates) slot.step += 1;
    this.steps += 1;
  }

  /** Moments and step counts as host arrays by parameter key, plus group settings: for checkpoints. */
  state(): AdamWState {
    this.checkLive();
    const params: Record<string, AdamWParamState> = {};
    for (const slot of this.slots.values()) {
      if (slot.expAvg === undefined || slot.expAvgSq === undefined) continue;
      params[slot.key] = {
        step: slot.step,
        // Copies: `dataSync` may hand out the backend's own buffer.
        expAvg: { shape: [...slot.expAvg.shape], data: Float32Array.from(slot.expAvg.dataSync() as Float32Array) },
        expAvgSq: { shape: [...slot.expAvgSq.shape], data: Float32Array.from(slot.expAvgSq.dataSync() as Float32Array) },
      };
    }
    const groups = this.groups.map(({ name, lr, weightDecay }) => ({ name, lr, weightDecay }));
    return { stepCount: this.steps, groups, params };
  }

  /** {@link state} on any backend: the moments are read asynchronously where the backend needs it (webgpu). */
  async stateAsync(): Promise<AdamWState> {
    this.checkLive();
    await downloadForSyncReads(this.momentTensors());
    return this.state();
  }

  /** The moment tensors {@link state} reads (both of every parameter stepped so far). */
  momentTensors(): tf.Tensor[] {
    return [...this.slots.values()].flatMap((slot) => (slot.expAvg && slot.expAvgSq ? [slot.expAvg, slot.expAvgSq] : []));
  }

  /**
   * Restores a state saved by {@link state}. Everything is checked (known keys, shapes, step counts,
   * group names) before anything is written; parameters absent from `state.params` start afresh.
   */
  loadState(state: AdamWState): void {
    this.checkLive();
    if (!Number.isInteger(state?.stepCount) || state.stepCount < 0) fail('state.stepCount', 'a non-negative integer', state?.stepCount);
    const groupsByName = new Map(this.groups.map((g) => [g.name, g]));
    for (const saved of state.groups ?? []) {
      if (!groupsByName.has(saved.name)) fail('state.groups', `names among ${[...groupsByName.keys()].join(', ')}`, saved.name);
      checkNumber(`state.groups '${saved.name}' lr`, saved.lr, 0);
      checkNumber(`state.groups '${saved.name}' weightDecay`, saved.weightDecay, 0);
    }
    const entries = Object.entries(state.params ?? {});
    for (const [key, saved] of entries) {
      const slot = this.slots.get(key);
      if (slot === undefined) fail('state.params', 'keys of this optimizer’s parameters', key, 'Build the optimizer from the same modules');
      if (!Number.isInteger(saved.step) || saved.step < 1) fail(`state.params '${key}' step`, 'a positive integer', saved.step);
      for (const [name, moment] of [['expAvg', saved.expAvg], ['expAvgSq', saved.expAvgSq]] as const) {
        const size = slot.variable.size;
        if (!sameShape(moment?.shape ?? [], slot.variable.shape) || moment.data.length !== size) {
          fail(`state.params '${key}' ${name}`, `shape [${slot.variable.shape}] with ${size} values`, moment?.shape);
        }
      }
    }
    for (const saved of state.groups ?? []) Object.assign(groupsByName.get(saved.name)!, { lr: saved.lr, weightDecay: saved.weightDecay });
    for (const slot of this.slots.values()) this.reset(slot);
    for (const [key, saved] of entries) {
      const slot = this.slots.get(key)!;
      slot.step = saved.step;
      slot.expAvg = momentVariable(saved.expAvg.data, slot.variable.shape);
      slot.expAvgSq = momentVariable(saved.expAvgSq.data, slot.variable.shape);
    }
    this.steps = state.stepCount;
  }

  /** Frees the moments. The parameters belong to their modules and are not touched. */
  dispose(): void {
    for (const slot of this.slots.values()) this.reset(slot);
    this.disposed = true;
  }

  private reset(slot: Slot): void {
    slot.expAvg?.dispose();
    slot.expAvgSq?.dispose();
    slot.expAvg = slot.expAvgSq = undefined;
    slot.step = 0;
  }

  private checkLive(): void {
    if (this.disposed) fail('AdamW', 'an optimizer that has not been disposed', 'a disposed optimizer');
  }

  private validate(grads: Gradients): [Slot, tf.Tensor][] {
    this.checkLive();
    const updates: [Slot, tf.Tensor][] = [];
    for (const [key, grad] of entriesOf(grads)) {
      const slot = this.slots.get(key);
      if (slot === undefined) fail('grads', 'keys of this optimizer’s parameters (`${module}/${key}`)', key);
      if (!(grad instanceof tf.Tensor) || grad.isDisposed) fail(`grads '${key}'`, 'a live tensor', grad);
      if (!sameShape(grad.shape, slot.variable.shape)) fail(`grads '${key}' shape`, `[${slot.variable.shape}]`, grad.shape);
      if (slot.variable.isDisposed) fail(`parameter '${key}'`, 'a live variable', 'a disposed variable');
      updates.push([slot, grad]);
    }
    for (const group of this.groups) {
      checkNumber(`group '${group.name}' lr`, group.lr, 0);
      checkNumber(`group '${group.name}' weightDecay`, group.weightDecay, 0);
    }
    return updates;
  }
}
