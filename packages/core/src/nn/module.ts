import * as tf from '@tensorflow/tfjs-core';
import { sameShape } from '@vjepa/base';
import type { HostTensor, StateDictInput } from '../types';
import { ensureGradients } from '#gradients';
import { StateDictError, type LoadReport } from './state-dict-error';

/** Options of `loadStateDict`. */
export interface LoadOptions {
  /** Throw when any key is missing, unexpected or of the wrong shape (default). `false` loads what fits and reports the rest. */
  strict?: boolean;
  /** Where the weights came from, for error messages (a file name). */
  source?: string;
}

function entriesOf(input: StateDictInput): [string, tf.Tensor | HostTensor][] {
  return input instanceof Map ? [...input.entries()] : Object.entries(input);
}

function shapeOf(value: tf.Tensor | HostTensor): number[] {
  return value instanceof tf.Tensor ? value.shape : value.shape;
}

/** A float32 tensor from a tfjs tensor or a host array (integers are converted). */
function toFloatTensor(value: tf.Tensor | HostTensor): tf.Tensor {
  if (value instanceof tf.Tensor) return value.dtype === 'float32' ? value : tf.cast(value, 'float32');
  const data = value.data instanceof Float32Array ? value.data : Float32Array.from(value.data as ArrayLike<number>, Number);
  return tf.tensor(data, value.shape, 'float32');
}

/**
 * The module contract every model piece keeps: named state (trainable parameters and fixed buffers)
 * under PyTorch's key names, `stateDict()`, `loadStateDict()` and `dispose()`.
 *
 * State keys follow PyTorch's order: a module's own tensors first, then its children in registration
 * order, joined with dots (`blocks.0.attn.qkv.weight`). All state lives in `tf.Variable`s owned by the
 * module, so `loadStateDict` and optimizers update it in place.
 */
export abstract class Module {
  private readonly own = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  constructor() {
    ensureGradients();
  }

  /** Registers a tensor as state under `name`, taking ownership of `initial` (it is disposed). */
  protected addState(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    if (this.own.has(name) || this.children.has(name)) throw new Error(`state key '${name}' registered twice`);
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    this.own.set(name, variable);
    return variable;
  }

  /** Registers a child module under `name` (dotted names like `blocks.3` are fine). */
  protected addModule<M extends Module>(name: string, module: M): M {
    if (this.own.has(name) || this.children.has(name)) throw new Error(`module key '${name}' registered twice`);
    this.children.set(name, module);
    return module;
  }

  /** This module's own state (not its children's), by local name. */
  ownState(): ReadonlyMap<string, tf.Variable> {
    return this.own;
  }

  /** Every sub-module with its dotted name, depth-first in registration order (this module first, as ''). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.children) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** All state (parameters and fixed buffers) by official key, in PyTorch's order. */
  stateDict(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, variable] of module.own) out.set(prefix ? `${prefix}.${name}` : name, variable);
    }
    return out;
  }

  /** The trainable parameters by official key (fixed tables such as `pos_embed` excluded). */
  parameters(): Map<string, tf.Variable> {
    return new Map([...this.stateDict()].filter(([, v]) => v.trainable));
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    let total = 0;
    for (const v of this.parameters().values()) total += v.size;
    return total;
  }

  /**
   * Copies weights into this module by key. Everything is checked before anything is written: with
   * `strict` (default) a missing, unexpected or wrongly-shaped key throws a `StateDictError` listing the
   * keys; with `strict: false` the matching keys are loaded and the rest reported.
   */
  loadStateDict(input: StateDictInput, options: LoadOptions = {}): LoadReport {
    const strict = options.strict ?? true;
    const state = this.stateDict();
    const given = new Map(entriesOf(input));
    const report: LoadReport = { loaded: [], missing: [], unexpected: [], mismatched: [] };
    for (const [key, variable] of state) {
      const value = given.get(key);
      if (value === undefined) report.missing.push(key);
      else if (!sameShape(shapeOf(value), variable.shape)) {
        report.mismatched.push({ key, expected: variable.shape, received: shapeOf(value) });
      } else report.loaded.push(key);
    }
    for (const key of given.keys()) if (!state.has(key)) report.unexpected.push(key);
    const clean = !report.missing.length && !report.unexpected.length && !report.mismatched.length;
    if (strict && !clean) throw new StateDictError(this.constructor.name, report, options.source);
    tf.tidy(() => {
      for (const key of report.loaded) state.get(key)!.assign(toFloatTensor(given.get(key)!));
    });
    return report;
  }

  /** Frees every variable of this module and its children. */
  dispose(): void {
    for (const [, module] of this.namedModules()) {
      for (const variable of module.own.values()) variable.dispose();
      module.own.clear();
    }
  }
}
