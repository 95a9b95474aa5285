import type * as tf from '@tensorflow/tfjs-core';
import { fail, type Module } from '@vjepa/core';

/**
 * One optimizer parameter group: a module's parameters that share weight-decay handling.
 * Parameter keys are `${moduleName}/${officialKey}` (e.g. `predictor/mask_tokens.0`), unique across
 * modules, as the reference fixture names them.
 */
export interface ParamGroup {
  /** `${moduleName}/decay` or `${moduleName}/no-decay`. */
  name: string;
  /** The name the module was given in `paramGroups({ … })`. */
  module: string;
  /** Whether the weight-decay schedule applies (`false`: decay 0 for good, official `WD_exclude`). */
  applyWeightDecay: boolean;
  /** The trainable variables by `${moduleName}/${officialKey}`, in the module's state order. */
  params: Map<string, tf.Variable>;
}

/**
 * Whether the official rule decays a parameter: not when its name contains `bias` or it is 1-D
 * (biases, LayerNorm weights); yes for everything else — Linear and conv weights and, a quirk of the
 * official code, the `[1, 1, D]` mask tokens and the probe's query token.
 *
 * @param key - the official key inside its module (`blocks.0.attn.qkv.bias`).
 * @param shape - the parameter's shape.
 */
export function takesWeightDecay(key: string, shape: readonly number[]): boolean {
  return !key.includes('bias') && shape.length !== 1;
}

/**
 * The official optimizer groups of `init_opt` (spec §8): for modules `{ encoder, predictor }` the groups
 * are, in this order, (encoder, decay), (predictor, decay), (encoder, no-decay), (predictor, no-decay).
 * Only trainable parameters are included: fixed tables such as `pos_embed` get no gradient and the
 * official optimizer skips them. Empty groups are kept so indices stay stable.
 *
 * @param modules - the trained modules by name, in order (`{ encoder, predictor }`, or `{ probe }`).
 * @example
 * const groups = paramGroups({ encoder, predictor });
 * groups.map((g) => g.name); // ['encoder/decay', 'predictor/decay', 'encoder/no-decay', 'predictor/no-decay']
 */
export function paramGroups(modules: Record<string, Module>): ParamGroup[] {
  const names = Object.keys(modules);
  if (names.length === 0) fail('modules', 'at least one module, e.g. { encoder, predictor }', modules);
  const seen = new Map<tf.Variable, string>();
  const decay: ParamGroup[] = [];
  const noDecay: ParamGroup[] = [];
  for (const moduleName of names) {
    const module = modules[moduleName];
    if (typeof module?.parameters !== 'function') fail(`modules.${moduleName}`, 'a Module', module);
    if (moduleName.includes('/')) fail('module name', 'a name without "/"', moduleName);
    const withDecay: ParamGroup = { name: `${moduleName}/decay`, module: moduleName, applyWeightDecay: true, params: new Map() };
    const withoutDecay: ParamGroup = { name: `${moduleName}/no-decay`, module: moduleName, applyWeightDecay: false, params: new Map() };
    for (const [key, variable] of module.parameters()) {
      const paramKey = `${moduleName}/${key}`;
      const other = seen.get(variable);
      if (other !== undefined) {
        fail(`parameter '${paramKey}'`, 'to belong to one module only', `the same variable as '${other}'`, 'Pass each module once and do not share variables between them');
      }
      seen.set(variable, paramKey);
      (takesWeightDecay(key, variable.shape) ? withDecay : withoutDecay).params.set(paramKey, variable);
    }
    decay.push(withDecay);
    noDecay.push(withoutDecay);
  }
  return [...decay, ...noDecay];
}

/** Every parameter of the groups by key, in group order: the variable list to differentiate. */
export function groupParameters(groups: readonly ParamGroup[]): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const group of groups) for (const [key, variable] of group.params) out.set(key, variable);
  return out;
}

/**
 * Re-keys gradients from tfjs variable names (what `tf.variableGrads` returns) to parameter keys.
 * Variables without a gradient are left out, as PyTorch leaves `grad` at `None`.
 *
 * @param params - parameter keys → variables (see {@link groupParameters}).
 * @param grads - `variableGrads(...).grads`, keyed by `variable.name`.
 */
export function gradientsByKey(params: ReadonlyMap<string, tf.Variable>, grads: Record<string, tf.Tensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [key, variable] of params) {
    const grad = grads[variable.name];
    if (grad !== undefined) out.set(key, grad);
  }
  return out;
}
